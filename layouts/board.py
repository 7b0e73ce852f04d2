"""Curation and board decisions on the case page: status, a finding's curation, the case
summary, recommendations, report downloads and the audit log.

Pure functions of what the store holds and of what the signed-in user may do. Controls a user
may not use are shown disabled with the reason (the server refuses them anyway); a final case
shows everything read-only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import ComponentSingleType as Child

from annotation.model import AnnotatedVariant
from layouts import ids
from layouts.a11y import hidden_label
from mtb.board import (
    AMP_TIERS,
    EVIDENCE_GRADES,
    NEXT_STATUS,
    ONCOGENICITY,
    RECOMMENDATION_KINDS,
    TEXT_LIMITS,
    AuditEntry,
    CaseRecord,
    Curation,
    Recommendation,
    finding_key,
    kind_name,
)
from mtb.i18n import N_, _, ngettext
from mtb.i18n.formats import datetime_text
from mtb.i18n.terms import term


@dataclass(frozen=True)
class BoardView:
    """What the store holds about a case, and what the signed-in user may do with it."""

    record: CaseRecord
    recommendations: Sequence[Recommendation]
    audit: Sequence[AuditEntry]  # the newest AUDIT_PAGE entries, oldest first
    meetings: Sequence[tuple[int, str]]  # (id, label) of every meeting
    curations: Mapping[str, Curation]  # finding key -> curation
    user: str
    role: str
    may_curate: bool
    may_decide: bool
    audit_total: int = -1  # entries in the whole log (-1: `audit` is all of them)


# the status buttons: one sentence each (a language may inflect the status word)
_MARK = {"prepared": N_("Mark prepared"), "presented": N_("Mark presented"),
         "decided": N_("Mark decided"), "final": N_("Mark final")}

AUDIT_PAGE = 20  # audit entries shown at a time: a long history is never sent whole


def _options(values: Sequence[str], blank: str = "") -> list[dict[str, str]]:
    """Choices labelled in the reader's language, stored in English (`term`)."""
    return ([{"label": blank, "value": ""}] if blank else []) + [
        {"label": term(v), "value": v} for v in values]


def meeting_choice(record: CaseRecord, meetings: Sequence[tuple[int, str]], *,
                   may_decide: bool) -> html.Div:
    """Which meeting's agenda the case is on (the chair chooses)."""
    return html.Div([hidden_label(_("Meeting"), ids.CASE_MEETING), dcc.Dropdown(
        id=ids.CASE_MEETING, value=record.meeting_id, clearable=True,
        placeholder=_("not on a meeting's agenda"), disabled=not may_decide
        or record.status == "final",
        options=[{"label": label, "value": ident} for ident, label in meetings],
        style={"minWidth": "280px"})], className="ms-2")


def status_bar(record: CaseRecord, *, may_decide: bool) -> html.Div:
    changed = _("last changed by {user}, {when} UTC", user=record.updated_by,
                when=datetime_text(record.updated_at)) if record.updated_by else _("not yet")
    buttons: list[Child] = []
    for status in NEXT_STATUS[record.status]:
        final = status == "final"
        button = dbc.Button(
            _(_MARK.get(status, status)), size="sm", color="dark" if final else "secondary",
            outline=True,
            className="ms-2", disabled=not may_decide,
            id=ids.FINAL_BUTTON if final else {"type": ids.STATUS_BUTTON, "status": status},
            title="" if may_decide else _("only the board chair changes the status"))
        if final:  # cannot be undone: the browser asks first
            button = dcc.ConfirmDialogProvider(
                button, id=ids.CONFIRM_FINAL,
                message=_("Finalize this case? It becomes read-only for everyone, for good."))
        buttons.append(button)
    locked = html.Span(" · " + _("read-only"), className="text-muted") if record.status == "final" \
        else None
    return html.Div([
        html.Span(_("Status"), className="fact-label"),
        html.Span(term(record.status), className=f"status status-{record.status}"), locked,
        html.Span(f" ({changed})", className="small text-muted ms-1"), *buttons,
        dcc.Store(id=ids.RECORD_VERSION, data=record.version),
        dcc.Store(id=ids.CASE_REVISION, data=record.revision),
    ], id=ids.STATUS_BAR, className="status-line")


