"""The store's part of signing in: server-side sessions, the sign-in throttle's counters, and
the list of users (`mtb user list`).

Both live in the case store because every server process must see the same ones (mtb serve
runs several processes behind one port): a session begun in one is valid in the others and
ends in all of them at once; failed guesses counted by one are counted for all. The rules (how
long a session lasts, how failures turn into waiting) are mtb.web's; this module only keeps the
rows, each change in one short transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from mtb.board import ROLES, TEXT_LIMITS, Actor
from mtb.errors import AccessError
from mtb.store.mixin import StoreMixin
from mtb.store.schema import AuditEntry, SignInThrottle, User, WebSession

# The password hash of an account that single sign-on opens: not an Argon2 hash, so no
# password opens it (Store.authenticate refuses it), followed by the provider's link.
FEDERATED = "!federated:"


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


@dataclass(frozen=True)
class UserInfo:
    """A user as `mtb user list` shows them (never the password hash)."""

    name: str
    role: str
    active: bool
    created_at: datetime
    last_sign_in: datetime | None


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns: they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class AccessMixin(StoreMixin):
    """Sessions and throttle counters (mixed into mtb.store.Store)."""

    # -- single sign-on accounts ------------------------------------------------------------

    def federated_sign_in(self, name: str, role: str, link: str, by: str) -> Actor:
        """The account of a user the identity provider vouched for, with the role it gives
        them now: created on their first sign-in, its role updated (and its other sessions
        ended, as any role change does) when the provider's changed. `link` is a digest of the
        provider's issuer and the user's subject: it finds the account again when their name
        changes at the provider (the account keeps its first name: the audit log's entries stay
        theirs). AccessError when the name is a local account's (a password account is never
        taken over) or the account was disabled in mtb. `by`: who the audit log names."""
        name = name.strip()
        if not name or len(name) > TEXT_LIMITS["user_name"]:
            raise AccessError(f"the provider's user name must have 1 to "
                              f"{TEXT_LIMITS['user_name']} characters")
        if role not in ROLES:
            raise AccessError(f"role '{role}' is not one of {', '.join(ROLES)}")
        marker = FEDERATED + link
        with self._write() as session:
            user = session.scalar(select(User).where(User.password_hash == marker))
            if user is None:
                if session.scalar(select(User.id).where(User.name == name)) is not None:
                    raise AccessError(f"the name '{name}' belongs to an account that does not "
                                      "sign in through this provider; ask the administrator")
                session.add(User(name=name, role=role, password_hash=marker, active=True))
                self._audit(session, by, "add_user", "user", name, "", {},
                            {"name": name, "role": role, "sign_in": "single sign-on"})
                return Actor(name, role)
            if not user.active:
                raise AccessError(f"the account '{user.name}' is disabled in mtb")
            if user.role != role:
                before = {"role": user.role, "active": user.active}
                user.role = role
                user.session_epoch += 1
                self._drop_sessions(session, user.name)
                self._audit(session, by, "change_user", "user", user.name, "", before,
                            {"role": role, "active": user.active, "password": "unchanged"})
            return Actor(user.name, user.role)

    # -- users ------------------------------------------------------------------------------

    def users(self) -> list[UserInfo]:
        """Every user by name, with their last sign-in (from the audit log)."""
        with self._read() as session:
            last = dict(session.execute(
                select(AuditEntry.user_name, func.max(AuditEntry.at))
                .where(AuditEntry.action == "sign_in").group_by(AuditEntry.user_name)).all())
            return [UserInfo(user.name, user.role, user.active, _aware(user.created_at),
                             _aware(last[user.name]) if last.get(user.name) else None)
                    for user in session.scalars(select(User).order_by(User.name))]

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
