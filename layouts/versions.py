"""Which annotation version a case page shows, what changed, and a case still being annotated.

A board must know what it is looking at: the version (when it was made, from which knowledge
base and files), what changed since the previous one, and, above all, what changed since the
board last met (a tier that rose after a knowledge-base update is a reason to discuss the case
again). A final case shows its pinned version, the one its report is made of, and says when a
newer annotation exists. Curations whose finding is gone from the version shown are listed,
never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import ComponentSingleType as Child

from layouts import ids
from layouts.links import href
from mtb.i18n import N_, _, ngettext

# the annotation's states as the store writes them (mtb.library), translated where shown
STATES = (N_("queued"), N_("failed"), N_("ready"), N_("unknown"))
_ANNOTATING = re.compile(r"annotating (\d+) %")


def state_text(state: str) -> str:
    """'annotating 40 %' (mtb.library's state of a case's annotation) in the reader's
    language: 'wird annotiert (40 %)'; the other states are words of STATES."""
    annotating = _ANNOTATING.fullmatch(state)
    if annotating:
        return _("annotating {percent} %", percent=int(annotating.group(1)))
    return _(state) if state else state


def reason_text(reason: str) -> str:
    """Why a version was made (mtb.library writes 'files changed: tumor.vcf'), in the reader's
    language: its head is translated, what follows (file names, releases) is data."""
    head, colon, rest = reason.partition(": ")
    return _(head) + colon + rest if reason else reason


@dataclass(frozen=True)
class VersionView:
    case_id: str
    number: int
    newest: int
    created: str  # "2026-12-07 10:15" (mtb.i18n.formats.datetime_text)
    reason: str  # new case, files changed: tumor.vcf, knowledge base changed: ...
    knowledge_base: str  # "CIViC 01-Jul-2025"
    approvals: str
    build: str
    mtb_version: str
    files: tuple[tuple[str, str], ...] = ()  # (name, sha256)
    pinned: bool = False  # a final case's version: its report is made of it
    changes: tuple[str, ...] = ()  # since the previous version: headline, then details
    board: tuple[str, ...] = ()  # since the board met: headline, then details
    board_met: str = ""  # "presented 2026-12-01 (version 2)"
    state: str = ""  # a newer annotation under way: "annotating 40 %", "queued"
    problem: str = ""  # why the case's files cannot be annotated now
    versions: tuple[tuple[int, str, str], ...] = ()  # (number, created, reason)
    orphans: tuple[tuple[str, str], ...] = ()  # (finding, what its curation says)


def _link(case_id: str, number: int, text: str) -> dcc.Link:
    return dcc.Link(text, href=href(f"/case/{case_id}?version={number}"))


def _details(summary: str, lines: Sequence[str]) -> html.Details:
    return html.Details([html.Summary(summary), html.Ul([html.Li(line) for line in lines],
                                                        className="small mb-0")])


def version_panel(view: VersionView) -> html.Div:
    """Under the status bar: one line (version, provenance, what changed, every version),
    then what must not be missed: changes since the board met, a newer annotation, a
    re-annotation under way, files that cannot be read, curations of findings that are gone."""
    title = _("Annotation version {number}", number=view.number)
    if view.number != view.newest:
        title = _("Annotation version {number} of {newest}", number=view.number,
                  newest=view.newest)
    reason = reason_text(view.reason)
    facts: list[Child] = [
        html.Strong(title),
        f" · {view.created} · {view.knowledge_base} · {view.approvals} · {view.build} · "
        f"mtb {view.mtb_version}" + (f" · {reason}" if reason else ""),
    ]
    if view.pinned:
        facts.append(dbc.Badge(_("pinned: the final report is made of this version"),
                               color="dark", className="ms-2"))
    line: list[Child] = [html.Span(facts, className="version-facts")]
    if view.changes:
        headline, *detail = view.changes
        line.append(_details(headline, detail))
    elif view.number > 1:
        line.append(html.Span(_("since version {number}: no tier I/II finding changed",
                                number=view.number - 1), className="text-muted"))
    if view.files:
        line.append(_details(ngettext("{n} file", "{n} files", len(view.files)), [
            f"{name}: sha256 {digest}" for name, digest in view.files]))
    if len(view.versions) > 1:
        line.append(html.Details([
            html.Summary(_("All {n} versions", n=len(view.versions))),
            html.Ul([html.Li([_link(view.case_id, number, _("version {number}", number=number)),
                              f" · {created} · {reason_text(why)}"]) for number, created, why
                     in reversed(view.versions)], className="small mb-0")]))
    parts: list[Child] = [html.Div(line, className="d-flex flex-wrap column-gap-3 small "
                                                     "align-items-baseline")]
    if view.board:
        headline, *detail = view.board
        said = (_("Changed since the board met (the board met: {met}):", met=view.board_met)
                if view.board_met else _("Changed since the board met:"))
        parts.append(dbc.Alert([html.Strong(said + " "), headline,
                                _details(_("what changed"), detail) if detail else None],
                               color="warning", className="py-2 my-2", id=ids.BOARD_CHANGES))
    if view.number != view.newest:
        newer = (_("A newer annotation exists:") if view.pinned
                 else _("This is not the newest version:"))
        parts.append(dbc.Alert([newer + " ", _link(view.case_id, view.newest, _(
            "version {number}", number=view.newest))], color="info", className="py-2 my-2"))
    if view.state:
        parts.append(dbc.Alert(_("Re-annotation under way: {state}. This page shows version "
                                 "{number} until it is done.", state=state_text(view.state),
                                 number=view.number), color="info", className="py-2 my-2"))
    if view.problem:
        parts.append(dbc.Alert(_("The case's files cannot be annotated now: {problem}. This "
                                 "page shows version {number}.", problem=view.problem,
                                 number=view.number), color="danger", className="py-2 my-2"))
    if view.orphans:
        parts.append(dbc.Alert([
            html.Strong(ngettext("{n} curation of findings not in this version (kept, not "
                                 "lost):", "{n} curations of findings not in this version "
                                 "(kept, not lost):", len(view.orphans)) + " "),
            html.Ul([html.Li(f"{label}: {what}") for label, what in view.orphans],
                    className="small mb-0")],
            color="secondary", className="py-2 my-2", id=ids.ORPHAN_CURATIONS))
    return html.Div([dcc.Store(id=ids.CASE_VERSION, data=view.number), *parts],
                    id=ids.VERSION_PANEL, className="version-panel mb-2")


def pending_page(case_id: str, title: str, state: str, problem: str = "") -> html.Div:
    """A registered case without a version yet: being annotated (the page refreshes until
    it is done), or why it cannot be."""
    if problem:
        body: Child = dbc.Alert([html.Strong(_("This case cannot be annotated:") + " "),
                                  problem], color="danger")
    else:
        body = dbc.Alert(_("This case is being prepared: {state}. The page shows it as soon as "
                           "it is annotated.", state=state_text(state)), color="info")
    return html.Div([
        dcc.Link(_("← Agenda"), href=href("/"), className="btn btn-link btn-sm ps-0"),
        html.H2(title or case_id, className="case-title"),
        body,
        dcc.Store(id=ids.CASE_ID, data=case_id),
        dcc.Interval(id=ids.PENDING_REFRESH, interval=2000, disabled=bool(problem)),
        dcc.Location(id=ids.PENDING, refresh=True),
    ], className="case-page pending")
