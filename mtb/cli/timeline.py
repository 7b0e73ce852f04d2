"""`mtb timeline PATH...`: the events of FHIR files and folders, cBioPortal timelines, event
tables and DICOM (recognised by content: mtb.ingest.clinical) in date order, as TSV or JSON;
what was read, left off and warned about on stderr."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import IO, Any

from mtb.config import Settings
from mtb.timeline import DayOffset, TimelineEvent

# the columns, then additions (only ever appended)
TIMELINE_COLUMNS = ("start", "end", "kind", "label", "value", "unit", "source", "status")


def add_parser(commands: Any) -> None:
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


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.ingest.clinical import read_clinical

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
    if unreadable(timeline):
        err.write("mtb: error: nothing could be read from the input (see the warnings above)\n")
        return EXIT_UNREADABLE
    return 0


EXIT_UNREADABLE = 2  # as for any bad input (mtb.cli.EXIT_INPUT)


def unreadable(timeline: Any) -> bool:
    """Nothing was read, and that is because files could not be read (invalid JSON, not
    UTF-8, ...), not because they were empty: an error, not an empty timeline."""
    return (not timeline.read and not timeline.events
            and any(str(key).startswith("file (") for key in timeline.skipped))


def cell(value: object) -> str:
    """A value as one TSV cell (also as `mtb case show` prints event values)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("\t", " ").replace("\n", " ")


def _tsv(event: TimelineEvent) -> str:
    cells = (event.start, event.end, event.kind.value, event.label, event.value, event.unit,
             event.source, event.status)
    return "\t".join(cell(c) for c in cells) + "\n"


def event_json(event: TimelineEvent) -> dict[str, Any]:
    return {
        "start": cell(event.start) or None,
        "end": cell(event.end) or None,
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
        "deceased": cell(patient.deceased) or None, "name": patient.name or None,
    }
