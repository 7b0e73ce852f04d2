"""What the store's method groups (access, cases, cohort, jobs) need from `mtb.store.Store`.

Why a base class: each group lives in its own module and is mixed into `Store`, which owns the
engine and the sessions. Declaring the three hooks here once lets the type checker see every
group's `self._write()` / `self._read()` / `self._audit(...)` calls; it adds no behaviour
(annotations only: `Store` supplies the methods).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, cast

from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import Session


class StoreMixin:
    """Base of the method groups mixed into `Store`."""

    _write: Callable[[], AbstractContextManager[Session]]  # one transaction (Store._write)
    _read: Callable[[], Session]  # a session for reading (Store._read)
    _audit: Callable[..., None]  # an audit entry in that transaction (Store._audit)


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE changed. `Session.execute` is typed as returning a `Result`;
    for an UPDATE or DELETE it is a `CursorResult`, which alone carries `rowcount`."""
    return cast("CursorResult[Any]", result).rowcount
