"""`mtb audit export --since DATE [--until DATE] --format csv|json [--output FILE]`: the audit
log for the site's data-protection officer or an inspection.

Every entry in the period, oldest first, as the store holds it: time (UTC), actor, action, the
object (its kind and key), the case, and the before/after details. Nothing is added to what
the audit already holds (it holds no free text about patients beyond what a person typed into
a curation or summary, which is what an audit of that change must show). The file is written
owner-only (0600) and atomically; CSV cells that a spreadsheet would run as a formula are
prefixed with an apostrophe (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mtb.cli.options import CommandParser
from mtb.config import Settings

if TYPE_CHECKING:
    from mtb.board import AuditEntry

COLUMNS = ("id", "time", "actor", "action", "object_type", "object", "case_id", "before",
           "after")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _day(text: str) -> date | None:
    if match := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    return None


def _moment(text: str, *, day_end: bool) -> datetime:
    text = text.strip()
    try:
        day = _day(text)
        if day is not None:  # its start (or the next day's) in this machine's time zone
            return datetime.combine(day + timedelta(days=1) if day_end else day,
                                    time()).astimezone()
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (2026-12-01 or 01.12.2026) or a time "
            "(2026-12-01T08:30)") from None
    return parsed if parsed.tzinfo is not None else parsed.astimezone()


def since(text: str) -> datetime:
    """2026-12-01 or 01.12.2026 (from that day's start, in this machine's time zone), or a
    moment 2026-12-01T08:30[:00][+01:00] (without an offset: this machine's time zone)."""
    return _moment(text, day_end=False)


def until(text: str) -> datetime:
    """A day is included (up to the next day's start); a moment is where the export stops."""
    return _moment(text, day_end=True)


def add_parser(commands: Any) -> None:
    audit = commands.add_parser(
        "audit", help="export the audit log (who changed what, when)",
        description="The audit log of the case store: every sign-in, curation, decision, "
        "report export and user change, with who did it and when.")
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True,
                                   parser_class=CommandParser)
    export = actions.add_parser(
        "export", help="every entry of a period as CSV or JSON",
        description="Every audit entry from --since up to --until (a date: to the end of "
        "that day; default: now), oldest first: id, time (UTC), actor, action, object type, "
        "object, case id, before and after (JSON). Written to --output (created 0600) or "
        "printed.")
    export.add_argument("--since", required=True, type=since, metavar="DATE",
                        help="first day or moment (2026-12-01, 01.12.2026, 2026-12-01T08:00)")
    export.add_argument("--until", type=until, metavar="DATE",
                        help="last day (included) or the moment to stop before")
    export.add_argument("--format", required=True, choices=("csv", "json"))
    export.add_argument("--output", "-o", type=Path, metavar="FILE",
                        help="write here (owner-only) instead of standard output")


def _row(entry: AuditEntry) -> dict[str, Any]:
    at = entry.at if entry.at.tzinfo is not None else entry.at.replace(tzinfo=UTC)
    return {"id": entry.id, "time": at.astimezone(UTC).isoformat(timespec="milliseconds"),
            "actor": entry.user_name, "action": entry.action, "object_type": entry.entity,
            "object": entry.entity_key, "case_id": entry.case_id, "before": entry.before,
            "after": entry.after}


def _details(text: str) -> Any:
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return text


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def write_csv(entries: Iterator[AuditEntry], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for entry in entries:
        row = _row(entry)
        writer.writerow([_cell(row[c]) for c in COLUMNS])
        count += 1
    return count


def write_json(entries: Iterator[AuditEntry], out: IO[str]) -> int:
    """A JSON array written entry by entry (years of entries never sit in memory whole)."""
    count = 0
    out.write("[")
    for entry in entries:
        row = _row(entry)
        row["before"], row["after"] = _details(row["before"]), _details(row["after"])
        out.write(("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.atomic import atomic_file
    from mtb.store import Store

    if args.until is not None and args.until <= args.since:
        from mtb.errors import InputError

        raise InputError("--until", "is not after --since")
    store = Store.open(Settings.load().database_url)
    try:
        entries = store.audit_between(args.since.astimezone(UTC),
                                      args.until.astimezone(UTC) if args.until else None)
        write = write_csv if args.format == "csv" else write_json
        if args.output is None:
            write(entries, out)
            return 0
        with atomic_file(args.output, mode=0o600) as binary:
            text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
            count = write(entries, text)
            text.flush()
            text.detach()
        err.write(f"mtb: {count} audit entries written to {args.output}\n")
    finally:
        store.close()
    return 0
