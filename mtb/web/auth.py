"""Sign-in, sessions and CSRF protection for the web app.

- Passwords are checked by the store (Argon2id hashes). Sign-in is throttled per account at an
  address, per address, and in attempts per address per minute (each costs a hash)
  (mtb.web.throttle: 429 with Retry-After), and every failure is
  audited under the account's name only when such an account exists: a password typed into
  the name field is never stored.
- Sessions are opaque: the cookie carries a random token (HttpOnly, SameSite=Strict, Secure
  with MTB_SECURE_COOKIES=1); the store keeps its SHA-256 with the user, the CSRF token and
  when it began and was last used, so every server process knows every session and nothing
  readable travels in the cookie. A session ends MTB_SESSION_HOURS after sign-in (absolute)
  or after MTB_SESSION_IDLE_MINUTES without a request, at sign-out (all of the user's sessions,
  also copied cookies), and when the user's role, password or account changes.
- The user's role is read from the store on every request; every write checks it again in the
  store itself.
- CSRF: the sign-in form carries a token that must match a signed cookie; after sign-in the
  session holds the token. Dash's renderer sends the `_csrf_token` cookie back as the
  X-CSRFToken header on every callback (a cross-site request can do neither), and POSTs
  without it are refused.
- Every page except the sign-in page and the files in assets/ needs a signed-in user; a path
  under /assets/ that is not one of those files is a 404 (never the app's page).
- Request bodies are limited before they are read (mtb.web.limits, a WSGI middleware).
- Single sign-on (mtb.web.oidc) adds its button, public paths and sign-out at the provider
  through the app's SignInOptions; its sign-ins begin the same sessions, audited the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import html
import math
import os
import secrets
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Flask, Response, g, has_request_context, redirect, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

from mtb.board import TEXT_LIMITS, Actor
from mtb.i18n import current_language, gettext, ngettext
from mtb.resources import assets_dir
from mtb.store import Store
from mtb.web.ops import count_sign_in_failure
from mtb.web.throttle import RecentBlocks, SignInThrottle

SESSION_COOKIE = "mtb_session"
LOGIN_COOKIE = "mtb_login"  # the sign-in form's CSRF token, signed (no session yet)
CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads
CSRF_HEADER = "X-CSRFToken"
PUBLIC_PATHS = frozenset({"/login", "/_favicon.ico"})
ASSETS_PREFIX = "/assets/"
SIGN_IN_OPTIONS = "mtb_sign_in"  # the key of the app's SignInOptions in server.extensions
TOUCH_EVERY = timedelta(seconds=60)  # last_seen is written at most once a minute
UNKNOWN_NAME = "(unknown name)"  # what a failed sign-in with a name no account has is audited as
# Argon2id is memory-hard by design (64 MiB and four threads a hash): sixteen at once stalled
# every request of the machine for seconds. One at a time per process: the others queue for
# the tenth of a second each takes, and signed-in users' requests keep their cores.
_HASHING = threading.BoundedSemaphore(1)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lasts: absolute from sign-in, and idle."""

    absolute: timedelta = timedelta(hours=8)
    idle: timedelta = timedelta(minutes=30)
    secure: bool = False  # cookies over HTTPS only


@dataclass
class Visit:
    """What the server knows about the sender of this request."""

    actor: Actor | None = None
    token_hash: str = ""
    csrf: str = ""
    new_token: str = ""  # set on sign-in: the cookie to send
    ended: bool = False  # sign-out or an expired session: the cookie to clear
    login_csrf: str = ""  # the sign-in form's token (no session)


@dataclass
class SignInOptions:
    """What another way of signing in (mtb.web.oidc) adds to the sign-in page and sign-out."""

    public_paths: set[str] = field(default_factory=set)  # its routes, open without a session
    # shown above the name-and-password form; asked for each page, in the reader's language
    buttons_html: Callable[[], str] = lambda: ""
    local: bool = True  # the name-and-password form; False refuses it
    local_off_message: Callable[[], str] = lambda: ""  # the refusal when `local` is False
    sign_out: Callable[[], BaseResponse | None] | None = None  # onward from sign-out, if anywhere


