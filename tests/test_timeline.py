"""The timeline model: partial dates, ordering, therapy lines and courses (pure functions)."""

from __future__ import annotations

from datetime import date

import pytest

from mtb.timeline import (
    DayOffset,
    EventKind,
    PartialDate,
    Patient,
    TimelineEvent,
    best_responses,
    latest_response,
    merge_courses,
    response_rank,
    therapy_lines,
)


@pytest.mark.parametrize(
    ("text", "shown", "precision"),
    [
        ("2022", "2022", "year"),
        ("2022-03", "2022-03", "month"),
        ("2022-03-05", "2022-03-05", "day"),
        ("2021-06-10T23:30:00-05:00", "2021-06-10", "day"),  # the source's own calendar day
        ("05.03.2022", "2022-03-05", "day"),
        ("2022-00", "2022", "year"),  # registries write an unknown month as 00
        ("2022-03-00", "2022-03", "month"),
    ],
)
def test_partial_dates_keep_their_precision(text: str, shown: str, precision: str) -> None:
    parsed = PartialDate.parse(text)
    assert (str(parsed), parsed.precision) == (shown, precision)


@pytest.mark.parametrize("text", ["2022-13", "2022-02-30", "March 2022", "", "22-03-05"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        PartialDate.parse(text)


def test_partial_date_bounds() -> None:
    assert PartialDate(2024, 2).latest == date(2024, 2, 29)
    assert PartialDate(2023).midpoint == date(2023, 7, 2)
    assert PartialDate(2023, 12).latest == date(2023, 12, 31)


def _event(kind: EventKind, start: object, label: str, end: object = None) -> TimelineEvent:
    return TimelineEvent(kind, start, label, end=end)  # type: ignore[arg-type]


def test_order_partial_first_then_offsets_then_undated() -> None:
    events = [
        _event(EventKind.IMAGING, None, "undated CT"),
        _event(EventKind.MARKER, DayOffset(30), "CEA"),
        _event(EventKind.SURGERY, PartialDate(2022, 3, 5), "Resection"),
        _event(EventKind.DIAGNOSIS, PartialDate(2022), "Diagnosis (year only)"),
        _event(EventKind.DEATH, PartialDate(2022, 3, 5), "Death"),
    ]
    ordered = sorted(events, key=lambda e: e.sort_key)
    assert [e.label for e in ordered] == [
        "Diagnosis (year only)", "Resection", "Death", "CEA", "undated CT",
    ]
    assert DayOffset(30).resolve(date(2022, 1, 1)) == PartialDate(2022, 1, 31)


def test_therapy_lines_by_window_continuation_and_progression() -> None:
    """FOLFOX then bevacizumab added within four weeks (one line); after progression the same
    drugs are a new line; a new drug half a year later is the next line."""
    day = PartialDate.parse
    events = [
        _event(EventKind.SYSTEMIC_THERAPY, day("2022-01-03"), "Oxaliplatin", day("2022-06-01")),
        _event(EventKind.SYSTEMIC_THERAPY, day("2022-01-03"), "Fluorouracil"),
        _event(EventKind.SYSTEMIC_THERAPY, day("2022-01-24"), "Bevacizumab"),
        _event(EventKind.SYSTEMIC_THERAPY, day("2022-03-01"), "Oxaliplatin"),  # continues
        _event(EventKind.PROGRESSION, day("2022-07-01"), "Progression"),
        _event(EventKind.SYSTEMIC_THERAPY, day("2022-07-15"), "Fluorouracil"),
        _event(EventKind.SYSTEMIC_THERAPY, day("2023-02-01"), "Regorafenib"),
        _event(EventKind.SYSTEMIC_THERAPY, DayOffset(400), "Undated drug"),
    ]
    lines = therapy_lines(events)
    assert [line.drugs for line in lines] == [  # same-day drugs in alphabetical order
        ("Fluorouracil", "Oxaliplatin", "Bevacizumab"), ("Fluorouracil",), ("Regorafenib",),
    ]
    assert lines[0].label == "Line 1: Fluorouracil + Oxaliplatin + Bevacizumab (2022-01-03 to " \
        "2022-06-01)"
    assert [line.number for line in lines] == [1, 2, 3]


def test_repeated_cycles_merge_into_a_course() -> None:
    day = PartialDate.parse
    cycles = [_event(EventKind.SYSTEMIC_THERAPY, day(d), "Cisplatin")
              for d in ("2020-01-01", "2020-01-29", "2020-02-26")]
    later = _event(EventKind.SYSTEMIC_THERAPY, day("2020-09-01"), "Cisplatin")
    other = _event(EventKind.MARKER, day("2020-01-29"), "CEA")
    merged = merge_courses([*cycles, later, other])
    therapy = [e for e in merged if e.kind == EventKind.SYSTEMIC_THERAPY]
    assert [(str(e.start), str(e.end) if e.end else "") for e in therapy] == [
        ("2020-01-01", "2020-02-26"), ("2020-09-01", ""),
    ]
    assert therapy[0].detail == "3 administrations"
    assert other in merged


def test_age_from_partial_birth_date() -> None:
    patient = Patient("p", birth=PartialDate(1961, 5))
    assert patient.age_at(date(2024, 4, 2)) == 62
    assert patient.age_at(date(2024, 5, 1)) == 63
    assert Patient("q").age_at(date(2024, 1, 1)) is None


def test_courses_do_not_merge_across_progression_or_a_change() -> None:
    """The same drug after progression is a new line; a stopped cycle keeps its note."""
    day = PartialDate.parse
    events = [
        _event(EventKind.SYSTEMIC_THERAPY, day("2022-01-01"), "Pembrolizumab"),
        _event(EventKind.SYSTEMIC_THERAPY, day("2022-01-22"), "Pembrolizumab"),
        _event(EventKind.PROGRESSION, day("2022-02-01"), "Progression"),
        _event(EventKind.SYSTEMIC_THERAPY, day("2022-02-12"), "Pembrolizumab"),
    ]
    stopped = TimelineEvent(EventKind.SYSTEMIC_THERAPY, day("2022-03-05"), "Pembrolizumab",
                            status="stopped", detail="colitis grade 3")
    merged = merge_courses([*events, stopped])
    therapy = [e for e in merged if e.kind == EventKind.SYSTEMIC_THERAPY]
    assert [(str(e.start), e.status, e.detail) for e in therapy] == [
        ("2022-01-01", "", "2 administrations"), ("2022-02-12", "", ""),
        ("2022-03-05", "stopped", "colitis grade 3"),
    ]
    assert [line.number for line in therapy_lines(merged)] == [1, 2]


def test_progression_and_new_drug_on_one_day_start_the_next_line() -> None:
    day = PartialDate.parse
    lines = therapy_lines([
        _event(EventKind.SYSTEMIC_THERAPY, day("2022-01-01"), "Gefitinib"),
        _event(EventKind.SYSTEMIC_THERAPY, day("2022-01-20"), "Docetaxel"),
        _event(EventKind.PROGRESSION, day("2022-01-20"), "Progression"),
    ])
    assert [line.drugs for line in lines] == [("Gefitinib",), ("Docetaxel",)]


def test_timeline_figure_escapes_source_strings() -> None:
    """Plotly renders HTML in hover text and labels: strings from FHIR or CSV files must not."""
    from types import SimpleNamespace

    from layouts.figures import timeline_figure

    day = PartialDate.parse
    evil = '<a href="javascript:alert(1)">CEA</a><img src=x onerror=alert(2)>'
    events = [
        TimelineEvent(EventKind.SYSTEMIC_THERAPY, day("2022-01-01"), evil),
        TimelineEvent(EventKind.MARKER, day("2022-01-05"), evil, value=3.0, unit="ng/mL"),
        TimelineEvent(EventKind.MARKER, day("2022-02-05"), evil, value=5.0, unit="ng/mL"),
        TimelineEvent(EventKind.IMAGING, day("2022-02-01"), "CT", detail=evil),
    ]
    case = SimpleNamespace(events=events, lines=therapy_lines(events))
    figure = timeline_figure(case)  # type: ignore[arg-type]
    shown = []
    for trace in figure.data:
        for name in ("hovertext", "text", "name"):
            value = getattr(trace, name, None)
            shown += list(value) if isinstance(value, list | tuple) else [value or ""]
    shown += [figure.layout.yaxis2.title.text or ""]
    text = " ".join(str(item) for item in shown)
    assert "&lt;img src=x" in text  # the strings are there, as text
    assert "<img" not in text and "<a href" not in text


def test_best_response_per_line_in_recist_order() -> None:
    """A line's responses are those from its start to the next line's start; CR > PR > SD > PD;
    a tumor status in other words is not guessed (SYNTHETIC course)."""
    def event(kind: EventKind, day: str, label: str, value: str | None = None) -> TimelineEvent:
        return TimelineEvent(kind, PartialDate.parse(day), label, value=value)

    events = [
        event(EventKind.SYSTEMIC_THERAPY, "2023-01-01", "Carboplatin"),
        event(EventKind.RESPONSE, "2023-03-01", "Stable disease (RECIST 1.1)", "SD"),
        event(EventKind.RESPONSE, "2023-05-01", "Partial response (RECIST 1.1)", "PR"),
        event(EventKind.PROGRESSION, "2023-09-01", "Progression"),
        event(EventKind.SYSTEMIC_THERAPY, "2023-09-15", "Docetaxel"),
        event(EventKind.RESPONSE, "2023-12-01", "Tumor board: looks better"),
        event(EventKind.RESPONSE, "2024-01-01", "Progressive disease", "PD"),
    ]
    lines = therapy_lines(events)
    best = best_responses(lines, events)
    assert [b.value if b else None for b in best] == ["PR", "PD"]
    assert response_rank(events[5]) is None
    assert best_responses(therapy_lines(events[:1]), events[:1]) == [None]


def _on(kind: EventKind, day: str | None, label: str, value: str | None = None) -> TimelineEvent:
    return TimelineEvent(kind, PartialDate.parse(day) if day else None, label, value=value)


@pytest.mark.parametrize(("events", "latest"), [
    ([_on(EventKind.RESPONSE, "2024-05-01", "Partial response (RECIST 1.1)", "PR"),
      _on(EventKind.PROGRESSION, "2024-11-02", "Progression")], ("PD", "2024-11-02")),
    ([_on(EventKind.PROGRESSION, "2023-02-01", "Progression"),
      _on(EventKind.RESPONSE, "2023-06", "Complete remission")], ("CR", "2023-06")),
    ([_on(EventKind.RESPONSE, "2024-01-10", "Stable disease", "SD"),
      _on(EventKind.RESPONSE, "2024-04-10", "Tumor board: looks better")],  # not RECIST
     ("SD", "2024-01-10")),
    ([_on(EventKind.RESPONSE, None, "Partial response", "PR")], None),  # undated: no order
    ([_on(EventKind.MARKER, "2024-01-10", "CEA", "12.5"),
      _on(EventKind.SYSTEMIC_THERAPY, "2024-02-01", "Osimertinib")], None),
    ([], None),
])
def test_latest_response_is_the_outcome_seen_before_shows(events, latest) -> None:
    """mtb.cohort.seen's outcome: the newest RECIST category the timeline records (SYNTHETIC
    events); words that are no RECIST category are not guessed."""
    found = latest_response(events)
    assert (None if found is None else (found[0], str(found[1]))) == latest
