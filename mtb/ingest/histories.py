"""Clinical histories kept as tables: cBioPortal timeline files and a simple event table.

Many sites keep a patient's course outside FHIR: a study exported for cBioPortal
(`data_timeline_*.txt`, days counted from the diagnosis) or a table typed into a spreadsheet
(`date, end, kind, label, value, unit`). Both become a `Timeline`.

A row that cannot be read is skipped, counted in `Timeline.skipped` and warned about with its
line, and the rest of the history is kept: one mistyped date must not hide a patient's course
from the board, and nothing may vanish without a word. A file that cannot be read as a whole
(missing, not UTF-8 text, no header, required columns missing, several patients mixed) raises
InputError. Warnings name the file (not its folder, which may carry a patient's name), the line
and the offending cell, nothing else of the patient.

cBioPortal's timeline format (docs.cbioportal.org, File Formats, "Timeline Data"; its importer
ImportTimelineData.java): tab-separated; PATIENT_ID, START_DATE, STOP_DATE, EVENT_TYPE, then
free attribute columns whose suggested names depend on the event type (TREATMENT: TREATMENT_TYPE,
SUBTYPE, AGENT; LAB_TEST: TEST, RESULT; IMAGING: DIAGNOSTIC_TYPE, RESULT, SOURCE; STATUS: STATUS;
SPECIMEN / SAMPLE ACQUISITION / SEQUENCING: SPECIMEN_SITE, SPECIMEN_TYPE, SOURCE). Days count
from the date of diagnosis; STOP_DATE is blank for point events, and the importer also accepts
files without that column (the documentation's own examples omit it), so it is optional here.
EVENT_TYPE is free text; unknown types are kept as `other`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, cast

from mtb.errors import InputError
from mtb.ingest.files import READ_ERRORS, open_text
from mtb.timeline import (
    DayOffset,
    EventKind,
    PartialDate,
    Patient,
    Timeline,
    TimelineEvent,
    says_progression,
)

__all__ = [
    "looks_like_cbioportal_timeline",
    "looks_like_event_table",
    "read_cbioportal_timeline",
    "read_event_table",
]

CBIOPORTAL_ROW = "cBioPortal timeline row"
EVENT_TABLE_ROW = "event table row"

# Why a row is not on the timeline (the keys of Timeline.skipped).
INVALID_DATE = "row with an invalid date"
UNKNOWN_KIND = "row with an unknown kind"
ENDS_BEFORE_START = "row ending before it starts"
NO_LABEL = "row without a label"
NO_EVENT_TYPE = "row without an event type"
NO_PATIENT = "row without a patient id"
OTHER_PATIENT = "row of another patient"
TOO_MANY_CELLS = "row with more cells than the header"

CBIOPORTAL_REQUIRED = ("PATIENT_ID", "START_DATE", "EVENT_TYPE")
CBIOPORTAL_FIXED = {"PATIENT_ID", "START_DATE", "STOP_DATE", "EVENT_TYPE"}
# Rendering hints for cBioPortal's own plot: not clinical content, kept out of `detail`.
CBIOPORTAL_STYLE = {"STYLE_SHAPE", "STYLE_COLOR"}

EVENT_TABLE_REQUIRED = ("date", "kind", "label")
EVENT_TABLE_OPTIONAL = ("end", "value", "unit")
DELIMITERS = ("\t", ";", ",")  # ';' is what a German spreadsheet writes for "CSV"

_MISSING = {"", "na", "n/a", "nan", "."}
_DAYS = re.compile(r"^[+-]?\d+(?:\.0+)?$")  # pandas writes whole days as '20.0'
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
# German registries (GTDS, ADT exports) write unknown parts as 00: '00.03.2022', '00.00.2022'.
_GERMAN_MONTH = re.compile(r"^(?:00\.)?(\d{1,2})\.(\d{4})$")
_GERMAN_YEAR = re.compile(r"^(?:00\.){1,2}(\d{4})$")
# '1,234' is 1.234 in Germany and 1234 elsewhere: a thousandfold error either way, so it stays text.
_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2},\d{3}$")

_KIND_SYNONYMS = {
    "chemotherapy": EventKind.SYSTEMIC_THERAPY,
    "chemo": EventKind.SYSTEMIC_THERAPY,
    "therapy": EventKind.SYSTEMIC_THERAPY,
    "drug": EventKind.SYSTEMIC_THERAPY,
    "radiation": EventKind.RADIOTHERAPY,
    "operation": EventKind.SURGERY,
    "op": EventKind.SURGERY,
    "biopsy": EventKind.SPECIMEN,
    "lab": EventKind.MARKER,
    "tumor_marker": EventKind.MARKER,
    "board": EventKind.TUMOR_BOARD,
    "tumorboard": EventKind.TUMOR_BOARD,
    "mtb": EventKind.TUMOR_BOARD,
    "ct": EventKind.IMAGING,
    "mri": EventKind.IMAGING,
    "pet": EventKind.IMAGING,
    "pet_ct": EventKind.IMAGING,
    "ngs": EventKind.SEQUENCING,
    "deceased": EventKind.DEATH,
}

# cBioPortal EVENT_TYPE (lower case, '_' and '-' read as spaces) -> kind; None: decided by the
# row's attributes (TREATMENT by its type, STATUS by its text).
_CBIOPORTAL_KINDS: dict[str, EventKind | None] = {
    "treatment": None,
    "status": None,
    "surgery": EventKind.SURGERY,
    "radiation": EventKind.RADIOTHERAPY,
    "radiotherapy": EventKind.RADIOTHERAPY,
    "diagnosis": EventKind.DIAGNOSIS,
    "specimen": EventKind.SPECIMEN,
    "sample acquisition": EventKind.SPECIMEN,
    "biopsy": EventKind.SPECIMEN,
    "lab test": EventKind.MARKER,
    "imaging": EventKind.IMAGING,
    "sequencing": EventKind.SEQUENCING,
}

# Attribute columns that name the event, best first, by kind.
_LABEL_COLUMNS = {
    EventKind.SYSTEMIC_THERAPY: ("AGENT", "SUBTYPE", "TREATMENT_TYPE"),
    # a radiotherapy's AGENT is its dose ('45 Gy'): detail, not the name
    EventKind.RADIOTHERAPY: ("SUBTYPE", "TREATMENT_TYPE", "AGENT"),
    EventKind.SURGERY: ("SUBTYPE", "PROCEDURE", "TREATMENT_TYPE", "AGENT"),
    EventKind.DIAGNOSIS: ("DIAGNOSIS", "SUBTYPE", "CANCER_TYPE_DETAILED", "CANCER_TYPE"),
    EventKind.MARKER: ("TEST",),
    EventKind.IMAGING: ("DIAGNOSTIC_TYPE", "DIAGNOSTIC_TYPE_DETAILED", "SUBTYPE"),
    EventKind.SEQUENCING: ("TEST", "ASSAY", "SUBTYPE"),
}
_STATUS_LABEL = ("STATUS", "SUBTYPE")

_RADIOTHERAPY = re.compile(r"radiat|radiother", re.IGNORECASE)
_SURGERY = re.compile(r"surg", re.IGNORECASE)
_DIED = re.compile(r"\b(?:death|deceased|dead|died)\b", re.IGNORECASE)
_DIAGNOSED = re.compile(r"\bdiagnos", re.IGNORECASE)
_RESPONDED = re.compile(r"\b(?:remission|respon|stable)", re.IGNORECASE)


class _Skip(Exception):
    """A row that does not become an event: why (a `skipped` key) and the problem to warn."""

    def __init__(self, reason: str, problem: str) -> None:
        super().__init__(problem)
        self.reason = reason
        self.problem = problem


@dataclass(frozen=True)
class _Rows:
    path: Path
    header_line: int
    columns: tuple[str, ...]  # as written, stripped
    rows: list[tuple[int, list[str]]]  # (line of the row's start, cells padded to the header)
    long_rows: list[tuple[int, int]]  # (line, number of cells) of rows longer than the header

    def index(self, name: str) -> int | None:
        """Position of a column (case-insensitive), else None."""
        lowered = [column.lower() for column in self.columns]
        return lowered.index(name.lower()) if name.lower() in lowered else None


# --- dispatch ---------------------------------------------------------------------------------


def looks_like_cbioportal_timeline(path: str | Path) -> bool:
    """Whether the first non-comment line names PATIENT_ID, START_DATE and EVENT_TYPE (tabs)."""
    header = _peek(Path(path))
    if header is None:
        return False
    names = {cell.strip().upper() for cell in header.split("\t")}
    return all(name in names for name in CBIOPORTAL_REQUIRED)


def looks_like_event_table(path: str | Path) -> bool:
    """Whether the first non-comment line names date, kind and label (tab, ';' or ',')."""
    header = _peek(Path(path))
    if header is None:
        return False
    names = {name.lower() for name in _split(header, _sniff(header))}
    return all(name in names for name in EVENT_TABLE_REQUIRED)


# --- cBioPortal timeline ------------------------------------------------------------------------


def read_cbioportal_timeline(
    path: str | Path, index_date: date | None = None, patient: str | None = None
) -> Timeline:
    """One patient's events from a cBioPortal timeline file.

    Days stay `DayOffset`s unless `index_date` (the day cBioPortal counts from, usually the
    diagnosis) is given. A file with several patients needs `patient`: mixing two patients'
    histories on one timeline is a patient-safety error, so it is refused, not merged.
    """
    path = Path(path)
    table = _read(path, "\t")
    positions = {column.upper(): at for at, column in reversed(list(enumerate(table.columns)))}
    missing = [name for name in CBIOPORTAL_REQUIRED if name not in positions]
    if missing:
        raise InputError(
            path,
            f"no {', '.join(missing)} column (a cBioPortal timeline needs PATIENT_ID, "
            "START_DATE, STOP_DATE (may be left out) and EVENT_TYPE)",
            table.header_line,
        )
    chosen = _choose_patient(table, positions["PATIENT_ID"], patient, "choose one patient")
    timeline = Timeline()
    if chosen is not None:
        timeline.patients.append(Patient(id=chosen, source=path.name))
    long_rows = dict(table.long_rows)
    for line, cells in table.rows:
        timeline.read[CBIOPORTAL_ROW] += 1
        try:
            row_patient = cells[positions["PATIENT_ID"]].strip()
            if not row_patient:
                raise _Skip(NO_PATIENT, "PATIENT_ID is empty")
            if row_patient != chosen:
                timeline.skipped[OTHER_PATIENT] += 1  # expected, not a problem: no warning
                continue
            if line in long_rows:
                raise _too_many(line, long_rows[line], len(table.columns), "\t")
            event = _cbioportal_event(table, positions, cells, line, timeline)
        except _Skip as skip:
            _skip(timeline, path, line, skip)
            continue
        try:
            timeline.events.append(event.anchored(index_date) if index_date else event)
        except ValueError as error:  # a day count beyond the calendar
            _skip(timeline, path, line, _Skip(INVALID_DATE, str(error)))
    _warn_if_empty(timeline, path, table)
    return timeline


def _choose_patient(table: _Rows, at: int, patient: str | None, remedy: str) -> str | None:
    """The one patient whose rows are read: `patient`, else the file's only one."""
    first_rows: dict[str, int] = {}
    for line, cells in table.rows:
        first_rows.setdefault(cells[at].strip(), line)
    first_rows.pop("", None)
    ids = list(first_rows)
    if patient is not None:
        if patient.strip() not in first_rows:
            raise InputError(
                table.path, f"has no rows of patient '{patient.strip()}' (it holds {_names(ids)})"
            )
        return patient.strip()
    if len(ids) > 1:
        raise InputError(
            table.path,
            f"holds the histories of {len(ids)} patients ({_names(ids)}); {remedy} (one "
            "timeline must not mix patients' histories)",
            first_rows[ids[1]],
        )
    return ids[0] if ids else None


