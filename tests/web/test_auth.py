"""Sign-in, sessions, CSRF and role checks at the web server (Flask's test client: no browser).

The promise: a request that does not come from a signed-in user's page, or comes from a user
whose role does not allow the write, changes nothing, whatever the request says."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.web.conftest import PASSWORD

LUNG = "synthetic-egfr-lung"


def _csrf(client: Any, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def _sign_in(client: Any, name: str, password: str = PASSWORD, nxt: str = "/") -> Any:
    return client.post(f"/login?next={nxt}", data={
        "csrf": _csrf(client), "name": name, "password": password})


def _status_request(app: Any, client: Any, status: str, token: str | None) -> Any:
    """The request the status buttons send (pattern-matching input), built as Dash builds it."""
    specs = json.loads(client.get("/_dash-dependencies").get_data(as_text=True))
    [spec] = [s for s in specs if s["output"].startswith("..reload.href")
              and "status-button" in json.dumps(s["inputs"])]
    button = {"status": status, "type": "status-button"}
    payload = {
        "output": spec["output"],
        "outputs": [{"id": "reload", "property": "href"},
                    {"id": "board-message", "property": "children"}],
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True)
                           + ".n_clicks"],
        "state": [{"id": "case-id", "property": "data", "value": LUNG},
                  {"id": "summary-version", "property": "data", "value": 0}],
    }
    headers = {"X-CSRFToken": token} if token else {}
    return client.post("/_dash-update-component", json=payload, headers=headers)


@pytest.fixture
def client(app):
    app.server.config["TESTING"] = True
    return app.server.test_client()


def test_everything_needs_a_signed_in_user(client) -> None:
    response = client.get(f"/case/{LUNG}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/assets/10_mtb.css").status_code == 200  # the sign-in page's style


def test_sign_in_wrong_password_and_cookie_flags(client) -> None:
    wrong = _sign_in(client, "vera", "not-the-password")
    assert wrong.status_code == 200 and "Name or password is wrong" in wrong.get_data(True)
    right = _sign_in(client, "vera", nxt="/case/synthetic-egfr-lung")
    assert right.status_code == 302 and right.headers["Location"] == f"/case/{LUNG}"
    cookies = right.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("mtb_session="))
    assert "HttpOnly" in session and "SameSite=Strict" in session
    assert any(c.startswith("_csrf_token=") for c in cookies)
    assert client.get(f"/case/{LUNG}").status_code == 200


def test_no_open_redirect_after_sign_in(client) -> None:
    response = _sign_in(client, "vera", nxt="https://evil.example/phish")
    assert response.headers["Location"] == "/"
    response = _sign_in(client, "vera", nxt="//evil.example")
    assert response.headers["Location"] == "/"


def test_sign_in_form_needs_its_token(client) -> None:
    response = client.post("/login", data={"csrf": "forged", "name": "vera",
                                           "password": PASSWORD})
    assert "form expired" in response.get_data(True)
    assert client.get("/_dash-layout").status_code == 401


def test_callbacks_need_the_csrf_header(app, client, store) -> None:
    _sign_in(client, "chef")
    response = _status_request(app, client, "presented", token=None)
    assert response.status_code == 403
    assert store.case_record(LUNG).status == "prepared"


def test_viewer_cannot_change_a_case_by_a_forged_request(app, client, store) -> None:
    """A viewer crafts the chair's status request by hand, with a valid session and token:
    the server refuses it, and nothing changes."""
    _sign_in(client, "vera")
    token = client.get_cookie("_csrf_token").value
    before = store.audit(LUNG)  # the case's registration and annotation
    response = _status_request(app, client, "presented", token=token)
    assert response.status_code == 200
    assert "may not change a case's status" in response.get_data(True)
    assert store.case_record(LUNG).status == "prepared"
    assert store.audit(LUNG) == before


def test_chair_changes_the_status(app, client, store) -> None:
    _sign_in(client, "chef")
    token = client.get_cookie("_csrf_token").value
    response = _status_request(app, client, "presented", token=token)
    answer = json.loads(response.get_data(True))["response"]
    assert response.status_code == 200 and answer["reload"]["href"] == f"/case/{LUNG}"
    assert store.case_record(LUNG).status == "presented"
    entry = store.audit(LUNG)[-1]
    assert (entry.user_name, entry.action) == ("chef", "set_status")


def test_sign_out(client) -> None:
    _sign_in(client, "vera")
    token = client.get_cookie("_csrf_token").value
    response = client.post("/logout", data={"csrf": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/_dash-layout").status_code == 401


def test_a_copied_cookie_stops_working_after_sign_out(app, client) -> None:
    """Flask keeps the session in the cookie itself; the store's session epoch ends it."""
    _sign_in(client, "chef")
    stolen = client.get_cookie("mtb_session").value
    token = client.get_cookie("_csrf_token").value
    client.post("/logout", data={"csrf": token})
    thief = app.server.test_client()
    thief.set_cookie("mtb_session", stolen)
    assert thief.get("/_dash-layout").status_code == 401


def test_a_new_role_ends_the_sessions(app, client, store) -> None:
    _sign_in(client, "chef")
    assert client.get("/_dash-layout").status_code == 200
    store.change_user("chef", role="viewer")
    assert client.get("/_dash-layout").status_code == 401
    assert [e.action for e in store.audit()][-2:] == ["sign_in", "change_user"]


def test_only_the_sign_in_page_and_assets_are_public(client) -> None:
    for path in ("/loginx", "/login/../case/x", "/assets/../case/x", "/_dash-layout"):
        assert client.get(path).status_code in (302, 401, 404), path
    assert client.get("/loginx").status_code == 302  # to the sign-in page, not the app
