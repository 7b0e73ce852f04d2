"""Columnar VCF ingest: whole chunks of records read into NumPy columns, for whole genomes.

CANDIDATES, measured by bench/ingest_candidates.py in one run on one synthetic Mutect2-style
file (1,000,000 records, full Mutect2 FORMAT GT:AD:AF:DP:F1R2:F2R1:FAD:SB and INFO, 71 MB
bgzipped, 307 MB of text), each reading CHROM, POS, ID, REF, ALT, QUAL, FILTER and the tumor's
and normal's AF, AD and DP into columns batch by batch, in its own process. This 2-core machine
is shared and its wall times swing twofold from run to run; CPU seconds (the process and its
children) are steadier. Wall: best of two, in a quiet run; CPU: a later run:

    candidate               wall s   CPU s  peak RSS MB
    bcftools query (C)        2.38     2.7           84   text to /dev/null: the reference
    pysam query + NumPy       5.93     7.4           88   pysam's bcftools, text cut here
    cyvcf2 batches           13.36    14.4           92   the per-record loop into arrays
    oxbow (Rust)              4.24     4.7          185   Arrow batches (+18 MB, + pyarrow)
    polars read_csv           5.64     2.9          299   text as a table, str.split
    pyarrow csv               5.73     3.9          420   text as a table, split_pattern
    mtb columnar              5.45     8.7          171   this module (check process included)

CHOICE: our own reading of the decompressed text with NumPy (`mtb.ingest.vectors`), every line
checked first by one regular expression per FORMAT layout (`mtb.ingest.sound`) in a second
process (`mtb.ingest.checked`). It is not the cheapest reader of columns (polars and oxbow do
the reading with a third to a half of its CPU); it is the one that gives what `mtb ingest`
must give:
- the same answers as htslib through cyvcf2, value for value. The others read by their own
  rules: oxbow reads POS 'abc' as null and a sample column with more values than FORMAT
  without a word, and stops on a bad AF without saying where; bcftools query prints floats
  with 6 significant digits (a QUAL of 123.4567 comes back as another float32); polars casts
  text to float32 directly, not through a double as htslib does. Our check keeps to the lines
  whose reading is not in doubt and reads them as htslib does, float32 from Python's float();
- a line number for every record and every error: any engine would need the same check
  (decompression and the regular expression are 2.2 of our 8.7 CPU seconds);
- no new dependency but ISA-L's inflate (a 1 MB wheel; oxbow needs pyarrow, 170 MB).
`mtb ingest` (columnar, TSV written) takes 3.4x the CPU of bcftools query and a third of the
per-record path's (bench/ingest.py: 8.8 vs 2.6 vs 26.1 CPU seconds for 1M records); its wall
time, the check running on the second core, was 3.1-3.9x bcftools query's in the runs made
here, with other sessions' test suites sharing the two cores.

WHAT IT READS: text VCFs (plain, gzip or BGZF) with one or two samples, no VEP/SnpEff
annotation, and records whose FORMAT layout uses the FORMAT/AF (Mutect2, VarDict, DRAGEN) or
the generic FORMAT/AD convention of `mtb.ingest.callers`, every key declared alike in our header
parse and htslib's. Multi-allelic records are split into one row per ALT ('*' skipped,
counted), contigs normalised once per distinct name, the caller convention applied as array
expressions per chunk, with the per-record semantics exactly (AD alt count at index alt+1, DP
else the sum of AD when every value is there and none is cyvcf2's padding, float32 AF).

WHAT FALLS BACK to the per-record reader (`VcfReader`), never visible in the output:
- the whole file, decided from the header: BCF (binary, no lines), sites-only files (INFO
  evidence), three or more samples, VEP CSQ / SnpEff ANN annotation (parsed per record);
- runs of doubtful lines, decided line by line: a layout of another caller convention
  (Strelka, VarScan, FreeBayes, PCGR, Delly/Manta), a symbolic or breakend ALT, an undeclared
  FORMAT key, any value not plainly written (see `mtb.ingest.sound`), every malformed line. The
  per-record reader reads such a run (up to the next RESUME plain lines) with the right line
  numbers and reports an error exactly as it always did, after the rows of the lines before it.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mtb.errors import InputError
from mtb.ingest import callers
from mtb.ingest.batches import Batch, Coded, ColumnBatch, RecordBatch
from mtb.ingest.checked import checked_chunks
from mtb.ingest.chunks import Chunk, read_header
from mtb.ingest.evidence import (
    CONVENTIONS,
    Fields,
    evidence,
    matrix_of,
    value_ranges,
    variant_kinds,
)
from mtb.ingest.limits import ReadLimits
from mtb.ingest.sound import SoundLines
from mtb.ingest.vcf import CallsetInfo, Counts, VcfFinding, VcfReader, skip_warning
from mtb.ingest.vectors import (
    TextBlock,
    codes,
    token_ranges,
    unsigned_single,
)
from mtb.rows import format_cell
from mtb.variant import GenomeBuild, VariantType, normalize_chrom

_REQUIRED_TYPES = {"AF": "Float", "AD": "Integer", "DP": "Integer"}
_new = tuple.__new__
RESUME = 256  # plain lines that end a per-record run (see ColumnarReader._segments)
Segments = list[tuple[int, int, bool]]  # (start, end, plain) byte ranges of a chunk
_FORMAT_LINES = 2  # htslib's BCF_HL_FMT
_NUMBER = re.compile(r"[1-9][0-9]*|[ARG.]")
_LAYOUT = re.compile(rb"[A-Za-z0-9_]+(?::[A-Za-z0-9_]+)*")
Progress = Callable[[int, int], None]  # (records read, compressed bytes read)


def whole_file_reason(reader: VcfReader) -> str | None:
    """Why the whole file goes to the per-record reader, or None when the columnar path reads it."""
    if reader.is_bcf:
        return "BCF"
    samples = len(reader.header.samples)
    if samples == 0:
        return "sites-only"
    if samples > 2:
        return "more than two samples"
    if reader.roles.rna is not None:
        return "an RNA sample"
    if reader.info.annotation:
        return f"{reader.info.annotation} annotation"
    return None


Named = tuple[list[str], np.ndarray]  # distinct strings, and each row's index among them


@dataclass
class Fixed:
    """The fixed columns of a run of plain lines, per record, and its ALT alleles as rows."""

    records: int
    filter: Named
    chrom: Named
    pos: np.ndarray
    ident: Named
    ref: Named
    qual: Named
    layout: Named
    fields: Fields
    record: np.ndarray  # row -> record
    allele: np.ndarray  # row -> ALT index
    alt: Named  # per row ('*' included)
    kind: Coded  # per row


Prepared = list[tuple[int, int, "Fixed | None"]]  # segments of a chunk: (start, end, plain?)


class ColumnarReader:
    """Streams a VCF's findings in batches; columnar where it can, per record where it must.

    The same options and the same `info` and `counts` as `VcfReader`, which it uses for the
    header, the sample roles and every record the columnar path leaves to it.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        tumor: str | None = None,
        normal: str | None = None,
        build: GenomeBuild | None = None,
        pass_only: bool = False,
        engine: str = "auto",
        progress: Progress | None = None,
        parallel: bool = True,
    ) -> None:
        self.path = Path(path)
        self._options = {"tumor": tumor, "normal": normal, "build": build, "pass_only": pass_only}
        self.pass_only = pass_only
        self.records = VcfReader(self.path, **self._options)  # type: ignore[arg-type]
        self.info: CallsetInfo = self.records.info
        self.counts: Counts = self.records.counts
        self.is_bcf = self.records.is_bcf
        reason = whole_file_reason(self.records)
        if engine == "records":
            reason = reason or "asked for"
        self.fallback_reason = reason
        self.columnar = reason is None
        self.progress = progress
        self.parallel = parallel  # check lines in a second process (see mtb.ingest.checked)
        self._base_warnings = len(self.info.warnings)
        self._norms: dict[str, str] = {}
        roles = self.records.roles
        self._tumor = roles.tumor if roles.tumor is not None else 0
        self._normal = roles.normal
        if self.columnar:
            self._sound = SoundLines(self.records.header)
            self._columns = 9 + len(self.records.header.samples)

    def __enter__(self) -> ColumnarReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.records.close()

    # -- what the columnar path reads ---------------------------------------------------------

    def _capable(self, layout: bytes) -> bool:
        """Whether the columnar path reads lines of this FORMAT layout: a convention it
        applies, and every key declared alike in our header parse and in htslib's (a broken
        declaration makes htslib read the values as strings)."""
        if not _LAYOUT.fullmatch(layout):
            return False
        keys = tuple(layout.decode("ascii").split(":"))
        convention = callers.choose_convention(keys, True)
        if convention.name not in CONVENTIONS:
            return False
        header = self.records.header.format
        for key in keys:
            mine = header.get(key)
            if mine is None:
                if key == "GT":
                    continue
                return False
            try:
                theirs = self.records._vcf.get_header_type(key, order=[_FORMAT_LINES])
            except KeyError:
                return False
            if theirs.get("Type") != mine.type or not _NUMBER.fullmatch(theirs.get("Number", "")):
                return False
        return all(
            key not in keys or header[key].type == kind for key, kind in _REQUIRED_TYPES.items()
        )

    # -- streaming ------------------------------------------------------------------------------

    def batches(self) -> Iterator[Batch]:
        if not self.columnar:
            yield from self._record_batches()
            return
        header, _ = read_header(self.path)
        self._header_bytes = header
        limits = ReadLimits.current()
        for chunk, prepared in checked_chunks(self.path, self._prepare, self.parallel):
            yield from self._chunk(chunk, prepared)
            limits.check_records(self.path, self.counts.records)  # MTB_MAX_RECORDS
            if self.progress:
                self.progress(self.counts.records, chunk.consumed)

    def __iter__(self) -> Iterator[VcfFinding]:
        for batch in self.batches():
            yield from batch.findings()

    def _record_batches(self, size: int = 20_000) -> Iterator[Batch]:
        """The per-record reader's findings in batches; on an error, the findings before it
        first (as the per-record CLI wrote them before it stopped)."""
        items: list[VcfFinding] = []
        try:
            for finding in self.records:
                items.append(finding)
                if len(items) >= size:
                    yield RecordBatch(items)
                    items = []
                    if self.progress:
                        self.progress(self.counts.records, 0)
        except InputError:
            yield RecordBatch(items)
            raise
        yield RecordBatch(items)

    def _prepare(self, text: bytes) -> Prepared:
        """The check process's share of a chunk: its segments, and the fixed columns of
        each plain one."""
        return [
            (start, end, self._fixed(_part(text, start, end)) if sound else None)
            for start, end, sound in self._segments(text)
        ]

    def _chunk(self, chunk: Chunk, prepared: Prepared) -> Iterator[Batch]:
        text = chunk.text
        for start, end, fixed in prepared:
            part = _part(text, start, end)
            first = chunk.first_line + text.count(b"\n", 0, start)
            if fixed is not None:
                yield self._read_columns(part, first, fixed)
            else:
                yield from self._per_record(part, first)

    def _segments(self, text: bytes) -> Segments:
        """The chunk as runs of plain lines (read in columns) and runs holding doubtful lines
        (read per record). A doubtful run goes on until a plain run of RESUME lines starts, so
        that a scattering of odd lines does not start a per-record reader each."""
        segments: Segments = []
        position = 0
        while position < len(text):
            sound_end = self._sound_run(text, position)
            if sound_end > position:
                segments.append((position, sound_end, True))
                position = sound_end
                continue
            end = _next_line(text, position)
            while end < len(text):
                run = self._sound_run(text, end)
                if run >= len(text) or text.count(b"\n", end, run) >= RESUME:
                    break
                end = _next_line(text, run)
            segments.append((position, end, False))
            position = end
        return segments

    def _sound_run(self, text: bytes, position: int) -> int:
        """The end of the run of plain lines starting at `position` (new layouts are learnt
        on the way: a layout is plain when the columnar path reads its convention)."""
        sound = self._sound
        while True:
            if sound.pattern is not None:
                match = sound.pattern.match(text, position)
                position = match.end() if match else position
            if position >= len(text):
                return position
            end = text.find(b"\n", position)
            columns = text[position:end].split(b"\t", 9)
            layout = columns[8] if len(columns) > 9 else None
            if (layout is None or layout in sound.layouts or not self._capable(layout)
                    or not sound.learn(layout)):
                return position

    def _per_record(self, text: bytes, first_line: int) -> Iterator[Batch]:
        """The per-record reader on a part of the file (header + these lines, in a temp file)."""
        handle, name = tempfile.mkstemp(suffix=".vcf", prefix="mtb-part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(self._header_bytes)
                out.write(text)
            items: list[VcfFinding] = []
            try:
                with VcfReader(name, first_line=first_line, **self._options) as part:  # type: ignore[arg-type]
                    items.extend(part)
                    self._merge(part.counts)
            except InputError as error:
                if items:
                    yield RecordBatch(items)
                raise InputError(self.path, error.problem, error.line) from None
            yield RecordBatch(items)
        finally:
            os.unlink(name)

    def _merge(self, counts: Counts) -> None:
        mine = self.counts
        mine.records += counts.records
        mine.by_filter.update(counts.by_filter)
        mine.by_type.update(counts.by_type)
        mine.skipped_alleles += counts.skipped_alleles
        mine.filtered_out += counts.filtered_out
        if counts.skipped_lines:
            mine.skipped_lines.extend(counts.skipped_lines)
            warnings = self.info.warnings
            del warnings[self._base_warnings:]
            warnings.append(skip_warning(mine.skipped_lines))

    # -- one sound chunk -> columns -------------------------------------------------------------

    def _fixed(self, text: bytes) -> Fixed:
        """What the check process reads of a run of plain lines: the fixed columns as codes,
        the ALT alleles as rows, where the AF, AD and DP values are (no counting here)."""
        block = TextBlock(text)
        body = block.buffer[: len(text)]
        newlines = np.flatnonzero(body == 10)
        n = len(newlines)
        tabs = np.flatnonzero(body == 9).reshape(n, self._columns - 1)
        starts = np.concatenate(([0], newlines[:-1] + 1))

        def column(index: int) -> tuple[np.ndarray, np.ndarray]:
            begin = starts if index == 0 else tabs[:, index - 1] + 1
            end = tabs[:, index] if index < self._columns - 1 else newlines
            return begin, end

        layout = codes(block, *column(8))
        colons = np.flatnonzero(body == 58)
        fields = {}  # (layout code, sample) -> (lines of the layout, where AF, AD, DP are)
        for code, name in enumerate(layout[0]):
            lines = np.flatnonzero(layout[1] == code)
            keys = name.split(":")
            for sample in range(self._columns - 9):
                begin, end = column(9 + sample)
                fields[code, sample] = (lines, value_ranges(colons, begin[lines], end[lines], keys))

        ref = codes(block, *column(3))
        alt_begin, alt_end = column(4)
        alt_matrix = matrix_of(block, alt_begin, alt_end)
        alleles = np.count_nonzero(alt_matrix == 44, axis=1) + 1
        most = int(alleles.max()) if n else 1
        if most == 1:
            record, allele = np.arange(n), np.zeros(n, np.int64)
            alt = codes(block, alt_begin, alt_end)
        else:  # multi-allelic records: one row per ALT
            ranges = token_ranges(alt_matrix, alt_begin, most)
            record, allele = np.nonzero(np.arange(most)[None, :] < alleles[:, None])
            begins = np.stack([r[0] for r in ranges], axis=1)[record, allele]
            ends = np.stack([r[1] for r in ranges], axis=1)[record, allele]
            alt = codes(block, begins, ends)
        return Fixed(
            records=n, filter=codes(block, *column(6)), chrom=codes(block, *column(0)),
            pos=unsigned_single(matrix_of(block, *column(1))), ident=codes(block, *column(2)),
            ref=ref, qual=codes(block, *column(5)), layout=layout, fields=fields,
            record=record, allele=allele, alt=alt,
            kind=variant_kinds(ref[0], ref[1][record], alt[0], alt[1]),
        )

    def _read_columns(self, text: bytes, first_line: int, fixed: Fixed) -> ColumnBatch:
        """The rows of a run of plain lines (checked by `_segments`, its fixed columns read by
        `_fixed`, both in the check process) as columns, with the tallies updated."""
        n = fixed.records
        counts = self.counts
        filter_names, filter_code = fixed.filter
        counts.records += n
        first_seen = np.unique(filter_code, return_index=True)[1]
        tally = np.bincount(filter_code, minlength=len(filter_names))
        for code in np.argsort(first_seen, kind="stable").tolist():
            counts.by_filter[filter_names[code]] += int(tally[code])
        record, allele, alt_code = fixed.record, fixed.allele, fixed.alt[1]
        kind_code = fixed.kind.code
        chosen = np.ones(len(record), bool)
        if self.pass_only:
            passing = np.array([name in ("PASS", ".") for name in filter_names], bool)
            passed = passing[filter_code]
            counts.filtered_out += n - int(np.count_nonzero(passed))
            chosen &= passed[record]
        if "*" in fixed.alt[0]:  # spanning deletions: no finding, counted
            spanning = alt_code == fixed.alt[0].index("*")
            counts.skipped_alleles += int(np.count_nonzero(spanning & chosen))
            chosen &= ~spanning
        if not chosen.all():
            record, allele = record[chosen], allele[chosen]
            alt_code, kind_code = alt_code[chosen], kind_code[chosen]
        kinds = Coded(fixed.kind.names, kind_code)
        for code, number in enumerate(np.bincount(kind_code, minlength=len(kinds.names))):
            if number:
                counts.by_type[VariantType(kinds.names[code])] += int(number)

        layout_names, layout_code = fixed.layout
        samples = [self._tumor] + ([self._normal] if self._normal is not None else [])
        found = evidence(TextBlock(text), fixed.fields, layout_names, layout_code[record],
                         record, allele, samples, self._columns - 9)
        sources = [callers.choose_convention(tuple(name.split(":")), True).name
                   for name in layout_names]
        qual_names, qual_code = fixed.qual
        quals = [None if name == "." else float(np.float32(float(name))) for name in qual_names]
        id_names, id_code = fixed.ident
        return ColumnBatch(
            record=record,
            chrom=Coded(*fixed.chrom),
            norms=[self._norm(name) for name in fixed.chrom[0]],
            pos=fixed.pos,
            ident=Coded(["" if name == "." else name for name in id_names], id_code),
            ref=Coded(*fixed.ref),
            qual=Coded(["" if q is None else format_cell(q) for q in quals], qual_code),
            quals=quals,
            filter=Coded(filter_names, filter_code),
            line=first_line + np.arange(n),
            source=Coded(sources, layout_code),
            alt=Coded(fixed.alt[0], alt_code),
            kind=kinds,
            evidence=found,
        )

    def _norm(self, chrom: str) -> str:
        norm = self._norms.get(chrom)
        if norm is None:
            norm = self._norms[chrom] = normalize_chrom(chrom)
        return norm

def _part(text: bytes, start: int, end: int) -> bytes:
    return text if (start, end) == (0, len(text)) else text[start:end]


def _next_line(text: bytes, position: int) -> int:
    end = text.find(b"\n", position)
    return len(text) if end < 0 else end + 1


def finding_batches(
    path: str | Path,
    *,
    tumor: str | None = None,
    normal: str | None = None,
    build: GenomeBuild | None = None,
    pass_only: bool = False,
    engine: str = "auto",
) -> Iterator[list[VcfFinding]]:
    """A VCF's findings in lists of a few thousand, in file order: the same objects VcfReader
    yields (SmallVariant, CopyNumber, StructuralVariant), so that annotation can consume a
    whole genome batch by batch without holding the file. Use `ColumnarReader.batches()` for
    the reader's `info` and `counts` as well."""
    with ColumnarReader(path, tumor=tumor, normal=normal, build=build, pass_only=pass_only,
                        engine=engine) as reader:
        for batch in reader.batches():
            findings = batch.findings()
            if findings:
                yield findings