def _names(ids: list[str], shown: int = 5) -> str:
    if not ids:
        return "no patient ids"
    listed = ", ".join(ids[:shown])
    return listed + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


def _cbioportal_event(
    table: _Rows, positions: dict[str, int], cells: list[str], line: int, timeline: Timeline
) -> TimelineEvent:
    event_type = cells[positions["EVENT_TYPE"]].strip()
    if not event_type:
        raise _Skip(NO_EVENT_TYPE, "EVENT_TYPE is empty")
    start = _days(cells[positions["START_DATE"]], "START_DATE")
    stop_at = positions.get("STOP_DATE")
    end = _days(cells[stop_at], "STOP_DATE") if stop_at is not None else None
    if start is not None and end is not None and end < start:
        raise _Skip(ENDS_BEFORE_START, f"STOP_DATE {end.days} is before START_DATE {start.days}")
    if start is None:
        timeline.warnings.append(f"{table.path.name}, line {line}: START_DATE is empty; listed "
                                 "last, undated")
    # attribute columns: upper-case name -> (name as written, value); empty cells are no data
    attributes = {
        column.upper(): (column, cells[at].strip())
        for at, column in enumerate(table.columns)
        if column.upper() not in CBIOPORTAL_FIXED | CBIOPORTAL_STYLE and cells[at].strip()
    }
    values = {key: value for key, (_, value) in attributes.items()}
    kind = _cbioportal_kind(event_type, values)
    readable = _readable(event_type)
    used: set[str] = set()
    if kind == EventKind.SPECIMEN and "SPECIMEN_SITE" in values:
        label = f"{readable}, {values['SPECIMEN_SITE']}"
        used.add("SPECIMEN_SITE")
    elif _normal(event_type) == "status":
        label = _first(values, _STATUS_LABEL, used) or readable
    elif kind == EventKind.OTHER:
        subtype = _first(values, ("SUBTYPE",), used)
        label = f"{readable}: {subtype}" if subtype else readable
    else:
        label = _first(values, _LABEL_COLUMNS.get(kind, ()), used) or readable
    value: float | str | None = None
    unit = ""
    if kind == EventKind.MARKER:
        value = _value(values.get("RESULT", ""))
        unit = _first(values, ("UNIT", "UNITS"), used)
        used.add("RESULT")
    detail = "; ".join(
        f"{name}: {text}" for key, (name, text) in attributes.items() if key not in used
    )
    return TimelineEvent(
        kind=kind, start=start, label=label, end=end, value=value, unit=unit,
        source=f"{table.path.name} line {line}", detail=detail,
    )


