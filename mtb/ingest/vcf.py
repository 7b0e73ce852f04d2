"""Reading tumor VCF/BCF files into variants: one `SmallVariant` per ALT allele, SV and CNV records.

`VcfReader` streams (a whole-genome VCF never has to fit in memory); `read_vcf` collects.
cyvcf2 (htslib) parses; `mtb.ingest.lines` reads the same file's text alongside to give every
record its line number and to refuse the malformed records htslib would let through.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cyvcf2
import pysam

from mtb.errors import InputError
from mtb.ingest import callers
from mtb.ingest.consequences import AnnParser, CsqParser, choose
from mtb.ingest.files import READ_ERRORS, open_binary
from mtb.ingest.header import SampleRoles, VcfHeader, detect_build, resolve_roles
from mtb.ingest.limits import ReadLimits
from mtb.ingest.lines import SKIPPED_ALT, LineCheck, diagnose
from mtb.ingest.sv import is_structural, structural_finding
from mtb.variant import (
    CopyNumber,
    GenomeBuild,
    SmallVariant,
    StructuralVariant,
    VariantType,
    classify_small,
    normalize_chrom,
)

VcfFinding = SmallVariant | CopyNumber | StructuralVariant
MAX_HEADER = 64 * 2**20  # real headers (VEP, thousands of contigs) are well under 1 MiB
HEADER_TOO_LARGE = "the VCF header is larger than 64 MiB; not read"
_SNV = VariantType.SNV
_new_variant = tuple.__new__  # SmallVariant is a NamedTuple; see the field order in mtb.variant


def _quiet_htslib() -> None:
    """htslib's own warnings (undeclared tags, missing contigs) are quirks of real files, not
    errors, and its error lines carry record positions; mtb reports problems itself."""
    cyvcf2.cyvcf2.set_htslib_log_level(0)
    pysam.set_verbosity(0)


@dataclass
class CallsetInfo:
    """What the file is: shown in the ingest summary and kept with the case."""

    path: str
    file_format: str
    build: GenomeBuild
    build_evidence: str
    caller: str
    samples: tuple[str, ...]
    tumor_sample: str | None
    normal_sample: str | None
    roles_from: str
    annotation: str  # VEP, SnpEff or ''
    warnings: list[str] = field(default_factory=list)


@dataclass
class Counts:
    """Tallies kept while streaming, for the summary."""

    by_type: Counter[str] = field(default_factory=Counter)
    by_filter: Counter[str] = field(default_factory=Counter)
    records: int = 0
    skipped_alleles: int = 0  # '*' and '.' ALT alleles
    skipped_lines: list[int] = field(default_factory=list)  # records with an invalid ALT
    filtered_out: int = 0  # dropped by --pass-only


def _sniff(path: Path) -> bytes:
    """The first bytes after decompression; InputError for a missing, empty or broken file.

    The whole header of a text VCF is read, so that a file cut inside its header is reported
    as truncated rather than as an unparseable header; a header larger than MAX_HEADER (a
    BCF's declared one too) is refused before htslib would read it into memory.
    """
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_dir():
        raise InputError(path, "is a directory, not a VCF file")
    try:
        with open_binary(path) as handle:
            head = handle.readline(1 << 16)
            if head.startswith(b"BCF"):
                start = head + handle.read(max(0, 9 - len(head)))
                if int.from_bytes(start[5:9], "little") > MAX_HEADER:
                    raise InputError(path.name, HEADER_TOO_LARGE)
            elif head.startswith(b"#"):
                size, line_start = len(head), head.endswith(b"\n")
                while piece := handle.readline(1 << 20):  # pieces: a huge line is no bomb
                    if line_start and not piece.startswith(b"#"):
                        break
                    size += len(piece)
                    if size > MAX_HEADER:
                        raise InputError(path.name, HEADER_TOO_LARGE)
                    line_start = piece.endswith(b"\n")
            return head
    except READ_ERRORS as error:
        raise InputError(path, f"the compressed file is truncated or corrupt ({error})") from None


def _check_start(path: Path, head: bytes) -> bool:
    """True for BCF; raises InputError unless the file starts like a VCF."""
    if head.startswith(b"BCF"):
        return True
    if head.startswith(b"##fileformat=VCF"):
        return False
    if not head:
        raise InputError(path, "file is empty", line=1)
    if head.startswith(b"#CHROM"):
        raise InputError(path, "VCF header is missing its ##fileformat=VCFv4.x line", line=1)
    if b"\t" in head.split(b"\n", 1)[0]:
        raise InputError(
            path, "no VCF header: the file starts with data, not ##fileformat=VCFv4.x", line=1
        )
    raise InputError(path, "not a VCF file: the first line must be ##fileformat=VCFv4.x", line=1)


def skip_warning(skipped: list[int]) -> str:
    """The one warning that lists the records skipped for an invalid ALT (first five lines)."""
    lines = ", ".join(str(n) for n in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
    return f"{len(skipped)} record(s) skipped, {SKIPPED_ALT} (line {lines})"


class VcfReader:
    """Streams the findings of one VCF/BCF; `info` describes the file before any record is read.

    `tumor`/`normal` name the sample columns when the file does not tell; `build` overrides the
    header's genome build; `pass_only` drops records whose FILTER is not PASS (or '.').
    """

    def __init__(
        self,
        path: str | Path,
        *,
        tumor: str | None = None,
        normal: str | None = None,
        build: GenomeBuild | None = None,
        pass_only: bool = False,
        first_line: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.pass_only = pass_only
        self._first_line = first_line  # the columnar path hands over a part of a file
        self.is_bcf = _check_start(self.path, _sniff(self.path))
        _quiet_htslib()
        try:
            self._vcf = cyvcf2.VCF(str(self.path))
        except (OSError, Exception) as error:  # cyvcf2 raises bare Exception for header errors
            raise InputError(self.path, f"the VCF header cannot be read ({error})") from None
        try:
            self.header = VcfHeader.parse(self._vcf.raw_header, tuple(self._vcf.samples))
        except UnicodeDecodeError:
            raise InputError(self.path, "the VCF header is not UTF-8 text") from None
        broken = self.header.invalid_declaration()
        if broken is not None:
            raise InputError(self.path, f"header declares {broken.id} with an invalid Type")
        self.roles: SampleRoles = resolve_roles(self.header, self.path, tumor, normal)
        build_call = detect_build(self.header, build)
        self._csq = self._annotation_parser()
        samples = self.header.samples
        self.info = CallsetInfo(
            path=str(self.path),
            file_format=self.header.file_format,
            build=build_call.build,
            build_evidence=build_call.evidence,
            caller=callers.detect_caller(self.header.text),
            samples=samples,
            tumor_sample=samples[self.roles.tumor] if self.roles.tumor is not None else None,
            normal_sample=samples[self.roles.normal] if self.roles.normal is not None else None,
            roles_from=self.roles.how,
            annotation=getattr(self._csq, "source", "") if self._csq else "",
            warnings=[build_call.warning] if build_call.warning else [],
        )
        if build_call.build is GenomeBuild.UNKNOWN:
            self.info.warnings.append(f"genome build unknown: {build_call.evidence}")
        self.counts = Counts()
        # sites-only files carry their evidence in INFO; the sample index is then unused
        self._tumor_column = self.roles.tumor if self.roles.tumor is not None else 0
        self._chroms: dict[str, str] = {}
        self._skip_warning = 0  # index of the skipped-records warning in info.warnings
        self._conventions: dict[tuple[str, ...], callers.Convention] = {}

    def _annotation_parser(self) -> CsqParser | AnnParser | None:
        csq = self.header.info.get("CSQ")
        if csq is not None:
            parser = CsqParser.from_header(csq.description)
            if parser is not None:
                return parser
        if "ANN" in self.header.info:
            return AnnParser()
        return None

    def __enter__(self) -> VcfReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._vcf.close()

    def __iter__(self) -> Iterator[VcfFinding]:
        check: LineCheck | None = None
        records = iter(self._vcf)
        index = 0
        limits = ReadLimits.current()  # MTB_MAX_RECORDS: a bomb of records stops here
        try:
            if not self.is_bcf:
                check = LineCheck(self.path, self.header, self._declare_contigs)
            first_line = check.line_number(0) if check else 0
            if check and self._first_line is not None:
                first_line = self._first_line
            while True:
                problem = check.problem(index) if check else None
                line = first_line + index if check else None
                if problem and problem is not SKIPPED_ALT:
                    raise InputError(self.path, problem, line)
                try:
                    rec = next(records)
                except StopIteration:
                    if check and check.data_lines > index:  # htslib stopped before the text did
                        raise InputError(self.path, self._diagnose(check, index), line) from None
                    break
                except Exception:  # htslib rejected the record: say why, from its text
                    why = self._diagnose(check, index) if check else "BCF record cannot be decoded"
                    raise InputError(self.path, why, line) from None
                index += 1
                if index > limits.records:
                    limits.check_records(self.path, index)
                if problem is SKIPPED_ALT:
                    self._skip(line)
                    continue
                try:
                    findings = self._findings(rec, line)
                except Exception as error:  # cyvcf2 raises bare Exception for bad values
                    # htslib accepted values the conventions cannot use (damaged files only)
                    raise InputError(
                        self.path, f"record values cannot be decoded ({type(error).__name__})", line
                    ) from error
                if len(findings) == 1:
                    yield findings[0]
                else:
                    yield from findings
        except READ_ERRORS as error:
            raise InputError(
                self.path, f"the compressed file is truncated or corrupt ({error})"
            ) from None
        finally:
            if check:
                check.close()

    def _declare_contigs(self, names: set[str]) -> None:
        """Add ##contig lines for contigs the header lacks, before their records are parsed."""
        for name in sorted(names - self.header.contigs.keys()):
            self._vcf.add_to_header(f"##contig=<ID={name}>")
            self.header.contigs[name] = None

    def _diagnose(self, check: LineCheck, index: int) -> str:
        return diagnose(check.text_of(index), self.header)

    def _skip(self, line: int | None) -> None:
        """Count a record with an invalid ALT; one warning lists the first lines."""
        skipped = self.counts.skipped_lines
        skipped.append(line or 0)
        message = skip_warning(skipped)
        warnings = self.info.warnings
        if len(skipped) > 1:
            warnings[self._skip_warning] = message
        else:
            self._skip_warning = len(warnings)
            warnings.append(message)

    # -- one record -> findings ------------------------------------------------------------------

    def _findings(self, rec: Any, line: int | None) -> list[VcfFinding]:
        """The findings of one record (one per ALT allele), with the tallies updated."""
        findings: list[VcfFinding] = []
        counts = self.counts
        counts.records += 1
        filters = rec.FILTERS
        filter_ = ";".join(filters) if filters else "."
        counts.by_filter[filter_] += 1
        if self.pass_only and filter_ not in ("PASS", "."):
            counts.filtered_out += 1
            return findings
        chrom = rec.CHROM
        pos = rec.POS
        norm = self._chroms.get(chrom) or self._norm(chrom)
        ref = rec.REF
        alts = rec.ALT
        ident = rec.ID or ""
        qual = rec.QUAL
        convention = self._convention(rec)
        read = convention.read
        values = callers.fetch(rec, convention.fields)
        tumor, normal, rna = self._tumor_column, self.roles.normal, self.roles.rna
        read_normal = convention.read_normal
        annotations = (
            self._csq.parse(rec.INFO.get("CSQ") or rec.INFO.get("ANN") or "", ref, alts)
            if self._csq
            else None
        )
        by_type = counts.by_type
        for index, alt in enumerate(alts):
            if alt in ("*", ".", ""):
                counts.skipped_alleles += 1
                continue
            t = read(values, rec, index, tumor)
            if read_normal is not None:
                n = read_normal(values, rec, index, tumor)  # normal counts share the tumor column
            elif normal is not None:
                n = read(values, rec, index, normal)
            else:
                n = callers.NO_EVIDENCE
            r = (read(values, rec, index, rna) if rna is not None and convention.fields
                 else callers.NO_EVIDENCE)  # INFO-based conventions have no RNA column
            if not alt.isalpha() and is_structural(alt):  # plain bases are never structural
                finding = structural_finding(
                    rec, alt, chrom, norm, filter_, line, self.roles.tumor, t, n
                )
                by_type[finding.variant_type] += 1
                findings.append(finding)
                continue
            transcripts = tuple(annotations[index]) if annotations else ()
            variant_type = _SNV if len(ref) == 1 == len(alt) else classify_small(ref, alt)
            by_type[variant_type] += 1
            # positional, in SmallVariant's field order: twice as fast as keywords on this hot path
            findings.append(
                _new_variant(
                    SmallVariant,
                    (chrom, pos, ref, alt, filter_, variant_type, norm, ident, qual,
                     t[0], t[1], t[2], n[0], n[1], n[2], convention.name,
                     choose(transcripts) if transcripts else None, transcripts, line,
                     r[0], r[1], r[2]),
                )
            )
        return findings

    def _norm(self, chrom: str) -> str:
        norm = self._chroms.get(chrom)
        if norm is None:
            norm = self._chroms[chrom] = normalize_chrom(chrom)
        return norm

    def _convention(self, rec: Any) -> callers.Convention:
        """Chosen per FORMAT layout: merged files switch caller conventions record by record."""
        has_samples = bool(self.header.samples)
        keys = tuple(rec.FORMAT) if has_samples else ()
        convention = self._conventions.get(keys)
        if convention is None:
            convention = self._conventions[keys] = callers.choose_convention(keys, has_samples)
        return convention


@dataclass
class Callset:
    """Everything read from one file."""

    info: CallsetInfo
    counts: Counts
    variants: list[SmallVariant]
    copy_numbers: list[CopyNumber]
    structural_variants: list[StructuralVariant]


def read_vcf(
    path: str | Path,
    *,
    tumor: str | None = None,
    normal: str | None = None,
    build: GenomeBuild | None = None,
    pass_only: bool = False,
) -> Callset:
    """All findings of a VCF/BCF in memory (for cases; the CLI streams)."""
    with VcfReader(path, tumor=tumor, normal=normal, build=build, pass_only=pass_only) as reader:
        variants: list[SmallVariant] = []
        copy_numbers: list[CopyNumber] = []
        svs: list[StructuralVariant] = []
        for finding in reader:
            if isinstance(finding, SmallVariant):
                variants.append(finding)
            elif isinstance(finding, CopyNumber):
                copy_numbers.append(finding)
            else:
                svs.append(finding)
        return Callset(reader.info, reader.counts, variants, copy_numbers, svs)