def curation_form(
    row: int, variant: AnnotatedVariant, curation: Curation | None, *, may_curate: bool,
    final: bool,
) -> html.Div:
    """The curator's interpretation of one finding (below its evidence). The finding travels
    by its key: a save names the finding the curator saw."""
    key = finding_key(variant)
    disabled = not may_curate or final
    why_disabled = _("the case is final") if final else _("curators edit interpretations")
    version = curation.version if curation is not None else 0
    return html.Div([
        html.H4(_("Curation"), className="section-title mt-3"),
        dcc.Store(id=ids.CURATION_ROW, data={"row": row, "key": key, "version": version}),
        dbc.Row([
            dbc.Col([dbc.Label(_("Oncogenicity"), html_for=ids.CURATE_ONCOGENICITY),
                     dbc.Select(id=ids.CURATE_ONCOGENICITY, options=_options(ONCOGENICITY, "—"),
                                value=curation.oncogenicity if curation else "",
                                disabled=disabled)], md=4),
            dbc.Col([dbc.Label(_("Tier (computed {tier})", tier=variant.tier.value),
                               html_for=ids.CURATE_TIER),
                     dbc.Select(id=ids.CURATE_TIER, options=_options(AMP_TIERS, _("as computed")),
                                value=curation.tier_override if curation else "",
                                disabled=disabled)], md=3),
            dbc.Col([dbc.Label(_("In report")),
                     dbc.Checkbox(id=ids.CURATE_IN_REPORT, label=_("include in the report"),
                                  value=bool(curation and curation.in_report),
                                  disabled=disabled)], md=5),
        ], className="g-2"),
        dbc.Label(_("Reason for a tier override"), html_for=ids.CURATE_REASON, className="mt-2"),
        dbc.Textarea(id=ids.CURATE_REASON, value=curation.override_reason if curation else "",
                     disabled=disabled, rows=2, maxLength=TEXT_LIMITS["override_reason"]),
        dbc.Label(_("Comment"), html_for=ids.CURATE_COMMENT, className="mt-2"),
        dbc.Textarea(id=ids.CURATE_COMMENT, value=curation.comment if curation else "",
                     disabled=disabled, rows=2, maxLength=TEXT_LIMITS["comment"]),
        html.Div([
            dbc.Button(_("Save curation"), id=ids.CURATE_SAVE, color="primary", size="sm",
                       className="mt-2", disabled=disabled,
                       title=why_disabled if disabled else ""),
            html.Span(" " + _("saved by {user}, version {version}", user=curation.updated_by,
                              version=curation.version)
                      if curation else " " + _("not curated yet"),
                      className="small text-muted ms-2"),
        ]),
    ], id=ids.CURATION, className="curation")


def summary_form(record: CaseRecord, *, may_curate: bool) -> html.Div:
    disabled = not may_curate or record.status == "final"
    return html.Div([
        html.H3(_("Case summary"), className="section-title"),
        dbc.Textarea(id=ids.SUMMARY_TEXT, value=record.summary, rows=3,
                     maxLength=TEXT_LIMITS["summary"], disabled=disabled,
                     placeholder=_("the curators' summary for the board")),
        dbc.Button(_("Save summary"), id=ids.SUMMARY_SAVE, size="sm", color="primary",
                   className="mt-2", disabled=disabled),
        dcc.Store(id=ids.SUMMARY_VERSION, data=record.summary_version),
    ], id=ids.SUMMARY)


def recommendation_item(item: Recommendation, *, may_decide: bool, final: bool) -> html.Li:
    grade = " · " + _("evidence {grade}", grade=item.evidence_grade) \
        if item.evidence_grade else ""
    tier = " · " + _("tier {tier}", tier=item.amp_tier) if item.amp_tier else ""
    findings = ", ".join(item.keys)
    trial = html.Span([" · ", html.A(item.nct_id, href=f"https://clinicaltrials.gov/study/"
                                                       f"{item.nct_id}", target="_blank",
                                     rel="noopener noreferrer", className="nct-link")]) \
        if item.nct_id else None
    withdraw = None if final or not may_decide else dbc.Button(
        _("Withdraw"), id={"type": ids.WITHDRAW, "id": item.id, "version": item.version},
        size="sm", color="link", className="p-0 ms-2")
    return html.Li([
        html.Strong(f"{term(item.kind_label)}: {item.text}"), trial,
        html.Span(f"{grade}{tier}"), withdraw,
        html.Div(item.rationale, className="small") if item.rationale else None,
        html.Div(_("rests on: {findings}", findings=findings), className="small text-muted")
        if findings else None,
        html.Div(_("recorded by {user}", user=item.created_by), className="small text-muted"),
    ], className="recommendation")