def _cbioportal_kind(event_type: str, values: dict[str, str]) -> EventKind:
    key = _normal(event_type)
    if key == "treatment":
        text = f"{values.get('TREATMENT_TYPE', '')} {values.get('SUBTYPE', '')}"
        if _RADIOTHERAPY.search(text):
            return EventKind.RADIOTHERAPY
        if _SURGERY.search(text):
            return EventKind.SURGERY
        return EventKind.SYSTEMIC_THERAPY
    if key == "status":
        return _status_kind(f"{values.get('STATUS', '')} {values.get('SUBTYPE', '')}")
    return _CBIOPORTAL_KINDS.get(key) or EventKind.OTHER


def _status_kind(text: str) -> EventKind:
    """What a status text says: progression, death, diagnosis, response, else other.

    Progression comes first ('progressive disease after response'); negated progression
    ('no progression', 'progression-free') is not progression, because a progression starts a
    new therapy line in `therapy_lines`.
    """
    if says_progression(text):
        return EventKind.PROGRESSION
    if _DIED.search(text):
        return EventKind.DEATH
    if _DIAGNOSED.search(text):
        return EventKind.DIAGNOSIS
    if _RESPONDED.search(text):
        return EventKind.RESPONSE
    return EventKind.OTHER


def _days(cell: str, column: str) -> DayOffset | None:
    text = cell.strip()
    if text.lower() in _MISSING:
        return None
    if not _DAYS.match(text):
        raise _Skip(INVALID_DATE, f"{column} '{text}' is not a whole number of days")
    return DayOffset(int(float(text)))


