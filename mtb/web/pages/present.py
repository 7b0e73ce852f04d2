"""`/case/<case_id>/present`: the case on the board's shared screen, with the previous and
next case of its meeting's agenda (arrow keys: assets/)."""

from __future__ import annotations

from typing import Any

import dash
from dash import Dash

from layouts.case_page import present_page
from mtb.i18n import N_, _
from mtb.store import Store
from mtb.web import boundary
from mtb.web.auth import current_actor
from mtb.web.board import board_view
from mtb.web.frame import bare, presented
from mtb.web.library import CaseLibrary


def register(app: Dash, library: CaseLibrary, store: Store) -> None:
    def layout(case_id: str = "", **_query: Any) -> Any:
        def build() -> Any:
            previous, following = library.neighbours(case_id, store.meeting_of())
            board = board_view(store, case_id, current_actor(store))
            return presented(present_page(library.open(case_id).case, previous, following,
                                          board))
        return boundary.page(N_("This case"), build, bare)

    dash.register_page("present", path_template="/case/<case_id>/present", layout=layout,
                       title=lambda **_kw: "mtb · " + _("presentation"), order=1)
