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
  block that address until the window has passed (many names from one place: spraying);
- an address's attempts, right or wrong: more than ATTEMPTS_PER_MINUTE in a minute wait the
  rest of it. Each attempt costs an Argon2 hash (memory-hard, by design some 0.1 s of CPU):
  an anonymous flood from one address once slowed a signed-in colleague's case page from 51
  to 589 ms; now it buys at most ATTEMPTS_PER_MINUTE hashes a minute, counted before hashing
  (so parallel attempts cannot slip past the count).

A blocked attempt is answered 429 with Retry-After before the password is even hashed, and is
not audited (the failures that led to it were).

Why not Flask-Limiter: its counters live in process memory unless a Redis or Memcached server
is run beside mtb (with MTB_WORKERS processes each would count on its own, and a restart would
forget), and its fixed rate windows do not express "waits doubling per account at an address";
the case store is shared by every process already, and failures are written there anyway (the
audit log). Names are compared as typed, case-folded.
What this cannot stop, and the README says so: a guesser with many addresses (a botnet inside
the hospital network) is slowed per address only; clients behind one NAT share an address.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from mtb.store import Store

FREE_FAILURES = 5
MAX_DELAY = timedelta(minutes=15)
ACCOUNT_WINDOW = timedelta(hours=24)  # failures of an account at an address are forgotten
ADDRESS_FAILURES = 30
ADDRESS_WINDOW = timedelta(minutes=15)
ATTEMPTS_PER_MINUTE = 10
ATTEMPT_WINDOW = timedelta(minutes=1)


def account_delay(failures: int) -> timedelta | None:
    """The wait after the `failures`-th failure of one name at one address."""
    if failures < FREE_FAILURES:
        return None
    return min(timedelta(seconds=2 ** (failures - FREE_FAILURES)), MAX_DELAY)


def address_delay(failures: int) -> timedelta | None:
    """The wait after the `failures`-th failure from one address within ADDRESS_WINDOW."""
    return ADDRESS_WINDOW if failures > ADDRESS_FAILURES else None


def attempt_delay(attempts: int) -> timedelta | None:
    """The wait after the `attempts`-th sign-in from one address within a minute."""
    return ATTEMPT_WINDOW if attempts > ATTEMPTS_PER_MINUTE else None


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

    def _attempts_key(self, address: str) -> str:
        return f"t:{self._hash('attempts', address)}"

    def _wait(self, keys: list[str]) -> int:
        now = self._clock()
        until = self._store.blocked_until(keys, now)
        return 0 if until is None else max(1, math.ceil((until - now).total_seconds()))

    def address_wait(self, address: str) -> int:
        """Seconds before anyone may sign in from `address` (0: now)."""
        return self._wait([self._keys("", address)[1], self._attempts_key(address)])

    def wait(self, name: str, address: str) -> int:
        """Seconds before `name` may be tried again from `address` (0: now)."""
        return self._wait([*self._keys(name, address), self._attempts_key(address)])

    def attempt(self, address: str) -> int:
        """Count an attempt from `address` before its password is hashed; the seconds to
        wait when it is one too many (0: go ahead)."""
        now = self._clock()
        _, until = self._store.count_failure(self._attempts_key(address), now, ATTEMPT_WINDOW,
                                             attempt_delay)
        return 0 if until is None or until <= now else max(
            1, math.ceil((until - now).total_seconds()))

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


class RecentBlocks:
    """The addresses this process has just told to wait, until when: a flood from a blocked
    address is answered 429 by `ThrottleGate` before Flask, the store or the body are touched
    (even a 429 from the app costs a database read; thousands a second would cost a core)."""

    def __init__(self, size: int = 10_000) -> None:
        self._until: dict[str, float] = {}
        self._size = size
        self._lock = threading.Lock()

    def block(self, address: str, seconds: int) -> None:
        with self._lock:
            if len(self._until) >= self._size:
                now = time.monotonic()
                self._until = {a: t for a, t in self._until.items() if t > now}
                if len(self._until) >= self._size:
                    self._until.clear()
            self._until[address] = time.monotonic() + seconds

    def wait(self, address: str) -> int:
        until = self._until.get(address)
        if until is None:
            return 0
        left = until - time.monotonic()
        return max(1, math.ceil(left)) if left > 0 else 0


class ThrottleGate:
    """WSGI middleware: a sign-in POST from an address this process has just blocked gets its
    429 at once."""

    def __init__(self, app: Any, blocks: RecentBlocks) -> None:
        self.app = app
        self.blocks = blocks

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == "/login":
            wait = self.blocks.wait(str(environ.get("REMOTE_ADDR", "")))
            if wait:
                body = b"Too many sign-ins from this address: try again later.\n"
                start_response("429 Too Many Requests", [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(body))), ("Retry-After", str(wait)),
                    ("Cache-Control", "no-store")])
                return [body]
        return self.app(environ, start_response)
