"""Single sign-on (issue 16 item 3) against a real OpenID provider: panva's certified
oidc-provider on Node.js, started on 127.0.0.1 (tests/security/oidc_live.py). Nothing of the
provider is mocked: codes, tokens, keys and sign-out are the provider's own."""

from __future__ import annotations

import re
import time

import pytest
import requests

from mtb.store.access import FEDERATED
from tests.security.live import HOST, free_port
from tests.security.oidc_live import (
    CLIENT_ID,
    CLIENT_SECRET,
    ROLE_NAMES,
    Mtb,
    at_provider,
    begin,
    mtb_server,
    provider,
    query,
    refresh_target,
    sign_in,
    with_user,
)
from tests.web.conftest import PASSWORD
from tests.web.conftest import USERS as LOCAL_USERS

PROVIDER_NAME = "Synthetic Test Provider"


@pytest.fixture(scope="module")
def sso(tmp_path_factory, data_dir):
    """The provider and an mtb server signing in through it (userinfo carries the roles, as
    oidc-provider's default and many Keycloak set-ups have it), with the local accounts too."""
    from mtb.store import Store

    folder = tmp_path_factory.mktemp("oidc")
    port = free_port()
    base = f"http://{HOST}:{port}"
    store = Store.open(f"sqlite:///{folder / 'store.sqlite'}")
    for name, role in LOCAL_USERS.items():
        store.add_user(name, role, PASSWORD)
    with provider(folder / "provider.log", f"{base}/oidc/callback", f"{base}/login") as op, \
            mtb_server(port, store, data_dir, MTB_OIDC_ISSUER=op.issuer,
                       MTB_OIDC_CLIENT_ID=CLIENT_ID, MTB_OIDC_CLIENT_SECRET=CLIENT_SECRET,
                       MTB_OIDC_ROLES=ROLE_NAMES, MTB_OIDC_PROVIDER_NAME=PROVIDER_NAME) as mtb:
        yield op, mtb
    store.close()


def events(store, user: str, action: str) -> list:
    return [entry for entry in store.audit() if entry.user_name == user
            and entry.action == action]


def signed_in(http: requests.Session, mtb: Mtb) -> bool:
    """Whether mtb serves its app page to this session (not the way to the sign-in page)."""
    answer = http.get(f"{mtb.url}/", allow_redirects=False, timeout=30)
    return answer.status_code == 200


def test_sign_in_page_offers_the_provider_beside_the_local_form(sso):
    _, mtb = sso
    page = requests.get(f"{mtb.url}/login?next=/case/x", timeout=30).text
    assert f"Sign in with {PROVIDER_NAME}" in page
    assert 'href="/oidc/login?next=/case/x"' in page
    assert 'id="login-form"' in page  # local accounts keep working
    http = requests.Session()
    token = re.search(r'name="csrf" value="([^"]+)"', http.get(f"{mtb.url}/login").text)
    answer = http.post(f"{mtb.url}/login", data={"csrf": token.group(1), "name": "cura",
                                                  "password": PASSWORD},
                       allow_redirects=False, timeout=30)
    assert answer.status_code == 302 and signed_in(http, mtb)


