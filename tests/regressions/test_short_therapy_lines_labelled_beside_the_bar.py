"""a406f85 "short therapy lines labelled beside the bar with room on the axis": a two-week line
had its label clipped inside a bar too short for it, and the axis ended at the last bar."""

from __future__ import annotations

from datetime import date

from layouts.figures import timeline_figure
from mtb.timeline import EventKind, PartialDate, TimelineEvent
from tests.drawn import case_of


def test_a_short_line_is_labelled_outside_with_room_on_the_right() -> None:
    case = case_of(events=[
        TimelineEvent(EventKind.SYSTEMIC_THERAPY, PartialDate.parse("2024-01-01"),
                      "Drawn drug A", end=PartialDate.parse("2024-06-30")),
        TimelineEvent(EventKind.PROGRESSION, PartialDate.parse("2024-07-01"), "Progression"),
        TimelineEvent(EventKind.SYSTEMIC_THERAPY, PartialDate.parse("2024-07-10"),
                      "Drawn drug B", end=PartialDate.parse("2024-07-24")),
    ])
    figure = timeline_figure(case)
    bars = [trace for trace in figure.data if trace.type == "bar"]
    positions = {trace.text[0]: (trace.textposition, trace.textfont.color) for trace in bars}
    long_, short = sorted(positions)  # "L1 ...", "L2 ..."
    assert positions[long_] == ("inside", "white")
    assert positions[short] == ("outside", "#212529")
    right = date.fromisoformat(figure.layout.xaxis.range[1][:10])
    assert right > date(2024, 7, 24)
