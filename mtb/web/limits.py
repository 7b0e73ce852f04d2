"""Request bodies are refused before they are read (a WSGI middleware in front of Flask).

An anonymous 900 MiB POST used to be written to /tmp in full before its 401. Here a request's
declared size (Content-Length) is checked against what its sender may send before one byte of
the body is read: anything without a valid session gets ANONYMOUS_BYTES (a sign-in form), a
signed-in user SIGNED_IN_BYTES per callback, and only the upload route its role's upload
limit (MTB_UPLOAD_LIMITS). A refused request is answered at once (401 without a session, 413
above the limit) and its body is never read: gunicorn drains at most 64 KiB of it before
closing the connection. A chunked body (no declared size) is read through a stream that stops
at the same limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_cookie

from mtb.board import Actor

ANONYMOUS_BYTES = 16 * 1024  # the sign-in form, with room to spare
SIGNED_IN_BYTES = 2 * 1024 * 1024  # a callback: texts are limited to a few KB (TEXT_LIMITS)
UPLOAD_PATH = "/add/upload"
LIMIT_KEY = "mtb.body_limit"  # the environ key the upload route reads its limit from

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class CappedStream:
    """A request body stream that raises 413 once more than `limit` bytes were read."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream = stream
        self._left = limit

    def _count(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            raise RequestEntityTooLarge()
        return data

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._left + 1  # never more than one byte past the limit
        return self._count(self._stream.read(min(size, self._left + 1)))

    def readline(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._left + 1
        return self._count(self._stream.readline(min(size, self._left + 1)))

    def __iter__(self) -> Any:
        while line := self.readline(65536):
            yield line


class RequestLimits:
    """WSGI middleware: `who(token)` names the signed-in actor of a session cookie (None
    without one); `upload_limits` maps roles to their largest upload."""

    def __init__(self, app: WsgiApp, who: Callable[[str | None], Actor | None],
                 upload_limits: Mapping[str, int], cookie: str) -> None:
        self.app = app
        self.who = who
        self.upload_limits = dict(upload_limits)
        self.cookie = cookie

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        declared = str(environ.get("CONTENT_LENGTH") or "").strip()
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
        if declared:
            if not declared.isdigit():
                return _refuse(start_response, 400, "a malformed Content-Length")
            length: int | None = int(declared)
        else:
            length = None if chunked else 0
        path = str(environ.get("PATH_INFO", ""))
        if length is not None and length <= ANONYMOUS_BYTES and path != UPLOAD_PATH:
            return self.app(environ, start_response)  # small: the app's own checks decide
        token = parse_cookie(environ).get(self.cookie)
        actor = self.who(token) if token else None
        if actor is None:
            if path == "/login":
                if length is None:  # chunked: read no more than a sign-in form
                    environ["wsgi.input"] = CappedStream(environ["wsgi.input"], ANONYMOUS_BYTES)
                    return self.app(environ, start_response)
                return _refuse(start_response, 413, "too large for a sign-in")
            return _refuse(start_response, 401, "sign in first")
        limit = self.upload_limits.get(actor.role, 0) if path == UPLOAD_PATH else SIGNED_IN_BYTES
        if limit <= 0:
            return _refuse(start_response, 403, f"{actor.role}s may not upload files")
        if length is not None and length > limit:
            return _refuse(start_response, 413,
                           f"larger than the {limit // 2**20} MB a {actor.role} may send")
        if length is None:
            environ["wsgi.input"] = CappedStream(environ["wsgi.input"], limit)
        environ[LIMIT_KEY] = limit
        return self.app(environ, start_response)


def _refuse(start_response: StartResponse, status: int, message: str) -> list[bytes]:
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
               413: "Content Too Large"}
    body = f"refused: {message}\n".encode()
    start_response(f"{status} {reasons[status]}", [
        ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")])
    return [body]
