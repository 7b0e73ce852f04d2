"""Issue 12, point 3 and the session items of point 8: sign-in throttled per account at an
address and per address (429 with Retry-After) without letting an attacker lock a colleague
out; failed sign-ins audited without what was typed unless it is a user's name; opaque
sessions with an absolute and an idle lifetime, valid in every server process."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from mtb.config import Settings
from mtb.store import Store
from mtb.web import create_app
from mtb.web.auth import SessionPolicy, Sessions, token_hash
from mtb.web.throttle import (
    ADDRESS_FAILURES,
    ATTEMPTS_PER_MINUTE,
    FREE_FAILURES,
    MAX_DELAY,
    SignInThrottle,
    account_delay,
)
from tests.web.conftest import PASSWORD

ATTACKER, COLLEAGUE = "10.1.1.66", "10.1.1.20"


@pytest.fixture
def client(app):
    app.server.config["TESTING"] = True
    return app.server.test_client()


def _sign_in(client: Any, name: str, password: str = PASSWORD, address: str = COLLEAGUE) -> Any:
    environ = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=environ).get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"csrf": token, "name": name, "password": password},
                       environ_base=environ)


# -- throttling -------------------------------------------------------------------------------


def test_guessing_one_account_waits_ever_longer_from_that_address(client, store) -> None:
    for _ in range(FREE_FAILURES):
        assert _sign_in(client, "vera", "wrong-guess-123", ATTACKER).status_code == 200
    refused = _sign_in(client, "vera", PASSWORD, ATTACKER)  # even the right one: wait first
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "Too many sign-ins" in refused.get_data(as_text=True)
    assert store.session_count("vera") == 0


def test_an_attacker_does_not_lock_the_colleague_out(client, store) -> None:
    for _ in range(FREE_FAILURES + 3):
        _sign_in(client, "vera", "wrong-guess-123", ATTACKER)
    assert _sign_in(client, "vera", PASSWORD, ATTACKER).status_code == 429
    # vera, at her own desk, signs in at once
    assert _sign_in(client, "vera", PASSWORD, COLLEAGUE).status_code == 302
    assert store.session_count("vera") == 1


def test_one_address_gets_a_few_attempts_a_minute(client, store) -> None:
    """Each attempt costs an Argon2 hash: a flood from one address is cut off before the
    hashing, whatever names it tries."""
    for n in range(ATTEMPTS_PER_MINUTE):
        assert _sign_in(client, f"user{n}", "wrong-guess-123", ATTACKER).status_code == 200
    blocked = _sign_in(client, "cura", PASSWORD, ATTACKER)
    assert blocked.status_code == 429 and 0 < int(blocked.headers["Retry-After"]) <= 60
    assert _sign_in(client, "cura", PASSWORD, COLLEAGUE).status_code == 302  # elsewhere: fine


def test_one_address_guessing_many_names_slowly_is_blocked(store) -> None:
    now = [datetime(2026, 1, 5, 9, 0, tzinfo=UTC)]
    throttle = SignInThrottle(store, b"k" * 32, clock=lambda: now[0])
    for n in range(ADDRESS_FAILURES + 1):  # within the attempts a minute allows
        assert throttle.wait(f"user{n}", ATTACKER) == 0
        assert throttle.attempt(ATTACKER) == 0
        throttle.failed(f"user{n}", ATTACKER)
        now[0] += timedelta(seconds=7)
    assert throttle.wait("cura", ATTACKER) > 10 * 60  # the rest of 15 minutes
    assert throttle.wait("cura", COLLEAGUE) == 0


def test_the_waits_double_up_to_a_cap_and_a_success_resets_them(store, tmp_path) -> None:
    now = [datetime(2026, 1, 5, 9, 0, tzinfo=UTC)]
    throttle = SignInThrottle(store, b"k" * 32, clock=lambda: now[0])
    assert [account_delay(n) for n in range(1, FREE_FAILURES)] == [None] * (FREE_FAILURES - 1)
    assert account_delay(FREE_FAILURES) == timedelta(seconds=1)
    assert account_delay(FREE_FAILURES + 3) == timedelta(seconds=8)
    assert account_delay(FREE_FAILURES + 40) == MAX_DELAY
    waits = []
    for _ in range(FREE_FAILURES + 4):
        throttle.failed("vera", ATTACKER)
        waits.append(throttle.wait("vera", ATTACKER))
        now[0] += timedelta(seconds=waits[-1])  # the attacker waits as told
    assert waits == [0] * (FREE_FAILURES - 1) + [1, 2, 4, 8, 16]
    assert throttle.wait("vera", COLLEAGUE) == 0
    throttle.succeeded("vera", ATTACKER)
    assert throttle.wait("vera", ATTACKER) == 0


# -- the audit of failed sign-ins ---------------------------------------------------------------


def test_failed_sign_ins_store_a_name_only_when_it_is_an_account(client, store) -> None:
    typed_password = "Geheim-Passwort-2026!"
    _sign_in(client, typed_password, "x", COLLEAGUE)  # the password typed into the name field
    _sign_in(client, "vera", "wrong-guess-123", COLLEAGUE)
    failed = [e for e in store.audit() if e.action == "sign_in_failed"]
    assert [e.user_name for e in failed] == ["(unknown name)", "vera"]
    everything = " ".join(f"{e.user_name} {e.entity_key} {e.before} {e.after}"
                          for e in store.audit())
    assert typed_password not in everything
    with store.engine.connect() as connection:  # nor anywhere else in the database
        for table in ("audit_log", "sign_in_throttle", "web_session"):
            rows = connection.execute(text(f"SELECT * FROM {table}")).all()
            assert typed_password not in repr(rows)


# -- sessions -----------------------------------------------------------------------------------


def test_the_session_cookie_is_opaque(client, store) -> None:
    response = _sign_in(client, "vera")
    token = client.get_cookie("mtb_session").value
    padded = token + "=" * (-len(token) % 4)
    decoded = base64.urlsafe_b64decode(padded)
    assert b"vera" not in decoded and "vera" not in token  # nothing readable in it
    assert response.status_code == 302
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM web_session")).scalars().all()
    assert stored == [token_hash(token)] and token not in stored  # only its hash is kept


def test_a_session_is_valid_in_another_server_process(app, store, data_dir, client) -> None:
    """A second app (as in a second worker process) on the same store never saw the sign-in,
    and knows the session."""
    _sign_in(client, "vera")
    other = create_app(Settings.load(environ={"MTB_DATA_DIR": str(data_dir)}), store=store)
    second = other.server.test_client()
    second.set_cookie("mtb_session", client.get_cookie("mtb_session").value)
    assert second.get("/_dash-layout").status_code == 200
    client.post("/logout", data={"csrf": client.get_cookie("_csrf_token").value})
    assert second.get("/_dash-layout").status_code == 401  # ended in every process


@pytest.mark.parametrize(("started", "seen", "alive"), [
    (timedelta(hours=7, minutes=50), timedelta(minutes=5), True),
    (timedelta(hours=8, minutes=1), timedelta(minutes=1), False),  # absolute: 8 h
    (timedelta(hours=1), timedelta(minutes=31), False),  # idle: 30 min
])
def test_sessions_end_after_8_hours_or_30_idle_minutes(store: Store, started, seen,
                                                       alive) -> None:
    sessions = Sessions(store, SessionPolicy())
    now = datetime.now(UTC)
    store.open_session(token_hash("tok"), "vera", store.session_epoch("vera"), "c",
                       now - started)
    store.touch_session(token_hash("tok"), now - seen)
    visit = sessions.find("tok")
    assert (visit.actor is not None) is alive
    if not alive:
        assert visit.ended and store.find_session(token_hash("tok")) is None


def test_the_lifetimes_are_settings() -> None:
    settings = Settings.load(environ={"MTB_SESSION_HOURS": "4",
                                      "MTB_SESSION_IDLE_MINUTES": "15"})
    assert (settings.session_hours, settings.session_idle_minutes) == (4.0, 15.0)
    defaults = Settings.load(environ={})
    assert (defaults.session_hours, defaults.session_idle_minutes) == (8.0, 30.0)
