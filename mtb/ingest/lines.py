"""The text of a VCF, checked beside cyvcf2 so that every record has a line number and a
malformed record is refused with the line and the problem.

htslib is lenient: it logs 'Could not parse the position' and still hands out a record, reads a
QUAL of 'qq' as 0 and an empty ALT as '.'. A clinical tool must refuse such a file and say where
it is broken. `LineCheck` reads the decompressed text in large chunks and lets one regular
expression consume each run of sound lines (C speed, no Python work per sound line: 0.3 µs a
line measured here); only the lines where a run stops are examined (`check_line`). Because
blank and '#' lines among the records are flagged too, record i is exactly line
header_lines + i + 1. BCF files have no lines and are checked by htslib alone.

The chunks also name the contigs ahead of the records (`on_contigs`): cyvcf2 hands out a
half-parsed record — and crashes on it — when a malformed record is also the first on a contig
the header does not declare, so every contig is declared before its first record is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from mtb.errors import InputError
from mtb.ingest.files import open_binary
from mtb.ingest.header import VcfHeader
from mtb.ingest.limits import MAX_LINE

_BASES = b"ACGTNacgtn"
_BASES_AND_COMMA = _BASES + b","
_ALLELE_RE = (
    rb"(?:[ACGTNacgtn]+|\*|\.|<[^<>,\t\n]+>"  # sequence, spanning deletion, no ALT, symbolic
    rb"|[ACGTNacgtn]*[\[\]][^\[\]\t\n]+[\[\]][ACGTNacgtn]*"  # breakends: t[p[, ]p]t, ...
    rb"|\.[ACGTNacgtn]+|[ACGTNacgtn]+\.)"  # single breakends
)
_ALLELE = re.compile(rb"^" + _ALLELE_RE + rb"$")
# VCF 4.3 contig names: printable, no whitespace, commas, angle or square brackets, quotes.
_CHROM_RE = rb"[0-9A-Za-z!$%&+./:;?@^_|~-][0-9A-Za-z!#$%&*+./:;=?@^_|~-]*"
_CHROM = re.compile(_CHROM_RE)
_CHROMS_IN_CHUNK = re.compile(rb"^(" + _CHROM_RE + rb")\t", re.M)
_QUAL_RE = rb"(?:\.|[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[Nn]a[Nn]|[Ii]nf)"

# A record whose ALT is not a VCF allele list (VarScan2 writes 'A/T' for two alleles) is skipped
# with a warning that names its line; the rest of the file is still read. Broken structure
# (columns, CHROM, POS, REF, QUAL) makes the whole file unusable and is an error.
SKIPPED_ALT = "ALT is not a valid VCF allele list"
# htslib hands a larger POS to cyvcf2 as a wrapped 32-bit (negative) number
MAX_POS = 2**31 - 1


def expected_columns(header: VcfHeader) -> int:
    return 8 + (1 + len(header.samples) if header.samples else 0)


def _sound_lines(columns: int) -> re.Pattern[bytes]:
    """Matches a run of data lines whose fixed columns are sound (possessive: no backtracking)."""
    rest = rb"(?:\t[^\t\n]*){%d}" % (columns - 8) if columns > 8 else rb"(?:\t[^\t\n]*)?"
    line = (
        _CHROM_RE + rb"\t[1-9][0-9]{0,8}\t[^\t\n]*\t[ACGTNacgtn]+\t"  # 10 digits: check_line
        + _ALLELE_RE + rb"(?:," + _ALLELE_RE + rb")*\t"
        + _QUAL_RE + rb"\t[^\t\n]*\t[^\t\n]*" + rest + rb"\r?\n"
    )
    return re.compile(rb"(?:" + line + rb")*+")


def check_line(line: bytes, columns: int) -> str | None:
    """The problem with one data line's fixed columns, or None. Never echoes the values.

    SKIPPED_ALT when only the ALT column is wrong (the reader skips that record).
    """
    line = line.rstrip(b"\r\n")
    if not line.strip():
        return "empty line among the records"
    if line[:1] == b"#":
        return "header line among the records"
    found = line.count(b"\t") + 1
    sites_only_ok = columns == 8 and found == 9  # sites-only files may keep a FORMAT column
    if found != columns and not sites_only_ok:
        return f"has {found} tab-separated columns, expected {columns}"
    chrom, pos, _id, ref, alt, qual = line.split(b"\t", 6)[:6]
    if not chrom:
        return "CHROM is empty"
    if not _CHROM.fullmatch(chrom):
        return "CHROM holds characters a contig name may not have"
    if not pos.isdigit() or int(pos) < 1:
        return "POS is not a positive integer"
    if int(pos) > MAX_POS:
        return f"POS is beyond {MAX_POS:,}, the largest position htslib reads"
    if not ref or ref.translate(None, _BASES):
        return "REF is empty or holds characters other than A, C, G, T, N"
    if not re.fullmatch(_QUAL_RE, qual):
        return "QUAL is neither a number nor '.'"
    if not alt or not all(_ALLELE.match(allele) for allele in alt.split(b",")):
        return SKIPPED_ALT
    return None


class LineCheck:
    """Validates a text VCF's data lines ahead of the records cyvcf2 hands out.

    `problem(i)` is the problem of the i-th data line (0-based) or None; `line_number(i)` its
    line in the file. `data_lines` counts the data lines once the text is read to its end.
    """

    _CHUNK = 1 << 22

    def __init__(
        self, path: Path, header: VcfHeader, on_contigs: Callable[[set[str]], None]
    ) -> None:
        self.path = path
        self.columns = expected_columns(header)
        self.header_lines = 0  # counted in the file: htslib's raw header may add lines
        self._sound_run = _sound_lines(self.columns)
        self._on_contigs = on_contigs
        self._contigs: set[bytes] = set()
        self._handle = open_binary(path)
        self._carry = b""
        self._in_header = True
        self._checked = 0  # data lines validated so far
        self._problems: dict[int, str] = {}
        self._eof = False
        while self._in_header and not self._eof:  # line numbers need the header counted
            self._read_chunk()

    def line_number(self, index: int) -> int:
        return self.header_lines + index + 1

    def problem(self, index: int) -> str | None:
        if index >= self._checked:
            while index >= self._checked and not self._eof:
                self._read_chunk()
        return self._problems.get(index) if self._problems else None

    @property
    def data_lines(self) -> int:
        while not self._eof:
            self._read_chunk()
        return self._checked

    def _read_chunk(self) -> None:
        chunk = self._handle.read(self._CHUNK)
        if not chunk:
            self._eof = True
            chunk, self._carry = self._carry, b""
            if not chunk:
                return
            if not chunk.endswith(b"\n"):
                chunk += b"\n"
        else:
            chunk = self._carry + chunk
            cut = chunk.rfind(b"\n") + 1
            chunk, self._carry = chunk[:cut], chunk[cut:]
            if len(self._carry) > MAX_LINE:  # one endless line: refused before htslib reads it
                raise InputError(self.path.name, "a line is longer than 64 MiB; not read",
                                 self.line_number(self._checked + chunk.count(b"\n")))
        if self._in_header:
            chunk = self._drop_header(chunk)
        contigs = set(_CHROMS_IN_CHUNK.findall(chunk)) - self._contigs
        if contigs:
            self._contigs |= contigs
            self._on_contigs({name.decode() for name in contigs})
        index = self._checked
        position, end = 0, len(chunk)
        while position < end:
            stop = self._sound_run.match(chunk, position).end()  # type: ignore[union-attr]
            index += chunk.count(b"\n", position, stop)
            if stop >= end:
                break
            next_line = chunk.index(b"\n", stop) + 1
            problem = check_line(chunk[stop:next_line], self.columns)
            if problem:
                self._problems[index] = problem
            index += 1
            position = next_line
        self._checked = index

    def _drop_header(self, chunk: bytes) -> bytes:
        """Skip the header, which ends with the first #CHROM line: any '#' line after it is
        a broken record (htslib would parse a repeated #CHROM line as one)."""
        position = 0
        while position < len(chunk) and chunk[position : position + 1] == b"#":
            is_column_line = chunk.startswith(b"#CHROM", position)
            position = chunk.index(b"\n", position) + 1
            self.header_lines += 1
            if is_column_line:
                self._in_header = False
                return chunk[position:]
        if position < len(chunk) or self._eof:
            self._in_header = False
        return chunk[position:]

    def text_of(self, index: int) -> bytes:
        """The raw text of a data line (slow path, for error messages only)."""
        number = self.line_number(index)
        with open_binary(self.path) as handle:
            for count, line in enumerate(handle, start=1):
                if count == number:
                    return line
        return b""

    def close(self) -> None:
        self._handle.close()


_GENOTYPE = re.compile(r"[0-9.]+(?:[/|][0-9.]+)*")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|nan|NaN|inf|Inf)$")


