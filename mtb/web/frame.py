"""The frame around a page: the title bar with the signed-in user (layouts.shell), or a bare
full-screen frame for the presentation."""

from __future__ import annotations

from typing import Any

from dash import html

from layouts import ids
from layouts.shell import shell
from mtb.store import Store
from mtb.web.auth import csrf_token, current_actor


def framed(store: Store, *content: Any) -> Any:
    actor = current_actor(store)
    if actor is None:
        return shell(*content)
    return shell(*content, user=actor.name, role=actor.role, csrf=csrf_token())


def bare(*content: Any) -> Any:
    return html.Main(list(content), className="p-4", id=ids.MAIN, tabIndex="-1")


def presented(content: Any) -> Any:
    """The presentation page, full screen: its main region is all of it."""
    return html.Main(content, id=ids.MAIN, tabIndex="-1")
