"""The case page (a desk, before the board) and its presentation mode (the shared screen).

Desk: header; key findings beside the timeline (together one 1920x1080 screen); below, the
full variant table, the VAF distribution and the evidence of the selected finding.
Presentation: large type and high contrast, only what the board decides on — header, key
findings, timeline and the options the evidence names — with links (and arrow keys) to the
previous and next case of the agenda, and no editing controls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import ComponentSingleType as Child

from annotation.model import AnnotatedVariant
from layouts import ids
from layouts.board import (
    BoardView,
    audit_table,
    decision_panel,
    downloads,
    meeting_choice,
    recommendation_item,
    status_bar,
    summary_form,
)
from layouts.case_header import case_header, diagnosis_banner
from layouts.figures import timeline_figure, vaf_figure
from layouts.findings import evidence_panel, key_finding_cards
from layouts.links import href
from layouts.trials import trials_placeholder
from layouts.variant_table import variant_grid
from mtb.board import key_findings
from mtb.case import Case
from mtb.i18n import _, ngettext
from mtb.i18n.formats import number, period_text
from mtb.i18n.terms import line_label, term
from mtb.options import Option, board_options, line_cautions
from mtb.timeline import PartialDate
from mtb.variant import SMALL_TYPES

_GRAPH_CONFIG: dcc.Graph.Config = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d"],
                 "toImageButtonOptions": {"format": "svg"}}


def key_rows(case: Case, board: BoardView | None) -> list[tuple[int, AnnotatedVariant]]:
    """(row in the variant table, finding) of the key findings with the board's curations,
    strongest first."""
    return key_findings(case.annotation.variants, board.curations if board else None)


def _event_list(case: Case) -> html.Details:
    rows = [
        html.Tr([html.Td(period_text(e.start, e.end) if e.start else _("no date")),
                 html.Td(term(e.kind.value.replace("_", " "))),
                 html.Td(e.label + (f" ({e.status})" if e.status else "")),
                 html.Td("" if e.value is None else f"{number(e.value)} {e.unit}".strip()
                         if isinstance(e.value, float) else f"{e.value} {e.unit}".strip())])
        for e in case.events
    ]
    undated = sum(1 for e in case.events if not isinstance(e.start, PartialDate))
    note = " " + ngettext("({n} without a date, listed last)",
                          "({n} without a date, listed last)", undated) if undated else ""
    return html.Details(
        [html.Summary(ngettext("All {n} events", "All {n} events", len(case.events)) + note),
         dbc.Table([html.Tbody(rows)], size="sm", className="event-table mb-0")],
        id=ids.EVENT_LIST, className="mt-2",
    )


def _timeline_section(case: Case, *, large: bool) -> html.Div:
    heading = html.H2 if large else html.H3
    if not case.events:
        body: Child = dbc.Alert(_("No clinical history in this case's files (add FHIR or an "
                                   "event table to case.toml)."), color="secondary")
        return html.Div([heading(_("Timeline"), className="section-title"), body], id=ids.TIMELINE)
    figure = dcc.Graph(figure=timeline_figure(case, height=460 if large else 380, large=large),
                       config={**_GRAPH_CONFIG, "displayModeBar": False},  # labels at the top
                       className="timeline-graph")
    lines = [html.Li(line_label(line)) for line in case.lines]
    parts: list[Child] = [heading(_("Timeline"), className="section-title"), figure]
    if lines and not large:
        parts.append(html.Ul(lines, className="therapy-lines small mb-1"))
    if not large:
        parts.append(_event_list(case))
    return html.Div(parts, id=ids.TIMELINE)


def _small_vafs(rows: list[tuple[int, AnnotatedVariant]]) -> list[tuple[str, float]]:
    """(label, tumor VAF) of the small variants whose file gave a VAF."""
    return [(v.alteration.label, v.finding.support.vaf) for _, v in rows
            if v.finding is not None and v.finding.variant_type in SMALL_TYPES
            and v.finding.support.vaf is not None]


def _vaf_section(case: Case, rows: list[tuple[int, AnnotatedVariant]]) -> html.Div:
    vafs = [vaf for _, vaf in _small_vafs(list(enumerate(case.annotation.variants)))]
    marked = _small_vafs(rows)
    if not vafs:
        return html.Div()
    return html.Div([html.H3(_("VAF distribution"), className="section-title"),
                     dcc.Graph(figure=vaf_figure(vafs, marked[:8]), config=_GRAPH_CONFIG)],
                    id=ids.VAF_PLOT)


def _warnings(case: Case) -> dbc.Alert | None:
    if not case.warnings:
        return None
    shown = [html.Li(w) for w in case.warnings[:8]]
    more = len(case.warnings) - len(shown)
    count = len(case.warnings)
    notes = ngettext("{n} note on this case's data", "{n} notes on this case's data", count)
    return dbc.Alert([html.Summary(notes),
                      html.Ul(shown + ([html.Li(_("and {more} more", more=more))] if more else []),
                              className="mb-0 small")],
                     color="light", className="case-warnings")


def _board_section(board: BoardView, findings: list[tuple[str, str]]) -> html.Div:
    return html.Div([
        html.Hr(),
        dbc.Row([
            dbc.Col(summary_form(board.record, may_curate=board.may_curate), lg=5),
            dbc.Col(decision_panel(board.record, board.recommendations, findings,
                                   may_decide=board.may_decide), lg=7),
        ], className="g-3"),
        audit_table(board.audit, board.audit_total),
    ], className="board-section")


def case_page(
    case: Case, board: BoardView | None = None, findings: list[tuple[str, str]] | None = None,
    version: Child = None, seen: Mapping[str, Child] | None = None, tumor_type: Child = None,
) -> html.Div:
    """`version`: what the page says about the annotation version it shows (layouts.versions),
    drawn under the status bar; `seen`: finding key -> its card's 'seen before' slot;
    `tumor_type`: the curator's choice of the tumor type (layouts.tumor_type), for curators."""
    rows = key_rows(case, board)
    present = dcc.Link(_("Present"), href=href(f"/case/{case.entry.id}/present"),
                       id=ids.PRESENT_LINK, className="btn btn-dark btn-sm")
    top: list[Child] = [dcc.Link(_("← Agenda"), href=href("/"),
                                 className="btn btn-link btn-sm ps-0")]
    if board is not None:
        top.append(html.Div(status_bar(board.record, may_decide=board.may_decide),
                            className="ms-3"))
        top.append(html.Div(meeting_choice(board.record, board.meetings,
                                           may_decide=board.may_decide), className="me-auto"))
        top.append(html.Div(downloads(), className="me-3"))
    top.append(present)
    return html.Div([
        dcc.Store(id=ids.CASE_ID, data=case.entry.id),
        html.Div(id=ids.BOARD_MESSAGE),
        html.Div(top, className="d-flex align-items-center mb-2 flex-wrap"),
        version,
        diagnosis_banner(case),
        case_header(case),
        tumor_type,
        dbc.Row([
            dbc.Col(key_finding_cards(rows, curations=board.curations if board else None,
                                      quality=case.quality, cautions=cautions(case),
                                      seen=seen),
                    lg=5),
            dbc.Col(_timeline_section(case, large=False), lg=7),
        ], className="g-3 above-fold"),
        _warnings(case),
        html.Hr(),
        variant_grid(len(case.annotation.variants)),
        dbc.Row([
            dbc.Col(_vaf_section(case, rows), lg=4),
            dbc.Col(html.Div([html.H3(_("Evidence"), className="section-title"),
                              html.Div(evidence_panel(None, case.annotation.diagnosis.text),
                                       id=ids.EVIDENCE)]), lg=8),
        ], className="g-3 mt-2"),
        trials_placeholder(case.entry.id),
        _board_section(board, findings or []) if board is not None else None,
    ], className="case-page")


