"""Paths inside the app as the browser must ask for them: under MTB_URL_PREFIX when the
hospital's reverse proxy serves mtb under a path (/mtb/case/x), as they are otherwise.
Every internal link of the layouts goes through `href`."""

from __future__ import annotations

import dash

__all__ = ["href"]


def href(path: str) -> str:
    """`path` (starting with /) under the running app's requests_pathname_prefix; unchanged
    when no app is configured (a layout drawn in a test without one)."""
    try:
        return str(dash.get_relative_path(path))
    except AttributeError:  # no Dash app made in this process yet
        return path
