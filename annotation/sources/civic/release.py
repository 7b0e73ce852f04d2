"""Reading a CIViC monthly release (the TSV summaries, and the accepted-variants VCF of releases
before 2025 that ship one).

Two shapes of release are read. Until 2024 every variant belonged to a gene ("ALK EML4::ALK",
"ALK Fusion") and GRCh37 alleles came from civic_accepted.vcf. From 2025 variants belong to a
*feature*: a gene, a fusion ("EML4::ALK Fusion", "v::ALK Fusion" = any 5' partner) or a factor
("TMB High"), and the alleles are in VariantSummaries' own coordinate columns. Both are read into
the same CivicVariant (gene, name as the matching rules know it, and the full name molecular
profiles use), so matching does not care which release it reads.

The release format has quirks (see annotation/snapshots/PROVENANCE.md and the tests): lists
separated by ', ' in one file and ',' in others, two therapy names containing commas, DOIDs
without the 'DOID:' prefix and with leading zeros, 'N/A' as a real value, trailing spaces in
variant names. Everything is read as text and checked: a release whose columns differ from
what this reader knows is refused with the file and the missing column named, so that
`mtb kb update` never switches to an index built from a misread release.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from annotation.model import Evidence
from annotation.populations import tokens_in
from mtb.errors import KnowledgeBaseError

EVIDENCE_COLUMNS = (
    "molecular_profile", "molecular_profile_id", "disease", "doid", "therapies",
    "therapy_interaction_type", "evidence_type", "evidence_direction", "evidence_level",
    "significance", "citation_id", "source_type", "rating", "evidence_status", "evidence_id",
    "variant_origin", "evidence_civic_url",
)
ASSERTION_COLUMNS = (
    "molecular_profile", "molecular_profile_id", "disease", "doid", "therapies",
    "assertion_type", "assertion_direction", "significance", "amp_category", "nccn_guideline",
    "regulatory_approval", "assertion_id", "assertion_civic_url",
)
PROFILE_COLUMNS = ("name", "molecular_profile_id", "variant_ids")
VARIANT_COLUMNS = ("variant_id", "variant", "variant_types",
                   "single_variant_molecular_profile_id")
_COORDINATE_COLUMNS = ("chromosome", "start", "reference_bases", "variant_bases",
                       "reference_build")
_NCT = re.compile(r"NCT\d{8}")

# Therapy names are comma-separated, and three of CIViC's own names contain a comma: split on
# every comma, then join the pieces of those names again ('Pertuzumab,9F7-F11' is two names).
_COMMA_NAMES = ("2,4-pyrimidinediamine", "HER2 Inhibitor CP-724,714",
                "FGF/VEGF Receptor Tyrosine Kinase Inhibitor, PD173074")
_LIST_SPLIT = re.compile(r",\s*")
_SPACES = re.compile(r"\s+")
_AMP_LEVEL = re.compile(r"Level ([A-D])")


@dataclass(frozen=True)
class CivicVariant:
    id: int
    gene: str
    name: str  # as CIViC names it, whitespace normalised: "V600E", "EML4::ALK", "Exon 19 Deletion"
    variant_types: str
    single_profile: int | None
    grch37: tuple[str, int, str, str] | None = None  # (chrom, pos, ref, alt), as CIViC gives it
    label: str = ""  # the name molecular profiles use, when not "<gene> <name>" (2025 fusions)

    @property
    def full_name(self) -> str:
        return self.label or f"{self.gene} {self.name}"


@dataclass(frozen=True)
class CivicProfile:
    id: int
    name: str
    variant_ids: tuple[int, ...]


@dataclass(frozen=True)
class CivicRelease:
    release: str
    variants: tuple[CivicVariant, ...]
    profiles: tuple[CivicProfile, ...]
    evidence: tuple[tuple[int, Evidence], ...]  # (molecular profile id, evidence item)
    assertions: tuple[tuple[int, Evidence], ...]


def _rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            missing = [c for c in required if c not in (reader.fieldnames or ())]
            if missing:
                raise KnowledgeBaseError(
                    f"{path}: not a CIViC release file this mtb can read "
                    f"(missing column {missing[0]})"
                )
            return list(reader)
    except OSError as error:
        raise KnowledgeBaseError(f"{path}: cannot be read ({error.strerror})") from None


def _normal(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _doid(value: str) -> str:
    value = value.strip()
    return f"DOID:{value}" if value and value != "N/A" else ""


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() else None


def _bool(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value.strip().lower())


def _amp_level(category: str) -> str:
    """'Tier I - Level A' -> 'A'; '' for assertions without an AMP category."""
    match = _AMP_LEVEL.search(category)
    return match.group(1) if match else ""


def _therapies(value: str) -> tuple[str, ...]:
    for index, name in enumerate(_COMMA_NAMES):
        value = value.replace(name, f"\x00{index}\x00")
    names = (t.strip() for t in value.split(","))
    restored = (re.sub(r"\x00(\d)\x00", lambda m: _COMMA_NAMES[int(m.group(1))], t)
                for t in names)
    return tuple(t for t in restored if t)


def _files(folder: Path, release: str) -> dict[str, Path]:
    names = {
        "evidence": "ClinicalEvidenceSummaries.tsv",
        "assertions": "AssertionSummaries.tsv",
        "profiles": "MolecularProfileSummaries.tsv",
        "variants": "VariantSummaries.tsv",
        "vcf": "civic_accepted.vcf",
    }
    return {key: folder / f"{release}-{name}" for key, name in names.items()}


def release_name(folder: Path) -> str:
    """'01-Aug-2024' from a folder holding 01-Aug-2024-ClinicalEvidenceSummaries.tsv."""
    names = [p.name.removesuffix("-ClinicalEvidenceSummaries.tsv")
             for p in folder.glob("*-ClinicalEvidenceSummaries.tsv")]
    if not names:
        raise KnowledgeBaseError(f"{folder}: no CIViC ClinicalEvidenceSummaries.tsv found")
    return max(names, key=_release_date)


def _release_date(name: str) -> tuple[int, str]:
    """Sort key by date ('01-Aug-2024' after '01-Dec-2023', which a text sort gets wrong)."""
    try:
        return int(datetime.strptime(name, "%d-%b-%Y").strftime("%Y%m%d")), name
    except ValueError:
        return 0, name


def _vcf_coordinates(path: Path) -> dict[int, tuple[str, int, str, str]]:
    """CIViC variant id -> GRCh37 (chrom, pos, ref, alt) from the accepted-variants VCF."""
    coordinates: dict[int, tuple[str, int, str, str]] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("#"):
                    continue
                chrom, pos, ident, ref, alt = line.split("\t", 5)[:5]
                if ident.isdigit() and pos.isdigit() and "," not in alt:
                    coordinates.setdefault(int(ident), (chrom, int(pos), ref, alt))
    except OSError as error:
        raise KnowledgeBaseError(f"{path}: cannot be read ({error.strerror})") from None
    except ValueError:
        raise KnowledgeBaseError(f"{path}: not a CIViC accepted-variants VCF") from None
    return coordinates


def _variant(row: dict[str, str], vcf: dict[int, tuple[str, int, str, str]]) -> CivicVariant:
    """One VariantSummaries row of either release shape (see the module docstring)."""
    ident = int(row["variant_id"])
    name = _normal(row["variant"])
    feature = _normal(row.get("feature_name") or row.get("gene") or "")
    gene, label = _normal(row.get("gene") or feature), ""
    if row.get("feature_type") == "Fusion":
        five, three = (_normal(row.get("5_prime_partner") or ""),
                       _normal(row.get("3_prime_partner") or ""))
        label = f"{feature} {name}"
        gene = three or five
        if name.lower() != "fusion":  # exon-specific ("e14::e2"): not matchable as a pair
            name = f"{five or 'v'}::{three or 'v'} {name}"
        elif five and three:
            name = f"{five}::{three}"  # the pair, as 2024 releases named it
    elif row.get("feature_type") == "Factor":
        label = f"{feature} {name}"
    return CivicVariant(
        id=ident, gene=gene, name=name, variant_types=row["variant_types"],
        single_profile=_int(row["single_variant_molecular_profile_id"]),
        grch37=vcf.get(ident) or _coordinates(row), label=label,
    )


def _coordinates(row: dict[str, str]) -> tuple[str, int, str, str] | None:
    """GRCh37 allele from a 2025 VariantSummaries row; None for regions (amplifications, codon
    names) that carry coordinates but no alleles."""
    if any(column not in row for column in _COORDINATE_COLUMNS):
        return None
    ref, alt = row["reference_bases"].strip(), row["variant_bases"].strip()
    if row["reference_build"] != "GRCh37" or not (ref or alt) or not row["start"].isdigit():
        return None
    if not set(ref + alt) <= set("ACGT"):
        return None
    return row["chromosome"].strip(), int(row["start"]), ref, alt


def read_release(folder: Path) -> CivicRelease:
    """Parse and check a CIViC release folder."""
    release = release_name(folder)
    files = _files(folder, release)
    version = f"CIViC {release}"
    coordinates = _vcf_coordinates(files["vcf"]) if files["vcf"].is_file() else {}
    variants = tuple(
        _variant(row, coordinates) for row in _rows(files["variants"], VARIANT_COLUMNS)
    )
    profiles = tuple(
        CivicProfile(
            id=int(row["molecular_profile_id"]),
            name=_normal(row["name"]),
            variant_ids=tuple(int(v) for v in _LIST_SPLIT.split(row["variant_ids"]) if v.isdigit()),
        )
        for row in _rows(files["profiles"], PROFILE_COLUMNS)
    )
    evidence = tuple(
        (
            int(row["molecular_profile_id"]),
            Evidence(
                source="CIViC",
                id=f"EID{row['evidence_id']}",
                kind="evidence",
                evidence_type=row["evidence_type"],
                direction=row["evidence_direction"],
                significance=row["significance"],
                level=row["evidence_level"],
                disease=row["disease"],
                doid=_doid(row["doid"]),
                profile=_normal(row["molecular_profile"]),
                therapies=_therapies(row["therapies"]),
                therapy_interaction=row["therapy_interaction_type"],
                variant_origin=row["variant_origin"],
                rating=_int(row["rating"]),
                trial=bool(_NCT.search(row.get("nct_ids") or "")),
                population=tokens_in(f"{row.get('evidence_statement', '')} "
                                     f"{row.get('phenotypes', '')}"),
                citation=(f"PMID:{row['citation_id']}" if row["source_type"] == "PubMed"
                          else f"{row['source_type']}:{row['citation_id']}"),
                url=row["evidence_civic_url"],
                version=version,
            ),
        )
        for row in _rows(files["evidence"], EVIDENCE_COLUMNS)
        if row["evidence_status"] == "accepted"
    )
    assertions = tuple(
        (
            int(row["molecular_profile_id"]),
            Evidence(
                source="CIViC",
                id=f"AID{row['assertion_id']}",
                kind="assertion",
                evidence_type=row["assertion_type"],
                direction=row["assertion_direction"],
                significance=row["significance"],
                level=_amp_level(row["amp_category"]),
                disease=row["disease"],
                doid=_doid(row["doid"]),
                profile=_normal(row["molecular_profile"]),
                therapies=_therapies(row["therapies"]),
                amp_category=row["amp_category"],
                regulatory_approval=_bool(row["regulatory_approval"]),
                nccn_guideline=row["nccn_guideline"],
                url=row["assertion_civic_url"],
                version=version,
            ),
        )
        for row in _rows(files["assertions"], ASSERTION_COLUMNS)
    )
    if not variants or not evidence or not profiles:
        raise KnowledgeBaseError(f"{folder}: CIViC release {release} is empty")
    return CivicRelease(release, variants, profiles, evidence, assertions)

