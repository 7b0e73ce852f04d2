"""Structural-variant and copy-number VCF records (Delly, Manta, CNV callers).

A record is structural when its ALT is symbolic (<DEL>, <DUP:TANDEM>, <CNV>) or a breakend
(]15:80623247]C). Sequence-resolved alleles stay small variants even with an SVTYPE (Pindel
writes SVTYPE=DEL on plain deletions). <CNV> records, and <DEL>/<DUP> records of depth-based CNV
callers (a copy number, no read-pair or split-read support), become copy-number segments; the
rest are breakpoint pairs. Delly writes a read-depth CN on its DEL/DUP calls too, but they are
breakpoint calls (PE/SR, DV/RV): they stay structural variants. Delly writes INFO/END < POS for
translocations (END is on CHR2), so END is never checked against POS here.
"""

from __future__ import annotations

import re
from typing import Any

from mtb.ingest.callers import format_array
from mtb.variant import CopyNumber, StructuralVariant, normalize_chrom

_BREAKEND_MATE = re.compile(r"[\[\]]([^\[\]]+):(\d+)[\[\]]")
_SYMBOLIC = re.compile(r"^<([A-Z]+)")


def is_structural(alt: str) -> bool:
    return (
        alt.startswith("<")
        or "[" in alt
        or "]" in alt
        or (len(alt) > 1 and (alt.startswith(".") or alt.endswith(".")))
    )


def _scalar(value: Any) -> Any:
    return value[0] if isinstance(value, tuple) else value


def _copy_number(rec: Any, tumor: int | None) -> float | None:
    """INFO/CN, else the tumor's FORMAT/CN; negative values mean 'not computed' (Delly: -1)."""
    cn = _scalar(rec.INFO.get("CN"))
    if cn is None and tumor is not None:
        array = format_array(rec, "CN")
        if array is not None and getattr(array, "ndim", 0) == 2:
            cn = float(array[tumor][0])
    if isinstance(cn, int | float) and cn >= 0 and cn == cn:
        return float(cn)
    return None


def _has_breakpoint_support(rec: Any) -> bool:
    info = rec.INFO
    if info.get("PE") is not None or info.get("SR") is not None:
        return True
    return any(format_array(rec, key) is not None for key in ("DV", "RV", "PR", "SR"))


def structural_finding(
    rec: Any,
    alt: str,
    chrom: str,
    norm_chrom: str,
    filter_: str,
    line: int | None,
    tumor: int | None,
    tumor_evidence: tuple[float | None, int | None, int | None],
    normal_evidence: tuple[float | None, int | None, int | None],
) -> CopyNumber | StructuralVariant:
    info = rec.INFO
    symbolic = _SYMBOLIC.match(alt)
    svtype = str(_scalar(info.get("SVTYPE")) or (symbolic.group(1) if symbolic else "BND"))
    end = _scalar(info.get("END"))
    pos = rec.POS
    if svtype == "CNV" or (svtype in ("DEL", "DUP") and not _has_breakpoint_support(rec)):
        cn = _copy_number(rec, tumor)
        if svtype == "CNV" or cn is not None:
            return CopyNumber(
                chrom=chrom,
                start=pos,
                end=int(end) if isinstance(end, int) else pos,
                norm_chrom=norm_chrom,
                copy_number=cn,
                filter=filter_,
                svtype=svtype,
                id=rec.ID or "",
                line=line,
            )
    mate = _BREAKEND_MATE.search(alt)
    if mate:
        chrom2, pos2 = mate.group(1), int(mate.group(2))
    else:
        chrom2 = str(_scalar(info.get("CHR2")) or chrom)
        svlen = _scalar(info.get("SVLEN"))
        if isinstance(end, int):
            pos2 = end
        elif isinstance(svlen, int):
            pos2 = pos + abs(svlen)
        else:
            pos2 = pos
    t_vaf, t_alt, t_depth = tumor_evidence
    n_vaf, n_alt, n_depth = normal_evidence
    return StructuralVariant(
        chrom=chrom,
        pos=pos,
        chrom2=chrom2,
        pos2=pos2,
        sv_type=svtype,
        ref=rec.REF,
        alt=alt,
        norm_chrom=norm_chrom,
        norm_chrom2=normalize_chrom(chrom2),
        filter=filter_,
        id=rec.ID or "",
        mate_id=str(_scalar(info.get("MATEID")) or ""),
        tumor_alt=t_alt,
        tumor_depth=t_depth,
        tumor_vaf=t_vaf,
        normal_alt=n_alt,
        normal_depth=n_depth,
        normal_vaf=n_vaf,
        line=line,
    )