def secret_key(data_dir: Path) -> bytes:
    """The installation's secret (HMAC keys for the sign-in form and the throttle), created on
    first use as an owner-only file. Several server processes starting at once all read the
    one that was created first: it is written to a temporary file and linked into place."""
    path = Path(data_dir) / "secret_key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_bytes(32).hex())
            os.chmod(temporary, 0o600)
            with contextlib.suppress(FileExistsError):  # another process was first
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return bytes.fromhex(path.read_text().strip())


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def current_actor(store: Store) -> Actor | None:
    """The signed-in user with their current role, or None (also outside a request, and for a
    session that was ended). Read once per request, in `guard`."""
    if not has_request_context():
        return None
    visit = g.get("mtb_visit")
    return visit.actor if visit is not None else None


def csrf_token() -> str:
    visit = g.get("mtb_visit") if has_request_context() else None
    if visit is None:
        return ""
    return visit.csrf or visit.login_csrf


def client_address() -> str:
    """The client's address (behind MTB_PROXIES trusted proxies, werkzeug's ProxyFix has put
    the forwarded one here)."""
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host): no open redirect after sign-in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return "/"
    return target


def is_asset(path: str) -> bool:
    """A file of assets/ (what /assets/<path> may serve without sign-in)."""
    if not path.startswith(ASSETS_PREFIX):
        return False
    relative = path[len(ASSETS_PREFIX):]
    if not relative or ".." in relative.split("/") or "\\" in relative:
        return False
    root = assets_dir().resolve()
    target = (root / relative).resolve()
    return target.is_relative_to(root) and target.is_file()


class Sessions:
    """Opaque sessions in the store, for one app."""

    def __init__(self, store: Store, policy: SessionPolicy) -> None:
        self.store = store
        self.policy = policy

    def find(self, token: str | None) -> Visit:
        if not token or len(token) > 100:
            return Visit()
        hashed = token_hash(token)
        found = self.store.find_session(hashed)
        if found is None:
            return Visit(ended=True)
        now = _now()
        if (found.actor is None or now - found.created_at > self.policy.absolute
                or now - found.last_seen > self.policy.idle):
            self.store.close_session(hashed)
            return Visit(ended=True)
        if now - found.last_seen > TOUCH_EVERY:
            self.store.touch_session(hashed, now)
        return Visit(actor=found.actor, token_hash=hashed, csrf=found.csrf)

    def begin(self, actor: Actor) -> Visit:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = _now()
        self.store.open_session(token_hash(token), actor.name,
                                self.store.session_epoch(actor.name), csrf, now,
                                expired_before=now - max(self.policy.absolute, self.policy.idle))
        return Visit(actor=actor, token_hash=token_hash(token), csrf=csrf, new_token=token)

    def sign_in(self, actor: Actor, previous: Visit, detail: str) -> Visit:
        """A new session for a user who proved who they are (a new token per sign-in: the
        sender's old one ends), audited as a sign-in with `detail`."""
        if previous.token_hash:
            self.store.close_session(previous.token_hash)
        begun = self.begin(actor)
        self.store.log_event(actor.name, "sign_in", detail=detail)
        return begun


