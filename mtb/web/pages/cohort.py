"""`/cohort`: cohort queries over the store (mtb.cohort.query), drawn by layouts/cohort.py.
Thin: the form's values become a CohortQuery, the query runs on the store's read API, and
every search and download is audited with the signed-in user (the filters and the counts, no
patient data). Every role may open every case today, so every matching case is listed; when
roles get case-level rights, the rows are filtered here before drawing."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
from dash import Dash, Input, Output, State, dcc, no_update

from layouts.cohort import (
    DOWNLOAD,
    EXPORT,
    FIELD_ID,
    FORM_FIELDS,
    RESULT,
    SEARCH,
    cohort_page,
    cohort_result,
    problem,
    values_of,
)
from layouts.messages import error_message
from mtb.cohort.query import COLUMNS, CohortQuery, audit, run
from mtb.errors import InputError
from mtb.i18n import N_, _
from mtb.store import Store
from mtb.web import boundary
from mtb.web.auth import current_actor
from mtb.web.frame import framed
from mtb.web.library import CaseLibrary
from mtb.web.trigger import pressed

_FIELD_NAMES = {"since": N_("From"), "until": N_("To")}


def _query(values: dict[str, str]) -> CohortQuery:
    days: dict[str, date | None] = {}
    for name in ("since", "until"):
        try:
            days[name] = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            raise InputError(_(_FIELD_NAMES[name]), _("'{value}' is not a date (YYYY-MM-DD)",
                                                      value=values[name])) from None
    text: dict[str, Any] = {k: v for k, v in values.items() if k not in days}
    return CohortQuery(**text, since=days["since"], until=days["until"])


def register(app: Dash, library: CaseLibrary, store: Store) -> None:
    def layout(**_: Any) -> Any:
        def build() -> Any:
            return framed(store, cohort_page(len(store.shown_numbers())))
        return boundary.page(N_("The cohort"), build, lambda *c: framed(store, *c))

    dash.register_page("cohort", path="/cohort", layout=layout, title="mtb · cohort",
                       order=4)
    fields = [State(FIELD_ID[name], "value") for name in FORM_FIELDS]

    @app.callback(Output(RESULT, "children"), Input(SEARCH, "n_clicks"), *fields,
                  prevent_initial_call=True)
    def search(_n: int | None, *values: str | None) -> Any:
        if not pressed(SEARCH):  # audited: only on the button
            return no_update
        actor = current_actor(store)
        if actor is None:
            return error_message(_("Not signed in"), _(boundary.SESSION_ENDED))
        found = boundary.attempt("searching the cohort",
                                 lambda: _search(values_of(values), actor.name))
        if not found.ok:
            return problem(found.message)
        return found.value

    def _search(values: dict[str, str], user: str) -> Any:
        result = run(store, _query(values))
        audit(store, user, result, "cohort_query")
        return cohort_result(result)

    @app.callback(Output(DOWNLOAD, "data"), Input(EXPORT, "n_clicks"), *fields,
                  prevent_initial_call=True)
    def export(_n: int | None, *values: str | None) -> Any:
        if not pressed(EXPORT):
            return no_update
        actor = current_actor(store)
        if actor is None:
            return no_update
        found = boundary.attempt("exporting the cohort",
                                 lambda: _export(values_of(values), actor.name))
        return found.value if found.ok else no_update

    def _export(values: dict[str, str], user: str) -> Any:
        result = run(store, _query(values))
        audit(store, user, result, "cohort_export")
        lines = ["\t".join(COLUMNS)] + ["\t".join(
            c.replace("\t", " ").replace("\n", " ") for c in row.cells())
            for row in result.rows]
        return dcc.send_string("\n".join(lines) + "\n", "cohort.tsv")
