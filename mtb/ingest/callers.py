"""Where each variant caller writes the tumor's read evidence: the one table of conventions.

Callers disagree on where the variant allele fraction (VAF), the alt read count and the depth
live. `CONVENTIONS` lists each convention once, in the order they are tried: a record uses the
first convention whose FORMAT fields it carries (merged files mix callers record by record, so
the choice is per record and cached per FORMAT layout). `CALLERS` only names the caller for the
summary, from the header.

Each reader returns (vaf, alt_reads, depth) for one ALT allele of one sample. Depth is the
caller's own DP where it reports one; where the VAF is computed from counts (Strelka, SomaticSniper,
FreeBayes, generic AD) depth is the denominator of that fraction, so that vaf == alt / depth.

`fetch` reads a record's FORMAT fields once, as Python lists (one `tolist()` per field is far
cheaper than indexing numpy arrays value by value). cyvcf2 marks a missing integer with int32 min
(-2147483648) and the end of a short vector with int32 min + 1, a missing float with NaN; fields
used without a header declaration arrive as strings ('46,46') and are parsed here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mtb.ingest.text import percent_decode

Evidence = tuple[float | None, int | None, int | None]
NO_EVIDENCE: Evidence = (None, None, None)
_MISSING_BELOW = -2147483600  # cyvcf2's int32 sentinels for '.' and vector end
Values = Mapping[str, list[Any]]  # FORMAT key -> one row per sample


def format_array(rec: Any, key: str) -> Any:
    """A FORMAT field's array, or None when the record lacks it (cyvcf2 raises KeyError for a
    key the header does not declare, as a Delly-style <DEL> without DV/RV does)."""
    try:
        return rec.format(key)
    except KeyError:
        return None


def fetch(rec: Any, keys: tuple[str, ...]) -> dict[str, list[Any]]:
    """The record's FORMAT values for `keys`, as lists indexed by sample."""
    values = {}
    for key in keys:
        array = rec.format(key)
        if array is not None:
            values[key] = array.tolist()
    return values


def _numbers(text: str) -> list[float | None]:
    """'46,46' or VCF 4.3 '51%2C42%2C0%2C0' -> [46.0, 46.0]; '.' and junk -> None."""
    out: list[float | None] = []
    for part in percent_decode(text).split(","):
        try:
            out.append(float(part))
        except ValueError:
            out.append(None)
    return out


def _row(values: Values, key: str, sample: int) -> list[Any]:
    """One sample's values of a FORMAT key; [] when the record lacks the key."""
    rows = values.get(key)
    if rows is None:
        return []
    row = rows[sample]
    return row if row.__class__ is list else _numbers(row)


def _get(row: list[Any], index: int) -> Any:
    """row[index], or None when out of range or missing (cyvcf2 sentinels, NaN, '.')."""
    if index >= len(row):
        return None
    value = row[index]
    if value is None or value != value or value < _MISSING_BELOW:
        return None
    return value


def _count(row: list[Any], index: int) -> int | None:
    value = _get(row, index)
    return None if value is None else int(value)


def _total(row: list[Any]) -> int | None:
    """Sum of all values of a row, or None if any is missing."""
    total = 0
    for index in range(len(row)):
        value = _get(row, index)
        if value is None:
            return None
        total += value
    return int(total) if row else None


def _fraction(alt: int | None, depth: int | None) -> float | None:
    return alt / depth if alt is not None and depth else None


def _depth(values: Values, sample: int, fallback: list[Any]) -> int | None:
    """FORMAT/DP of the sample, else the total of the fallback counts (e.g. AD)."""
    depth = _count(_row(values, "DP", sample), 0)
    return depth if depth is not None else _total(fallback)


# -- readers: (FORMAT values by key, cyvcf2 record, ALT index, sample index) -> Evidence --------


