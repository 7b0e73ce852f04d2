"""The security regression tests (issue 12) use the web tests' fixtures: a fresh store with one
user per role, the app on the bundled sample cases, and a browser that signs in."""

from __future__ import annotations

from tests.web.conftest import (  # noqa: F401  (fixtures)
    app,
    sample_store,
    screenshot,
    signed_in,
    store,
)
