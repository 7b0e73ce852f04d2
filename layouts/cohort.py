"""The Cohort page: the query form, counts by tumor type and tier, the matching cases (each a
link to its page) and one row per matching finding. Pure: it draws mtb.cohort.query's records;
the callbacks are mtb.web.pages.cohort's."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.links import href
from mtb.board import RECOMMENDATION_KIND_NAMES
from mtb.cohort.query import CohortResult
from mtb.i18n import N_, _, ngettext
from mtb.i18n.formats import number
from mtb.i18n.terms import term

# component ids of this page (kept here: no other page uses them)
FORM_FIELDS = ("gene", "variant", "variant_class", "tumor_type", "tier", "biomarker",
               "therapy", "status", "since", "until")
FIELD_ID = {name: f"cohort-{name.replace('_', '-')}" for name in FORM_FIELDS}
SEARCH = "cohort-search"
RESULT = "cohort-result"
EXPORT = "cohort-export"
DOWNLOAD = "cohort-download"
SHOWN_ROWS = 500  # rows drawn on the page; the download has all

# labels and hints, marked here and translated where drawn (the hints' examples are the
# query's own words: gene names, tiers, the statuses and classes the store writes)
_LABELS = {
    "gene": (N_("Gene"), "BRAF"),
    "variant": (N_("Variant"), N_("p.V600E, codon V600, exon 19 deletion, EML4::ALK, "
                                  "amplification")),
    "variant_class": (N_("Variant class"), "snv, deletion, cnv, fusion"),
    "tumor_type": (N_("Tumor type"), N_("NSCLC (includes its subtypes)")),
    "tier": (N_("Tier"), N_("I, II, IA (curated tier wins)")),
    "biomarker": (N_("Biomarker"), "TMB-high, MSI-high"),
    "therapy": (N_("Recommended therapy or decision"), N_("osimertinib, trial")),
    "status": (N_("Case status"), "decided, final"),
    "since": (N_("From (board date, else version date)"), N_("YYYY-MM-DD")),
    "until": (N_("To"), N_("YYYY-MM-DD")),
}

# how mtb.cohort.query read a filter (its notes stay English data: the CLI prints them),
# translated where shown; what the user typed and the ontology's names are data
_NOTES = (
    (re.compile(r"tumor type '(?P<text>.*)' is not in the Disease Ontology: looked for in the "
                r"diagnosis text", re.S),
     N_("tumor type '{text}' is not in the Disease Ontology: looked for in the diagnosis "
        "text")),
    (re.compile(r"tumor type '(?P<text>.*)' read as (?P<name>.*) \((?P<doid>[^()]*)\) and the "
                r"types under it", re.S),
     N_("tumor type '{text}' read as {name} ({doid}) and the types under it")),
    (re.compile(r"biomarker '(?P<text>.*)' not understood \(TMB-high, MSI-high, "
                r"HRD-positive\)", re.S),
     N_("biomarker '{text}' not understood (TMB-high, MSI-high, HRD-positive)")),
)
NOT_RECORDED = N_("not recorded")  # mtb.cohort.query's tumor type of a case without one
_KIND = re.compile(r"(^|; )(" + "|".join(map(re.escape, RECOMMENDATION_KIND_NAMES)) + r"): ")


def note_text(note: str) -> str:
    """A note of mtb.cohort.query in the reader's language (an unknown one as it is)."""
    for pattern, template in _NOTES:
        found = pattern.fullmatch(note)
        if found:
            return _(template, **found.groupdict())
    return note


def recommendations_text(text: str) -> str:
    """A row's recommendations ('therapy: Osimertinib (m1A); trial: ...') with each kind
    named in the reader's language; the texts are the board's."""
    return _KIND.sub(lambda m: m.group(1) + term(RECOMMENDATION_KIND_NAMES[m.group(2)]) + ": ",
                     text)


def _field(name: str) -> dbc.Col:
    label, hint = _LABELS[name]
    return dbc.Col([dbc.Label(_(label), html_for=FIELD_ID[name], className="small mb-0"),
                    dbc.Input(id=FIELD_ID[name], placeholder=_(hint), maxLength=200,
                              type="text", size="sm")], md=3)