def test_round_trip_through_the_provider_signs_in_with_the_mapped_role(sso):
    op, mtb = sso
    http = requests.Session()
    authorization = begin(http, mtb, "/trials")
    asked = query(authorization)
    assert authorization.startswith(f"{op.issuer}/auth?")
    assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert "code_verifier" not in asked  # the verifier stays with mtb (its signed cookie)
    assert len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32
    assert asked["redirect_uri"] == f"{mtb.url}/oidc/callback"
    assert set(asked["scope"].split()) == {"openid", "profile", "email"}
    assert not signed_in(http, mtb)

    callback = at_provider(http, mtb, with_user(authorization, "sso-chair"))
    assert "code" in query(callback) and query(callback)["state"] == asked["state"]
    answer = http.get(callback, allow_redirects=False, timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    assert refresh_target(answer.text) == "/trials"
    session_cookie = answer.headers["Set-Cookie"]
    assert "mtb_session=" in session_cookie and "HttpOnly" in session_cookie
    assert "SameSite=Strict" in session_cookie
    assert signed_in(http, mtb)

    # the account: created on this first sign-in, no password opens it
    store = mtb.store
    assert store.actor("sso-chair").role == "chair"
    assert store.authenticate("sso-chair", "") is None
    assert store.session_count("sso-chair") == 1
    added = events(store, "single sign-on", "add_user")
    assert any('"sso-chair"' in entry.after and '"chair"' in entry.after for entry in added)
    # audited like a local sign-in: one sign_in event, from the address, saying how
    sign_ins = events(store, "sso-chair", "sign_in")
    assert len(sign_ins) == 1 and sign_ins[0].entity == "event"
    assert sign_ins[0].entity_key.startswith(f"from {HOST} via single sign-on")
    local = events(store, "cura", "sign_in")
    assert local and local[0].entity == sign_ins[0].entity

    # a second sign-in: the same account (found by the provider's subject), a new session
    again = requests.Session()
    assert sign_in(again, mtb, "sso-chair").status_code == 200
    assert store.session_count("sso-chair") == 2
    assert len(events(store, "single sign-on", "add_user")) == len(added)


def test_several_provider_roles_give_the_highest_mtb_role(sso):
    _, mtb = sso
    assert sign_in(requests.Session(), mtb, "sso-two").status_code == 200
    assert mtb.store.actor("sso-two").role == "curator"


@pytest.mark.parametrize("user", ["sso-nobody", "sso-noclaim"])
def test_without_a_mapped_role_the_user_is_refused(sso, user):
    """The default (MTB_OIDC_DEFAULT_ROLE empty): no account, no session, a sentence, and an
    audit entry with the reason."""
    _, mtb = sso
    http = requests.Session()
    answer = sign_in(http, mtb, user)
    assert answer.status_code == 403
    assert "has no role in mtb" in answer.text and "Traceback" not in answer.text
    assert "mtb_session=" not in answer.headers.get("Set-Cookie", "")
    assert not mtb.store.user_exists(user) and not signed_in(http, mtb)
    failed = events(mtb.store, user, "sign_in_failed")
    assert failed and "no mtb role" in failed[-1].entity_key


def test_a_local_account_is_never_taken_over(sso):
    """The provider's 'chef' (an admin there) is not the local chair 'chef'."""
    _, mtb = sso
    answer = sign_in(requests.Session(), mtb, "chef")
    assert answer.status_code == 403 and "does not sign in through this provider" in answer.text
    assert mtb.store.actor("chef").role == "chair"
    assert mtb.store.authenticate("chef", PASSWORD) is not None


def test_an_account_disabled_in_mtb_stays_disabled(sso):
    _, mtb = sso
    assert sign_in(requests.Session(), mtb, "sso-viewer").status_code == 200
    mtb.store.change_user("sso-viewer", active=False)
    answer = sign_in(requests.Session(), mtb, "sso-viewer")
    assert answer.status_code == 403 and "disabled" in answer.text
    mtb.store.change_user("sso-viewer", active=True)


def test_tampered_state_is_refused(sso):
    _, mtb = sso
    http = requests.Session()
    callback = at_provider(http, mtb, with_user(begin(http, mtb), "sso-chair"))
    state = query(callback)["state"]
    tampered = callback.replace(f"state={state}", f"state={state[:-2]}xx")
    answer = http.get(tampered, allow_redirects=False, timeout=30)
    assert answer.status_code == 400 and not signed_in(http, mtb)
    assert "Traceback" not in answer.text and "Single sign-on failed" in answer.text
    failed = events(mtb.store, "(unknown name)", "sign_in_failed")
    assert "state does not match" in failed[-1].entity_key
    # the state cookie was for one use: the genuine callback now finds none either
    answer = http.get(callback, allow_redirects=False, timeout=30)
    assert answer.status_code == 400 and not signed_in(http, mtb)


def test_a_callback_without_this_browsers_state_cookie_is_refused(sso):
    """A code and state sent to someone else's browser (login CSRF): their browser has no
    state cookie, or a forged one."""
    _, mtb = sso
    http = requests.Session()
    callback = at_provider(http, mtb, with_user(begin(http, mtb), "sso-chair"))
    victim = requests.Session()
    answer = victim.get(callback, allow_redirects=False, timeout=30)
    assert answer.status_code == 400 and "not begun here" in answer.text
    victim.cookies.set("mtb_oidc", http.cookies.get("mtb_oidc")[:-3] + "abc",
                       path="/oidc/callback")
    answer = victim.get(callback, allow_redirects=False, timeout=30)
    assert answer.status_code == 400 and not signed_in(victim, mtb)
    assert "no valid state cookie" in events(mtb.store, "(unknown name)",
                                             "sign_in_failed")[-1].entity_key


def test_an_id_token_for_another_nonce_is_refused(sso):
    """An authorization for the same state and PKCE challenge but another nonce (an ID token
    replayed from another sign-in): the provider issues it, mtb refuses it."""
    _, mtb = sso
    http = requests.Session()
    authorization = begin(http, mtb)
    nonce = query(authorization)["nonce"]
    other = authorization.replace(f"nonce={nonce}", "nonce=another-sign-ins-nonce-0123456789")
    answer = http.get(at_provider(http, mtb, with_user(other, "sso-chair")),
                      allow_redirects=False, timeout=30)
    assert answer.status_code == 400 and not signed_in(http, mtb)
    reason = events(mtb.store, "(unknown name)", "sign_in_failed")[-1].entity_key
    assert "ID token refused" in reason and "nonce" in reason


def test_a_code_is_worthless_without_its_pkce_verifier(sso):
    op, mtb = sso
    discovery = requests.get(f"{op.issuer}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    http = requests.Session()
    callback = at_provider(http, mtb, with_user(begin(http, mtb), "sso-chair"))
    code = query(callback)["code"]
    for verifier in ({}, {"code_verifier": "x" * 64}):  # intercepted: no verifier, or a guess
        answer = requests.post(discovery["token_endpoint"], auth=(CLIENT_ID, CLIENT_SECRET),
                               data={"grant_type": "authorization_code", "code": code,
                                     "redirect_uri": f"{mtb.url}/oidc/callback", **verifier},
                               timeout=10)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"

    # mtb's own: a state cookie of another sign-in holds another verifier; the provider
    # refuses the exchange and mtb says so
    http = requests.Session()
    first = at_provider(http, mtb, with_user(begin(http, mtb), "sso-chair"))
    second_state = query(begin(http, mtb))["state"]  # its cookie replaces the first's
    crossed = first.replace(f"state={query(first)['state']}", f"state={second_state}")
    answer = http.get(crossed, allow_redirects=False, timeout=30)
    assert answer.status_code == 400 and not signed_in(http, mtb)
    reason = events(mtb.store, "(unknown name)", "sign_in_failed")[-1].entity_key
    assert "token endpoint refused" in reason

    # and the provider takes no authorization request without a challenge
    asked = query(begin(requests.Session(), mtb))
    asked.pop("code_challenge")
    asked.pop("code_challenge_method")
    answer = requests.get(f"{op.issuer}/auth", params=asked, allow_redirects=False, timeout=10)
    assert answer.is_redirect and "error=invalid_request" in answer.headers["Location"]


def test_the_providers_refusal_is_a_sentence(sso):
    _, mtb = sso
    http = requests.Session()
    answer = http.get(at_provider(http, mtb, with_user(begin(http, mtb), "no-such-user")),
                      allow_redirects=False, timeout=30)
    assert answer.status_code == 400 and "did not sign you in" in answer.text
    assert "the provider answered access_denied" in events(
        mtb.store, "(unknown name)", "sign_in_failed")[-1].entity_key


def test_sign_out_ends_the_session_at_mtb_and_at_the_provider(sso):
    op, mtb = sso
    http = requests.Session()
    assert sign_in(http, mtb, "sso-two").status_code == 200
    before = len(op.events("end_session.success"))
    csrf = http.cookies.get("_csrf_token")
    answer = http.post(f"{mtb.url}/logout", headers={"X-CSRFToken": csrf},
                       allow_redirects=False, timeout=30)
    assert answer.status_code == 200
    onward = refresh_target(answer.text)
    assert onward.startswith(f"{op.issuer}/session/end?")
    asked = query(onward)
    assert asked["post_logout_redirect_uri"] == f"{mtb.url}/login"
    assert asked["client_id"] == CLIENT_ID and asked["id_token_hint"].count(".") == 2
    # mtb's part: every session of the user ended, audited
    assert not signed_in(http, mtb) and mtb.store.session_count("sso-two") == 0
    assert events(mtb.store, "sso-two", "sign_out")
    assert "mtb_oidc_id" not in http.cookies.get_dict()

    # the provider's part: its confirmation form, then back to mtb's sign-in page
    page = http.get(onward, timeout=30)
    assert page.status_code == 200, page.text[:300]
    form = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text)
    answer = http.post(requests.compat.urljoin(onward, form.group(1)),
                       data={"xsrf": xsrf.group(1), "logout": "yes"},
                       allow_redirects=False, timeout=30)
    assert answer.is_redirect
    assert answer.headers["Location"].startswith(f"{mtb.url}/login")
    deadline = time.monotonic() + 5
    while len(op.events("end_session.success")) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(op.events("end_session.success")) == before + 1
    # the provider's session is gone: signing in again asks the provider to sign in
    again = http.get(begin(http, mtb), allow_redirects=False, timeout=30)
    assert "/interaction/" in again.headers["Location"]


def test_sign_out_of_a_local_account_stays_at_mtb(sso):
    _, mtb = sso
    http = requests.Session()
    token = re.search(r'name="csrf" value="([^"]+)"', http.get(f"{mtb.url}/login").text)
    http.post(f"{mtb.url}/login", data={"csrf": token.group(1), "name": "vera",
                                        "password": PASSWORD}, timeout=30)
    answer = http.post(f"{mtb.url}/logout", headers={"X-CSRFToken":
                                                     http.cookies.get("_csrf_token")},
                       allow_redirects=False, timeout=30)
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"


def test_keycloak_style_roles_in_the_id_token_default_role_and_no_local_form(
        tmp_path, data_dir):
    """realm_access.roles in the ID token (Keycloak's mapper with 'Add to ID token'), a default
    role for users without a mapped one, and the local form turned off."""
    from mtb.store import Store

    port = free_port()
    base = f"http://{HOST}:{port}"
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.add_user("vera", "viewer", PASSWORD)
    with provider(tmp_path / "provider.log", f"{base}/oidc/callback", f"{base}/login",
                  id_token_claims=True) as op, \
            mtb_server(port, store, data_dir, MTB_OIDC_ISSUER=op.issuer,
                       MTB_OIDC_CLIENT_ID=CLIENT_ID, MTB_OIDC_CLIENT_SECRET=CLIENT_SECRET,
                       MTB_OIDC_ROLE_CLAIM="realm_access.roles", MTB_OIDC_ROLES=ROLE_NAMES,
                       MTB_OIDC_DEFAULT_ROLE="viewer", MTB_LOCAL_SIGN_IN="0") as mtb:
        assert sign_in(requests.Session(), mtb, "sso-chair").status_code == 200
        assert store.actor("sso-chair").role == "chair"
        http = requests.Session()
        assert sign_in(http, mtb, "sso-nobody").status_code == 200
        assert store.actor("sso-nobody").role == "viewer" and signed_in(http, mtb)

        page = requests.get(f"{mtb.url}/login", timeout=30).text
        assert "Sign in with single sign-on" in page and 'id="login-form"' not in page
        http = requests.Session()
        http.get(f"{mtb.url}/login", timeout=30)
        answer = http.post(f"{mtb.url}/login", data={"csrf": "x", "name": "vera",
                                                      "password": PASSWORD}, timeout=30)
        assert answer.status_code == 403 and "turned off" in answer.text
        assert not signed_in(http, mtb)
    store.close()


def test_without_an_issuer_nothing_changes(tmp_path, data_dir):
    from flask.testing import FlaskClient

    from mtb.config import Settings
    from mtb.store import Store
    from mtb.web import create_app

    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    app = create_app(Settings.load(environ={"MTB_DATA_DIR": str(data_dir)}), store=store)
    client: FlaskClient = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "oidc" not in page and 'id="login-form"' in page
    assert client.get("/oidc/login").status_code == 302  # not public: to the sign-in page
    assert client.get("/oidc/login").headers["Location"].startswith("/login")
    store.close()


def test_federated_accounts_follow_the_providers_role(tmp_path):
    """A role changed at the provider changes mtb's at the next sign-in, ending the user's
    other sessions like any role change, audited."""
    from datetime import UTC, datetime

    from mtb.errors import AccessError
    from mtb.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert store.federated_sign_in("ada", "viewer", "link-1", by="single sign-on").role == \
        "viewer"
    store.open_session("hash", "ada", store.session_epoch("ada"), "csrf", datetime.now(UTC))
    assert store.federated_sign_in("ada", "chair", "link-1", by="single sign-on").role == \
        "chair"
    assert store.session_count("ada") == 0
    changed = [entry for entry in store.audit() if entry.action == "change_user"]
    assert '"viewer"' in changed[-1].before and '"chair"' in changed[-1].after
    # a new name at the provider: the same account (by subject), its first name kept
    assert store.federated_sign_in("ada.l", "chair", "link-1", by="single sign-on").name == \
        "ada"
    # another subject with that name is not this account
    with pytest.raises(AccessError):
        store.federated_sign_in("ada", "chair", "link-2", by="single sign-on")
    assert store.user_exists("ada") and not store.user_exists("ada.l")
    assert store.authenticate("ada", FEDERATED + "link-1") is None
    store.close()


# -- the ID token's checks, one by one (the provider above only ever signs good ones) ---------

def _own_provider():
    """mtb's validator with a key set of the test's own (a provider's JWKS as discovery would
    give it): tokens the real provider would never sign."""
    from joserfc.jwk import KeySet, RSAKey

    from mtb.web.oidc import Provider, SignOnConfig

    key = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})
    validator = Provider(SignOnConfig("https://op.example", "mtb", "client-secret"))
    validator._metadata = {"issuer": "https://op.example", "authorization_endpoint": "-",
                           "token_endpoint": "-", "jwks_uri": "-",
                           "id_token_signing_alg_values_supported": ["RS256", "HS256"]}
    validator._fetched = time.monotonic()
    validator._keys = KeySet([key])
    return validator, key


