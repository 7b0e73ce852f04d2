"""Plotly figures of a case: the clinical timeline and the VAF distribution.

One template for every figure (white background, dark text, the colour-blind-safe Okabe-Ito
palette, no gridline clutter) so the timeline reads the same on a laptop, a projector and on
paper. Symbols and labels carry the meaning; colour only repeats it.

Building a figure through plotly's validating objects costs tens of milliseconds (most of a
case page's time, issue 12's load bench), and the figures change only with the case: each is
built once per case (the same Case object: the library opens a changed case as a new one) and
size, and handed out again. Nothing mutates a figure after it is built.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Sequence
from datetime import date, timedelta
from html import escape
from typing import Any

import plotly.graph_objects as go

from mtb.case import Case
from mtb.timeline import EventKind, PartialDate, TherapyLine, TimelineEvent

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000")
TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
              "size": 13, "color": "#212529"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=OKABE_ITO,
        xaxis={"showgrid": True, "gridcolor": "#e9ecef", "linecolor": "#6c757d",
               "ticks": "outside", "zeroline": False},
        yaxis={"showgrid": False, "linecolor": "#6c757d", "zeroline": False},
        hoverlabel={"font": {"size": 13}},
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
    )
)

# Timeline rows, top to bottom, and how each kind is drawn.
ROWS = ("Diagnosis", "Tumor board", "Systemic therapy", "Radiotherapy", "Surgery", "Imaging",
        "Response", "Pathology / molecular", "Markers / other")
_ROW_OF = {
    EventKind.DIAGNOSIS: "Diagnosis",
    EventKind.DEATH: "Diagnosis",
    EventKind.TUMOR_BOARD: "Tumor board",
    EventKind.SYSTEMIC_THERAPY: "Systemic therapy",
    EventKind.RADIOTHERAPY: "Radiotherapy",
    EventKind.SURGERY: "Surgery",
    EventKind.IMAGING: "Imaging",
    EventKind.RESPONSE: "Response",
    EventKind.PROGRESSION: "Response",
    EventKind.SPECIMEN: "Pathology / molecular",
    EventKind.SEQUENCING: "Pathology / molecular",
    EventKind.MARKER: "Markers / other",
    EventKind.OTHER: "Markers / other",
}
_SYMBOL = {
    EventKind.DIAGNOSIS: ("star", OKABE_ITO[7]),
    EventKind.DEATH: ("x-thin-open", OKABE_ITO[7]),
    EventKind.TUMOR_BOARD: ("square", OKABE_ITO[4]),
    EventKind.SURGERY: ("triangle-down", OKABE_ITO[1]),
    EventKind.RADIOTHERAPY: ("diamond", OKABE_ITO[2]),
    EventKind.SYSTEMIC_THERAPY: ("circle", OKABE_ITO[0]),
    EventKind.IMAGING: ("circle-open", OKABE_ITO[5]),
    EventKind.RESPONSE: ("circle", OKABE_ITO[2]),
    EventKind.PROGRESSION: ("x", OKABE_ITO[3]),
    EventKind.SPECIMEN: ("hexagon", OKABE_ITO[7]),
    EventKind.SEQUENCING: ("hexagram", OKABE_ITO[4]),
    EventKind.MARKER: ("line-ew-open", OKABE_ITO[7]),
    EventKind.OTHER: ("circle-open", "#6c757d"),
}
MIN_BAR_DAYS = 10  # a therapy with a start only is drawn this long, and says so in its hover
SHORT_BAR_DAYS = 60  # shorter bars carry their label outside


def _when(value: object) -> date | None:
    return value.midpoint if isinstance(value, PartialDate) else None


def _hover(event: TimelineEvent) -> str:
    """Plotly renders a subset of HTML in hover text: every string from the source files is
    escaped, so a label cannot bring markup (or a link) into the page."""
    when = str(event.start) + (f" to {event.end}" if event.end else "")
    value = f"<br>{escape(f'{event.value} {event.unit}'.strip())}" \
        if event.value is not None else ""
    detail = f"<br>{escape(event.detail[:160])}" if event.detail else ""
    status = f" ({escape(event.status)})" if event.status else ""
    return f"<b>{escape(event.label)}</b>{status}<br>{when}{value}{detail}"


def marker_series(events: Sequence[TimelineEvent]) -> tuple[str, list[TimelineEvent]] | None:
    """The tumor marker measured most often (at least twice, numeric): drawn as a line."""
    numeric = [e for e in events if e.kind == EventKind.MARKER
               and isinstance(e.value, float) and isinstance(e.start, PartialDate)]
    counts = Counter(e.label for e in numeric)
    if not counts:
        return None
    label, count = counts.most_common(1)[0]
    if count < 2:
        return None
    return label, sorted((e for e in numeric if e.label == label), key=lambda e: e.sort_key)


_REMEMBERED = 64  # figures kept (a few sizes of each case a board discusses)
_built: OrderedDict[Hashable, tuple[Any, go.Figure]] = OrderedDict()
_built_lock = threading.Lock()


def _once(key: Hashable, owner: object | None, build: Callable[[], go.Figure]) -> go.Figure:
    """The figure built for `key` (and, when given, for this very `owner` object: an id can
    be reused by a new object), built now when there is none."""
    with _built_lock:
        found = _built.get(key)
        if found is not None and (owner is None or found[0]() is owner):
            _built.move_to_end(key)
            return found[1]
    figure = build()
    try:
        owner_ref = weakref.ref(owner) if owner is not None else None
    except TypeError:  # an object that cannot be referred to weakly: not remembered
        return figure
    with _built_lock:
        _built[key] = (owner_ref, figure)
        while len(_built) > _REMEMBERED:
            _built.popitem(last=False)
    return figure


def timeline_figure(case: Case, *, height: int = 380, large: bool = False) -> go.Figure:
    """Therapy lines as bars, other events as symbols on their row, the most-measured tumor
    marker as a line on a second axis, and the sequenced specimen as a vertical line so the
    board sees which therapy the sample predates."""
    return _once(("timeline", id(case), height, large), case,
                 lambda: _timeline_figure(case, height=height, large=large))


def _timeline_figure(case: Case, *, height: int, large: bool) -> go.Figure:
    figure = go.Figure()
    dated = [e for e in case.events if isinstance(e.start, PartialDate)]
    for line in case.lines:
        start = line.start.earliest
        end = line.end.latest if line.end else start + timedelta(days=MIN_BAR_DAYS)
        open_ended = "" if line.end else " (end not recorded)"
        figure.add_trace(go.Bar(
            x=[(end - start).days * 86_400_000], base=[start.isoformat()],
            y=["Systemic therapy"], orientation="h", width=0.6,
            marker={"color": OKABE_ITO[0], "opacity": 0.85},
            text=[escape(f"{_line_tag(line)} {' + '.join(line.drugs)}")],
            # a short or open-ended line keeps its name readable beside the bar
            textposition="inside" if (end - start).days >= SHORT_BAR_DAYS else "outside",
            insidetextanchor="start",
            textfont={"color": "white" if (end - start).days >= SHORT_BAR_DAYS else "#212529",
                      "size": 15 if large else 12},
            cliponaxis=False,
            hovertext=[f"<b>{escape(line.label)}</b>{open_ended}"], hoverinfo="text",
            name=escape(line.label), showlegend=False,
        ))
    for kind in EventKind:
        if kind == EventKind.SYSTEMIC_THERAPY:
            continue
        chosen = [e for e in dated if e.kind == kind]
        if kind == EventKind.MARKER and (series := marker_series(dated)):
            chosen = [e for e in chosen if e.label != series[0]]
        if not chosen:
            continue
        symbol, colour = _SYMBOL[kind]
        figure.add_trace(go.Scatter(
            x=[_when(e.start) for e in chosen], y=[_ROW_OF[kind]] * len(chosen),
            mode="markers", name=kind.value.replace("_", " "),
            marker={"symbol": symbol, "size": 16 if large else 12, "color": colour,
                    "line": {"width": 2, "color": colour}},
            hovertext=[_hover(e) for e in chosen], hoverinfo="text",
        ))
        intervals = [e for e in chosen if isinstance(e.end, PartialDate) and e.end != e.start]
        for event in intervals:  # radiotherapy series and other courses as thin bars
            figure.add_trace(go.Scatter(
                x=[_when(event.start), _when(event.end)], y=[_ROW_OF[kind]] * 2,
                mode="lines", line={"color": colour, "width": 6}, hoverinfo="skip",
                showlegend=False,
            ))
    series = marker_series(dated)
    if series is not None:
        label, points = series
        unit = points[0].unit
        figure.add_trace(go.Scatter(
            x=[_when(e.start) for e in points], y=[e.value for e in points], yaxis="y2",
            mode="lines+markers", name=escape(f"{label} ({unit})" if unit else label),
            line={"color": OKABE_ITO[3], "width": 2, "dash": "dot"},
            hovertext=[_hover(e) for e in points], hoverinfo="text",
        ))
    for number, event in enumerate(_sample_events(case)):
        when = _when(event.start)
        figure.add_vline(x=when, line={"color": OKABE_ITO[4], "width": 2, "dash": "dash"})
        short = "sequencing" if event.kind == EventKind.SEQUENCING else "specimen"
        figure.add_annotation(  # alternate sides so two close dates stay readable
            x=when, y=1.0, yref="paper", yanchor="bottom", showarrow=False, text=short,
            xanchor="right" if number % 2 == 0 else "left", xshift=-3 if number % 2 == 0 else 3,
            font={"size": 14 if large else 11, "color": OKABE_ITO[4]},
        )
    used = [row for row in ROWS if any(
        trace.y is not None and row in list(trace.y) for trace in figure.data
        if getattr(trace, "yaxis", None) in (None, "y")
    )]
    figure.update_layout(
        template=TEMPLATE, height=height, barmode="overlay",
        legend={"orientation": "h", "y": -0.12, "x": 0, "font": {"size": 14 if large else 11}},
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(used)),
               "tickfont": {"size": 16 if large else 12}, "automargin": True},
        yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero",
                "title": {"text": escape(series[0]) if series else ""},
                "visible": series is not None,
                "tickformat": ".3~g", "automargin": True},
        xaxis={"type": "date", "tickfont": {"size": 15 if large else 12},
               "range": _date_range(dated, case)},
        margin={"l": 10, "r": 60 if series else 10, "t": 28, "b": 10},
        font={"size": 16 if large else 13},
    )
    return figure


def _date_range(dated: Sequence[TimelineEvent], case: Case) -> list[str] | None:
    """The x range: every event and therapy bar, with room on the right for a label written
    beside a short bar (plotly's automatic range ends at the last bar)."""
    days = [e.start.earliest for e in dated if isinstance(e.start, PartialDate)]
    days += [e.end.latest for e in dated if isinstance(e.end, PartialDate)]
    for line in case.lines:
        days += [line.start.earliest,
                 line.end.latest if line.end else line.start.earliest
                 + timedelta(days=MIN_BAR_DAYS)]
    if not days:
        return None
    first, last = min(days), max(days)
    span = max((last - first).days, 30)
    beside = [len(_line_tag(line)) + len(" + ".join(line.drugs)) + 1 for line in case.lines
              if ((line.end.latest if line.end else line.start.earliest) - line.start.earliest)
              .days < SHORT_BAR_DAYS]
    right = 0.15 + 0.015 * max(beside, default=0)  # a share of the span per character
    return [(first - timedelta(days=span * 0.04)).isoformat(),
            (last + timedelta(days=span * right)).isoformat()]


def _line_tag(line: TherapyLine) -> str:
    """'L2' for a numbered line, 'adjuvant' for perioperative therapy."""
    return f"L{line.number}" if line.number is not None else line.setting


def _sample_events(case: Case) -> list[TimelineEvent]:
    """The sequenced specimen and the sequencing report of this case (from case.toml)."""
    return [e for e in case.events if e.source.endswith("case.toml")
            and isinstance(e.start, PartialDate)]


def vaf_figure(vafs: Sequence[float], highlighted: Sequence[tuple[str, float]] = (),
               *, height: int = 240) -> go.Figure:
    """Tumor VAFs of the small variants, with the tier I/II findings marked by name: a
    finding far below the clonal peak is subclonal (or an artefact)."""
    values, marks = tuple(vafs), tuple((str(label), vaf) for label, vaf in highlighted)
    return _once(("vaf", values, marks, height), None,
                 lambda: _vaf_figure(values, marks, height=height))


def _vaf_figure(vafs: Sequence[float], highlighted: Sequence[tuple[str, float]], *,
                height: int) -> go.Figure:
    figure = go.Figure(go.Histogram(
        x=list(vafs), xbins={"start": 0, "end": 1.0, "size": 0.025},
        marker={"color": OKABE_ITO[5], "line": {"color": "white", "width": 1}},
        name="all small variants", hovertemplate="VAF %{x}: %{y} variants<extra></extra>",
    ))
    for label, vaf in highlighted:
        figure.add_vline(x=vaf, line={"color": OKABE_ITO[3], "width": 2})
        figure.add_annotation(x=vaf, y=1, yref="paper", text=escape(label), textangle=-90,
                              xanchor="left", yanchor="top", showarrow=False,
                              font={"size": 11, "color": OKABE_ITO[3]})
    figure.update_layout(template=TEMPLATE, height=height, showlegend=False, bargap=0.05,
                         xaxis={"title": {"text": "tumor VAF"}, "range": [0, 1],
                                "tickformat": ".0%", "automargin": True},
                         yaxis={"title": {"text": "variants"}, "automargin": True},
                         margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return figure