def _recommended(board: BoardView) -> html.Div:
    items = [recommendation_item(r, may_decide=False, final=True)
             for r in board.recommendations]
    title = _("Recommendation (final)") if board.record.status == "final" \
        else _("Recommendation (draft)")
    return html.Div([html.H2(title, className="section-title"),
                     html.Ul(items, className="recommendations")], className="options")


def cautions(case: Case) -> dict[frozenset[str], str]:
    """Regimen -> what the case speaks against it with (mtb.options.line_cautions)."""
    return line_cautions(case.annotation.variants, case.course)


def _options(options: Sequence[Option]) -> html.Div:
    """The options the tier I evidence names, ranked, each checked against the patient's
    course (mtb.options): not a recommendation."""
    items = []
    for option in options[:8]:
        therapy = option.therapy
        text: list[Child] = [html.Span(therapy.name, className="option-therapy"),
                " " + _("for {finding} ({tier}; {basis})", finding=option.finding,
                        tier=therapy.tier.value, basis=therapy.basis_text)]
        if option.caution:
            text.append(html.Span(f" — {option.caution}", className="mark caution"))
        elif option.given:
            text.append(html.Span(f" — {option.given}", className="option-given"))
        items.append(html.Li(text, className="cautioned" if option.caution else None))
    body: Child = html.Ol(items) if items else html.P(_("No tier I therapy evidence."))
    return html.Div([html.H2(_("Options from the evidence"), className="section-title"), body,
                     html.P(_("Ranked by the evidence and checked against the patient's course; "
                              "the board's recommendation is recorded in the decision form."),
                            className="small text-muted")], className="options")


def present_page(
    case: Case, previous: str | None, following: str | None, board: BoardView | None = None
) -> html.Div:
    rows = key_rows(case, board)
    curated = board.curations if board is not None else {}
    decision = _recommended(board) if board is not None and board.recommendations \
        else _options(board_options(case.annotation.variants, case.course, curated))

    def nav(case_id: str | None, text: str, ident: str) -> Child:
        if case_id is None:
            return html.Span(text, className="btn btn-outline-light disabled", id=ident)
        return dcc.Link(text, href=href(f"/case/{case_id}/present"), id=ident,
                        className="btn btn-outline-light")

    return html.Div([
        dcc.Store(id=ids.CASE_ID, data=case.entry.id),
        html.Nav([
            nav(previous, _("← Previous case"), ids.PREV_CASE),
            dcc.Link(_("Exit presentation"), href=href(f"/case/{case.entry.id}"),
                     id=ids.EXIT_PRESENT, className="btn btn-outline-light"),
            nav(following, _("Next case →"), ids.NEXT_CASE),
        ], className="present-nav"),  # a landmark: the agenda's cases, and back to the desk
        diagnosis_banner(case),
        case_header(case, large=True),
        dbc.Row([
            dbc.Col([key_finding_cards(rows, large=True,
                                       curations=board.curations if board else None,
                                       quality=case.quality, cautions=cautions(case)),
                     decision],
                    xl=5),
            dbc.Col(_timeline_section(case, large=True), xl=7),
        ], className="g-4"),
    ], className="present-page")