def _first(values: dict[str, str], names: tuple[str, ...], used: set[str]) -> str:
    """The first non-empty attribute among `names`, marked as used (kept out of `detail`)."""
    for name in names:
        if values.get(name):
            used.add(name)
            return values[name]
    return ""


def _normal(event_type: str) -> str:
    return re.sub(r"[\s_-]+", " ", event_type.strip().lower())


def _readable(event_type: str) -> str:
    """'LAB_TEST' -> 'Lab test', 'SAMPLE ACQUISITION' -> 'Sample acquisition'."""
    text = _normal(event_type)
    return text[:1].upper() + text[1:]


# --- simple event table -------------------------------------------------------------------------


def read_event_table(path: str | Path) -> Timeline:
    """Events from a table with a header `date, end, kind, label, value, unit` (any order, any
    case; `end`, `value` and `unit` may be left out; further columns go to `detail`).

    Tab-, ';'- or comma-separated, found from the header. Dates may be partial ('2022',
    '2022-03', '05.03.2022', '03.2022'); values with a decimal comma ('35,2') are numbers. A
    `patient` or `patient_id` column, if present, must hold one patient only.
    """
    path = Path(path)
    header = _peek(path)  # an unreadable file is reported by _read
    delimiter = _sniff(header) if header else "\t"
    table = _read(path, delimiter, quoted=True)
    at = {name: table.index(name) for name in (*EVENT_TABLE_REQUIRED, *EVENT_TABLE_OPTIONAL)}
    missing = [name for name in EVENT_TABLE_REQUIRED if at[name] is None]
    if missing:
        raise InputError(
            path,
            f"no {', '.join(missing)} column (an event table needs date, kind and label; "
            "end, value and unit may be left out)",
            table.header_line,
        )
    patient_at = next((p for p in map(table.index, ("patient_id", "patient")) if p is not None),
                      None)
    timeline = Timeline()
    if patient_at is not None:
        chosen = _choose_patient(table, patient_at, None, "split it by patient")
        if chosen is not None:
            timeline.patients.append(Patient(id=chosen, source=path.name))
    known = {p for p in (*at.values(), patient_at) if p is not None}
    long_rows = dict(table.long_rows)
    for line, cells in table.rows:
        timeline.read[EVENT_TABLE_ROW] += 1
        try:
            if line in long_rows:
                raise _too_many(line, long_rows[line], len(table.columns), delimiter)
            event = _table_event(table, at, known, cells, line, timeline)
        except _Skip as skip:
            _skip(timeline, path, line, skip)
            continue
        timeline.events.append(event)
    _warn_if_empty(timeline, path, table)
    return timeline


