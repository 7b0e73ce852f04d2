"""Logs for a site's log collector: one JSON object per line (MTB_LOG_FORMAT=json) or plain
text, on stderr or in MTB_LOG_FILE, each line of a request carrying that request's id.

Why the standard library and not structlog: mtb's modules already log through `logging`
(mtb.app, mtb.jobs, gunicorn's error log), and a formatter is the one place that has to know
about JSON; structlog would add a dependency and a second logging API for the same lines.

What a line may hold: the event, the route *template* (`/case/<case_id>`, never the path),
status, duration, the request id, the signed-in user's name and role. Never a case id or
pseudonym, a query string, an uploaded file's name, a request body or a traceback (the frames'
text can hold patient data; MTB_DEBUG=1 adds them on a developer's machine).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mtb.config import Settings

__all__ = ["REQUEST_ID", "JsonFormatter", "TextFormatter", "configure_logging", "formatter",
           "request_id"]

# the request being served by this thread (gunicorn's gthread workers: a thread per request)
REQUEST_ID: ContextVar[str] = ContextVar("mtb_request_id", default="")
# what a proxy's X-Request-ID may be (anything else is replaced: it is written to every line)
_SENT_ID = re.compile(r"[A-Za-z0-9._:=+/@-]{8,128}")
# the attributes every LogRecord has: the rest came in through `extra=`
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime",
                                                              "request_id"}


def request_id(sent: str | None) -> str:
    """The proxy's X-Request-ID when it looks like one, else a new random id."""
    if sent and _SENT_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


def _error(record: logging.LogRecord) -> dict[str, Any]:
    if not record.exc_info or record.exc_info[0] is None:
        return {}
    found: dict[str, Any] = {"error": record.exc_info[0].__name__}
    if os.environ.get("MTB_DEBUG") == "1":
        found["traceback"] = logging.Formatter().formatException(record.exc_info)
    return found


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message", "request_id", ...extra fields} on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", ""):
            line["request_id"] = record.request_id  # type: ignore[attr-defined]
        line.update(_fields(record))
        line.update(_error(record))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger message key=value ...` for a person reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds")
        extra = {**_fields(record), **_error(record)}
        if getattr(record, "request_id", ""):
            extra["request_id"] = record.request_id  # type: ignore[attr-defined]
        tail = "".join(f" {key}={value}" for key, value in extra.items() if key != "traceback")
        text = f"{moment} {record.levelname.lower()} {record.name} {record.getMessage()}{tail}"
        return text + (f"\n{extra['traceback']}" if "traceback" in extra else "")


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def _private_file(path: Path) -> None:
    """The log file (and its folder) owner-only before the handler opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)


def handler(settings: Settings) -> logging.Handler:
    """Where the lines go: MTB_LOG_FILE (WatchedFileHandler: logrotate may move it) or
    stderr, formatted by MTB_LOG_FORMAT, each with the request id."""
    if settings.log_file:
        path = Path(settings.log_file)
        _private_file(path)
        chosen: logging.Handler = logging.handlers.WatchedFileHandler(path, encoding="utf-8")
    else:
        chosen = logging.StreamHandler(sys.stderr)
    chosen.setFormatter(formatter(settings.log_format))
    chosen.addFilter(_RequestIdFilter())
    return chosen


def configure_logging(settings: Settings, level: int = logging.INFO) -> logging.Handler:
    """mtb's loggers (`mtb.*`: the access log mtb.access, mtb.app, mtb.jobs) to one handler.
    Called by `mtb serve` before its workers start; replaces a handler set up before."""
    root = logging.getLogger("mtb")
    for old in [h for h in root.handlers if getattr(h, "mtb_handler", False)]:
        root.removeHandler(old)
        old.close()
    chosen = handler(settings)
    chosen.mtb_handler = True  # type: ignore[attr-defined]
    root.addHandler(chosen)
    root.setLevel(level)
    root.propagate = False
    return chosen
