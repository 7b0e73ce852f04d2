"""The Cohort page: the query form, counts by tumor type and tier, the matching cases (each a
link to its page) and one row per matching finding. Pure: it draws mtb.cohort.query's records;
the callbacks are mtb.web.pages.cohort's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from mtb.cohort.query import CohortResult

# component ids of this page (kept here: no other page uses them)
FORM_FIELDS = ("gene", "variant", "variant_class", "tumor_type", "tier", "biomarker",
               "therapy", "status", "since", "until")
FIELD_ID = {name: f"cohort-{name.replace('_', '-')}" for name in FORM_FIELDS}
SEARCH = "cohort-search"
RESULT = "cohort-result"
EXPORT = "cohort-export"
DOWNLOAD = "cohort-download"
SHOWN_ROWS = 500  # rows drawn on the page; the download has all

_LABELS = {
    "gene": ("Gene", "BRAF"),
    "variant": ("Variant", "p.V600E, codon V600, exon 19 deletion, EML4::ALK, amplification"),
    "variant_class": ("Variant class", "snv, deletion, cnv, fusion"),
    "tumor_type": ("Tumor type", "NSCLC (includes its subtypes)"),
    "tier": ("Tier", "I, II, IA (curated tier wins)"),
    "biomarker": ("Biomarker", "TMB-high, MSI-high"),
    "therapy": ("Recommended therapy or decision", "osimertinib, trial"),
    "status": ("Case status", "decided, final"),
    "since": ("From (board date, else version date)", "YYYY-MM-DD"),
    "until": ("To", "YYYY-MM-DD"),
}


def _field(name: str) -> dbc.Col:
    label, hint = _LABELS[name]
    return dbc.Col([dbc.Label(label, html_for=FIELD_ID[name], className="small mb-0"),
                    dbc.Input(id=FIELD_ID[name], placeholder=hint, maxLength=200,
                              type="text", size="sm")], md=3)


def cohort_page(cases_total: int) -> html.Div:
    return html.Div([
        dcc.Link("← Agenda", href="/", className="btn btn-link btn-sm ps-0"),
        html.H2("Cohort", className="section-title"),
        html.P(f"Search the findings of all {cases_total} cases in the store (each case's "
               "shown version: a final case's pinned one, else the newest).",
               className="small text-muted"),
        dbc.Row([_field(name) for name in FORM_FIELDS], className="g-2"),
        html.Div([
            dbc.Button("Search", id=SEARCH, color="primary", className="me-2"),
            dbc.Button("Download TSV", id=EXPORT, color="secondary", outline=True),
            dcc.Download(id=DOWNLOAD),
        ], className="mt-2"),
        html.P("Every search and download is recorded in the audit log (who asked what, "
               "when). Every role may open every case today, so every matching case is "
               "listed.", className="small text-muted mt-1"),
        dcc.Loading(html.Div(id=RESULT), type="dot"),
    ], className="cohort-page")


def _counts(title: str, counts: Mapping[str, int], what: str) -> dbc.Col:
    rows = [html.Tr([html.Td(name), html.Td(str(n), className="text-end")])
            for name, n in counts.items()]
    return dbc.Col([
        html.H4(title, className="section-subtitle"),
        html.Table([html.Thead(html.Tr([html.Th(what), html.Th("Count",
                                                               className="text-end")])),
                    html.Tbody(rows)], className="table table-sm cohort-counts")
        if rows else html.P("None", className="text-muted small"),
    ], md=4)


def cohort_result(result: CohortResult) -> html.Div:
    """Counts, the cases (links), then the rows (the first SHOWN_ROWS)."""
    notes = [html.Li(note) for note in result.notes]
    if not result.rows:
        return html.Div([html.Ul(notes, className="small text-muted") if notes else None,
                         dbc.Alert("No case matches.", color="secondary")],
                        className="cohort-answer")
    cases = [html.Li([dcc.Link(case.case_id, href=f"/case/{case.case_id}"),
                      f" · {case.tumor_type or 'tumor type not recorded'} · {case.status}"])
             for case in result.cases]
    rows = result.rows[:SHOWN_ROWS]
    table = html.Table([
        html.Thead(html.Tr([html.Th(h) for h in ("Case", "Tumor type", "Gene", "Alteration",
                                                  "Tier", "Status", "Recommendations")])),
        html.Tbody([html.Tr([
            html.Td(dcc.Link(r.case_id, href=f"/case/{r.case_id}")), html.Td(r.tumor_type),
            html.Td(r.gene), html.Td(r.alteration),
            html.Td(r.tier + (f" (computed {r.computed_tier})" if r.curated else "")),
            html.Td(r.status), html.Td(r.recommendations, className="small"),
        ]) for r in rows]),
    ], className="table table-sm cohort-rows")
    more = len(result.rows) - len(rows)
    return html.Div([
        html.P(f"Cases: {len(result.cases)}. Findings: {len(result.rows)}.",
               className="cohort-summary fw-bold"),
        html.Ul(notes, className="small text-muted") if notes else None,
        dbc.Row([_counts("By tumor type", result.by_tumor_type, "Tumor type"),
                 _counts("By tier", result.by_tier, "Tier")], className="g-3"),
        html.H4("Cases", className="section-subtitle"),
        html.Ul(cases, className="cohort-cases"),
        html.H4("Findings", className="section-subtitle"),
        table,
        html.P(f"and {more} more rows in the download", className="small text-muted")
        if more else None,
    ], className="cohort-answer")


def problem(text: str) -> dbc.Alert:
    return dbc.Alert(text, color="warning", className="cohort-problem")


def values_of(fields: Sequence[str | None]) -> dict[str, str]:
    return {name: (value or "").strip() for name, value in zip(FORM_FIELDS, fields,
                                                               strict=True)}
