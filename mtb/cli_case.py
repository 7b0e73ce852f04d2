"""`mtb timeline` and `mtb case show|import-fhir`: the clinical course from the command line.

    mtb timeline PATH...            events from FHIR files/folders, cBioPortal timelines,
                                    event tables and DICOM, in date order (TSV or JSON)
    mtb case show CASE_DIR          the patient header, the timeline and the top findings
    mtb case import-fhir --server URL --patient ID --out CASE_DIR
                                    a patient's record from a FHIR server into a case folder

Errors are raised as MtbError and printed by mtb.cli (one line, exit 2).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import IO, Any

from mtb.config import Settings
from mtb.errors import InputError
from mtb.timeline import DayOffset, Timeline, TimelineEvent

# the columns, then additions (only ever appended)
TIMELINE_COLUMNS = ("start", "end", "kind", "label", "value", "unit", "source", "status")


def add_commands(commands: Any) -> None:
    """Register `timeline` and `case` on the main parser's subcommands."""
    timeline = commands.add_parser(
        "timeline",
        help="print the clinical events of FHIR files, tabular histories or DICOM, in order",
        description="Read FHIR R4 files or folders (Bundles, resources, NDJSON), cBioPortal "
        "timelines, simple event tables (CSV) and DICOM files/folders, and print their events "
        "in date order: TSV columns " + " ".join(TIMELINE_COLUMNS) + ". What was read, "
        "skipped and warned about goes to stderr.",
    )
    timeline.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    timeline.add_argument("--index-date", metavar="YYYY-MM-DD", type=date.fromisoformat,
                          help="day 0 of cBioPortal timelines (days are kept as 'day N' "
                          "without it)")
    timeline.add_argument("--patient", metavar="ID",
                          help="the patient to keep when the files hold several")
    timeline.add_argument("--format", choices=("tsv", "json"), default="tsv")

    case = commands.add_parser("case", help="show a case folder, or import one from FHIR")
    actions = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show", help="the patient header, the timeline in order and the top findings",
    )
    show.add_argument("folder", metavar="CASE_DIR", type=Path)
    show.add_argument("--all", action="store_true", help="list every finding, not the top ten")
    fetch = actions.add_parser(
        "import-fhir",
        help="fetch a patient's record from a FHIR server into a case folder",
        description="Fetch everything a FHIR R4 server holds about a patient "
        "(Patient/$everything, or per-type searches where the server does not offer it) and "
        "write it as a Bundle into the case folder, creating a case.toml if there is none. "
        "The token comes from --token or MTB_FHIR_TOKEN and is never printed or stored.",
    )
    fetch.add_argument("--server", required=True, metavar="URL", help="FHIR base URL")
    fetch.add_argument("--patient", required=True, metavar="ID", help="the Patient's id")
    fetch.add_argument("--out", metavar="CASE_DIR", type=Path,
                       help="the case folder (default: <MTB_DATA_DIR>/cases/<ID>, where the "
                       "app lists added cases)")
    fetch.add_argument("--token", metavar="TOKEN",
                       help="bearer token (prefer MTB_FHIR_TOKEN: options show in `ps`)")


# -- mtb timeline ---------------------------------------------------------------------------------


def read_clinical(
    paths: list[Path], *, index_date: date | None = None, patient: str | None = None,
    show_names: bool = False,
) -> Timeline:
    """Any clinical file or folder, by its content: FHIR, cBioPortal timeline, event table,
    DICOM. A file that is none of these is an InputError naming it."""
    from mtb.ingest.dicom import read_dicom
    from mtb.ingest.fhir import looks_like_fhir, read_fhir
    from mtb.ingest.histories import (
        looks_like_cbioportal_timeline,
        looks_like_event_table,
        read_cbioportal_timeline,
        read_event_table,
    )

    timeline = Timeline()
    missing = next((path for path in paths if not path.exists()), None)
    if missing is not None:
        raise InputError(missing, "not found")
    fhir = [path for path in paths if looks_like_fhir(path)]
    if fhir:  # one record: references resolve across files, and mixed patients are seen
        timeline.extend(read_fhir(fhir, patient=patient, show_names=show_names))
    for path in paths:
        if path in fhir:
            continue
        if path.is_dir() or _is_dicom(path):
            timeline.extend(read_dicom([path]))
        elif looks_like_cbioportal_timeline(path):
            timeline.extend(read_cbioportal_timeline(path, index_date, patient))
        elif looks_like_event_table(path):
            timeline.extend(read_event_table(path))
        else:
            raise InputError(path, "is not a FHIR resource or Bundle, a cBioPortal timeline, "
                             "an event table (date, kind, label) or a DICOM file")
    return timeline


