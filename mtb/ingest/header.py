"""What a VCF header says: declared fields, sample roles and the genome build.

Real headers are sloppy (no ##contig lines, tags used without declaration, wrong Number=); none
of that is an error here. Two things are decided from the header and said out loud:
- which sample is the tumor (and the normal), and how that was decided;
- the genome build, with the evidence for it, or `unknown` — never a silent guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mtb.errors import InputError
from mtb.variant import GenomeBuild, normalize_chrom

_META = re.compile(r"^##([^=]+)=(.*)$")
_ID = re.compile(r"\bID=([^,>]+)")
_LENGTH = re.compile(r"\blength=(\d+)")
_ASSEMBLY = re.compile(r"\bassembly=\"?([^,>\"]+)")
_TYPE = re.compile(r"\bType=([A-Za-z]+)")
_NUMBER = re.compile(r"\bNumber=([^,>]+)")


@dataclass(frozen=True)
class FieldDecl:
    id: str
    number: str
    type: str
    description: str
    line: int  # line of the declaration in the header


VALID_TYPES = frozenset({"Integer", "Float", "Flag", "Character", "String"})


@dataclass
class VcfHeader:
    """The parsed meta-information lines and the sample names."""

    text: str
    samples: tuple[str, ...]
    meta: dict[str, list[str]] = field(default_factory=dict)
    info: dict[str, FieldDecl] = field(default_factory=dict)
    format: dict[str, FieldDecl] = field(default_factory=dict)
    contigs: dict[str, int | None] = field(default_factory=dict)
    contig_assemblies: list[str] = field(default_factory=list)
    line_count: int = 0  # lines before the first record, including #CHROM

    @property
    def file_format(self) -> str:
        return (self.meta.get("fileformat") or ["unknown"])[0]

    @classmethod
    def parse(cls, text: str, samples: tuple[str, ...]) -> VcfHeader:
        header = cls(text=text, samples=samples)
        lines = text.rstrip("\n").split("\n")
        header.line_count = len(lines)
        for number, line in enumerate(lines, start=1):
            match = _META.match(line)
            if not match:
                continue
            key, value = match.groups()
            header.meta.setdefault(key, []).append(value)
            if key in ("INFO", "FORMAT"):
                ident = _ID.search(value)
                if ident:
                    decl = FieldDecl(
                        id=ident.group(1),
                        number=_attribute(_NUMBER, value),
                        type=_attribute(_TYPE, value),
                        description=value,
                        line=number,
                    )
                    (header.info if key == "INFO" else header.format)[decl.id] = decl
            elif key == "contig":
                ident = _ID.search(value)
                length = _LENGTH.search(value)
                if ident:
                    header.contigs[ident.group(1)] = int(length.group(1)) if length else None
                assembly = _ASSEMBLY.search(value)
                if assembly:
                    header.contig_assemblies.append(assembly.group(1))
        return header

    def invalid_declaration(self) -> FieldDecl | None:
        """The first INFO/FORMAT declaration whose Type is not a VCF type (a broken header;
        a merely wrong Number= or Type= of a real caller is not reported here)."""
        for decl in (*self.info.values(), *self.format.values()):
            if decl.type not in VALID_TYPES:
                return decl
        return None

    def first(self, key: str) -> str | None:
        values = self.meta.get(key)
        return values[0].strip().strip('"') if values else None


def _attribute(pattern: re.Pattern[str], value: str) -> str:
    match = pattern.search(value)
    return match.group(1) if match else ""


# ---------------------------------------------------------------------------------- samples ---

_TUMOR_TOKENS = frozenset({"tumor", "tumour", "tum", "cancer", "metastasis", "met"})
_NORMAL_TOKENS = frozenset({"normal", "norm", "germline", "blood", "control", "ctrl"})
_RNA_TOKENS = frozenset({"rna", "rnaseq", "transcriptome"})
_TCGA = re.compile(r"^TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}-(\d\d)")


def _role_by_name(name: str) -> str | None:
    """'tumor', 'normal', 'rna' or None from a sample name (TUMOR, DNA_TUMOR, x_normal, TCGA
    codes; RADIA's RNA_TUMOR is the tumor's RNA, never the DNA tumor sample)."""
    tcga = _TCGA.match(name)
    if tcga and "_" not in name:  # a merged 'tumor_normal' column is not a single role
        return "tumor" if int(tcga.group(1)) < 10 else "normal"
    tokens = set(re.split(r"[^a-z0-9]+", name.lower()))
    if tokens & _RNA_TOKENS:
        return None if tokens & _NORMAL_TOKENS else "rna"
    is_tumor = bool(tokens & _TUMOR_TOKENS)
    is_normal = bool(tokens & _NORMAL_TOKENS)
    if is_tumor != is_normal:
        return "tumor" if is_tumor else "normal"
    return None


@dataclass(frozen=True)
class SampleRoles:
    tumor: int | None
    normal: int | None
    how: str  # shown in the summary: how the roles were decided
    rna: int | None = None  # the tumor's RNA (RADIA's RNA_TUMOR): expression support only


def resolve_roles(
    header: VcfHeader, path: str | Path, tumor: str | None = None, normal: str | None = None
) -> SampleRoles:
    """Which sample column is the tumor and which the normal.

    Order: --tumor/--normal given by the user; the header's ##tumor_sample/##normal_sample
    (GATK) or the caller's command line; sample names (TUMOR, *_tumor, DNA_TUMOR, TCGA sample
    codes); a single sample is the tumor. Two samples that cannot be told apart are an error:
    swapping tumor and normal would silently report the wrong VAFs.
    """
    samples = header.samples
    index = {name: i for i, name in enumerate(samples)}
    for given, role in ((tumor, "tumor"), (normal, "normal")):
        if given is not None and given not in index:
            available = ", ".join(samples) if samples else "none (sites-only file)"
            raise InputError(
                path, f"no sample named {given!r} for --{role}; samples in the file: {available}"
            )
    if not samples:
        return SampleRoles(None, None, "sites-only file: evidence from INFO")

    declared_tumor = header.first("tumor_sample") or _from_command_line(header.text, "tumor")
    declared_normal = header.first("normal_sample") or _from_command_line(header.text, "normal")
    tumor_idx = index.get(tumor) if tumor is not None else index.get(declared_tumor or "")
    normal_idx = index.get(normal) if normal is not None else index.get(declared_normal or "")
    how = "given" if tumor is not None else "header" if tumor_idx is not None else ""

    by_name = {i: _role_by_name(name) for i, name in enumerate(samples)}
    rnas = [i for i, role in by_name.items() if role == "rna" and i not in (tumor_idx,
                                                                           normal_idx)]
    rna_idx = rnas[0] if len(rnas) == 1 else None
    dna = [i for i in range(len(samples)) if i != rna_idx]  # the DNA samples
    if tumor_idx is None or (normal_idx is None and len(dna) == 2):
        if tumor_idx is None:
            tumors = [i for i, role in by_name.items() if role == "tumor" and i != normal_idx]
            if len(tumors) == 1:
                tumor_idx, how = tumors[0], "sample name"
        if normal_idx is None:
            normals = [i for i, role in by_name.items() if role == "normal" and i != tumor_idx]
            if len(normals) == 1:
                normal_idx = normals[0]
    if len(dna) == 1 and tumor_idx is None:
        tumor_idx = dna[0]
        how = "only sample (tumor-only)" if len(samples) == 1 else "only DNA sample (tumor-only)"
    if len(dna) == 2:
        if tumor_idx is None and normal_idx is not None:
            tumor_idx, how = next(i for i in dna if i != normal_idx), \
                "the sample that is not the normal"
        if tumor_idx is not None and normal_idx is None:
            normal_idx = next(i for i in dna if i != tumor_idx)
    if tumor_idx is None:
        raise InputError(
            path,
            f"cannot tell which of the samples ({', '.join(samples)}) is the tumor; "
            "pass --tumor NAME",
        )
    if normal_idx == tumor_idx:
        normal_idx = None
    how = how or "sample name"
    if rna_idx is not None and rna_idx != tumor_idx:
        how += f"; {samples[rna_idx]} is the tumor's RNA (expression support)"
    else:
        rna_idx = None
    return SampleRoles(tumor_idx, normal_idx, how, rna_idx)


def _from_command_line(text: str, role: str) -> str | None:
    """GATK's recorded command line: --tumor-sample NAME / --normal-sample NAME."""
    match = re.search(rf"--{role}(?:-sample)?[ =]([^\s\"]+)", text)
    return match.group(1) if match else None


