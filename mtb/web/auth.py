"""Sign-in, sessions and CSRF protection for the web app.

- Passwords are checked by the store (Argon2id hashes); the session cookie carries only the
  user's name, signed with a per-installation secret kept in the data dir (0600), HttpOnly,
  SameSite=Strict, and Secure when MTB_SECURE_COOKIES=1 (behind TLS).
- The user's role is read from the store on every request, and the session carries the
  user's session epoch: signing out, a new role, a new password or a disabled account raise
  it and end every session of that user, also a copied cookie. Every write then checks the
  role again in the store itself.
- Sign-ins (also failed ones) are written to the audit log; request bodies are limited in size.
- CSRF: the session holds a random token. The sign-in and sign-out forms carry it as a hidden
  field; Dash's renderer sends the `_csrf_token` cookie back as the X-CSRFToken header on every
  callback (a forged cross-site request can do neither), and POSTs without it are refused.
- Every page except the sign-in page and static assets needs a signed-in user.
"""

from __future__ import annotations

import hmac
import html
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, redirect, request, session

from mtb.board import Actor
from mtb.store import Store

CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads
CSRF_HEADER = "X-CSRFToken"
PUBLIC_PATHS = frozenset({"/login", "/_favicon.ico"})
PUBLIC_PREFIX = "/assets/"
SESSION_HOURS = 12
MAX_REQUEST_BYTES = 700 * 1024 * 1024  # an upload of a case's files, base64-encoded


def secret_key(data_dir: Path) -> bytes:
    """The installation's session-signing key, created on first use (owner-only file)."""
    path = Path(data_dir) / "secret_key"
    if path.is_file():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex())
    return key


def current_actor(store: Store) -> Actor | None:
    """The signed-in user with their current role, or None (also outside a request, and for a
    session that was ended)."""
    try:
        name = session.get("user")
        epoch = session.get("epoch")
    except RuntimeError:  # no request context
        return None
    if not name or not isinstance(epoch, int):
        return None
    return store.actor(name, epoch)


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host): no open redirect after sign-in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def install_auth(server: Flask, store: Store, data_dir: Path, *, secure: bool) -> None:
    server.secret_key = secret_key(data_dir)
    server.config.update(
        SESSION_COOKIE_NAME="mtb_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )

    @server.before_request
    def guard() -> Any:
        path = request.path
        if path in PUBLIC_PATHS or (path.startswith(PUBLIC_PREFIX) and ".." not in path):
            return None
        actor = current_actor(store)
        if actor is None:
            if path.startswith("/_dash") or request.method != "GET":
                return Response("sign in first", status=401)
            return redirect(f"/login?next={request.full_path.rstrip('?')}")
        if request.method == "POST":
            sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf", "")
            if not hmac.compare_digest(str(sent), csrf_token()):
                return Response("refused: missing or wrong CSRF token", status=403)
        return None

    @server.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if session.get("user"):
            response.set_cookie(CSRF_COOKIE, csrf_token(), samesite="Strict", secure=secure,
                                httponly=False, max_age=SESSION_HOURS * 3600)
        return response

    @server.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        error = ""
        if request.method == "POST":
            if not hmac.compare_digest(request.form.get("csrf", ""), csrf_token()):
                error = "The form expired; please sign in again."
            else:
                name = request.form.get("name", "")[:80]
                actor = store.authenticate(name, request.form.get("password", ""))
                if actor is not None:
                    session.clear()
                    session.permanent = True
                    session["user"] = actor.name
                    session["epoch"] = store.session_epoch(actor.name)
                    session["csrf"] = secrets.token_urlsafe(32)  # a new token per sign-in
                    store.log_event(actor.name, "sign_in")
                    return redirect(_safe_next(request.args.get("next")))
                store.log_event(name or "(no name)", "sign_in_failed")
                error = "Name or password is wrong."
        return Response(_login_page(csrf_token(), error, request.args.get("next", "")),
                        mimetype="text/html")

    @server.route("/logout", methods=["POST"])
    def logout() -> Any:
        name = session.get("user")
        if name:
            store.end_sessions(name)  # a copied cookie of this user stops working too
            store.log_event(name, "sign_out")
        session.clear()
        response = redirect("/login")
        response.delete_cookie(CSRF_COOKIE)
        return response


def _login_page(token: str, error: str, next_path: str) -> str:
    message = (f'<div class="alert alert-danger" role="alert">{html.escape(error)}</div>'
               if error else "")
    action = f"/login?next={html.escape(_safe_next(next_path), quote=True)}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mtb · sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/00_bootstrap.min.css">
<link rel="stylesheet" href="/assets/10_mtb.css"></head>
<body><nav class="navbar navbar-dark bg-dark mb-4"><div class="container">
<span class="navbar-brand fw-bold">mtb</span>
<span class="navbar-text text-light">molecular tumor board</span></div></nav>
<main class="container" style="max-width: 420px">
<h1 class="h3 mb-3">Sign in</h1>{message}
<form method="post" action="{action}" id="login-form">
<input type="hidden" name="csrf" value="{html.escape(token, quote=True)}">
<div class="mb-3"><label class="form-label" for="name">Name</label>
<input class="form-control" id="name" name="name" autocomplete="username" required autofocus>
</div>
<div class="mb-3"><label class="form-label" for="password">Password</label>
<input class="form-control" id="password" name="password" type="password"
 autocomplete="current-password" required></div>
<button class="btn btn-primary" type="submit" id="login-button">Sign in</button>
</form>
<p class="small text-muted mt-4">Accounts are created by the site's administrator
(<code>mtb user add NAME --role ROLE</code>).</p></main></body></html>"""