def _claims(**changes):
    now = int(time.time())
    claims = {"iss": "https://op.example", "sub": "s-1", "aud": "mtb", "iat": now,
              "exp": now + 300, "nonce": "n-1"}
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


@pytest.mark.parametrize(("changes", "why"), [
    ({}, None),
    ({"aud": ["mtb"]}, None),
    ({"iss": "https://other.example"}, "Invalid claim: 'iss'"),
    ({"aud": "another-client"}, "Invalid claim: 'aud'"),
    ({"exp": int(time.time()) - 3600}, "ExpiredTokenError"),
    ({"nonce": "n-2"}, "Invalid claim: 'nonce'"),
    ({"nonce": None}, "Missing claim: 'nonce'"),
    ({"exp": None}, "Missing claim: 'exp'"),
])
def test_id_token_claims_are_checked(changes, why):
    from joserfc import jwt

    from mtb.web.oidc import SignOnError

    validator, key = _own_provider()
    token = jwt.encode({"alg": "RS256", "kid": "k1"}, _claims(**changes), key)
    if why is None:
        assert validator.validate_id_token(token, "n-1", "")["sub"] == "s-1"
    else:
        with pytest.raises(SignOnError) as refused:
            validator.validate_id_token(token, "n-1", "")
        assert refused.value.reason.startswith("ID token refused") and why in \
            refused.value.reason


