"""The web app's one error boundary, shared by every page and every callback.

Whatever a page or a callback runs, an MtbError becomes its message on the page (it names files
and lines, never patient data), anything else a short notice and one log line with the kind of
error only: never a traceback in the browser (it could show patient data) and never patient data
in the log. Writes run as the signed-in user taken from the session, never from the request.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

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


CALLBACK_PATH = "/_dash-update-component"
_CALLBACK_LISTS = ("inputs", "changedPropIds")


def malformed_callback(payload: Any) -> str:
    """Why a callback request is not one Dash's renderer sends ("" when it could be)."""
    if not isinstance(payload, dict):
        return "not a JSON object"
    if not isinstance(payload.get("output"), str):
        return "no output"
    if not isinstance(payload.get("outputs"), dict | list):
        return "no outputs"
    for key in _CALLBACK_LISTS:
        if not isinstance(payload.get(key), list):
            return f"no {key}"
    if not isinstance(payload.get("state", []), list):
        return "state is not a list"
    for item in [*payload["inputs"], *payload.get("state", [])]:
        items = item if isinstance(item, list) else [item]
        if not all(isinstance(i, dict) and "id" in i and isinstance(i.get("property"), str)
                   for i in items):
            return "an input without id or property"
    return ""


def install_errors(server: Flask) -> None:
    """Malformed requests are the sender's error: 400, one log line, never a traceback (a
    traceback may hold the request's values, patient data among them). Anything else that
    escapes a page or callback: 500, the same one log line."""

    @server.before_request
    def check_callback() -> Any:
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        problem = malformed_callback(request.get_json(silent=True))
        if problem:
            log.warning("refused a malformed callback request (%s)", problem)
            return Response(f"malformed callback request: {problem}", status=400,
                            mimetype="text/plain")
        return None

    @server.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        return error  # werkzeug's own short answer (400, 404, 413, ...), nothing logged

    @server.errorhandler(Exception)
    def internal(error: Exception) -> Any:
        if request.path == CALLBACK_PATH and not _raised_by_mtb(error):
            # Dash's dispatch could not match the request to a callback (an unknown output,
            # inputs that do not fit): the request was malformed, not the server
            log.warning("refused a malformed callback request (%s)", type(error).__name__)
            return Response("malformed callback request", status=400, mimetype="text/plain")
        log.error("internal error (%s) at %s", type(error).__name__, request.path[:80])
        return Response("internal error (logged without patient data)", status=500,
                        mimetype="text/plain")


def _own_code() -> tuple[str, ...]:
    import annotation
    import layouts
    import mtb

    return tuple(os.path.dirname(package.__file__ or "") + os.sep
                 for package in (mtb, layouts, annotation))


def _raised_by_mtb(error: BaseException) -> bool:
    """Whether mtb's own code (not Dash's request handling) raised `error`: a bug, 500."""
    own = _own_code()
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename.startswith(own):
            return True
        trace = trace.tb_next
    return False