def _is_dicom(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(132)[128:132] == b"DICM"
    except OSError:
        return False


def run_timeline(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    settings = Settings.load()
    timeline = read_clinical(list(args.paths), index_date=args.index_date,
                             patient=args.patient, show_names=settings.show_names)
    events = timeline.ordered()
    if args.format == "json":
        json.dump({
            "patients": [_patient_json(p) for p in timeline.patients],
            "events": [event_json(e) for e in events],
            "read": dict(timeline.read),
            "skipped": dict(timeline.skipped),
            "warnings": timeline.warnings,
        }, out, indent=1, ensure_ascii=False)
        out.write("\n")
    else:
        out.write("\t".join(TIMELINE_COLUMNS) + "\n")
        for event in events:
            out.write(_tsv(event))
    out.flush()
    lines = [timeline.summary()]
    lines += [f"warning: {warning}" for warning in timeline.warnings]
    relative = sum(1 for e in events if isinstance(e.start, DayOffset))
    if relative:
        lines.append(f"note: {relative} events count days from an index date; give "
                     "--index-date to date them")
    err.write("\n".join(lines) + "\n")
    return 0


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("\t", " ").replace("\n", " ")


def _tsv(event: TimelineEvent) -> str:
    cells = (event.start, event.end, event.kind.value, event.label, event.value, event.unit,
             event.source, event.status)
    return "\t".join(_cell(c) for c in cells) + "\n"


def event_json(event: TimelineEvent) -> dict[str, Any]:
    return {
        "start": _cell(event.start) or None,
        "end": _cell(event.end) or None,
        "kind": event.kind.value,
        "label": event.label,
        "value": event.value,
        "unit": event.unit or None,
        "codes": [{"system": c.system_name, "code": c.code, "display": c.display}
                  for c in event.codes],
        "detail": event.detail or None,
        "status": event.status or None,
        "source": event.source,
    }


def _patient_json(patient: Any) -> dict[str, Any]:
    return {
        "id": patient.id, "sex": patient.sex or None,
        "birth_year": patient.birth.year if patient.birth else None,
        "deceased": _cell(patient.deceased) or None, "name": patient.name or None,
    }


# -- mtb case -------------------------------------------------------------------------------------


def run_case(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if args.case_command == "import-fhir":
        return _import_fhir(args, out, err)
    from mtb.case import open_case
    from mtb.cli import open_kb

    settings = Settings.load()
    kb = open_kb(settings, err)
    case = open_case(args.folder, kb, settings)
    out.write(render_case(case, every=args.all))
    out.flush()
    return 0


def render_case(case: Any, *, every: bool = False) -> str:
    """The case as plain text: header, timeline, findings, warnings."""
    from annotation.model import Tier

    entry = case.entry
    lines = [f"{entry.title}" + ("  [SYNTHETIC parts: " + entry.synthetic_parts + "]"
                                 if entry.synthetic_parts else ""),
             "=" * min(100, len(entry.title))]
    patient = case.patient
    if patient is not None:
        age = case.age()
        who = ", ".join(p for p in (
            patient.name, f"patient {patient.id}", patient.sex,
            f"{age} years" if age is not None else "",
            f"died {patient.deceased}" if patient.deceased not in (None, False) else "",
        ) if p)
        lines.append(who)
    diagnosis = case.annotation.diagnosis
    mapped = f" -> {diagnosis.name} ({diagnosis.doid})" if diagnosis.known else " (not mapped)"
    lines.append(f"diagnosis: {diagnosis.text}{mapped}")
    if case.annotation.tmb is not None:
        lines.append(case.annotation.tmb.summary)
    lines += [f"therapy {line.label}" for line in case.lines]
    lines += ["", "TIMELINE"]
    for event in case.events:
        value = f" = {_cell(event.value)}{' ' + event.unit if event.unit else ''}" \
            if event.value is not None else ""
        status = f" [{event.status}]" if event.status else ""
        span = f"{_cell(event.start) or 'no date'}" + (f" to {event.end}" if event.end else "")
        lines.append(f"  {span:<24} {event.kind.value:<16} {event.label}{value}{status}")
    variants = case.annotation.variants
    shown = variants if every else case.actionable[:10]
    lines += ["", f"FINDINGS ({len(case.actionable)} of {len(variants)} in tier I/II"
              + ("" if every else ", top 10") + ")"]
    for variant in shown:
        therapies = "; ".join(t.label for t in variant.therapies[:4])
        level = f" level {variant.level}" if variant.level else ""
        lines.append(f"  {variant.tier.value:<4} {variant.alteration.label:<32}{level}"
                     + (f"  {therapies}" if therapies else ""))
    if not shown and not every:
        counts = case.annotation.by_tier()
        lines.append("  none in tier I/II; " + ", ".join(
            f"{t} {counts[t.value]}" for t in Tier if counts.get(t.value)))
    lines += ["", "FILES"] + [f"  {f.path.name} ({f.kind}): {f.summary}" for f in case.files]
    if case.warnings:
        lines += ["", "WARNINGS"] + [f"  {w}" for w in case.warnings]
    return "\n".join(lines) + "\n"


def _import_fhir(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.ingest.fhir_record import record_from_bundle
    from mtb.ingest.fhir_server import fetch_patient, write_bundle

    settings = Settings.load()
    token = args.token or settings.fhir_token or None
    fetched = fetch_patient(args.server, args.patient, token=token)
    folder: Path = args.out or settings.data_dir / "cases" / args.patient
    target = write_bundle(fetched, folder / f"fhir-{args.patient}.json")
    created = _write_case_toml(folder, args.patient, target, args.server)
    from mtb.ingest.fhir import timeline_of

    timeline = timeline_of(record_from_bundle(fetched.bundle, target.name))
    counts = ", ".join(f"{n} {t}" for t, n in sorted(fetched.counts.items()))
    out.write(f"wrote {target} ({counts}; {fetched.method}, {fetched.pages} pages)\n")
    out.write(f"{timeline.summary()}\n")
    if created:
        out.write(f"created {folder / 'case.toml'}: add the diagnosis and the molecular files\n")
    else:
        out.write(f"{folder / 'case.toml'} exists: list {target.name} there as kind = \"fhir\" "
                  "if it is not yet\n")
    for warning in (*fetched.warnings, *timeline.warnings):
        err.write(f"warning: {warning}\n")
    return 0


def _write_case_toml(folder: Path, patient: str, bundle: Path, server: str) -> bool:
    path = folder / "case.toml"
    if path.exists():
        return False
    from urllib.parse import urlsplit

    host = urlsplit(server).hostname or "the FHIR server"
    path.write_text(
        f'# Imported by `mtb case import-fhir` from {host}; the diagnosis and molecular files\n'
        '# are to be added.\n'
        f'id = "{patient}"\n'
        f'title = "Patient {patient}"\n'
        'diagnosis = ""\n'
        'synthetic = false\n'
        f'source = "FHIR server {host}"\n\n'
        '[[files]]\n'
        f'path = "{bundle.name}"\n'
        'kind = "fhir"\n',
        encoding="utf-8",
    )
    return True