def test_id_token_signatures_are_checked(sso):
    """Against the real provider's JWKS: a token signed by another key under the provider's
    key id, an unknown key id (the keys are read again, then refused), 'none', and HS256 with
    the client secret as key."""
    from joserfc import jwt
    from joserfc.jwk import OctKey, RSAKey

    from mtb.config import Settings
    from mtb.web.oidc import Provider, SignOnConfig, SignOnError

    op, _ = sso
    settings = Settings.load(environ={"MTB_OIDC_ISSUER": op.issuer,
                                      "MTB_OIDC_CLIENT_ID": CLIENT_ID,
                                      "MTB_OIDC_CLIENT_SECRET": CLIENT_SECRET})
    validator = Provider(SignOnConfig.from_settings(settings))
    kid = validator.keys().keys[0].kid
    claims = _claims(iss=op.issuer, aud=CLIENT_ID)
    forged = [jwt.encode({"alg": "RS256", "kid": kid}, claims, RSAKey.generate_key(2048)),
              jwt.encode({"alg": "RS256", "kid": "unknown"}, claims,
                         RSAKey.generate_key(2048)),
              jwt.encode({"alg": "HS256", "kid": kid}, claims, OctKey.import_key(CLIENT_SECRET),
                         algorithms=["HS256"])]
    payload = jwt.encode({"alg": "HS256"}, claims, OctKey.generate_key(256)).split(".")[1]
    forged.append(f"eyJhbGciOiJub25lIn0.{payload}.")  # {"alg":"none"}, no signature
    for token in forged:
        with pytest.raises(SignOnError, match="ID token refused"):
            validator.validate_id_token(token, "n-1", "")


