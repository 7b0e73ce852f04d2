"""`mtb report`: a case's report for the hospital record, from the command line.

    mtb report CASE --format html|pdf|fhir -o FILE

CASE is a case folder (with its case.toml) or the id of a case in the catalogue (the cases
folder, MTB_CASES_DIR, and the cases added through the app in the data dir). The report holds
what the store has for the case: curations, the summary, the board's recommendations and the
case's status (a case that is not final is reported as preliminary).

Errors are raised as MtbError and printed by mtb.cli (one line, exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, Any

from mtb.atomic import atomic_write
from mtb.catalog import CaseEntry, list_cases, read_case
from mtb.config import Settings
from mtb.errors import InputError, ReportError

FORMATS = ("html", "pdf", "fhir")


def add_commands(commands: Any) -> None:
    """Register `report` on the main parser's subcommands."""
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


def find_case(text: str, settings: Settings) -> CaseEntry:
    """A case folder, else the catalogue's case with this id (sample/configured cases first,
    then the cases added through the app)."""
    path = Path(text).expanduser()
    if (path / "case.toml").is_file():
        return read_case(path)
    if path.is_dir():
        raise InputError(path, "is a folder without a case.toml (not a case folder)")
    from mtb.web.intake import uploads_dir

    folders = [settings.cases_dir, uploads_dir(settings)]
    for folder in folders:
        for entry in _catalogue(folder):
            if entry.id == text:
                return entry
    raise ReportError(
        f"no case '{text}': it is not a case folder, and no case in "
        f"{' or '.join(str(f) for f in folders)} has this id"
    )


def _catalogue(folder: Path) -> list[CaseEntry]:
    """The cases of a folder; one broken case.toml does not hide the others."""
    if not folder.is_dir():
        return []
    try:
        return list_cases(folder)
    except InputError:
        entries = []
        for toml in sorted(folder.glob("*/case.toml")):
            if toml.parent.name.startswith("."):
                continue
            try:
                entries.append(read_case(toml.parent))
            except InputError:
                continue
        return entries


def run_report(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.case import load_case
    from mtb.cli import open_kb
    from mtb.report import bundle_json, render_html, render_pdf, report_content
    from mtb.store import Store

    settings = Settings.load({"cases_dir": getattr(args, "cases_dir", None)})
    output: Path | None = args.output
    if args.format == "pdf" and output is None:
        raise ReportError("a PDF report needs -o FILE")
    entry = find_case(args.case, settings)
    case = load_case(entry, open_kb(settings, err), settings)
    store = Store.open(settings.database_url)
    try:
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
