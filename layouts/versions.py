"""Which annotation version a case page shows, what changed, and a case still being annotated.

A board must know what it is looking at: the version (when it was made, from which knowledge
base and files), what changed since the previous one, and, above all, what changed since the
board last met (a tier that rose after a knowledge-base update is a reason to discuss the case
again). A final case shows its pinned version, the one its report is made of, and says when a
newer annotation exists. Curations whose finding is gone from the version shown are listed,
never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids


@dataclass(frozen=True)
class VersionView:
    case_id: str
    number: int
    newest: int
    created: str  # "2026-12-07 10:15"
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
    return dcc.Link(text, href=f"/case/{case_id}?version={number}")


def _details(summary: str, lines: Sequence[str]) -> html.Details:
    return html.Details([html.Summary(summary), html.Ul([html.Li(line) for line in lines],
                                                        className="small mb-0")])


def version_panel(view: VersionView) -> html.Div:
    """Under the status bar: one line (version, provenance, what changed, every version),
    then what must not be missed: changes since the board met, a newer annotation, a
    re-annotation under way, files that cannot be read, curations of findings that are gone."""
    title = f"Annotation version {view.number}"
    if view.number != view.newest:
        title += f" of {view.newest}"
    facts: list[object] = [
        html.Strong(title),
        f" · {view.created} · {view.knowledge_base} · {view.approvals} · {view.build} · "
        f"mtb {view.mtb_version}" + (f" · {view.reason}" if view.reason else ""),
    ]
    if view.pinned:
        facts.append(dbc.Badge("pinned: the final report is made of this version",
                               color="dark", className="ms-2"))
    line: list[object] = [html.Span(facts, className="version-facts")]
    if view.changes:
        headline, *detail = view.changes
        line.append(_details(headline, detail))
    elif view.number > 1:
        line.append(html.Span(f"since version {view.number - 1}: no tier I/II finding "
                              "changed", className="text-muted"))
    if view.files:
        line.append(_details(f"{len(view.files)} files", [
            f"{name}: sha256 {digest}" for name, digest in view.files]))
    if len(view.versions) > 1:
        line.append(html.Details([
            html.Summary(f"All {len(view.versions)} versions"),
            html.Ul([html.Li([_link(view.case_id, number, f"version {number}"),
                              f" · {created} · {reason}"]) for number, created, reason
                     in reversed(view.versions)], className="small mb-0")]))
    parts: list[object] = [html.Div(line, className="d-flex flex-wrap column-gap-3 small "
                                                     "align-items-baseline")]
    if view.board:
        headline, *detail = view.board
        met = f" (the board met: {view.board_met})" if view.board_met else ""
        parts.append(dbc.Alert([html.Strong("Changed since the board met" + met + ": "),
                                headline, _details("what changed", detail) if detail else None],
                               color="warning", className="py-2 my-2", id=ids.BOARD_CHANGES))
    if view.number != view.newest:
        newer = "A newer annotation exists" if view.pinned else "This is not the newest version"
        parts.append(dbc.Alert([f"{newer}: ",
                                _link(view.case_id, view.newest, f"version {view.newest}")],
                               color="info", className="py-2 my-2"))
    if view.state:
        parts.append(dbc.Alert(f"Re-annotation under way: {view.state}. This page shows "
                               f"version {view.number} until it is done.", color="info",
                               className="py-2 my-2"))
    if view.problem:
        parts.append(dbc.Alert(f"The case's files cannot be annotated now: {view.problem}. "
                               f"This page shows version {view.number}.", color="danger",
                               className="py-2 my-2"))
    if view.orphans:
        parts.append(dbc.Alert([
            html.Strong(f"{len(view.orphans)} curation"
                        f"{'s' if len(view.orphans) != 1 else ''} of findings not in this "
                        "version (kept, not lost): "),
            html.Ul([html.Li(f"{label}: {what}") for label, what in view.orphans],
                    className="small mb-0")],
            color="secondary", className="py-2 my-2", id=ids.ORPHAN_CURATIONS))
    return html.Div([dcc.Store(id=ids.CASE_VERSION, data=view.number), *parts],
                    id=ids.VERSION_PANEL, className="version-panel mb-2")


def pending_page(case_id: str, title: str, state: str, problem: str = "") -> html.Div:
    """A registered case without a version yet: being annotated (the page refreshes until
    it is done), or why it cannot be."""
    if problem:
        body: object = dbc.Alert([html.Strong("This case cannot be annotated: "), problem],
                                 color="danger")
    else:
        body = dbc.Alert(f"This case is being prepared: {state}. The page shows it as soon as "
                         "it is annotated.", color="info")
    return html.Div([
        dcc.Link("← Agenda", href="/", className="btn btn-link btn-sm ps-0"),
        html.H2(title or case_id, className="case-title"),
        body,
        dcc.Store(id=ids.CASE_ID, data=case_id),
        dcc.Interval(id=ids.PENDING_REFRESH, interval=2000, disabled=bool(problem)),
        dcc.Location(id=ids.PENDING, refresh=True),
    ], className="case-page pending")
