"""Case reports for the hospital record: HTML, PDF (from that HTML) and a FHIR R4 Bundle.

    content.py   Case + store records -> ReportContent (plain data: the one thing both
                 renderers read, so HTML, PDF and FHIR always say the same)
    html.py      ReportContent -> a self-contained HTML page (autoescaped)
    pdf.py       that page -> PDF with WeasyPrint (imported only when a PDF is asked for)
    fhir.py      ReportContent -> FHIR R4 Bundle (Genomics Reporting IG STU3 + MII MTB)

Imports mtb.case, mtb.store and annotation only; never dash or layouts. The names below are
loaded on first use, so `mtb --help` (which registers `mtb report`) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from mtb.errors import PdfUnavailableError, ReportError

if TYPE_CHECKING:
    from mtb.report.content import ReportContent, build_content, report_content
    from mtb.report.fhir import bundle_json, to_bundle
    from mtb.report.html import render_html
    from mtb.report.pdf import render_pdf

_HOMES = {
    "ReportContent": "content", "build_content": "content",
    "report_content": "content", "render_html": "html", "render_pdf": "pdf",
    "bundle_json": "fhir", "to_bundle": "fhir",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mtb.report' has no attribute {name!r}")
    return getattr(import_module(f"mtb.report.{home}"), name)


__all__ = [
    "PdfUnavailableError",
    "ReportContent",
    "ReportError",
    "build_content",
    "bundle_json",
    "render_html",
    "render_pdf",
    "report_content",
    "to_bundle",
]
