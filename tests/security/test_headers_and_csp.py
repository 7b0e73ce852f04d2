"""Issue 12, point 8 and the security headers: a Content-Security-Policy that the app itself
passes (Dash's inline scripts allowed by their hashes, nothing else inline), framing refused,
no sniffing, no referrer, and pages with patient data never stored by a browser or proxy."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from layouts import ids
from tests.web.conftest import PASSWORD, click

LUNG = "synthetic-egfr-lung"


@pytest.fixture
def client(app):
    app.server.config["TESTING"] = True
    return app.server.test_client()


def _signed_in(client: Any) -> Any:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf": token, "name": "vera", "password": PASSWORD})
    return client


def _page_request(path: str) -> dict:
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def test_every_response_carries_the_security_headers(app, client) -> None:
    _signed_in(client)
    csrf = client.get_cookie("_csrf_token").value
    responses = {
        "sign-in page": client.get("/login"),
        "app page": client.get(f"/case/{LUNG}"),
        "case callback": client.post("/_dash-update-component", json=_page_request(
            f"/case/{LUNG}"), headers={"X-CSRFToken": csrf}),
        "asset": client.get("/assets/10_mtb.css"),
        "refusal": app.server.test_client().get("/_dash-layout"),
    }
    hashes = app.csp_hashes()
    assert hashes  # Dash's own inline scripts
    for what, response in responses.items():
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'", what
        script = directives["script-src"].split()
        assert script[0] == "'self'" and set(script[1:]) == set(hashes), what
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
        assert headers["X-Content-Type-Options"] == "nosniff", what
        assert headers["X-Frame-Options"] == "DENY", what
        assert headers["Referrer-Policy"] == "no-referrer", what
        if what != "asset":
            assert headers["Cache-Control"] == "no-store", what
    assert "no-store" not in responses["asset"].headers.get("Cache-Control", "")
    assert "p.T790M" in responses["case callback"].get_data(as_text=True)  # patient data: no-store


def test_assets_serve_files_only(client) -> None:
    assert client.get("/assets/10_mtb.css").status_code == 200  # no sign-in for the style
    for path in ("/assets/", "/assets/nothing-here", "/assets/case/synthetic-egfr-lung",
                 "/assets/../case/x", "/assets/%2e%2e/case/x", "/assets/licenses"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "_dash-config" not in response.get_data(as_text=True)  # never the app shell
    _signed_in(client)
    assert client.get("/assets/nothing-here").status_code == 404


@pytest.mark.browser
def test_the_app_works_under_its_policy_and_inline_code_does_not_run(dash_duo, signed_in,
                                                                      store) -> None:
    """Every page, with the policy on: drawn, usable, and no violation in the console. Then a
    script injected into the page (as an XSS would) is refused by the browser."""
    dash_duo.driver.set_window_size(1600, 1000)
    signed_in("cura", "/")
    dash_duo.wait_for_element(f"#{ids.CASE_LIST}", timeout=30)
    dash_duo.driver.get(f"{dash_duo.server.url}/case/{LUNG}")
    dash_duo.wait_for_contains_text(f"#{ids.FINDINGS}", "p.T790M", timeout=30)
    click(dash_duo, dash_duo.driver.find_elements(
        By.CSS_SELECTOR, f"#{ids.FINDINGS} .evidence-button")[0], past_overlays=True)
    dash_duo.wait_for_element(f"#{ids.CURATE_SAVE}", timeout=15)
    dash_duo.wait_for_element(f"#{ids.GRID} .ag-row", timeout=30)
    dash_duo.driver.get(f"{dash_duo.server.url}/case/{LUNG}/present")
    dash_duo.wait_for_element("#next-case, #prev-case, #exit-present", timeout=30)
    dash_duo.driver.get(f"{dash_duo.server.url}/add")
    dash_duo.wait_for_element("#add-upload input[type=file]", timeout=30)
    assert dash_duo.driver.title.startswith("mtb")  # Dash's inline title callback ran
    assert dash_duo.get_logs() == []
    dash_duo.driver.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.__injected = 1';"
        "document.body.appendChild(s);")
    time.sleep(0.5)
    assert dash_duo.driver.execute_script("return window.__injected") is None
    logs = dash_duo.get_logs()
    assert any("Content Security Policy" in entry["message"] for entry in logs), logs