def decision_panel(
    record: CaseRecord, recommendations: Sequence[Recommendation],
    findings: Sequence[tuple[str, str]], *, may_decide: bool,
) -> html.Div:
    """The board's recommendations and, for the chair, the form to record one.
    `findings`: (finding key, label) of the findings a recommendation may rest on."""
    final = record.status == "final"
    items = [recommendation_item(r, may_decide=may_decide, final=final) for r in recommendations]
    listing: Child = html.Ul(items, className="recommendations") if items else html.P(
        _("No recommendation recorded yet."), className="text-muted")
    parts: list[Child] = [html.H3(_("Board recommendations"), className="section-title"), listing]
    if may_decide and not final:
        parts.append(html.Div([
            dbc.Row([
                dbc.Col([hidden_label(_("Kind of recommendation"), ids.RECOMMEND_KIND),
                         dbc.Select(id=ids.RECOMMEND_KIND, value="therapy", options=[
                             {"label": term(kind_name(k)), "value": k}
                             for k in RECOMMENDATION_KINDS])], md=3),
                dbc.Col(dbc.Input(id=ids.RECOMMEND_TEXT, maxLength=TEXT_LIMITS["recommendation"],
                                  placeholder=_("therapy, trial or examination")), md=5),
                dbc.Col([hidden_label(_("Evidence grade"), ids.RECOMMEND_GRADE),
                         dbc.Select(id=ids.RECOMMEND_GRADE, value="",
                                    options=_options(EVIDENCE_GRADES, _("evidence grade")))],
                        md=2),
                dbc.Col([hidden_label(_("AMP tier"), ids.RECOMMEND_TIER),
                         dbc.Select(id=ids.RECOMMEND_TIER, value="",
                                    options=_options(AMP_TIERS, _("AMP tier")))], md=2),
            ], className="g-2"),
            dbc.Input(id=ids.RECOMMEND_NCT, maxLength=11, className="mt-2",
                      placeholder=_("NCT id, for a clinical trial (NCT01234567)")),
            dbc.Textarea(id=ids.RECOMMEND_RATIONALE, rows=2, maxLength=TEXT_LIMITS["rationale"],
                         placeholder=_("rationale"), className="mt-2"),
            hidden_label(_("Findings it rests on"), ids.RECOMMEND_FINDINGS),
            dcc.Dropdown(id=ids.RECOMMEND_FINDINGS, multi=True, className="mt-2",
                         placeholder=_("the findings it rests on"),
                         options=[{"label": label, "value": key} for key, label in findings]),
            dbc.Button(_("Record recommendation"), id=ids.RECOMMEND_SAVE, color="primary",
                       size="sm", className="mt-2"),
        ], className="decision-form"))
    elif not may_decide:
        parts.append(html.P(_("Recommendations are recorded by the board chair."),
                            className="small text-muted"))
    return html.Div(parts, id=ids.DECISIONS)


def downloads() -> html.Div:
    return html.Div([
        html.Span(_("Report"), className="fact-label"),
        *[dbc.Button(label, id={"type": ids.DOWNLOAD, "format": fmt}, size="sm",
                     color="secondary", outline=True, className="me-2")
          for label, fmt in (("HTML", "html"), ("PDF", "pdf"), ("FHIR", "fhir"))],
        dcc.Download(id=ids.DOWNLOAD_FILE),
    ], className="downloads")


def audit_table(entries: Sequence[AuditEntry], total: int = -1, skip: int = 0,
                open_: bool = False) -> html.Details:
    """One page of the audit log, newest first: `entries` (oldest first) are the page that
    skips the `skip` newest of `total` entries; "Older" and "Newer" page through the rest."""
    total = len(entries) if total < 0 else total
    rows = [html.Tr([html.Td(datetime_text(e.at, seconds=True)), html.Td(e.user_name),
                     html.Td(e.action), html.Td(e.entity_key.split("/")[-1]),
                     html.Td(e.before, className="audit-json"),
                     html.Td(e.after, className="audit-json")])
            for e in reversed(entries)]
    pager: list[Child] = []
    if total > len(entries):
        first, last = skip + 1, skip + len(entries)
        pager = [html.Div([
            dbc.Button(_("Newer"), id=ids.AUDIT_NEWER, size="sm", color="secondary",
                       outline=True, disabled=skip <= 0, className="me-2"),
            dbc.Button(_("Older"), id=ids.AUDIT_OLDER, size="sm", color="secondary",
                       outline=True, disabled=last >= total, className="me-2"),
            html.Span(_("changes {first}–{last} of {total}, newest first", first=first,
                        last=last, total=total),
                      className="small text-muted"),
        ], className="audit-pager mb-1")]
    return html.Details([
        html.Summary(ngettext("Audit log ({n} change)", "Audit log ({n} changes)", total)),
        *pager,
        dcc.Store(id=ids.AUDIT_SKIP, data=skip),
        dbc.Table([html.Thead(html.Tr([html.Th(_(h)) for h in (
            N_("When (UTC)"), N_("Who"), N_("What"), N_("Item"), N_("Before"), N_("After"))])),
                   html.Tbody(rows)], size="sm", className="audit-table"),
    ], id=ids.AUDIT, className="mt-2", open=open_)


def board_message(text: str, *, ok: bool) -> dbc.Alert:
    return dbc.Alert(text, color="success" if ok else "danger", dismissable=True,
                     duration=6000 if ok else None, className="py-2 mb-2")
