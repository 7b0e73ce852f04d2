"""The operations tests (issue 16, item 4) use the web tests' fixtures: a fresh store with one
user per role and the app on the bundled sample cases."""

from __future__ import annotations

from tests.web.conftest import app, sample_store, store  # noqa: F401  (fixtures)
