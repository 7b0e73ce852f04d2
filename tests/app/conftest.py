"""Browser tests: dash_duo drives Debian's chromium headless (scripts/test.sh installs it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if shutil.which("chromedriver") is None:
        skip = pytest.mark.skip(reason="chromedriver not installed (run scripts/test.sh)")
        for item in items:
            item.add_marker(skip)


@pytest.fixture
def screenshot(dash_duo):
    """Save a PNG of the page under test-artifacts/screenshots/ (looked at by people, not
    diffed)."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        dash_duo.driver.save_screenshot(str(path))
        return path

    return take