# ------------------------------------------------------------------------------------ build ---

# Primary-assembly lengths (UCSC/NCBI). chr1 alone separates the builds; all are compared.
CONTIG_LENGTHS: dict[GenomeBuild, dict[str, int]] = {
    GenomeBuild.GRCH37: {
        "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260,
        "6": 171115067, "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747,
        "11": 135006516, "12": 133851895, "13": 115169878, "14": 107349540, "15": 102531392,
        "16": 90354753, "17": 81195210, "18": 78077248, "19": 59128983, "20": 63025520,
        "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566,
    },
    GenomeBuild.GRCH38: {
        "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259,
        "6": 170805979, "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422,
        "11": 135086622, "12": 133275309, "13": 114364328, "14": 107043718, "15": 101991189,
        "16": 90338345, "17": 83257441, "18": 80373285, "19": 58617616, "20": 64444167,
        "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415,
    },
}

# Header keys whose value names a reference or assembly.
_REFERENCE_KEYS = ("reference", "assembly", "new_reference_genome", "genome_build", "GenomeBuild")
_CHAIN = re.compile(r"(hg19|hg38|grch37|grch38)to(hg19|hg38|grch37|grch38)", re.I)
_VEP_ASSEMBLY = re.compile(r"\bassembly=\"?([^\"\s]+)")


