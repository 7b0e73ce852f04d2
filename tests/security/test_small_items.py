"""Issue 12, point 8: the smaller findings, one test each (the session and sign-in ones are in
test_sign_in, the headers in test_headers_and_csp, the staging folders in test_uploads)."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from layouts.board import audit_table
from mtb.board import Actor
from mtb.catalog import read_case
from mtb.errors import InputError
from tests.web.conftest import PASSWORD, USERS

LUNG = "synthetic-egfr-lung"


@pytest.fixture
def client(app):
    app.server.config["TESTING"] = True
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf": token, "name": "cura", "password": PASSWORD})
    return client


def _post(client: Any, payload: Any, raw: bytes | None = None) -> Any:
    headers = {"X-CSRFToken": client.get_cookie("_csrf_token").value}
    if raw is not None:
        return client.post("/_dash-update-component", data=raw, headers={
            **headers, "Content-Type": "application/json"})
    return client.post("/_dash-update-component", json=payload, headers=headers)


_OUTPUTS: dict[str, str] = {}


def _output(client: Any, first: str) -> str:
    """The output string of the callback whose first output is `first` (as Dash names it,
    with the marks of duplicate outputs)."""
    if first not in _OUTPUTS:
        specs = json.loads(client.get("/_dash-dependencies").get_data(as_text=True))
        [spec] = [s["output"] for s in specs if s["output"].lstrip(".").startswith(first)]
        _OUTPUTS[first] = spec
    return _OUTPUTS[first]


def _outputs(output: str) -> Any:
    parts = [o for o in output.strip(".").split("...")]
    shaped = [{"id": o.split(".")[0], "property": o.split(".", 1)[1]} for o in parts]
    return shaped if output.startswith("..") else shaped[0]


def _summary_request(client: Any, case_id: Any, text: Any = "a summary") -> dict:
    output = _output(client, "summary-version.data")
    return {
        "output": output, "outputs": _outputs(output),
        "inputs": [{"id": "summary-save", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["summary-save.n_clicks"],
        "state": [{"id": "summary-text", "property": "value", "value": text},
                  {"id": "summary-version", "property": "data", "value": 0},
                  {"id": "case-id", "property": "data", "value": case_id},
                  {"id": "case-revision", "property": "data", "value": 0}]}


def test_a_summary_for_a_case_that_does_not_exist_is_refused(client, store) -> None:
    entries = store.audit_count()
    answer = _post(client, _summary_request(client, "no-such-case"))
    assert answer.status_code == 200
    assert "no case with id 'no-such-case'" in answer.get_data(as_text=True)
    assert store.case_record("no-such-case").revision == 0 and store.audit_count() == entries
    assert "Saved." in _post(client, _summary_request(client, LUNG)).get_data(as_text=True)


def test_malformed_callbacks_get_a_400_and_no_traceback(client, store, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    good = _summary_request(client, LUNG)
    bad = [
        (None, b"{not json"),
        ([1, 2, 3], None),
        ({"output": "x"}, None),
        ({**good, "inputs": "not a list"}, None),
        ({**good, "state": [{"id": "x"}]}, None),
        ({**good, "output": "nothing.here"}, None),  # no such callback
        ({**good, "outputs": [{"id": "summary-version", "property": "data"}]}, None),
    ]
    for payload, raw in bad:
        answer = _post(client, payload, raw)
        assert answer.status_code == 400, (payload, answer.status_code)
    # values of the wrong type reach a callback: refused as a message, nothing stored
    answer = _post(client, _summary_request(client, LUNG, {"$gt": ""}))
    assert answer.status_code == 200 and "malformed request" in answer.get_data(as_text=True)
    assert store.case_record(LUNG).summary == ""
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "Traceback" not in logged and not any(r.exc_info for r in caplog.records)


def test_the_audit_log_is_paged(client, store) -> None:
    total = store.audit_count(LUNG) + 45  # the case's registration is audited too
    for n in range(45):
        store.curate(LUNG, f"key-{n}", Actor("cura", "curator"), 0, comment=f"{n}")
    shown = audit_table(store.audit(LUNG, newest=20), store.audit_count(LUNG))
    assert f"changes 1–20 of {total}" in str(shown)
    specs = json.loads(client.get("/_dash-dependencies").get_data(as_text=True))
    output = next(o["output"] for o in specs if "audit-older" in json.dumps(o["inputs"]))
    answer = _post(client, {
        "output": output, "outputs": _outputs(output),
        "inputs": [{"id": "audit-older", "property": "n_clicks", "value": 1},
                   {"id": "audit-newer", "property": "n_clicks", "value": None}],
        "changedPropIds": ["audit-older.n_clicks"],
        "state": [{"id": "audit-skip", "property": "data", "value": 0},
                  {"id": "case-id", "property": "data", "value": LUNG}]})
    text = json.dumps(answer.json, ensure_ascii=False)
    assert answer.status_code == 200, text
    assert f"changes 21–40 of {total}" in text and '"key-24"' in text and '"key-25"' not in text


# -- case.toml paths --------------------------------------------------------------------------


def _case(folder: Path, path: str, kind: str = "vcf") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.toml").write_text(
        f'id = "c"\ntitle = "c"\n[[files]]\npath = "{path}"\nkind = "{kind}"\n')
    return folder


@pytest.mark.parametrize("named", ["../other/tumor.vcf", "/etc/hostname",
                                   "sub/../../other/tumor.vcf"])
def test_case_files_outside_the_case_folder_are_refused(tmp_path, named) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "tumor.vcf").write_text("##fileformat=VCFv4.2\n")
    (tmp_path / "case" / "sub").mkdir(parents=True)
    with pytest.raises(InputError, match="not in the case folder"):
        read_case(_case(tmp_path / "case", named))


def test_symbolic_links_out_of_the_case_folder_are_refused(tmp_path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "tumor.vcf").write_text("##fileformat=VCFv4.2\n")
    (other / "record.json").write_text("{}")
    case = tmp_path / "case"
    case.mkdir()
    (case / "tumor.vcf").symlink_to(other / "tumor.vcf")
    with pytest.raises(InputError, match="not in the case folder"):
        read_case(_case(case, "tumor.vcf"))
    (case / "tumor.vcf").unlink()
    (case / "clinical").mkdir()
    (case / "clinical" / "record.json").symlink_to(other / "record.json")
    with pytest.raises(InputError, match="links to files outside"):
        read_case(_case(case, "clinical", "fhir"))
    # a link that stays inside is fine
    (case / "clinical" / "record.json").unlink()
    (case / "real.json").write_text("{}")
    (case / "clinical" / "record.json").symlink_to(case / "real.json")
    assert read_case(_case(case, "clinical", "fhir")).files[0].kind == "fhir"


# -- the command line ---------------------------------------------------------------------------


def _mtb(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MTB_DATA_DIR": str(cwd / "data")}
    return subprocess.run([sys.executable, "-m", "mtb", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


def test_timeline_exits_2_when_its_only_input_is_unreadable(tmp_path) -> None:
    truncated = tmp_path / "record.json"
    truncated.write_text('{"resourceType": "Bundle", "type": "collection", "entry": [')
    result = _mtb("timeline", str(truncated), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "record.json, line 1: invalid JSON" in result.stderr
    empty = tmp_path / "events.csv"
    empty.write_text("date,kind,label\n")  # readable, only empty: not an error
    assert _mtb("timeline", str(empty), cwd=tmp_path).returncode == 0


def test_cli_warnings_never_repeat_fhir_ids(tmp_path) -> None:
    """Resource ids are often names. Warnings name the kind and the place instead."""
    names = ("max-mustermann-1961", "erika-musterfrau", "medikament-von-jonas-meier")
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": names[0], "gender": "male"}},
        {"resource": {"resourceType": "MedicationStatement", "id": names[1],
                      "status": "active", "subject": {"reference": f"Patient/{names[1]}"},
                      "medicationReference": {"reference": f"Medication/{names[2]}"},
                      "effectiveDateTime": "2024-01-02"}},
        {"resource": {"resourceType": "Procedure", "id": names[0] + "-op",
                      "status": "completed", "subject": {"reference": f"Patient/{names[0]}"},
                      "performedDateTime": "not a date"}},
    ]}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    result = _mtb("timeline", str(path), cwd=tmp_path)
    assert "warning" in result.stderr
    for name in names:
        assert name not in result.stderr, result.stderr
    assert "MedicationStatement (bundle.json, entry 2)" in result.stderr


def test_every_role_of_the_web_tests_exists() -> None:  # the fixtures the tests above rely on
    assert set(USERS.values()) == {"viewer", "curator", "chair", "admin"}
