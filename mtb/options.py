"""The therapy options a board sees first, checked against the patient's own course.

Options are ranked as each finding's lines are (annotation.therapies.rank_key: approved here,
the guideline's preferred option, first line before later lines, ...), one per regimen with
every finding it is an option for.

The evidence ranks a finding's therapies (annotation.therapies); this module puts the case's
options together and checks each against what the case itself shows: a drug the timeline says
the patient progressed on, and a regimen another finding of the case predicts resistance to
(EGFR T790M against erlotinib), is marked with why and never offered first. A drug already
given without a recorded progression is said too, as information. The presentation, the report
and the case page all ask `board_options`, so they cannot disagree.

Options come only from tier I evidence of findings that count (mtb.board.counts): an off-label
(IIC) drug is not an option to put before the board as such.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from annotation.drugs import DrugVocabulary
from annotation.model import AnnotatedVariant, TherapyCall, Tier
from annotation.therapies import rank_key
from mtb.board import Curation, counts, finding_key
from mtb.timeline import EventKind, PartialDate, TherapyLine, TimelineEvent

__all__ = ["Course", "Option", "board_options", "card_order", "course_of", "line_cautions"]

TIER_ONE = (Tier.IA, Tier.IB)


@dataclass(frozen=True)
class Option:
    """One therapy option, the findings it is an option for, and what the case says against
    it."""

    finding: str  # the findings' labels: "EGFR p.T790M, EGFR p.L858R"
    therapy: TherapyCall
    caution: str = ""  # "progressed on erlotinib (line 1 ...)", "resistance predicted by ..."
    given: str = ""  # "given in line 1 (2023-01 to 2024-03)": information, not a caution

    @property
    def offered(self) -> bool:
        return not self.caution


def _progressed(line: TherapyLine, following: TherapyLine | None,
                progressions: Sequence[TimelineEvent]) -> TimelineEvent | None:
    """The first progression while the line ran: after its start, before the next line's."""
    start = line.start.earliest
    stop = following.start.earliest if following is not None else None
    for event in progressions:
        when = event.start
        if not isinstance(when, PartialDate) or when.earliest < start:
            continue
        if stop is None or when.earliest <= stop:
            return event
    return None


@dataclass(frozen=True)
class Course:
    """What the patient's therapy lines say about each drug (names as the drug vocabulary
    spells them, lower-case INN): computed once when the case is assembled."""

    progressed: Mapping[str, str] = field(default_factory=dict)  # drug -> 'progressed on ...'
    given: Mapping[str, str] = field(default_factory=dict)  # drug -> 'given in Line 1: ...'


def course_of(
    lines: Sequence[TherapyLine], events: Iterable[TimelineEvent], drugs: DrugVocabulary,
) -> Course:
    """Each drug of the patient's therapy lines: given, and progressed on when a progression
    was recorded while its line ran."""
    progressions = sorted((e for e in events if e.kind == EventKind.PROGRESSION
                           and isinstance(e.start, PartialDate)), key=lambda e: e.sort_key)
    progressed: dict[str, str] = {}
    given: dict[str, str] = {}
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        progression = _progressed(line, following, progressions)
        for label in line.drugs:
            name = drugs.drug(label).name
            which = f"line {line.number}" if line.number is not None else line.setting
            if progression is not None:
                progressed.setdefault(
                    name, f"progressed on {name} ({which}, progression {progression.start})")
            given.setdefault(name, f"given in {line.label}")
    return Course(progressed, given)


def _resistance_elsewhere(
    findings: Sequence[AnnotatedVariant],
) -> dict[frozenset[str], str]:
    """Regimen -> the finding that predicts resistance to it (counted resistance lines)."""
    found: dict[frozenset[str], str] = {}
    for variant in findings:
        for line in variant.therapies:
            if (line.resistance or line.conflicting) and line.tier in (*TIER_ONE, Tier.IIC):
                found.setdefault(frozenset(line.drugs), variant.alteration.label)
    return found


def line_cautions(findings: Sequence[AnnotatedVariant], course: Course
                  ) -> dict[frozenset[str], str]:
    """Regimen -> why the case speaks against it: a drug of it the patient progressed on, or
    resistance another finding of the case predicts. Cards and options show the same words."""
    resisted = _resistance_elsewhere(findings)
    cautions: dict[frozenset[str], str] = {}
    for variant in findings:
        for line in variant.therapies:
            key = frozenset(line.drugs)
            if key in cautions or line.resistance:
                continue
            caution = next((course.progressed[d] for d in line.drugs if d in course.progressed),
                           "")
            if not caution and key in resisted and resisted[key] != variant.alteration.label:
                caution = f"resistance predicted by {resisted[key]}"
            if caution:
                cautions[key] = caution
    return cautions


def card_order(therapies: Sequence[TherapyCall], cautions: Mapping[frozenset[str], str]
               ) -> list[TherapyCall]:
    """A finding's lines in the evidence's order, those the course speaks against after the
    others (resistance lines keep their place: they are warnings already)."""
    return sorted(therapies,
                  key=lambda t: bool(cautions.get(frozenset(t.drugs))) and not t.resistance)


def board_options(
    findings: Sequence[AnnotatedVariant], course: Course,
    curations: Mapping[str, Curation] | None = None,
) -> list[Option]:
    """The case's options: tier I sensitivity lines of the findings that count, in the order
    the evidence ranks them (strongest finding first), those the course speaks against last."""
    curations = curations or {}
    cautions = line_cautions(findings, course)
    best: dict[frozenset[str], tuple[TherapyCall, list[str]]] = {}  # one option per regimen
    for variant in sorted(findings, key=lambda v: v.tier.rank):
        if not counts(variant, curations.get(finding_key(variant))):
            continue
        for line in variant.therapies:
            if (line.resistance or line.conflicting or not line.on_card
                    or line.tier not in TIER_ONE):
                continue
            key = frozenset(line.drugs)
            kept, labels = best.get(key, (line, []))
            labels.append(variant.alteration.label)
            best[key] = (line if rank_key(line) < rank_key(kept) else kept, labels)
    options = []
    for key, (line, labels) in sorted(best.items(), key=lambda item: rank_key(item[1][0])):
        caution = cautions.get(key, "")
        note = "" if caution else next(
            (course.given[d] for d in line.drugs if d in course.given), "")
        options.append(Option(", ".join(dict.fromkeys(labels)), line, caution, note))
    return [o for o in options if o.offered] + [o for o in options if not o.offered]