def _table_event(
    table: _Rows,
    at: dict[str, int | None],
    known: set[int],
    cells: list[str],
    line: int,
    timeline: Timeline,
) -> TimelineEvent:
    def cell(name: str) -> str:
        position = at[name]
        return cells[position].strip() if position is not None else ""

    kind_text = cell("kind")
    kind = _event_kind(kind_text)
    if kind is None:
        expected = ", ".join(k.value for k in EventKind)
        raise _Skip(UNKNOWN_KIND, f"kind '{kind_text}' is not known (expected one of: {expected})")
    label = cell("label")
    if not label:
        raise _Skip(NO_LABEL, "label is empty")
    start = _partial(cell("date"), "date")
    end = _partial(cell("end"), "end")
    if start is not None and end is not None and end.latest < start.earliest:
        raise _Skip(ENDS_BEFORE_START, f"end {end} is before date {start}")
    if start is None:
        timeline.warnings.append(f"{table.path.name}, line {line}: date is empty; listed last, "
                                 "undated")
    detail = "; ".join(
        f"{column}: {cells[position].strip()}"
        for position, column in enumerate(table.columns)
        if position not in known and cells[position].strip()
    )
    return TimelineEvent(
        kind=kind, start=start, label=label, end=end, value=_value(cell("value")),
        unit=cell("unit"), source=f"{table.path.name} line {line}", detail=detail,
    )


def _event_kind(text: str) -> EventKind | None:
    """An event table's kind: an EventKind value or a synonym ('chemotherapy', 'CT', 'op'),
    any case, spaces or hyphens for underscores; None when it is neither."""
    key = re.sub(r"[\s/-]+", "_", text.strip().lower())
    try:
        return EventKind(key)
    except ValueError:
        return _KIND_SYNONYMS.get(key)


def _partial(text: str, column: str) -> PartialDate | None:
    if text.lower() in _MISSING:
        return None
    value = text
    if year := _GERMAN_YEAR.match(text):
        value = year.group(1)
    elif month := _GERMAN_MONTH.match(text):
        value = f"{month.group(2)}-{int(month.group(1)):02d}"
    try:
        parsed = PartialDate.parse(value)
    except ValueError:
        # the message names the cell as written, not the normalised form
        raise _Skip(INVALID_DATE, f"{column} '{text}' is not a date (expected YYYY, YYYY-MM, "
                                  "YYYY-MM-DD or DD.MM.YYYY)") from None
    # PartialDate.parse lets '2023-00' and '2023-03-00' through; 00 means unknown here
    if not parsed.month:
        return PartialDate(parsed.year)
    if parsed.day == 0:
        return PartialDate(parsed.year, parsed.month)
    return parsed