def install_auth(server: Flask, store: Store, data_dir: Path, *, secure: bool,
                 policy: SessionPolicy | None = None,
                 blocks: RecentBlocks | None = None) -> Sessions:
    """Sign-in, sessions and CSRF on `server`. `blocks`: where the sign-in records the
    addresses it throttles (mtb.web.throttle.ThrottleGate refuses their floods early)."""
    policy = policy or SessionPolicy(secure=secure)
    blocks = blocks if blocks is not None else RecentBlocks()
    key = secret_key(data_dir)
    server.secret_key = key  # Flask's own cookie session is not used; nothing reads it
    server.config.update(SESSION_COOKIE_NAME="mtb_flask_unused", SESSION_COOKIE_HTTPONLY=True,
                         SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_SECURE=secure)
    sessions = Sessions(store, policy)
    throttle = SignInThrottle(store, key)
    login_tokens = URLSafeTimedSerializer(key, salt="mtb-login-form")
    options = SignInOptions()
    server.extensions[SIGN_IN_OPTIONS] = options

    def login_csrf() -> str:
        """The sign-in form's token: the one its signed cookie holds, or a new one."""
        signed = request.cookies.get(LOGIN_COOKIE, "")
        try:
            return str(login_tokens.loads(signed, max_age=3600)) if signed else ""
        except BadSignature:
            return ""

    @server.before_request
    def guard() -> Any:
        visit = sessions.find(request.cookies.get(SESSION_COOKIE))
        g.mtb_visit = visit
        path = request.path
        if path.startswith(ASSETS_PREFIX):
            return None if is_asset(path) else Response("not found", status=404)
        if path in PUBLIC_PATHS or path in options.public_paths:
            return None
        if visit.actor is None:
            if path.startswith("/_dash") or request.method != "GET":
                return Response("sign in first", status=401)
            return redirect(f"{request.script_root}/login?next={request.full_path.rstrip('?')}")
        if request.method == "POST":
            sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf", "")
            if not hmac.compare_digest(str(sent), visit.csrf):
                return Response("refused: missing or wrong CSRF token", status=403)
        return None

    @server.after_request
    def cookies(response: Response) -> Response:
        visit: Visit | None = g.get("mtb_visit")
        if visit is None:
            return response
        lifetime = int(policy.absolute.total_seconds())
        if visit.new_token:
            response.set_cookie(SESSION_COOKIE, visit.new_token, max_age=lifetime,
                                httponly=True, samesite="Strict", secure=policy.secure)
            response.delete_cookie(LOGIN_COOKIE)
        elif visit.ended:
            response.delete_cookie(SESSION_COOKIE)
            response.delete_cookie(CSRF_COOKIE)
        if visit.actor is not None and visit.csrf:
            response.set_cookie(CSRF_COOKIE, visit.csrf, samesite="Strict",
                                secure=policy.secure, httponly=False, max_age=lifetime)
        if visit.login_csrf:
            response.set_cookie(LOGIN_COOKIE, login_tokens.dumps(visit.login_csrf),
                                max_age=3600, httponly=True, samesite="Strict",
                                secure=policy.secure)
        return response

    @server.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        visit: Visit = g.mtb_visit
        expected = login_csrf()
        visit.login_csrf = expected or secrets.token_urlsafe(32)
        error, status, headers = "", 200, {}
        if request.method == "POST":
            name = request.form.get("name", "")
            password = request.form.get("password", "")
            address = client_address()
            if not options.local:
                error, status = options.local_off_message(), 403
            elif not expected or not hmac.compare_digest(request.form.get("csrf", ""), expected):
                error = gettext("The form expired; please sign in again.")
                count_sign_in_failure("form")
            elif (wait := throttle.address_wait(address) or throttle.attempt(address)) > 0:
                blocks.block(address, wait)  # the next ones are refused before Flask
                count_sign_in_failure("throttled")
                error = gettext("Too many sign-ins from this address: try again in {wait}.",
                                wait=_duration(wait))
                status, headers = 429, {"Retry-After": str(wait)}
            elif (wait := throttle.wait(name, address)) > 0:
                count_sign_in_failure("throttled")
                error = gettext("Too many sign-ins: try again in {wait}. Ask your "
                                "administrator if you have forgotten your password.",
                                wait=_duration(wait))
                status, headers = 429, {"Retry-After": str(wait)}
            else:
                with _HASHING:  # one Argon2 hash at a time in this process
                    actor = store.authenticate(name, password)
                if actor is not None:
                    throttle.succeeded(name, address)
                    g.mtb_visit = sessions.sign_in(actor, visit, f"from {address}")
                    return redirect(request.script_root + safe_next(request.args.get("next")))
                started_wait = throttle.failed(name, address)
                who = name.strip() if store.user_exists(name) else UNKNOWN_NAME
                store.log_event(who, "sign_in_failed", detail=f"from {address}")
                count_sign_in_failure("credentials")
                if started_wait:
                    store.log_event(who, "sign_in_throttled", detail=f"from {address}")
                error = gettext("Name or password is wrong.")
        page = login_page(visit.login_csrf, error, request.args.get("next", ""),
                          buttons=options.buttons_html(), local=options.local,
                          root=request.script_root)
        return Response(page, status=status, headers=headers, mimetype="text/html")

    @server.route("/logout", methods=["POST"])
    def logout() -> Any:
        visit: Visit = g.mtb_visit
        if visit.actor is not None:
            store.end_sessions(visit.actor.name)  # every session of the user, copies too
            store.log_event(visit.actor.name, "sign_out")
        g.mtb_visit = Visit(ended=True)
        onward = options.sign_out() if options.sign_out is not None else None
        return onward if onward is not None else redirect(f"{request.script_root}/login")

    return sessions


