#!/usr/bin/env bash
# The test command of README.md, run by CI (.ci/run) on a fresh clone.
# Works on a machine that has only Python >= 3.11: installs Debian's chromium and chromium-driver
# for the browser tests and nodejs and npm for the single sign-on tests' OpenID provider (apt,
# when missing), creates .venv, installs mtb with its test extra, checks the code with ruff,
# fetches axe-core (tests/web/axe.py), starts a throw-away PostgreSQL server for the store's tests
# (scripts/postgres.sh installs Debian's postgresql when missing) and a throw-away Redis server
# for the job queue's scale-out tests (scripts/redis.sh installs Debian's redis-server when
# missing), and runs pytest. Extra arguments go to pytest. Python packages come pinned from
# requirements/test.lock (regenerate: see README.md, Development).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "scripts/test.sh: no apt-get; install chromium and chromedriver for the browser tests" >&2
  fi
fi

# Node.js runs the real OpenID provider of the single sign-on tests (tests/oidc: panva's
# oidc-provider, pinned by its package-lock.json). With node and npm there, those tests must
# run (MTB_TEST_OIDC=required turns their skip into a failure).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "scripts/test.sh: no apt-get; install nodejs and npm for the single sign-on tests" >&2
  fi
fi
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  export MTB_TEST_OIDC=required
fi

python3 -m venv .venv
# The test extra lists dash_duo's requirements itself rather than dash[testing], whose
# selenium<=4.2.0 would hold urllib3 at 1.26: the tests run on the urllib3 2.x that a fresh
# `pip install mtb` gets, which mtb.http's retry policy (urllib3 Retry) must be tested on.
# The pinned versions of requirements/test.lock (pip-compile of pyproject.toml's test extra),
# then mtb itself without resolving again: every run tests the same versions.
.venv/bin/python -m pip install -q -r requirements/test.lock
.venv/bin/python -m pip install -q --no-deps -e .
.venv/bin/ruff check .
# types: mtb, annotation and layouts ([tool.mypy] in pyproject.toml)
.venv/bin/mypy
# axe-core for the accessibility tests: npm's tarball, pinned and checked against its sha512,
# kept in .cache/ (Python only, no Node.js). In CI they must run: MTB_REQUIRE_AXE=1 makes a
# missing axe-core a failure instead of a skip.
.venv/bin/python -m tests.web.axe || true
export MTB_REQUIRE_AXE="${MTB_REQUIRE_AXE:-1}"
# A throw-away PostgreSQL server for tests/store. It stops when this process ends: pytest,
# after the exec below. When it cannot start, MTB_TEST_PG_URL stays empty and those tests are
# skipped, saying why.
if [ -z "${MTB_TEST_PG_URL:-}" ]; then
  MTB_TEST_PG_URL="$(scripts/postgres.sh --stop-with $$)" || MTB_TEST_PG_URL=""
fi
export MTB_TEST_PG_URL
# Likewise a throw-away Redis server for tests/jobs (several servers and workers sharing it).
if [ -z "${MTB_TEST_REDIS_URL:-}" ]; then
  MTB_TEST_REDIS_URL="$(scripts/redis.sh --stop-with $$)" || MTB_TEST_REDIS_URL=""
fi
export MTB_TEST_REDIS_URL
exec .venv/bin/python -m pytest "$@"