def _value(text: str) -> float | str | None:
    """A number when the cell is one ('35.2', '35,2'), else the text ('positive', '<0.5',
    and the ambiguous '1,234')."""
    text = text.strip()
    if not text:
        return None
    if _NUMBER.match(text) and not _AMBIGUOUS.match(text):
        return float(text.replace(",", "."))
    return text


# --- reading ------------------------------------------------------------------------------------


def _peek(path: Path) -> str | None:
    """The header line, or None when the file is unreadable or has none (never raises)."""
    try:
        header = _header(path)
    except (*READ_ERRORS, UnicodeDecodeError):
        return None
    return header[1] if header else None


def _header(path: Path) -> tuple[int, str] | None:
    """(line number, text) of the first line that is neither blank nor a '#' comment."""
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            text = line.lstrip("\ufeff").rstrip("\r\n")
            if text.strip() and not text.startswith("#"):
                return number, text
    return None


def _sniff(header: str) -> str:
    """The delimiter that splits the header into the event table's columns, else the most
    frequent one (the missing columns are then reported by name)."""
    for delimiter in DELIMITERS:
        names = {name.lower() for name in _split(header, delimiter)}
        if all(name in names for name in EVENT_TABLE_REQUIRED):
            return delimiter
    return max(DELIMITERS, key=header.count)


def _split(header: str, delimiter: str) -> list[str]:
    cells = next(csv.reader([header], delimiter=delimiter), [])
    return [cell.strip() for cell in cells]


def _read(path: Path, delimiter: str, quoted: bool = False) -> _Rows:
    """All rows after the header, with the line each starts on; '#' lines and blank lines are
    left out. cBioPortal files are split on tabs alone (its importer does), event tables are
    read as CSV with quotes."""
    quoting: Literal[0, 3] = csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE
    try:
        with open_text(path) as handle:
            reader = csv.reader(_uncommented(handle), delimiter=delimiter, quoting=quoting)
            header_line, columns = 0, cast("tuple[str, ...]", ())
            rows: list[tuple[int, list[str]]] = []
            long_rows: list[tuple[int, int]] = []
            previous = 0
            for cells in reader:
                line, previous = previous + 1, reader.line_num
                if not cells or not "".join(cells).strip():
                    continue
                if not columns:
                    header_line, columns = line, tuple(cell.strip() for cell in cells)
                    continue
                if len(cells) > len(columns):
                    long_rows.append((line, len(cells)))
                rows.append((line, cells + [""] * (len(columns) - len(cells))))
    except UnicodeDecodeError:
        raise InputError(
            path, "is not UTF-8 text (save it as UTF-8, e.g. Excel's 'CSV UTF-8')"
        ) from None
    except csv.Error as error:
        raise InputError(path, f"cannot be read as a table ({error})", reader.line_num) from None
    except READ_ERRORS as error:
        reason = getattr(error, "strerror", None) or error
        raise InputError(path, f"cannot be read ({reason})") from None
    if not columns:
        raise InputError(path, "is empty: no header line")
    return _Rows(path, header_line, columns, rows, long_rows)


def _uncommented(handle: Iterator[str]) -> Iterator[str]:
    """The file's lines with '#' comments blanked (not removed, so line numbers stay right)."""
    for number, line in enumerate(handle):
        text = line.lstrip("\ufeff") if number == 0 else line
        yield "\n" if text.startswith("#") else text


def _too_many(line: int, found: int, expected: int, delimiter: str) -> _Skip:
    hint = " (a decimal comma in a comma-separated file needs quotes)" if delimiter == "," else ""
    return _Skip(TOO_MANY_CELLS, f"has {found} cells, the header has {expected}{hint}")


def _skip(timeline: Timeline, path: Path, line: int, skip: _Skip) -> None:
    timeline.skipped[skip.reason] += 1
    timeline.warnings.append(f"{path.name}, line {line}: {skip.problem}")


def _warn_if_empty(timeline: Timeline, path: Path, table: _Rows) -> None:
    if not table.rows:
        timeline.warnings.append(f"{path.name}: has a header but no rows")