def test_role_mapping_and_settings():
    from mtb.board import ROLES
    from mtb.config import _ROLES, Settings
    from mtb.errors import ConfigError
    from mtb.web.oidc import SignOnConfig, claim_at, map_role

    assert _ROLES == ROLES
    config = SignOnConfig("https://op.example", "mtb", "secret", role_claim="realm_access.roles",
                          roles=(("mtb-chair", "chair"), ("mtb-viewer", "viewer")))
    assert map_role({"realm_access": {"roles": ["x", "mtb-viewer", "mtb-chair"]}}, config) == \
        "chair"
    assert map_role({"realm_access": {"roles": ["chair"]}}, config) is None  # unmapped name
    assert map_role({"realm_access": "mtb-chair"}, config) is None
    assert map_role({}, config) is None
    spaced = SignOnConfig("https://op.example", "mtb", "s", role_claim="groups")
    assert map_role({"groups": "viewer curator"}, spaced) == "curator"  # mtb's own names
    assert map_role({"groups": ["admin"]}, spaced) == "admin"
    lenient = SignOnConfig("https://op.example", "mtb", "s", default_role="viewer")
    assert map_role({"roles": ["nurse"]}, lenient) == "viewer"
    assert claim_at({"https://site/roles": ["a"]}, "https://site/roles") == ["a"]
    settings = Settings.load(environ={"MTB_OIDC_CLIENT_SECRET": "very-secret",
                                      "MTB_OIDC_ROLES": "mtb-chair=chair, mtb-x = Viewer"})
    assert "very-secret" not in repr(settings)
    assert settings.oidc_roles == {"mtb-chair": "chair", "mtb-x": "viewer"}
    assert "very-secret" not in repr(SignOnConfig("https://a", "b", "very-secret"))
    for env, value in (("MTB_OIDC_ROLES", "mtb-chair=boss"), ("MTB_OIDC_DEFAULT_ROLE", "boss"),
                       ("MTB_OIDC_ISSUER", "http://sso.example.org/realms/x")):
        with pytest.raises(ConfigError, match=env):
            Settings.load(environ={env: value})


