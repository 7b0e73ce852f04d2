"""The web app's one error boundary, shared by every page and every callback.

Whatever a page or a callback runs, an MtbError becomes its message on the page (it names files
and lines, never patient data), anything else a short notice and one log line with the kind of
error only: never a traceback in the browser (it could show patient data) and never patient data
in the log. Writes run as the signed-in user taken from the session, never from the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from layouts.messages import error_message
from mtb.board import Actor
from mtb.errors import MtbError
from mtb.store import Store
from mtb.web.auth import current_actor

log = logging.getLogger("mtb.app")
T = TypeVar("T")

INTERNAL = ("An internal error occurred; it has been logged without patient data. Please "
            "report it.")
NOT_SAVED = "An internal error occurred; nothing was saved."
SESSION_ENDED = "Your session has ended: sign in again."


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What an attempt gave: its value, or the message the user reads instead."""

    ok: bool
    value: T | None = None
    message: str = ""


def attempt(doing: str, action: Callable[[], T], *, internal: str = INTERNAL) -> Outcome[T]:
    """Run `action`; `doing` ('saving', 'adding a case') names it in the log only."""
    try:
        return Outcome(True, action())
    except MtbError as error:
        return Outcome(False, message=str(error))
    except Exception as error:  # the boundary: log the kind of error, not its content
        log.error("internal error (%s) while %s", type(error).__name__, doing)
        return Outcome(False, message=internal)


def as_user(store: Store, doing: str, act: Callable[[Actor], T], *,
            internal: str = INTERNAL) -> Outcome[T]:
    """Run a write as the signed-in user (the store checks the role, the lock, the version)."""
    actor = current_actor(store)
    if actor is None:
        return Outcome(False, message=SESSION_ENDED)
    return attempt(doing, lambda: act(actor), internal=internal)


def page(what: str, build: Callable[[], Any], frame: Callable[..., Any]) -> Any:
    """A page's layout, or `what` cannot be shown and why, in the page's frame."""
    outcome = attempt(f"building: {what}", build)
    if outcome.ok:
        return outcome.value
    return frame(error_message(f"{what} cannot be shown", outcome.message))
