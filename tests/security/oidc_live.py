"""A real OpenID Connect provider and a real mtb server for the single sign-on tests.

The provider is panva's certified oidc-provider (tests/oidc/package.json pins it) on this
machine's Node.js, started on a free port of 127.0.0.1 (tests/oidc/provider.mjs) and stopped
afterwards (its own process group only). mtb runs in a thread of the test process (werkzeug)
on another free port, so that one requests.Session can follow the browser's way between the
two. Its test users are synthetic.

Without Node.js or the npm package the tests are skipped, saying why; scripts/test.sh
installs both and sets MTB_TEST_OIDC=required, which turns such a skip into a failure (CI
must run them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from tests.security.live import HOST, free_port

OIDC_DIR = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID = "mtb-test"
CLIENT_SECRET = "synthetic-client-secret-for-tests-only"
# synthetic users: name -> the claims the provider gives them (roles twice: a flat claim, and
# Keycloak's realm_access.roles)
USERS: dict[str, dict[str, Any]] = {
    "sso-chair": {"name": "Synthetic Chair", "roles": ["mtb-chair", "offline_access"],
                  "realm_access": {"roles": ["mtb-chair", "offline_access"]}},
    "sso-two": {"name": "Synthetic Two Roles", "roles": ["mtb-viewer", "mtb-curator"],
                "realm_access": {"roles": ["mtb-viewer", "mtb-curator"]}},
    "sso-viewer": {"name": "Synthetic Viewer", "roles": ["mtb-viewer"],
                   "realm_access": {"roles": ["mtb-viewer"]}},
    "sso-nobody": {"name": "Synthetic Staff", "roles": ["staff"],
                   "realm_access": {"roles": ["staff"]}},
    "sso-noclaim": {"name": "Synthetic Without Roles"},
    "chef": {"name": "Synthetic Namesake Of A Local Account", "roles": ["mtb-admin"],
             "realm_access": {"roles": ["mtb-admin"]}},
}
ROLE_NAMES = "mtb-viewer=viewer,mtb-curator=curator,mtb-chair=chair,mtb-admin=admin"


def _unavailable(reason: str) -> None:
    if os.environ.get("MTB_TEST_OIDC") == "required":
        pytest.fail(f"the OpenID provider for the tests is required here: {reason}")
    pytest.skip(reason)


def ensure_provider_installed() -> None:
    """Node.js and oidc-provider (npm ci in tests/oidc when its node_modules is missing)."""
    if shutil.which("node") is None:
        _unavailable("Node.js is not installed (scripts/test.sh installs Debian's nodejs "
                     "and npm)")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        if shutil.which("npm") is None:
            _unavailable("npm is not installed (scripts/test.sh installs Debian's npm)")
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR,
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            _unavailable(f"npm ci in tests/oidc failed: {done.stderr.strip()[-300:]}")


@dataclass
class ProviderProcess:
    issuer: str
    log: Path

    def events(self, name: str) -> list[dict[str, Any]]:
        found = []
        for line in self.log.read_text().splitlines():
            if line.startswith("{"):
                event = json.loads(line)
                if event.get("event") == name:
                    found.append(event)
        return found


@contextmanager
def provider(log: Path, redirect_uri: str, post_logout_uri: str,
             *, id_token_claims: bool = False,
             default_user: str = "") -> Iterator[ProviderProcess]:
    ensure_provider_installed()
    port = free_port()
    env = {**os.environ, "PORT": str(port), "CLIENT_ID": CLIENT_ID,
           "CLIENT_SECRET": CLIENT_SECRET, "REDIRECT_URI": redirect_uri,
           "POST_LOGOUT_REDIRECT_URI": post_logout_uri, "USERS": json.dumps(USERS),
           "ID_TOKEN_CLAIMS": "1" if id_token_claims else "0", "DEFAULT_USER": default_user}
    with log.open("w") as output:
        process = subprocess.Popen(["node", "provider.mjs"], cwd=OIDC_DIR, env=env,
                                   stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    issuer = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                _unavailable(f"the OpenID provider did not start: {log.read_text()[-500:]}")
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration",
                                timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                _unavailable("the OpenID provider did not answer within 30 s")
            time.sleep(0.1)
        yield ProviderProcess(issuer, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)


@dataclass
class Mtb:
    url: str
    store: Any
    app: Any


@contextmanager
def mtb_server(port: int, store: Any, data_dir: Path, **settings: str) -> Iterator[Mtb]:
    from mtb.config import Settings
    from mtb.web import create_app

    environ = {"MTB_DATA_DIR": str(data_dir), **settings}
    app = create_app(Settings.load(environ=environ), store=store)
    server = make_server(HOST, port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Mtb(f"http://{HOST}:{port}", store, app)
    finally:
        server.shutdown()
        thread.join(timeout=10)


# -- the browser's way, step by step ---------------------------------------------------------

def begin(http: requests.Session, mtb: Mtb, next_path: str = "/") -> str:
    """mtb's /oidc/login: the provider's authorization URL it sends the browser to."""
    answer = http.get(f"{mtb.url}/oidc/login", params={"next": next_path},
                      allow_redirects=False, timeout=30)
    assert answer.status_code == 302, (answer.status_code, answer.text[:300])
    return answer.headers["Location"]


def with_user(authorization_url: str, user: str) -> str:
    """The test provider signs in the user its login_hint names (no password form)."""
    return f"{authorization_url}&login_hint={user}"


def at_provider(http: requests.Session, mtb: Mtb, url: str) -> str:
    """Follow the provider's redirects until one leads back to mtb: that callback URL (not
    fetched yet)."""
    for _ in range(10):
        if url.startswith(mtb.url):
            return url
        answer = http.get(url, allow_redirects=False, timeout=30)
        assert answer.is_redirect, (answer.status_code, answer.text[:500])
        url = requests.compat.urljoin(url, answer.headers["Location"])
    raise AssertionError("the provider did not send the browser back")


def sign_in(http: requests.Session, mtb: Mtb, user: str,
            next_path: str = "/") -> requests.Response:
    callback = at_provider(http, mtb, with_user(begin(http, mtb, next_path), user))
    return http.get(callback, allow_redirects=False, timeout=30)


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def refresh_target(page: str) -> str:
    """Where a page that goes on by <meta http-equiv="refresh"> goes."""
    found = re.search(r'http-equiv="refresh" content="0;url=([^"]+)"', page)
    assert found, page[:300]
    return unescape(found.group(1))