def _duration(seconds: int) -> str:
    if seconds < 90:
        return ngettext("{n} second", "{n} seconds", seconds)
    return ngettext("{n} minute", "{n} minutes", math.ceil(seconds / 60))


def login_page(token: str, error: str, next_path: str, *, buttons: str = "",
               local: bool = True, root: str = "") -> str:
    """The sign-in page: `buttons` (single sign-on's, with {next} for the page to return to)
    above the name-and-password form, which `local` False leaves out. `root`: MTB_URL_PREFIX
    (Flask's script_root), before every path of the page."""
    message = (f'<div class="alert alert-danger" role="alert">{html.escape(error)}</div>'
               if error else "")
    target = safe_next(next_path)
    action = f"{root}/login?next={html.escape(target, quote=True)}"
    buttons = (buttons.replace("{next}", html.escape(quote(target, safe="/"), quote=True))
               .replace("{root}", html.escape(root, quote=True)))
    t = {key: html.escape(text) for key, text in (
        ("title", gettext("sign in")), ("board", gettext("molecular tumor board")),
        ("sign_in", gettext("Sign in")), ("name", gettext("Name")),
        ("password", gettext("Password")), ("language", gettext("Language")),
        ("accounts", gettext("Accounts are created by the site's administrator")))}
    # the switch names /login itself: the page is also drawn by single sign-on's refusals
    switch = "".join(
        f'<a class="nav-link px-1 text-light" href="{root}/login?lang={code}&amp;next='
        f'{html.escape(quote(target, safe="/"), quote=True)}" lang="{code}" hreflang="{code}"'
        f'{" aria-current=true" if code == current_language() else ""}>{code.upper()}</a>'
        for code in ("de", "en"))
    form = f"""<form method="post" action="{action}" id="login-form">
<input type="hidden" name="csrf" value="{html.escape(token, quote=True)}">
<div class="mb-3"><label class="form-label" for="name">{t['name']}</label>
<input class="form-control" id="name" name="name" autocomplete="username" required autofocus
 maxlength="{TEXT_LIMITS['user_name']}">
</div>
<div class="mb-3"><label class="form-label" for="password">{t['password']}</label>
<input class="form-control" id="password" name="password" type="password"
 autocomplete="current-password" required maxlength="{TEXT_LIMITS['password']}"></div>
<button class="btn btn-primary" type="submit" id="login-button">{t['sign_in']}</button>
</form>
<p class="small text-muted mt-4">{t['accounts']}
(<code>mtb user add NAME --role ROLE</code>).</p>""" if local else ""
    return f"""<!DOCTYPE html>
<html lang="{current_language()}"><head><meta charset="utf-8"><title>mtb · {t['title']}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{root}/assets/00_bootstrap.min.css">
<link rel="stylesheet" href="{root}/assets/10_mtb.css"></head>
<body><nav class="navbar navbar-dark bg-dark mb-4"><div class="container">
<span class="navbar-brand fw-bold">mtb</span>
<span class="navbar-text text-light me-auto">{t['board']}</span>
<div class="d-flex" role="group" aria-label="{t['language']}">{switch}</div></div></nav>
<main class="container" style="max-width: 420px">
<h1 class="h3 mb-3">{t['sign_in']}</h1>{message}{buttons}
{form}</main></body></html>"""