def cohort_page(cases_total: int) -> html.Div:
    return html.Div([
        dcc.Link(_("← Agenda"), href=href("/"), className="btn btn-link btn-sm ps-0"),
        html.H2(_("Cohort"), className="section-title"),
        html.P(ngettext("Search the findings of the {count} case in the store (its shown "
                        "version: a final case's pinned one, else the newest).",
                        "Search the findings of all {count} cases in the store (each case's "
                        "shown version: a final case's pinned one, else the newest).",
                        cases_total, count=number(cases_total)),
               className="small text-muted"),
        dbc.Row([_field(name) for name in FORM_FIELDS], className="g-2"),
        html.Div([
            dbc.Button(_("Search"), id=SEARCH, color="primary", className="me-2"),
            dbc.Button(_("Download TSV"), id=EXPORT, color="secondary", outline=True),
            dcc.Download(id=DOWNLOAD),
        ], className="mt-2"),
        html.P(_("Every search and download is recorded in the audit log (who asked what, "
                 "when). Every role may open every case today, so every matching case is "
                 "listed."), className="small text-muted mt-1"),
        dcc.Loading(html.Div(id=RESULT), type="dot"),
    ], className="cohort-page")


def _counts(title: str, counts: Mapping[str, int], what: str) -> dbc.Col:
    rows = [html.Tr([html.Td(_(NOT_RECORDED) if name == NOT_RECORDED else name),
                     html.Td(number(n), className="text-end")])
            for name, n in counts.items()]
    return dbc.Col([
        html.H4(title, className="section-subtitle"),
        html.Table([html.Thead(html.Tr([html.Th(what), html.Th(_("Count"),
                                                               className="text-end")])),
                    html.Tbody(rows)], className="table table-sm cohort-counts")
        if rows else html.P(_("None"), className="text-muted small"),
    ], md=4)


def cohort_result(result: CohortResult) -> html.Div:
    """Counts, the cases (links), then the rows (the first SHOWN_ROWS)."""
    notes = [html.Li(note_text(note)) for note in result.notes]
    if not result.rows:
        return html.Div([html.Ul(notes, className="small text-muted") if notes else None,
                         dbc.Alert(_("No case matches."), color="secondary")],
                        className="cohort-answer")
    unknown = _("tumor type not recorded")
    cases = [html.Li([dcc.Link(case.case_id, href=href(f"/case/{case.case_id}")),
                      f" · {case.tumor_type or unknown} · {term(case.status)}"])
             for case in result.cases]
    rows = result.rows[:SHOWN_ROWS]
    headers = (_("Case"), _("Tumor type"), _("Gene"), _("Alteration"), _("Tier"), _("Status"),
               _("Recommendations"))
    table = html.Table([
        html.Thead(html.Tr([html.Th(h) for h in headers])),
        html.Tbody([html.Tr([
            html.Td(dcc.Link(r.case_id, href=href(f"/case/{r.case_id}"))),
            html.Td(r.tumor_type), html.Td(r.gene), html.Td(r.alteration),
            html.Td(r.tier + (" " + _("(computed {tier})", tier=r.computed_tier)
                              if r.curated else "")),
            html.Td(term(r.status)),
            html.Td(recommendations_text(r.recommendations), className="small"),
        ]) for r in rows]),
    ], className="table table-sm cohort-rows")
    more = len(result.rows) - len(rows)
    return html.Div([
        html.P(ngettext("{count} case", "{count} cases", len(result.cases),
                        count=number(len(result.cases))) + " · "
               + ngettext("{count} finding", "{count} findings", len(result.rows),
                          count=number(len(result.rows))),
               className="cohort-summary fw-bold"),
        html.Ul(notes, className="small text-muted") if notes else None,
        dbc.Row([_counts(_("By tumor type"), result.by_tumor_type, _("Tumor type")),
                 _counts(_("By tier"), result.by_tier, _("Tier"))], className="g-3"),
        html.H4(_("Cases"), className="section-subtitle"),
        html.Ul(cases, className="cohort-cases"),
        html.H4(_("Findings"), className="section-subtitle"),
        table,
        html.P(ngettext("and {count} more row in the download",
                        "and {count} more rows in the download", more, count=number(more)),
               className="small text-muted")
        if more else None,
    ], className="cohort-answer")


def problem(text: str) -> dbc.Alert:
    return dbc.Alert(text, color="warning", className="cohort-problem")


def values_of(fields: Sequence[str | None]) -> dict[str, str]:
    return {name: (value or "").strip() for name, value in zip(FORM_FIELDS, fields,
                                                               strict=True)}
