"""Single sign-on with OpenID Connect, beside local accounts (Authlib as the OAuth client).

How it goes (the authorization code flow of OpenID Connect Core 1.0 with PKCE, RFC 7636):
- /oidc/login sends the browser to the provider's authorization endpoint (found through its
  discovery document, /.well-known/openid-configuration) with a fresh `state`, `nonce` and
  PKCE challenge (S256). The three secrets and the page to return to travel in a cookie
  signed with the installation's key (mtb.web.auth.secret_key): HttpOnly, SameSite=Lax (sent
  on the provider's redirect back, a top-level GET from another site), for /oidc/callback
  only, ten minutes long. Nothing is kept in server memory: every `mtb serve` process can
  take the callback.
- /oidc/callback checks `state` against the cookie (and the `iss` parameter, RFC 9207, when the
  provider sends it), redeems the code at the token endpoint with the client secret and the
  PKCE verifier (a code intercepted on its way is worthless without the cookie), and validates
  the ID token: signature with a key of the provider's JWKS (fetched again once when a key id
  is unknown: the provider rotated its keys), asymmetric algorithms only, issuer, audience
  (and azp), expiry with a minute of leeway, and the nonce from the cookie.
- The user's name (MTB_OIDC_NAME_CLAIM) and roles (MTB_OIDC_ROLE_CLAIM, a dotted path such as
  Keycloak's realm_access.roles) come from the ID token, or from the userinfo endpoint when
  the ID token does not carry them (its `sub` must be the ID token's). Provider roles map to
  mtb's through MTB_OIDC_ROLES; several give the highest. A user with no mapped role gets
  MTB_OIDC_DEFAULT_ROLE, and is refused when that is empty (the default): a hospital's
  directory holds everyone employed there, and only those the provider names board members
  may read the cases.
- The account is created in mtb's users table on the first sign-in, and its role follows the
  provider's at every sign-in (mtb.store.access.federated_sign_in; no password opens it). A
  local (password) account of the same name is never taken over; an account disabled in mtb
  stays disabled whatever the provider says.
- The session is mtb's own opaque session (mtb.web.auth.Sessions.sign_in), audited as a
  `sign_in` like a local one; every refusal is audited as `sign_in_failed` with its reason
  (under the user's name when the provider vouched for it, else as an unknown name) and
  shown on the sign-in page as a sentence, never a traceback. Refusals count towards the
  address's failed sign-ins (mtb.web.throttle), and an address that must wait gets 429 before
  mtb asks the provider anything; successful sign-ins do not count (a ward's proxy may bring
  everyone's at eight o'clock).
- Sign-out ends mtb's sessions as always, then sends the browser to the provider's
  end_session_endpoint (OpenID Connect RP-Initiated Logout 1.0) with the ID token as
  id_token_hint (kept in an HttpOnly cookie sent only to /logout) and <base>/login as
  post_logout_redirect_uri, so the provider's session ends too.

Both pages that continue to another site after a sign-in or sign-out do so by a page that
refreshes to it (<meta http-equiv="refresh">), not by a redirect: the sign-in page's
SameSite=Strict session cookie is then sent on the first page (a redirect chain begun at the
provider counts as cross-site), and the Content-Security-Policy's form-action 'self' does not
stop the sign-out form's way on to the provider.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.urls import add_params_to_uri
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from flask import Flask, Response, g, redirect, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet, KeySetSerialization
from werkzeug.wrappers import Response as BaseResponse

from mtb.board import ROLES, Actor
from mtb.config import Settings
from mtb.errors import AccessError, MtbError
from mtb.i18n import N_, current_language, gettext, ngettext
from mtb.store import Store
from mtb.web.auth import (
    SIGN_IN_OPTIONS,
    UNKNOWN_NAME,
    Sessions,
    SignInOptions,
    Visit,
    client_address,
    login_page,
    safe_next,
    secret_key,
)
from mtb.web.throttle import SignInThrottle

LOGIN_PATH = "/oidc/login"
CALLBACK_PATH = "/oidc/callback"
STATE_COOKIE = "mtb_oidc"  # state, nonce, PKCE verifier, next page: signed, 10 minutes
ID_TOKEN_COOKIE = "mtb_oidc_id"  # the id_token_hint for sign-out at the provider
STATE_SECONDS = 600
ID_TOKEN_COOKIE_LIMIT = 3800  # a larger ID token is not kept (sign-out then sends client_id)
TIMEOUT = 10  # seconds for each request to the provider
METADATA_SECONDS = 3600  # how long the discovery document is kept
LEEWAY = 60  # seconds of clock difference allowed on exp/iat
# asymmetric signatures only: never "none", never HS* (its key would be the client secret)
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA")
VIA = "single sign-on"  # what the audit log names as the way in and as who added the account
# MTB_OIDC_PROVIDER_NAME's default (mtb.config), translated where the sign-in page shows it
DEFAULT_PROVIDER_NAME = N_("single sign-on")


class SignOnError(MtbError):
    """A single sign-on refused: `reason` goes to the audit log, `message` to the person
    (English, marked with N_: translated when the sign-in page shows it)."""

    def __init__(self, reason: str, message: str = "", name: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message or N_("Single sign-on failed; please try again.")
        self.name = name  # the provider's user name, when it vouched for one


@dataclass(frozen=True)
class SignOnConfig:
    """The single sign-on settings (MTB_OIDC_*)."""

    issuer: str
    client_id: str
    client_secret: str
    role_claim: str = "roles"
    roles: tuple[tuple[str, str], ...] = ()  # (provider role, mtb role); empty: same names
    default_role: str = ""  # "" refuses users without a mapped role
    name_claim: str = "preferred_username"
    scopes: str = "openid profile email"
    provider_name: str = "single sign-on"
    redirect_uri: str = ""  # "" means <the address the browser used>/oidc/callback

    def __repr__(self) -> str:  # the secret is never printed
        return f"SignOnConfig(issuer={self.issuer!r}, client_id={self.client_id!r})"

    @classmethod
    def from_settings(cls, settings: Settings) -> SignOnConfig | None:
        if not settings.oidc_issuer:
            return None
        return cls(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret,
                   settings.oidc_role_claim, tuple(settings.oidc_roles.items()),
                   settings.oidc_default_role, settings.oidc_name_claim, settings.oidc_scopes,
                   settings.oidc_provider_name, settings.oidc_redirect_uri)

    @property
    def scope(self) -> str:
        words = self.scopes.split()
        return " ".join(["openid", *[word for word in words if word != "openid"]])


def claim_at(claims: dict[str, Any], path: str) -> Any:
    """The claim at a dotted path (realm_access.roles), or None. A claim whose own name has a
    dot (Auth0's namespaced https://site/roles) is found by its full name first."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def map_role(claims: dict[str, Any], config: SignOnConfig) -> str | None:
    """mtb's role for the user: the highest of those their provider roles map to, else the
    default role, else None (refused). A role claim may be a list or one string (space or
    comma separated, as some providers send groups)."""
    found = claim_at(claims, config.role_claim)
    if isinstance(found, str):
        theirs = [word for word in re.split(r"[\s,]+", found) if word]
    elif isinstance(found, list):
        theirs = [item for item in found if isinstance(item, str)]
    else:
        theirs = []
    mapping = dict(config.roles) if config.roles else {role: role for role in ROLES}
    ours = {mapping[role] for role in theirs if role in mapping}
    if ours:
        return max(ours, key=ROLES.index)
    return config.default_role or None


def subject_link(issuer: str, subject: str) -> str:
    """What ties an mtb account to one person at one provider (their `sub` is unique and
    never reassigned there): a digest, so the table holds no provider identifiers."""
    return hashlib.sha256(f"{issuer}\0{subject}".encode()).hexdigest()


class Provider:
    """The provider's discovery document and keys, fetched when first needed (never at start:
    the app serves local sign-ins while the provider is down) and kept for an hour."""

    def __init__(self, config: SignOnConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] = {}
        self._fetched = 0.0
        self._keys: KeySet | None = None

    def _get(self, url: str) -> dict[str, Any]:
        answer = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
        answer.raise_for_status()
        body = answer.json()
        if not isinstance(body, dict):
            raise ValueError("not a JSON object")
        return body

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if not self._metadata or time.monotonic() - self._fetched > METADATA_SECONDS:
                try:
                    found = self._get(f"{self.config.issuer}/.well-known/openid-configuration")
                except (requests.RequestException, ValueError) as error:
                    raise SignOnError(f"provider discovery failed ({type(error).__name__})",
                                      N_("The sign-on provider cannot be reached; "
                                         "please try again later.")) from None
                # OpenID Connect Discovery 1.0 section 4.3: the issuer must be the one asked
                if found.get("issuer") != self.config.issuer:
                    raise SignOnError("provider discovery names another issuer",
                                      N_("The sign-on provider is not set up "
                                         "correctly; tell the administrator."))
                missing = [key for key in ("authorization_endpoint", "token_endpoint",
                                           "jwks_uri") if not found.get(key)]
                if missing:
                    raise SignOnError(f"provider discovery lacks {', '.join(missing)}",
                                      N_("The sign-on provider is not set up "
                                         "correctly; tell the administrator."))
                self._metadata, self._fetched, self._keys = found, time.monotonic(), None
            return self._metadata

    def keys(self, *, refresh: bool = False) -> KeySet:
        metadata = self.metadata()
        with self._lock:
            if self._keys is None or refresh:
                try:
                    # the provider's JSON, checked by import_key_set itself
                    jwks = cast("KeySetSerialization", self._get(metadata["jwks_uri"]))
                    self._keys = KeySet.import_key_set(jwks)
                except (requests.RequestException, ValueError, JoseError) as error:
                    raise SignOnError(f"provider keys not read ({type(error).__name__})",
                                      N_("The sign-on provider cannot be reached; "
                                         "please try again later.")) from None
            return self._keys

    def client(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(self.config.client_id, self.config.client_secret,
                             scope=self.config.scope, redirect_uri=redirect_uri,
                             code_challenge_method="S256",
                             token_endpoint_auth_method="client_secret_basic",
                             default_timeout=TIMEOUT)

    def validate_id_token(self, id_token: str, nonce: str, access_token: str) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, expiry and nonce hold
        (SignOnError naming which did not)."""
        allowed = [alg for alg in (self.metadata().get("id_token_signing_alg_values_supported")
                                   or ["RS256"]) if alg in ALGORITHMS]
        try:
            try:
                token = jwt.decode(id_token, self.keys(), algorithms=allowed)
            except InvalidKeyIdError:  # a key the provider added since: read them again
                token = jwt.decode(id_token, self.keys(refresh=True), algorithms=allowed)
            claims = CodeIDToken(
                token.claims, token.header,
                {"iss": {"essential": True, "value": self.config.issuer},
                 "aud": {"essential": True, "value": self.config.client_id}},
                {"nonce": nonce, "client_id": self.config.client_id,
                 "access_token": access_token})
            claims.validate(leeway=LEEWAY)
        except (JoseError, AuthlibBaseError, ValueError, TypeError) as error:
            raise SignOnError(f"ID token refused ({_why(error)})") from None
        if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise SignOnError("ID token refused (nonce)")
        return dict(claims)

    def userinfo(self, access_token: str, subject: str) -> dict[str, Any]:
        endpoint = self.metadata().get("userinfo_endpoint")
        if not endpoint:
            return {}
        try:
            answer = requests.get(endpoint, timeout=TIMEOUT,
                                  headers={"Authorization": f"Bearer {access_token}",
                                           "Accept": "application/json"})
            answer.raise_for_status()
            found = answer.json()
        except (requests.RequestException, ValueError) as error:
            raise SignOnError(f"userinfo not read ({type(error).__name__})") from None
        if not isinstance(found, dict) or found.get("sub") != subject:
            # OpenID Connect Core 5.3.2: another subject's answer must not be used
            raise SignOnError("userinfo names another subject")
        return found


def _why(error: Exception) -> str:
    """A short reason for the audit log (an error's name and claim; never a token)."""
    text = getattr(error, "description", "") or getattr(error, "error", "") or ""
    text = re.sub(r"[^\w .:'\"-]", "", str(text))[:80]
    return f"{type(error).__name__}{': ' + text if text else ''}"


def _onward(url: str, words: str) -> Response:
    """A page that goes on to `url` at once (see the module's docstring for why not a
    redirect), with a link for browsers that do not refresh."""
    target = html.escape(url, quote=True)
    page = (f'<!DOCTYPE html><html lang="{current_language()}"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0;url={target}"><title>mtb</title></head>'
            f'<body><p><a id="onward" href="{target}">{html.escape(words)}</a></p>'
            f"</body></html>")
    return Response(page, mimetype="text/html")


def install_oidc(server: Flask, store: Store, settings: Settings, sessions: Sessions) -> None:
    """Single sign-on on `server` when MTB_OIDC_ISSUER is set (else nothing changes): its two
    routes, its button on the sign-in page, sign-out at the provider, and MTB_LOCAL_SIGN_IN."""
    config = SignOnConfig.from_settings(settings)
    if config is None:
        return
    options: SignInOptions = server.extensions[SIGN_IN_OPTIONS]
    provider = Provider(config)
    key = secret_key(settings.data_dir)
    states = URLSafeTimedSerializer(key, salt="mtb-oidc-state")
    throttle = SignInThrottle(store, key)
    secure = settings.secure_cookies
    options.public_paths |= {LOGIN_PATH, CALLBACK_PATH}
    options.local = settings.local_sign_in
    def provider_name() -> str:
        """MTB_OIDC_PROVIDER_NAME; its default in the reader's language."""
        if config.provider_name == DEFAULT_PROVIDER_NAME:
            return gettext(DEFAULT_PROVIDER_NAME)
        return config.provider_name

    options.local_off_message = lambda: gettext(
        "Sign-in with a name and password is turned off here; sign in with {provider}.",
        provider=provider_name())

    def buttons() -> str:
        """The button (and the divider above the form), in the reader's language; {root}
        and {next} are filled by login_page."""
        label = html.escape(gettext("Sign in with {provider}", provider=provider_name()))
        other = html.escape(gettext("or with your mtb account"))
        divider = (f'<p class="text-center text-muted small my-3">{other}</p>'
                   if options.local else "")
        return (f'<a class="btn btn-primary w-100" id="oidc-button" '
                f'href="{{root}}{LOGIN_PATH}?next={{next}}">{label}</a>{divider}')

    options.buttons_html = buttons

    def base_url() -> str:
        if config.redirect_uri:
            return config.redirect_uri.removesuffix(CALLBACK_PATH)
        return request.host_url.rstrip("/")

    def refused(error: SignOnError, next_path: str, status: int) -> Response:
        address = client_address()
        who = error.name or UNKNOWN_NAME  # a name the provider vouched for, never a guess
        store.log_event(who, "sign_in_failed", detail=f"from {address} via {VIA}: "
                                                      f"{error.reason}"[:500])
        throttle.failed(VIA, address)  # the address's failures: a flood waits, as for passwords
        visit: Visit = g.mtb_visit
        visit.login_csrf = secrets.token_urlsafe(32)  # the page's own form works again
        page = login_page(visit.login_csrf, gettext(error.message), next_path,
                          buttons=options.buttons_html(), local=options.local,
                          root=request.script_root)
        return Response(page, status=status, mimetype="text/html")

    @server.route(LOGIN_PATH)
    def oidc_login() -> Any:
        next_path = safe_next(request.args.get("next"))
        try:
            endpoint = provider.metadata()["authorization_endpoint"]
        except SignOnError as error:
            return refused(error, next_path, 502)
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters (RFC 7636: 43 to 128)
        url, _ = provider.client(base_url() + CALLBACK_PATH).create_authorization_url(
            endpoint, state=state, code_verifier=verifier, nonce=nonce)
        response = redirect(url)
        response.set_cookie(STATE_COOKIE, states.dumps({"state": state, "nonce": nonce,
                                                        "verifier": verifier,
                                                        "next": next_path}),
                            max_age=STATE_SECONDS, path=CALLBACK_PATH, httponly=True,
                            samesite="Lax", secure=secure)
        return response

    @server.route(CALLBACK_PATH)
    def oidc_callback() -> Any:
        address = client_address()
        if (wait := throttle.address_wait(address)) > 0:
            return Response(ngettext("Too many sign-ins from this address: try again in "
                                     "{n} second.", "Too many sign-ins from this address: "
                                     "try again in {n} seconds.", wait),
                            status=429, headers={"Retry-After": str(wait)})
        try:
            saved = states.loads(request.cookies.get(STATE_COOKIE, ""), max_age=STATE_SECONDS)
        except BadSignature:
            saved = None
        next_path = safe_next(saved.get("next") if isinstance(saved, dict) else None)
        try:
            actor, id_token = sign_on(saved)
        except SignOnError as error:
            response = refused(error, next_path, 400 if error.name == "" else 403)
        else:
            g.mtb_visit = sessions.sign_in(actor, g.mtb_visit,
                                           f"from {address} via {VIA} "
                                           f"({urlsplit(config.issuer).netloc})")
            response = _onward(next_path, gettext("Signed in: continue"))
            if len(id_token) <= ID_TOKEN_COOKIE_LIMIT:
                response.set_cookie(ID_TOKEN_COOKIE, id_token, path="/logout", httponly=True,
                                    samesite="Strict", secure=secure,
                                    max_age=int(sessions.policy.absolute.total_seconds()))
        response.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH)  # one use
        return response

    def sign_on(saved: Any) -> tuple[Actor, str]:
        """The callback's checks and exchanges, in order; SignOnError at the first that
        fails."""
        if not isinstance(saved, dict):
            raise SignOnError("no valid state cookie (expired, or not begun in this browser)",
                              N_("The sign-in took too long or was not begun here; "
                                 "please try again."))
        if "error" in request.args:
            code = re.sub(r"[^\w-]", "", request.args.get("error", ""))[:40]
            raise SignOnError(f"the provider answered {code}",
                              N_("The sign-on provider did not sign you in."))
        if not hmac.compare_digest(request.args.get("state", ""), saved["state"]):
            raise SignOnError("state does not match")
        sent_issuer = request.args.get("iss")
        if sent_issuer is not None and sent_issuer != config.issuer:
            raise SignOnError("iss does not match (RFC 9207)")
        code = request.args.get("code", "")
        if not code:
            raise SignOnError("no code")
        metadata = provider.metadata()
        try:
            with provider.client(base_url() + CALLBACK_PATH) as client:
                token = client.fetch_token(metadata["token_endpoint"], code=code,
                                           code_verifier=saved["verifier"],
                                           grant_type="authorization_code")
        except (AuthlibBaseError, requests.RequestException, ValueError, KeyError) as error:
            raise SignOnError(f"token endpoint refused ({_why(error)})") from None
        id_token, access_token = token.get("id_token"), token.get("access_token", "")
        if not isinstance(id_token, str):
            raise SignOnError("no ID token")
        claims = provider.validate_id_token(id_token, saved["nonce"], access_token)
        subject = str(claims["sub"])
        if (claim_at(claims, config.role_claim) is None
                or claim_at(claims, config.name_claim) is None) and access_token:
            claims = {**provider.userinfo(access_token, subject), **claims}
        name = claim_at(claims, config.name_claim)
        if not isinstance(name, str) or not name.strip():
            raise SignOnError(f"no {config.name_claim} claim")
        name = name.strip()
        role = map_role(claims, config)
        if role is None:
            raise SignOnError("no mtb role among the provider's roles",
                              N_("Your account at the sign-on provider has no role in "
                                 "mtb; ask the administrator."), name=name)
        try:
            actor = store.federated_sign_in(name, role, subject_link(config.issuer, subject),
                                            by=VIA)
        except AccessError as error:
            raise SignOnError(str(error), f"{error}.", name=name) from None
        return actor, id_token

    def sign_out() -> BaseResponse | None:
        id_token = request.cookies.get(ID_TOKEN_COOKIE, "")
        if not id_token:
            return None  # a local account's session
        try:
            endpoint = provider.metadata().get("end_session_endpoint")
        except SignOnError:
            endpoint = None
        if not endpoint:
            response = redirect("/login")
        else:
            url = add_params_to_uri(endpoint, [
                ("id_token_hint", id_token), ("client_id", config.client_id),
                ("post_logout_redirect_uri", base_url() + "/login")])
            response = _onward(url, gettext("Signed out of mtb: sign out at the provider too"))
        response.delete_cookie(ID_TOKEN_COOKIE, path="/logout")
        return response

    options.sign_out = sign_out