def _format_af(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """Mutect2, VarDict, DRAGEN and merged pipelines: FORMAT/AF, counts from AD.

    The most common convention, so written out without the helpers (twice as fast).
    """
    af = values["AF"][sample]
    if af.__class__ is not list:
        af = _numbers(af)
    vaf = af[alt] if alt < len(af) else None
    if vaf is not None and vaf != vaf:  # NaN: missing
        vaf = None
    ad = values.get("AD")
    if ad is None:
        ad = []
    else:
        ad = ad[sample]
        if ad.__class__ is not list:
            ad = _numbers(ad)
    alt_reads = ad[alt + 1] if alt + 1 < len(ad) else None
    if alt_reads is not None:
        alt_reads = int(alt_reads) if alt_reads >= 0 else None  # < 0: cyvcf2's missing sentinel
    dp = values.get("DP")
    depth = dp[sample][0] if dp is not None and dp[sample].__class__ is list else None
    if depth is None or depth < 0:
        depth = _depth(values, sample, ad)
    return vaf, alt_reads, depth


def _format_fa(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """MuTect1: FORMAT/FA (Number=A), counts from AD."""
    ad = _row(values, "AD", sample)
    return _get(_row(values, "FA", sample), alt), _count(ad, alt + 1), _depth(values, sample, ad)


_BASE_FIELD = {"A": "AU", "C": "CU", "G": "GU", "T": "TU"}


def _strelka_snv(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """Strelka2 SNV: tier-1 {ALT}U over the sum of tier-1 AU, CU, GU, TU."""
    tier1 = {key: _count(_row(values, key, sample), 0) for key in ("AU", "CU", "GU", "TU")}
    field = _BASE_FIELD.get(rec.ALT[alt].upper()) if alt < len(rec.ALT) else None
    alt_reads = tier1.get(field) if field else None
    depth = None if None in tier1.values() else sum(tier1.values())  # type: ignore[arg-type]
    return _fraction(alt_reads, depth), alt_reads, depth


def _strelka_indel(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """Strelka2 indel: tier-1 TIR / (TAR + TIR)."""
    tir = _count(_row(values, "TIR", sample), 0)
    tar = _count(_row(values, "TAR", sample), 0)
    depth = tar + tir if tar is not None and tir is not None else None
    return _fraction(tir, depth), tir, depth


_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*%?\s*$")


def _varscan(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """VarScan2: FORMAT/FREQ as a percent string ('12.5%', VCF 4.3: '12.5%25'); AD alt, RD ref."""
    freq = values["FREQ"][sample] if sample < len(values["FREQ"]) else ""
    match = _PERCENT.match(percent_decode(str(freq)))
    vaf = float(match.group(1)) / 100 if match else None
    ad = _row(values, "AD", sample)
    # VarScan declares AD Number=1 (alt reads only); merged files rewrite it as Number=R.
    alt_reads = _count(ad, 0) if len(ad) == 1 else _count(ad, alt + 1)
    ref_reads = _count(_row(values, "RD", sample), 0)
    fallback = [alt_reads, ref_reads] if len(ad) == 1 else ad
    return vaf, alt_reads, _depth(values, sample, fallback)


_BCOUNT_INDEX = {"A": 0, "C": 1, "G": 2, "T": 3}


def _sniper(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """SomaticSniper: FORMAT/BCOUNT (A,C,G,T counts); DP4 when the ALT is not a single base."""
    counts = _row(values, "BCOUNT", sample)
    index = _BCOUNT_INDEX.get(rec.ALT[alt].upper()) if alt < len(rec.ALT) else None
    if index is not None and len(counts) == 4:
        depth = _total(counts)
        alt_reads = _count(counts, index)
        return _fraction(alt_reads, depth), alt_reads, depth
    return _from_dp4(_row(values, "DP4", sample))


def _from_dp4(dp4: list[Any]) -> Evidence:
    """DP4 = ref-forward, ref-reverse, alt-forward, alt-reverse."""
    depth = _total(dp4) if len(dp4) == 4 else None
    if depth is None:
        return NO_EVIDENCE
    alt_reads = int(dp4[2] + dp4[3])
    return _fraction(alt_reads, depth), alt_reads, depth


def _freebayes(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """FreeBayes: AO (per ALT) over RO + sum(AO)."""
    ao = _row(values, "AO", sample)
    ro = _count(_row(values, "RO", sample), 0)
    all_ao = _total(ao)
    alt_reads = _count(ao, alt)
    depth = ro + all_ao if ro is not None and all_ao is not None else None
    return _fraction(alt_reads, depth), alt_reads, depth


def _format_ad(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """Generic (MuSE, Scalpel, GT:AD:DP files): AD alt over DP, or over the sum of AD."""
    ad = _row(values, "AD", sample)
    alt_reads = _count(ad, alt + 1)
    depth = _depth(values, sample, ad)
    return _fraction(alt_reads, depth), alt_reads, depth


def _sv_reads(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """Delly: variant pairs DV + variant split reads RV over all of DR, DV, RR, RV."""
    dr, dv, rr, rv = (_count(_row(values, key, sample), 0) for key in ("DR", "DV", "RR", "RV"))
    if dr is None or dv is None or rr is None or rv is None:
        return NO_EVIDENCE
    depth = dr + dv + rr + rv
    return _fraction(dv + rv, depth), dv + rv, depth


def _manta(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """Manta: paired (PR) and split (SR) reads, each as ref,alt."""
    pr = _row(values, "PR", sample)
    sr = _row(values, "SR", sample) or [0, 0]
    counts = [_count(pr, 0), _count(pr, 1), _count(sr, 0), _count(sr, 1)]
    if None in counts:
        return NO_EVIDENCE
    alt_reads = counts[1] + counts[3]  # type: ignore[operator]
    depth = sum(counts)  # type: ignore[arg-type]
    return _fraction(alt_reads, depth), alt_reads, depth


def _pcgr_tumor(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """PCGR/TCGA-MC3 merged column: INFO/TVAF (else ADT), tumor depth FORMAT/DPT."""
    alt_reads = _count(_row(values, "ADT", sample), alt + 1)
    depth = _count(_row(values, "DPT", sample), 0)
    tvaf = rec.INFO.get("TVAF")
    vaf = float(tvaf) if isinstance(tvaf, int | float) else _fraction(alt_reads, depth)
    return vaf, alt_reads, depth


def _pcgr_normal(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """PCGR/TCGA-MC3 merged column: control depth FORMAT/DPC, control counts ADC."""
    depth = _count(_row(values, "DPC", sample), 0)
    alt_reads = _count(_row(values, "ADC", sample), alt + 1)
    return _fraction(alt_reads, depth), alt_reads, depth


def _info_af(values: Values, rec: Any, alt: int, sample: int) -> Evidence:
    """Sites-only files (LoFreq): INFO/AF, INFO/DP4 for alt reads, INFO/DP for depth."""
    info = rec.INFO
    af = info.get("AF")
    if isinstance(af, tuple):
        af = af[alt] if alt < len(af) else None
    vaf = float(af) if isinstance(af, int | float) else None
    dp4 = info.get("DP4")
    alt_reads = int(dp4[2]) + int(dp4[3]) if isinstance(dp4, tuple) and len(dp4) == 4 else None
    dp = info.get("DP")
    return vaf, alt_reads, int(dp) if isinstance(dp, int | float) else None


Reader = Callable[[Mapping[str, Any], Any, int, int], Evidence]


@dataclass(frozen=True)
class Convention:
    """One way of reading tumor evidence; `needs` are FORMAT keys that must all be present."""

    name: str  # shown as the variant's vaf_source
    needs: tuple[str, ...]
    optional: tuple[str, ...]
    read: Reader
    read_normal: Reader | None = None  # set when the normal's evidence sits in the tumor column

    @property
    def fields(self) -> tuple[str, ...]:
        return self.needs + self.optional


# Tried in this order for every record; the first whose `needs` the record carries wins.
CONVENTIONS: tuple[Convention, ...] = (
    Convention("PCGR TVAF/ADT", ("ADT", "DPT"), ("DPC", "ADC"), _pcgr_tumor, _pcgr_normal),
    Convention("FORMAT/AF", ("AF",), ("AD", "DP"), _format_af),
    Convention("MuTect1 FORMAT/FA", ("FA",), ("AD", "DP"), _format_fa),
    Convention("Strelka2 tier-1 base counts", ("AU", "CU", "GU", "TU"), (), _strelka_snv),
    Convention("Strelka2 TIR/(TAR+TIR)", ("TAR", "TIR"), (), _strelka_indel),
    Convention("VarScan2 FORMAT/FREQ", ("FREQ",), ("AD", "RD", "DP"), _varscan),
    Convention("SomaticSniper BCOUNT", ("BCOUNT",), ("DP4",), _sniper),
    Convention("FreeBayes AO/RO", ("AO", "RO"), (), _freebayes),
    Convention("Delly DV+RV", ("DR", "DV", "RR", "RV"), (), _sv_reads),
    Convention("Manta PR/SR", ("PR",), ("SR",), _manta),
    Convention("FORMAT/AD", ("AD",), ("DP",), _format_ad),
)
SITES_ONLY = Convention("INFO/AF (sites-only)", (), (), _info_af)
NONE = Convention("none", (), (), lambda values, rec, alt, sample: NO_EVIDENCE)


def choose_convention(format_keys: tuple[str, ...], has_samples: bool) -> Convention:
    """The first convention whose needed FORMAT keys this record carries."""
    if not has_samples:
        return SITES_ONLY
    present = set(format_keys)
    for convention in CONVENTIONS:
        if present.issuperset(convention.needs):
            return convention
    return NONE


@dataclass(frozen=True)
class Caller:
    name: str
    signature: re.Pattern[str]  # searched in the header text


# Names the caller for the summary; first match wins (merged pipelines before single callers).
CALLERS: tuple[Caller, ...] = (
    Caller("GATK CombineVariants merge", re.compile(r"^##GATKCommandLine.*CombineVariants", re.M)),
    Caller("PCGR/TCGA MC3 merge", re.compile(r"^##INFO=<ID=TVAF,", re.M)),
    Caller("DRAGEN", re.compile(r"^##(DRAGENCommandLine|source=DRAGEN)", re.M | re.I)),
    Caller("Mutect2", re.compile(r"^##(MutectVersion|GATKCommandLine=<ID=Mutect2|source=Mutect2)",
                                 re.M)),
    Caller("MuTect1", re.compile(r"^##FORMAT=<ID=FA,", re.M)),
    Caller("Strelka2", re.compile(r"^##source=strelka", re.M | re.I)),
    Caller("VarScan2", re.compile(r"^##source=VarScan", re.M | re.I)),
    Caller("MuSE", re.compile(r"^##MuSE_version", re.M)),
    Caller("Scalpel", re.compile(r"^##source=scalpel", re.M | re.I)),
    Caller("SomaticSniper", re.compile(r"somaticsniper|^##FORMAT=<ID=BCOUNT,", re.M | re.I)),
    Caller("VarDict", re.compile(r"^##source=VarDict", re.M | re.I)),
    Caller("LoFreq", re.compile(r"^##source=lofreq", re.M | re.I)),
    Caller("FreeBayes", re.compile(r"^##source=freeBayes", re.M | re.I)),
    Caller("Delly", re.compile(r"^##INFO=<ID=SVMETHOD,|^##source=DELLY", re.M | re.I)),
    Caller("Manta", re.compile(r"^##source=GenerateSVCandidates", re.M)),
    Caller("Pindel", re.compile(r"pindel", re.I)),
)


def detect_caller(header_text: str) -> str:
    for caller in CALLERS:
        if caller.signature.search(header_text):
            return caller.name
    return "unknown"
