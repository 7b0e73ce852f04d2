"""The case report as PDF: WeasyPrint lays out the same HTML the browser shows (A4, page
numbers, the synthetic mark in every page header), so the PDF and the HTML cannot differ.

WeasyPrint needs Pango and HarfBuzz from the system. When they are missing, its import fails
with an OSError from the C loader; that becomes one message naming the Debian packages, not a
traceback. The renderer fetches nothing: the HTML is self-contained, and any URL a stylesheet or
string might smuggle in is refused.
"""

from __future__ import annotations

from typing import Any

from mtb.errors import PdfUnavailableError
from mtb.report.content import ReportContent
from mtb.report.html import render_html

SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


def _weasyprint() -> Any:
    try:
        import weasyprint
        import weasyprint.urls  # the fetcher API (_refusing_fetcher)
    except (OSError, ImportError) as error:
        raise PdfUnavailableError(
            "PDF reports need WeasyPrint and its system libraries, which could not be loaded "
            f"({type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''})"
            f"; on Debian/Ubuntu: sudo apt-get install {SYSTEM_PACKAGES} (the HTML and FHIR "
            "reports work without them)"
        ) from None
    return weasyprint


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the report fetches no external resources ({url[:60]})")


def _refusing_fetcher(weasyprint: Any) -> Any:
    """A URL fetcher that fetches nothing. WeasyPrint before 66 takes a function; later
    versions a URLFetcher instance (it reads attributes of the fetcher)."""
    base = getattr(getattr(weasyprint, "urls", None), "URLFetcher", None)
    if not isinstance(base, type):
        return _no_fetch

    class _Refusing(base):  # type: ignore[misc, valid-type]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return _no_fetch(url)

    return _Refusing()


def html_to_pdf(document: str) -> bytes:
    """A self-contained HTML document as PDF bytes."""
    weasyprint = _weasyprint()
    fetcher = _refusing_fetcher(weasyprint)
    # PDF/A-2b: the archival form a hospital keeps a signed report in (embedded fonts, an
    # sRGB output intent and XMP metadata, which WeasyPrint writes)
    return weasyprint.HTML(string=document, url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/a-2b")


def render_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes (starts with %PDF)."""
    return html_to_pdf(render_html(content))
