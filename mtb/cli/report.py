"""`mtb report`: a case's report for the hospital record, from the command line.

    mtb report CASE --format html|pdf|fhir -o FILE

CASE is a case folder (with its case.toml) or the id of a case in the catalogue (the cases
folder, MTB_CASES_DIR, and the cases added through the app in the data dir). The report holds
what the store has for the case: its stored annotation version, curations, the summary, the
board's recommendations and the case's status (a case that is not final is reported as
preliminary). A final case's report is the one kept when it was finalized, byte for byte,
whatever happened to its files or the knowledge base since. A folder that is not a registered
case is read and annotated on the spot.

CASE is looked up by mtb.catalog. Errors are raised as MtbError and printed by mtb.cli (one
line, exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, Any

from mtb.atomic import atomic_write
from mtb.cli.options import open_kb
from mtb.config import Settings
from mtb.errors import ReportError

FORMATS = ("html", "pdf", "fhir")


def add_parser(commands: Any) -> None:
    report = commands.add_parser(
        "report",
        help="write a case's report: HTML, PDF or a FHIR R4 Bundle",
        description="Write the report of a case: patient header, tier I/II and curated "
        "findings, the curators' summary, the board's recommendations with evidence grades, "
        "knowledge-base versions. HTML and PDF for reading; a FHIR R4 Bundle (HL7 Genomics "
        "Reporting IG, MII molecular tumor board module) for the hospital's record.",
    )
    report.add_argument("case", metavar="CASE",
                        help="a case folder, or the id of a case in the catalogue")
    report.add_argument("--format", choices=FORMATS, default="html",
                        help="html (default), pdf, or fhir (a JSON Bundle)")
    report.add_argument("-o", "--output", metavar="FILE", type=Path,
                        help="where to write it (html and fhir go to stdout without it)")
    report.add_argument("--cases", dest="cases_dir", metavar="DIR",
                        help="folder of case folders (MTB_CASES_DIR)")
    report.add_argument("--lang", choices=("de", "en"), default=None,
                        help="the report's language (default: MTB_LANGUAGE, else en)")


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.case import load_case
    from mtb.catalog import find_case, uploads_dir
    from mtb.i18n import using
    from mtb.report import bundle_json, render_html, render_pdf, report_content
    from mtb.store import Store

    settings = Settings.load({"cases_dir": getattr(args, "cases_dir", None)})
    output: Path | None = args.output
    if args.format == "pdf" and output is None:
        raise ReportError("a PDF report needs -o FILE")
    entry = find_case(args.case, settings)
    store = Store.open(settings.database_url)
    with using(getattr(args, "lang", None) or settings.language):  # built and written in it
        try:
            stored = _stored_report(settings, store, args.case, entry, args.format)
            if stored is not None:
                return _write_stored(stored, args.format, output,
                                     entry.id if entry else args.case, out, err)
            if entry is None:
                folders = (settings.cases_dir, uploads_dir(settings))
                raise ReportError(f"no case '{args.case}': it is not a case folder, not a "
                                  "registered case, and no case in "
                                  f"{' or '.join(str(f) for f in folders)} has this id")
            case = load_case(entry, open_kb(settings, err), settings)
            content = report_content(case, store)
        finally:
            store.close()
        if args.format == "pdf":
            data = render_pdf(content)
        else:
            text = render_html(content) if args.format == "html" else bundle_json(content)
            if output is None:
                out.write(text)
                out.flush()
                data = b""
            else:
                data = text.encode("utf-8")
    if output is not None:
        atomic_write(output, data)  # owner-only: a report is patient data
    where = str(output) if output is not None else "stdout"
    status = content.status if content.final else f"{content.status}, preliminary"
    err.write(f"report: {entry.id} -> {where} ({args.format}; {len(content.findings)} "
              f"findings, {len(content.recommendations)} recommendations; case {status})\n")
    return 0


def _stored_report(settings: Settings, store: Any, text: str, entry: Any,
                   fmt: str) -> tuple[bytes, str] | None:
    """(report, what it is) of a registered case with a stored version (the folder's case,
    or the id given), else None."""
    from mtb.library import Library

    case_id = entry.id if entry is not None else text
    registered = store.stored_case(case_id)
    if registered is None or (entry is not None and
                              Path(registered.folder) != Path(entry.folder).resolve()):
        return None
    library = Library(settings, store)
    number = library.shown_version(case_id)
    if number is None:
        return None
    record = store.case_record(case_id)
    data = library.report(case_id, fmt, by="mtb (command line)")
    store.log_event("mtb (command line)", "export_report", case_id, fmt)
    what = ("final, as kept when it was finalized" if record.status == "final"
            else f"{record.status}, preliminary")
    return data, f"version {number}; case {what}"


def _write_stored(stored: tuple[bytes, str], fmt: str, output: Path | None, case_id: str,
                  out: IO[str], err: IO[str]) -> int:
    data, what = stored
    if output is None:
        out.write(data.decode("utf-8"))
        out.flush()
    else:
        atomic_write(output, data)  # owner-only: a report is patient data
    where = str(output) if output is not None else "stdout"
    err.write(f"report: {case_id} -> {where} ({fmt}; {what})\n")
    return 0
