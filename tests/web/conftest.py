"""The web app's tests: pure ones (grid, library, agenda, boundary), the server's (Flask's test
client) and browser tests, where dash_duo drives Debian's chromium headless (scripts/test.sh
installs it)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without chromedriver the browser tests are skipped (only they: this hook sees every
    test of the session)."""
    if shutil.which("chromedriver") is None:
        skip = pytest.mark.skip(reason="chromedriver not installed (run scripts/test.sh)")
        for item in items:
            if item.get_closest_marker("browser") is not None:
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


PASSWORD = "board-password-2026"  # test users only
USERS = {"chef": "chair", "cura": "curator", "vera": "viewer", "root": "admin"}


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory, data_dir, kb) -> Path:
    """A case store with the bundled sample cases registered and annotated, once per session
    (about 15 s); each test gets a copy."""
    from mtb.store import Store
    from tests.stored import annotate_all, settings_for

    path = tmp_path_factory.mktemp("sample-store") / "store.sqlite"
    store = Store.open(f"sqlite:///{path}")
    try:
        annotate_all(settings_for(data_dir), store, kb)
    finally:
        store.close()
    return path


@pytest.fixture
def store(tmp_path, sample_store):
    """A case store with the sample cases annotated and one user per role."""
    from mtb.store import Store
    from tests.stored import copy_sqlite

    copy_sqlite(sample_store, tmp_path / "store.sqlite")
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    for name, role in USERS.items():
        store.add_user(name, role, PASSWORD)
    yield store
    store.close()


@pytest.fixture
def app(data_dir, store):
    from mtb.config import Settings
    from mtb.web import create_app

    return create_app(Settings.load(environ={"MTB_DATA_DIR": str(data_dir)}), store=store)


@pytest.fixture
def signed_in(dash_duo, app):
    """Start the app and return `sign_in(name, path)`, which signs in through the form."""
    dash_duo.start_server(app, navigate=False)
    dash_duo._url = dash_duo.server.url  # what start_server would set, without waiting

    def sign_in(name: str, path: str = "/") -> None:
        dash_duo.driver.get(f"{dash_duo.server.url}/login?next={path}")
        dash_duo.wait_for_element("#login-form", timeout=10)
        dash_duo.find_element("#name").send_keys(name)
        dash_duo.find_element("#password").send_keys(PASSWORD)
        dash_duo.find_element("#login-button").click()
        dash_duo.wait_for_element(dash_duo.dash_entry_locator, timeout=30)

    return sign_in


def wait_until(condition: Any, timeout: float = 15.0) -> Any:
    """Poll until `condition()` is truthy and return its value; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def click(dash_duo: Any, element: Any, *, past_overlays: bool = False) -> None:
    """Scroll the element to the middle of the window and click it. `past_overlays`: when a
    sticky overlay (a toast, the grid's header) is over it, click it the way assistive
    technology does."""
    from selenium.common.exceptions import ElementClickInterceptedException

    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    time.sleep(0.2)
    try:
        element.click()
    except ElementClickInterceptedException:
        if not past_overlays:
            raise
        dash_duo.driver.execute_script("arguments[0].click()", element)
