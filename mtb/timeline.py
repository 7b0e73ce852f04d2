"""The clinical course as events: what a tumor board reads left to right before it looks at a
single variant. Frozen dataclasses and pure functions, no I/O; readers live in mtb.ingest
(fhir, histories, dicom) and all produce a `Timeline`.

Dates are kept at the precision the source gave. A cancer registry often knows only "2022" or
"2022-03"; turning that into 2022-01-01 would invent a day a clinician might act on. A
`PartialDate` sorts at the start of its period (so "2022" comes before "2022-03-05") and says
its precision when shown. Tabular histories in the cBioPortal format count days from an index
date (usually the diagnosis); without one their dates stay `DayOffset`s and sort after the
dated events, never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum


class EventKind(StrEnum):
    """What happened. The values are the `kind` column of `mtb timeline` (a public interface)."""

    DIAGNOSIS = "diagnosis"
    SURGERY = "surgery"
    RADIOTHERAPY = "radiotherapy"
    SYSTEMIC_THERAPY = "systemic_therapy"
    IMAGING = "imaging"
    RESPONSE = "response"  # response assessment, tumor status (RECIST, 'complete remission')
    MARKER = "marker"  # tumor markers and other labs (CA-125, CEA, PSA), TMB/MSI values
    SPECIMEN = "specimen"  # biopsies, resections sent to pathology, pathology reports
    SEQUENCING = "sequencing"  # molecular reports
    TUMOR_BOARD = "tumor_board"  # earlier boards and their recommendations
    PROGRESSION = "progression"
    DEATH = "death"
    OTHER = "other"  # staging, performance status, last follow-up, anything else kept


# Order of kinds on the same day, as a clinician tells it: the imaging, then what it showed
# (response, progression), then what followed (a progression and a new drug on one day: the
# drug is the next line); death last.
KIND_ORDER = {kind: rank for rank, kind in enumerate((
    EventKind.DIAGNOSIS, EventKind.IMAGING, EventKind.SPECIMEN, EventKind.RESPONSE,
    EventKind.PROGRESSION, EventKind.SEQUENCING, EventKind.TUMOR_BOARD, EventKind.SURGERY,
    EventKind.RADIOTHERAPY, EventKind.SYSTEMIC_THERAPY, EventKind.MARKER, EventKind.OTHER,
    EventKind.DEATH,
))}

# What progression sounds like, in English and German, and how it is negated: "no progression",
# "progression-free", "keine Progression", "Progress ausgeschlossen" are not progressions.
_PROGRESSED = re.compile(r"progress|progredien|recurr|relaps|rezidiv|worse|verschlecht",
                         re.IGNORECASE)
_NOT_PROGRESSED = re.compile(
    r"\b(?:no|not|without|non|free of|kein\w*|ohne|nicht)[- ]+(?:\w+[- ]+)?"
    r"(?:progress|progredien|recurr|relaps|rezidiv|worse|verschlecht)"
    r"|(?:progress|recurr|relaps|rezidiv)\w*[- ]?(?:free|frei)"
    r"|(?:progress|progredien|rezidiv)\w*\W+(?:\w+\W+)?(?:ausgeschlossen|ruled out|excluded)",
    re.IGNORECASE,
)


def says_progression(text: str) -> bool:
    """Whether a status text reports progression (negations excluded). A progression starts
    a new therapy line, so a false one would renumber a patient's therapy."""
    return bool(_PROGRESSED.search(text)) and not _NOT_PROGRESSED.search(text)

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_GERMAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day. Times of day are dropped: the timeline
    is read in days, and a time with its zone would only add false precision."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        if self.month == 0 or self.day == 0:
            raise ValueError("month and day start at 1 (leave them out when unknown)")
        date(self.year, self.month or 1, self.day or 1)  # raises ValueError when impossible

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """'2022', '2022-03', '2022-03-05', FHIR dateTimes ('2022-03-05T10:00:00+01:00') and
        German '05.03.2022'. Registries write an unknown month or day as 00 ('2022-00',
        '2022-03-00'): that is the partial date, not an error. Raises ValueError naming what it
        could not read."""
        value = str(text).strip()
        match = _PARTIAL.match(value)
        if match:
            year, month, day = (int(g) if g else 0 for g in match.groups())
            if not month:
                day = 0
            try:
                return cls(year, month or None, day or None)
            except ValueError:
                raise ValueError(f"'{value}' is not a calendar date") from None
        german = _GERMAN.match(value)
        if german:
            day, month, year = (int(g) for g in german.groups())
            try:
                return cls(year, month, day)
            except ValueError:
                raise ValueError(f"'{value}' is not a calendar date") from None
        raise ValueError(f"'{value}' is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")

    @classmethod
    def of(cls, day: date) -> PartialDate:
        return cls(day.year, day.month, day.day)

    @property
    def key(self) -> tuple[int, int, int]:
        """Sort key: a partial date sorts at the start of its period."""
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: PartialDate) -> bool:
        return self.key < other.key

    def __le__(self, other: PartialDate) -> bool:
        return self.key <= other.key

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> date:
        if self.day:
            return self.earliest
        if self.month:
            following = date(self.year + (self.month == 12), self.month % 12 + 1, 1)
            return following - timedelta(days=1)
        return date(self.year, 12, 31)

    @property
    def midpoint(self) -> date:
        """Where a plot puts it: the middle of its period, drawn with its uncertainty."""
        return self.earliest + (self.latest - self.earliest) / 2

    def __str__(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"


@dataclass(frozen=True, order=True)
class DayOffset:
    """Days from the patient's index date (cBioPortal timelines), when that date is unknown."""

    days: int

    def resolve(self, index: date) -> PartialDate:
        try:
            return PartialDate.of(index + timedelta(days=self.days))
        except OverflowError:
            raise ValueError(f"day {self.days} from {index} is outside the calendar") from None

    def __str__(self) -> str:
        return f"day {self.days}"


When = PartialDate | DayOffset

# Short names for the code systems met in German and international oncology FHIR data.
CODE_SYSTEMS = {
    "http://fhir.de/CodeSystem/bfarm/icd-10-gm": "ICD-10-GM",
    "http://fhir.de/CodeSystem/dimdi/icd-10-gm": "ICD-10-GM",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://hl7.org/fhir/sid/icd-10": "ICD-10",
    "http://terminology.hl7.org/CodeSystem/icd-o-3": "ICD-O-3",
    "urn:oid:2.16.840.1.113883.6.43.1": "ICD-O-3",
    "http://fhir.de/CodeSystem/bfarm/ops": "OPS",
    "http://fhir.de/CodeSystem/dimdi/ops": "OPS",
    "http://fhir.de/CodeSystem/bfarm/atc": "ATC",
    "http://www.whocc.no/atc": "ATC",
    "http://loinc.org": "LOINC",
    "http://snomed.info/sct": "SNOMED CT",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
    "http://dicom.nema.org/resources/ontology/DCM": "DICOM",
    "http://www.genenames.org/geneId": "HGNC",
}


@dataclass(frozen=True)
class Code:
    system: str  # the URI as the source wrote it
    code: str
    display: str = ""

    @property
    def system_name(self) -> str:
        """'ICD-10-GM', 'OPS', 'LOINC', ... or the URI when the system is not a known one."""
        return CODE_SYSTEMS.get(self.system, self.system)

    def __str__(self) -> str:
        return f"{self.system_name} {self.code}"


@dataclass(frozen=True)
class TimelineEvent:
    """One thing that happened to the patient, with where it was read from."""

    kind: EventKind
    start: When | None  # None: the source gave no date (kept, listed last, warned about)
    label: str  # what a clinician reads: "Carboplatin + Paclitaxel", "CT abdomen"
    end: When | None = None  # for intervals: therapy periods, radiotherapy series
    codes: tuple[Code, ...] = ()
    value: float | str | None = None  # a measurement (CA-125 35.2) or a coded result ('CR')
    unit: str = ""
    source: str = ""  # "Procedure/abc (file.json)", "history.csv line 4"
    detail: str = ""  # longer text: a pathology conclusion, a board's recommendation
    status: str = ""  # the source's status when it matters (stopped, not-done, planned)

    @property
    def sort_key(self) -> tuple[int, tuple[int, ...], int, str]:
        if isinstance(self.start, PartialDate):
            when: tuple[int, tuple[int, ...]] = (0, self.start.key)
        elif isinstance(self.start, DayOffset):
            when = (1, (self.start.days,))
        else:
            when = (2, ())
        return (*when, KIND_ORDER[self.kind], self.label)

    def anchored(self, index: date) -> TimelineEvent:
        """The event with day offsets turned into dates from the index date."""
        start = self.start.resolve(index) if isinstance(self.start, DayOffset) else self.start
        end = self.end.resolve(index) if isinstance(self.end, DayOffset) else self.end
        return replace(self, start=start, end=end)


@dataclass(frozen=True)
class Patient:
    """The header's patient: a pseudonymous id, sex and age. Names are kept only when the site
    configured mtb to show them (MTB_SHOW_NAMES); identifiers (MRN, insurance number) and
    addresses are never read."""

    id: str  # the source's logical id (data integration centres pseudonymise it upstream)
    sex: str = ""  # female, male, other, unknown (FHIR administrative gender)
    birth: PartialDate | None = None
    deceased: PartialDate | bool | None = None
    name: str = ""
    source: str = ""

    def age_at(self, when: date) -> int | None:
        """Age in whole years on a day; None without a birth date. A birth year alone gives the
        age the patient reaches in that year's course (at most one year off)."""
        if self.birth is None:
            return None
        born = self.birth.earliest
        return when.year - born.year - ((when.month, when.day) < (born.month, born.day))


@dataclass
class Timeline:
    """What the readers found in one or more files: events, patients, and an account of
    everything not turned into an event (nothing is dropped silently)."""

    events: list[TimelineEvent] = field(default_factory=list)
    patients: list[Patient] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    read: Counter[str] = field(default_factory=Counter)  # resources/rows read, by type
    # not made into events, by type and why: "Encounter", "Observation (vital signs)"
    skipped: Counter[str] = field(default_factory=Counter)

    def extend(self, other: Timeline) -> None:
        self.events += other.events
        self.patients += other.patients
        self.warnings += other.warnings
        self.read.update(other.read)
        self.skipped.update(other.skipped)

    def ordered(self) -> list[TimelineEvent]:
        return sorted(self.events, key=lambda event: event.sort_key)

    def anchored(self, index: date | None) -> Timeline:
        """A copy with day offsets resolved (unchanged without an index date)."""
        if index is None:
            return self
        return Timeline([e.anchored(index) for e in self.events], list(self.patients),
                        list(self.warnings), Counter(self.read), Counter(self.skipped))

    def summary(self) -> str:
        """One line for stderr: what was read, made into events and skipped."""
        read = ", ".join(f"{n} {t}" for t, n in sorted(self.read.items()))
        kinds = Counter(event.kind.value for event in self.events)
        made = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        text = f"read {read or 'nothing'}; {len(self.events)} events ({made or 'none'})"
        if self.skipped:
            text += "; not on the timeline: " + ", ".join(
                f"{n} {t}" for t, n in sorted(self.skipped.items())
            )
        return text


@dataclass(frozen=True)
class TherapyLine:
    """Systemic therapy grouped into a line: the drugs started together and what continued.

    Perioperative therapy (neoadjuvant, adjuvant) is shown by its setting and not numbered: a
    "line of therapy" counts treatment of advanced or recurrent disease, and indications
    (second-line, PARP inhibitor maintenance) depend on that count."""

    number: int | None  # None for neoadjuvant / adjuvant therapy
    drugs: tuple[str, ...]
    start: PartialDate
    end: PartialDate | None
    events: tuple[TimelineEvent, ...]
    setting: str = ""  # neoadjuvant, adjuvant (from the source), or ''

    @property
    def label(self) -> str:
        until = f" to {self.end}" if self.end and self.end != self.start else ""
        period = f"{self.start}{until}"
        name = f"Line {self.number}" if self.number is not None else self.setting.capitalize()
        return f"{name}: {' + '.join(self.drugs)} ({period})"


LINE_WINDOW_DAYS = 28  # drugs started within four weeks of a line's start belong to it


def therapy_lines(
    events: Iterable[TimelineEvent], window_days: int = LINE_WINDOW_DAYS
) -> list[TherapyLine]:
    """Group dated systemic-therapy events into lines, in order.

    A drug started within `window_days` of the current line's first start joins the line (a
    regimen's drugs rarely start on the same day); a drug already in the line continues it. A
    new drug later than that, or any drug after a progression, starts the next line (the usual
    definition: a line changes when the regimen changes or the disease progresses). Undated
    events and day offsets are not grouped.
    """
    dated = sorted(
        (e for e in events
         if e.kind in (EventKind.SYSTEMIC_THERAPY, EventKind.PROGRESSION)
         and isinstance(e.start, PartialDate)),
        key=lambda e: e.sort_key,
    )
    lines: list[list[TimelineEvent]] = []
    progressed = False
    for event in dated:
        if event.kind == EventKind.PROGRESSION:
            progressed = bool(lines)
            continue
        current = lines[-1] if lines else None
        if current is not None and not progressed:
            first = current[0].start
            assert isinstance(first, PartialDate) and isinstance(event.start, PartialDate)
            within = (event.start.earliest - first.earliest).days <= window_days
            continuing = _drug(event) in {_drug(e) for e in current}
            if within or continuing:
                current.append(event)
                continue
        lines.append([event])
        progressed = False
    result, number = [], 0
    for members in lines:
        setting = _setting(members)
        if not setting:
            number += 1
        result.append(_line(number if not setting else None, members, setting))
    return result


# RECIST 1.1 (and iRECIST's confirmed progression) from best to worst; words as sources write them
_RESPONSES = (("CR", ("cr", "complete response", "complete remission")),
              ("PR", ("pr", "partial response", "partial remission")),
              ("SD", ("sd", "stable disease")),
              ("PD", ("pd", "progressive disease", "progression")))


def response_rank(event: TimelineEvent) -> int | None:
    """0 for a complete response ... 3 for progressive disease, None when the event's value or
    label is no RECIST category (a tumor status in other words is not guessed)."""
    texts = [str(event.value or "").strip().lower(), event.label.lower()]
    for rank, (_, words) in enumerate(_RESPONSES):
        if texts[0] in words or any(texts[1].startswith(word) for word in words[1:]):
            return rank
    return None


def best_responses(
    lines: Sequence[TherapyLine], events: Iterable[TimelineEvent]
) -> list[TimelineEvent | None]:
    """Each line's best response (RECIST order CR > PR > SD > PD): the response assessments
    dated from the line's start to the next line's start (the response to a line is assessed
    while it runs and after it ends, until the next one begins)."""
    assessed = sorted(((rank, e) for e in events
                       if e.kind == EventKind.RESPONSE and isinstance(e.start, PartialDate)
                       and (rank := response_rank(e)) is not None),
                      key=lambda item: item[1].sort_key)
    best: list[TimelineEvent | None] = []
    for index, line in enumerate(lines):
        following = lines[index + 1].start if index + 1 < len(lines) else None
        found = [(rank, e) for rank, e in assessed
                 if isinstance(e.start, PartialDate) and e.start.key >= line.start.key
                 and (following is None or e.start.key < following.key)]
        best.append(min(found, key=lambda item: item[0])[1] if found else None)
    return best


def latest_response(events: Iterable[TimelineEvent]) -> tuple[str, PartialDate] | None:
    """The newest dated response assessment of a timeline as its RECIST category (CR, PR, SD,
    PD; a progression event is PD), with its date: the outcome another board reads beside
    what it decided ('seen before', mtb.cohort.seen). None when none is recorded."""
    found: list[tuple[str, PartialDate]] = []
    for event in events:
        if not isinstance(event.start, PartialDate):
            continue
        if event.kind == EventKind.PROGRESSION:
            found.append(("PD", event.start))
        elif event.kind == EventKind.RESPONSE and (rank := response_rank(event)) is not None:
            found.append((_RESPONSES[rank][0], event.start))
    return max(found, key=lambda item: item[1].key) if found else None


_PERIOPERATIVE = re.compile(r"\b(neoadjuvant|adjuvant)\b", re.IGNORECASE)


def _setting(members: Sequence[TimelineEvent]) -> str:
    for event in members:
        found = _PERIOPERATIVE.search(event.detail)
        if found:
            return found.group(1).lower()
    return ""


def _drug(event: TimelineEvent) -> str:
    return event.label.strip().lower()


def _line(number: int | None, members: Sequence[TimelineEvent], setting: str) -> TherapyLine:
    drugs = tuple(dict.fromkeys(event.label for event in members))
    starts = [e.start for e in members if isinstance(e.start, PartialDate)]
    ends = [e.end for e in members if isinstance(e.end, PartialDate)]
    first = min(starts, key=lambda d: d.key)
    last = max(ends, key=lambda d: d.key) if ends else None
    return TherapyLine(number, drugs, first, last, tuple(members), setting)


COURSE_GAP_DAYS = 45  # repeated cycles closer than this are one course


def merge_courses(
    events: Iterable[TimelineEvent], gap_days: int = COURSE_GAP_DAYS
) -> list[TimelineEvent]:
    """Repeated administrations of the same therapy become one course.

    Hospital systems record every cycle (Synthea's lung-cancer patient has 48 cisplatin
    infusions); the board reads "cisplatin, 1985-07 to 1989-07, 48 administrations". Systemic
    therapy and radiotherapy events merge when they have the same label, status and detail
    (a different site or a 'stopped: neuropathy' note stays its own event) and each starts
    within `gap_days` of the previous one's end, with no progression in between (the same drug
    after progression is a new line). Other events pass unchanged, in the timeline's order.
    """
    merged: list[TimelineEvent] = []
    open_course: dict[tuple[EventKind, str, str, str], int] = {}
    counts: dict[int, int] = {}
    for event in sorted(events, key=lambda e: e.sort_key):
        if event.kind == EventKind.PROGRESSION:
            open_course.clear()
        if (event.kind not in (EventKind.SYSTEMIC_THERAPY, EventKind.RADIOTHERAPY)
                or not isinstance(event.start, PartialDate)):
            merged.append(event)
            continue
        key = (event.kind, event.label.strip().lower(), event.status, event.detail)
        index = open_course.get(key)
        if index is not None:
            course = merged[index]
            last = course.end if isinstance(course.end, PartialDate) else course.start
            assert isinstance(last, PartialDate)
            if (event.start.earliest - last.latest).days <= gap_days:
                end = event.end if isinstance(event.end, PartialDate) else event.start
                counts[index] += 1
                merged[index] = replace(course, end=max(last, end, key=lambda d: d.key))
                continue
        open_course[key] = len(merged)
        counts[len(merged)] = 1
        merged.append(event)
    for index, count in counts.items():
        if count > 1:
            course = merged[index]
            cycles = f"{count} administrations"
            merged[index] = replace(
                course,
                detail=f"{cycles}; {course.detail}" if course.detail else cycles,
                source=f"{course.source} and {count - 1} more",
            )
    return merged