def diagnose(line: bytes, header: VcfHeader) -> str:
    """Why htslib rejected a line: the first INFO/FORMAT value that breaks its declared type."""
    problem = check_line(line, expected_columns(header))
    if problem:
        return problem
    parts = line.rstrip(b"\r\n").decode("utf-8", "replace").split("\t")
    for item in parts[7].split(";") if parts[7] != "." else []:
        key, _, value = item.partition("=")
        bad = _type_problem(value, header.info.get(key))
        if bad:
            return f"INFO/{key} {bad}"
    if len(parts) > 9:
        keys = parts[8].split(":")
        for column, sample in enumerate(parts[9:], start=1):
            values = sample.split(":")
            if len(values) > len(keys):
                return f"sample column {column} has more values than FORMAT declares"
            for key, value in zip(keys, values, strict=False):
                if key == "GT":
                    bad = None if _GENOTYPE.fullmatch(value) else "is not a genotype"
                else:
                    bad = _type_problem(value, header.format.get(key))
                if bad:
                    return f"FORMAT/{key} in sample column {column} {bad}"
    return "htslib could not parse this record"


def _type_problem(value: str, decl: object) -> str | None:
    kind = getattr(decl, "type", "")
    if not value or kind not in ("Integer", "Float"):
        return None
    pattern = _INT if kind == "Integer" else _FLOAT
    for part in value.split(","):
        if part != "." and not pattern.match(part):
            return f"is not {'an integer' if kind == 'Integer' else 'a number'}"
    return None
