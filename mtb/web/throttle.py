"""Sign-in throttling: password guessing is slowed per account and per client address, without
handing an attacker a way to lock a colleague out.

Two counters, kept in the case store so that every server process counts the same failures
(an attacker cannot spread guesses over processes), keyed by keyed hashes (HMAC with the
installation's secret) of what identifies them, never by what was typed:

- an account at an address: the first FREE_FAILURES failures cost nothing (typos), then each
  one doubles the wait before the next attempt from that address for that name: 1 s, 2 s,
  4 s, ... up to MAX_DELAY. A success resets it. An attacker guessing someone's password
  from another address therefore never delays that person's own sign-in;
- an address, whatever the names: more than ADDRESS_FAILURES failures within ADDRESS_WINDOW
  block that address until the window has passed (many names from one place: spraying).

A blocked attempt is answered 429 with Retry-After before the password is even hashed, and is
not audited (the failures that led to it were). Names are compared as typed, case-folded.
What this cannot stop, and the README says so: a guesser with many addresses (a botnet inside
the hospital network) is slowed per address only; clients behind one NAT share an address.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from mtb.store import Store

FREE_FAILURES = 5
MAX_DELAY = timedelta(minutes=15)
ACCOUNT_WINDOW = timedelta(hours=24)  # failures of an account at an address are forgotten
ADDRESS_FAILURES = 30
ADDRESS_WINDOW = timedelta(minutes=15)


def account_delay(failures: int) -> timedelta | None:
    """The wait after the `failures`-th failure of one name at one address."""
    if failures < FREE_FAILURES:
        return None
    return min(timedelta(seconds=2 ** (failures - FREE_FAILURES)), MAX_DELAY)


def address_delay(failures: int) -> timedelta | None:
    """The wait after the `failures`-th failure from one address within ADDRESS_WINDOW."""
    return ADDRESS_WINDOW if failures > ADDRESS_FAILURES else None


class SignInThrottle:
    def __init__(self, store: Store, secret: bytes,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._store = store
        self._secret = secret
        self._clock = clock

    def _hash(self, *parts: str) -> str:
        message = "\0".join(parts).encode("utf-8", "surrogatepass")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:40]

    def _keys(self, name: str, address: str) -> tuple[str, str]:
        return (f"n:{self._hash('account', name.strip().casefold(), address)}",
                f"a:{self._hash('address', address)}")

    def wait(self, name: str, address: str) -> int:
        """Seconds before `name` may be tried again from `address` (0: now)."""
        now = self._clock()
        until = self._store.blocked_until(list(self._keys(name, address)), now)
        return 0 if until is None else max(1, math.ceil((until - now).total_seconds()))

    def failed(self, name: str, address: str) -> bool:
        """Count a failure; True when it starts a wait (worth an audit entry)."""
        now = self._clock()
        account, place = self._keys(name, address)
        _, account_until = self._store.count_failure(account, now, ACCOUNT_WINDOW,
                                                     account_delay)
        _, place_until = self._store.count_failure(place, now, ADDRESS_WINDOW, address_delay)
        return any(until is not None and until > now for until in (account_until, place_until))

    def succeeded(self, name: str, address: str) -> None:
        """The person knew the password: their account's count at this address starts
        again (the address's count does not: a guesser with one valid account of their own
        could otherwise reset it between guesses)."""
        self._store.clear_failures(self._keys(name, address)[0])