@pytest.mark.browser
def test_in_a_browser_the_button_signs_in_and_sign_out_reaches_the_provider(
        dash_duo, screenshot, tmp_path, data_dir):
    """Chromium: the sign-in button, the provider, back to the app signed in (the Strict
    session cookie is sent after the callback's page), and the sign-out button through the
    provider's sign-out page back to mtb's sign-in page."""
    from selenium.webdriver.common.by import By

    from mtb.store import Store
    from tests.web.conftest import wait_until

    port = free_port()
    base = f"http://{HOST}:{port}"
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with provider(tmp_path / "provider.log", f"{base}/oidc/callback", f"{base}/login",
                  default_user="sso-chair") as op, \
            mtb_server(port, store, data_dir, MTB_OIDC_ISSUER=op.issuer,
                       MTB_OIDC_CLIENT_ID=CLIENT_ID, MTB_OIDC_CLIENT_SECRET=CLIENT_SECRET,
                       MTB_OIDC_ROLES=ROLE_NAMES, MTB_OIDC_PROVIDER_NAME=PROVIDER_NAME):
        driver = dash_duo.driver
        driver.get(f"{base}/login?next=/trials")
        screenshot("oidc_sign_in_page")
        driver.find_element(By.ID, "oidc-button").click()
        dash_duo.wait_for_text_to_equal("#user-name", "sso-chair (chair)", timeout=30)
        assert driver.current_url == f"{base}/trials"
        driver.find_element(By.ID, "sign-out").click()
        wait_until(lambda: driver.current_url.startswith(f"{op.issuer}/session/end"))
        driver.find_element(By.CSS_SELECTOR, "button[name=logout]").click()
        wait_until(lambda: driver.current_url.startswith(f"{base}/login"))
        dash_duo.wait_for_element("#oidc-button", timeout=10)
        wait_until(lambda: op.events("end_session.success"))
        assert store.session_count("sso-chair") == 0
    store.close()