@dataclass(frozen=True)
class BuildCall:
    build: GenomeBuild
    evidence: str  # what in the header decided it, or why it is unknown
    warning: str | None = None


def detect_build(header: VcfHeader, given: GenomeBuild | None = None) -> BuildCall:
    """The build from contig lengths, then assembly names in the header; the user's --build wins.

    When --build disagrees with the header the user's choice is kept and a warning says so.
    """
    found = _build_from_header(header)
    if given is not None and given is not GenomeBuild.UNKNOWN:
        warning = None
        if found.build not in (GenomeBuild.UNKNOWN, given):
            warning = (
                f"--build {given} given, but the header indicates {found.build} "
                f"({found.evidence}); using {given}"
            )
        return BuildCall(given, "given with --build", warning)
    return found


def _build_from_header(header: VcfHeader) -> BuildCall:
    votes: dict[GenomeBuild, int] = {}
    for name, length in header.contigs.items():
        if length is None:
            continue
        chrom = normalize_chrom(name)
        for build, lengths in CONTIG_LENGTHS.items():
            if lengths.get(chrom) == length:
                votes[build] = votes.get(build, 0) + 1
    if votes:
        best = max(votes, key=lambda b: votes[b])
        if len(votes) == 1 or votes[best] > 2 * min(votes.values()):
            return BuildCall(best, f"##contig lengths ({votes[best]} contigs match {best})")

    for assembly in header.contig_assemblies:
        build = GenomeBuild.parse(assembly)
        if build is not GenomeBuild.UNKNOWN:
            return BuildCall(build, f"##contig assembly={assembly}")
    for key in _REFERENCE_KEYS:
        value = header.first(key)
        if value:
            build = GenomeBuild.parse(value)
            if build is not GenomeBuild.UNKNOWN:
                return BuildCall(build, f"##{key}")
    for key in ("liftOverChainFile", "liftOverFile"):
        value = header.first(key)
        chain = _CHAIN.search(value or "")
        if chain:
            target = chain.group(2)
            return BuildCall(GenomeBuild.parse(target), f"##{key} (lifted to {target})")
    vep = header.first("VEP")
    if vep:
        vep_assembly = _VEP_ASSEMBLY.search(vep)
        if vep_assembly and GenomeBuild.parse(vep_assembly.group(1)) is not GenomeBuild.UNKNOWN:
            return BuildCall(GenomeBuild.parse(vep_assembly.group(1)), "##VEP assembly")
    return BuildCall(
        GenomeBuild.UNKNOWN, "no contig lengths or reference name in the header; pass --build"
    )
