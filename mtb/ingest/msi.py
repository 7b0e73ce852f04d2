"""MSIsensor and MSIsensor-pro reports: the share of unstable microsatellite sites as an MSI
finding.

The report is one header and one row: `Total_Number_of_Sites  Number_of_Somatic_Sites  %`.
The score is called as MSK-IMPACT calls it (Middha et al., JCO Precis Oncol 2017;1:1-17):
MSI-high from 10 %, indeterminate from 3 %, stable below (cut-offs of the FDA-authorised
MSK-IMPACT assay for MSIsensor; a site validating another assay gives its own call in
case.toml instead: `msi = "high"`).
"""

from __future__ import annotations

from pathlib import Path

from mtb.errors import InputError
from mtb.ingest.tabular import optional_float, read_table
from mtb.variant import Biomarker

__all__ = ["MSI_HIGH", "MSI_INDETERMINATE", "looks_like_msisensor", "read_msisensor"]

MSI_HIGH = 10.0
MSI_INDETERMINATE = 3.0
_COLUMNS = ("Total_Number_of_Sites", "Number_of_Somatic_Sites", "%")


def looks_like_msisensor(columns: tuple[str, ...]) -> bool:
    return tuple(c.strip() for c in columns[:3]) == _COLUMNS


def call_msi(score: float) -> str:
    if score >= MSI_HIGH:
        return "high"
    return "indeterminate" if score >= MSI_INDETERMINATE else "stable"


def read_msisensor(path: str | Path) -> list[Biomarker]:
    """The report's MSI finding (one row)."""
    path = Path(path)
    table = read_table(path)
    at = table.require("% of unstable sites", "%")
    if len(table.rows) != 1:
        raise InputError(path, f"an MSIsensor report has one row, this one {len(table.rows)}",
                         table.rows[1][0] if len(table.rows) > 1 else 1)
    line, cells = table.rows[0]
    score = optional_float(table, cells[at] if at < len(cells) else "", "%", line)
    if score is None:
        raise InputError(path, "the share of unstable sites (%) is empty", line)
    return [Biomarker("MSI", call_msi(score), score, "% unstable sites",
                      source=f"MSIsensor report {path.name}: {score:g} % of sites unstable "
                      f"(MSI-high from {MSI_HIGH:g} %, MSK-IMPACT cut-offs)", line=line)]
