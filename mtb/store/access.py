"""The store's part of signing in: server-side sessions and the sign-in throttle's counters.

Both live in the case store because every server process must see the same ones (mtb serve
runs several processes behind one port): a session begun in one is valid in the others and
ends in all of them at once; failed guesses counted by one are counted for all. The rules (how
long a session lasts, how failures turn into waiting) are mtb.web's; this module only keeps the
rows, each change in one short transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from mtb.board import Actor
from mtb.store.schema import SignInThrottle, User, WebSession


@dataclass(frozen=True)
class SessionRecord:
    """A stored session and who it belongs to now (None: the account was disabled, or its
    sessions were ended since)."""

    token_hash: str
    user_name: str
    csrf: str
    created_at: datetime
    last_seen: datetime
    actor: Actor | None


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns: they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class AccessMixin:
    """Sessions and throttle counters (mixed into mtb.store.Store)."""

    _write: Callable[[], AbstractContextManager[Session]]
    _read: Callable[[], Session]

    # -- sessions ---------------------------------------------------------------------------

    def open_session(self, token_hash: str, user: str, epoch: int, csrf: str,
                     at: datetime, *, expired_before: datetime | None = None) -> None:
        """Store a new session; sessions last seen before `expired_before` are deleted on the
        way (the table holds live sessions only)."""
        with self._write() as session:
            if expired_before is not None:
                session.execute(delete(WebSession).where(or_(
                    WebSession.last_seen < expired_before,
                    WebSession.created_at < expired_before - timedelta(days=1))))
            session.add(WebSession(token_hash=token_hash, user_name=user, epoch=epoch,
                                   csrf=csrf, created_at=at, last_seen=at))

    def find_session(self, token_hash: str) -> SessionRecord | None:
        """The session and its user's current role, in one query."""
        with self._read() as session:
            row = session.execute(
                select(WebSession, User).join(User, User.name == WebSession.user_name, isouter=True)
                .where(WebSession.token_hash == token_hash)).first()
            if row is None:
                return None
            stored, user = row
            alive = (user is not None and user.active and user.session_epoch == stored.epoch)
            return SessionRecord(stored.token_hash, stored.user_name, stored.csrf,
                                 _aware(stored.created_at), _aware(stored.last_seen),
                                 Actor(user.name, user.role) if alive else None)

    def touch_session(self, token_hash: str, at: datetime) -> None:
        with self._write() as session:
            stored = session.get(WebSession, token_hash)
            if stored is not None:
                stored.last_seen = at

    def close_session(self, token_hash: str) -> None:
        with self._write() as session:
            session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))

    def session_count(self, user: str | None = None) -> int:
        with self._read() as session:
            query = select(WebSession.token_hash)
            if user is not None:
                query = query.where(WebSession.user_name == user)
            return len(session.scalars(query).all())

    @staticmethod
    def _drop_sessions(session: Session, user: str) -> None:
        session.execute(delete(WebSession).where(WebSession.user_name == user))

    # -- sign-in throttle -------------------------------------------------------------------

    def blocked_until(self, keys: list[str], at: datetime) -> datetime | None:
        """The latest moment until which one of `keys` is blocked, when that is after `at`."""
        with self._read() as session:
            until = [_aware(value) for value in session.scalars(
                select(SignInThrottle.blocked_until).where(SignInThrottle.key.in_(keys)))
                if value is not None]
        latest = max(until, default=None)
        return latest if latest is not None and latest > at else None

    def count_failure(self, key: str, at: datetime, window: timedelta,
                      delay: Callable[[int], timedelta | None]) -> tuple[int, datetime | None]:
        """One more failure for `key` (counted afresh when its window has passed); `delay`
        turns the count into a wait, or None. Returns (failures, blocked until)."""
        with self._write() as session:
            session.execute(delete(SignInThrottle).where(
                SignInThrottle.window_start < at - timedelta(days=2)))  # keep the table small
            row = session.get(SignInThrottle, key, with_for_update=True)
            if row is None:
                row = SignInThrottle(key=key, failures=0, window_start=at, blocked_until=None)
                session.add(row)
            elif _aware(row.window_start) + window < at:
                row.failures, row.window_start, row.blocked_until = 0, at, None
            row.failures += 1
            wait = delay(row.failures)
            if wait is not None:
                row.blocked_until = at + wait
            return row.failures, (_aware(row.blocked_until) if row.blocked_until else None)

    def clear_failures(self, key: str) -> None:
        with self._write() as session:
            session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))
