"""Issue 12, point 4: uploads stream to disk with a per-role limit and leave nothing behind.

A curator's 500 MiB upload used to arrive base64-encoded inside a callback and peak the server
at 2.8 GB. Now each file is its own request, copied to a staging folder in 1 MiB pieces: the
server's memory does not grow with the file, a file above the role's limit (MTB_UPLOAD_LIMITS)
is refused, a cut-off or failed upload is removed at once, a staging folder left by a killed
server is removed by time and at the next start, and nobody can use another's upload.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from mtb.config import Settings
from mtb.web import create_app
from mtb.web.uploads import STAGING_TTL, staging_root, sweep
from tests.web.conftest import PASSWORD

LUNG_VCF = Path(__file__).resolve().parents[2] / "sample_cases/synthetic-egfr-lung"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.load(environ={"MTB_DATA_DIR": str(tmp_path / "data"),
                                  "MTB_UPLOAD_LIMITS": "curator=64M,chair=1M,admin=1M"})


@pytest.fixture
def web(settings, store, data_dir):
    # the session's knowledge base (built once) with this test's own data dir for uploads
    from annotation.kb import KnowledgeBase
    from mtb.web.library import CaseLibrary

    kb = KnowledgeBase.open(Settings.load(environ={"MTB_DATA_DIR": str(data_dir)}))
    library = CaseLibrary(settings, store, kb=lambda: kb)
    app = create_app(settings, library=library, store=store)
    app.server.config["TESTING"] = True
    return app


def _client(web: Any, name: str) -> Any:
    client = web.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"csrf": token, "name": name,
                                       "password": PASSWORD}).status_code == 302
    return client


def _upload(client: Any, name: str, body: Any, length: int, upload: str = "") -> Any:
    query = f"name={name}" + (f"&upload={upload}" if upload else "")
    return client.post(f"/add/upload?{query}", input_stream=body, headers={
        "X-CSRFToken": client.get_cookie("_csrf_token").value,
        "Content-Type": "application/octet-stream"},
        environ_overrides={"CONTENT_LENGTH": str(length)})


def test_a_large_upload_streams_to_disk_without_growing_memory(web, settings, tmp_path) -> None:
    client = _client(web, "cura")
    size = 48 * 2**20
    source = tmp_path / "big.vcf"
    with source.open("wb") as out:
        for _ in range(size // 2**20):
            out.write(b"#" * 2**20)
    tracemalloc.start()
    with source.open("rb") as body:
        answer = _upload(client, "big.vcf", body, size)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert answer.status_code == 200, answer.get_data(as_text=True)
    staged = staging_root(settings) / answer.json["upload"]
    assert (staged / "big.vcf").stat().st_size == size
    assert peak < 8 * 2**20  # pieces of 1 MiB, not the file
    assert oct((staged / "big.vcf").stat().st_mode)[-3:] == "600"


def test_the_role_limit_holds_for_a_file_and_for_the_case(web, settings) -> None:
    chair = _client(web, "chef")  # 1 MB for chairs in this test
    refused = _upload(chair, "a.vcf", io.BytesIO(b"#" * (2 * 2**20)), 2 * 2**20)
    assert refused.status_code == 413
    first = _upload(chair, "a.vcf", io.BytesIO(b"#" * 700_000), 700_000)
    assert first.status_code == 200
    second = _upload(chair, "b.vcf", io.BytesIO(b"#" * 700_000), 700_000, first.json["upload"])
    assert second.status_code == 413 and "together" in second.json["error"]
    staged = staging_root(settings) / first.json["upload"]
    assert sorted(p.name for p in staged.iterdir() if not p.name.startswith(".")) == ["a.vcf"]
    viewer = _client(web, "vera")
    assert _upload(viewer, "a.vcf", io.BytesIO(b"#" * 10), 10).status_code == 403


def test_a_cut_off_upload_leaves_nothing(web, settings) -> None:
    client = _client(web, "cura")
    answer = _upload(client, "cut.vcf", io.BytesIO(b"#" * 1000), 5000)  # the client went away
    assert answer.status_code == 400 and "cut off" in answer.json["error"]
    assert not list(staging_root(settings).rglob("cut.vcf"))


def test_nobody_adds_files_to_another_users_upload(web, settings) -> None:
    cura = _client(web, "cura")
    first = _upload(cura, "a.vcf", io.BytesIO(b"#" * 10), 10)
    root = _client(web, "root")
    intruder = _upload(root, "b.vcf", io.BytesIO(b"#" * 10), 10, first.json["upload"])
    assert intruder.status_code == 400
    for forged in ("../../etc", "x", "a" * 30 + "/.."):
        assert _upload(root, "c.vcf", io.BytesIO(b"#"), 1, forged).status_code == 400


def test_staging_left_by_a_killed_server_is_swept(settings) -> None:
    """A server killed mid-upload cannot clean up: the next upload removes staging folders
    older than STAGING_TTL, and the next start removes all of them."""
    root = staging_root(settings)
    stale, fresh = root / ("s" * 32), root / ("f" * 32)
    incoming = settings.data_dir / "cases" / ".incoming-half-stored-abc123"
    for folder in (stale, fresh, incoming):
        folder.mkdir(parents=True)
        (folder / "part.vcf").write_bytes(b"#" * 10)
    old = time.time() - STAGING_TTL - 60
    for folder in (stale, incoming):
        os.utime(folder, (old, old))
    assert sweep(settings) == 2
    assert not stale.exists() and not incoming.exists() and fresh.exists()
    assert sweep(settings, older_than=0) == 1 and not fresh.exists()  # at the start


def test_a_case_is_added_from_streamed_files_and_its_staging_is_gone(web, settings) -> None:
    client = _client(web, "cura")
    vcf = (LUNG_VCF / "tumor.synthetic.vcf").read_bytes()
    staged = _upload(client, "tumor.vcf", io.BytesIO(vcf), len(vcf))
    assert staged.status_code == 200
    payload = {
        "output": "add-result.children", "outputs": {"id": "add-result", "property": "children"},
        "inputs": [{"id": "add-staged", "property": "data",
                    "value": {"upload": staged.json["upload"], "clicks": 1}}],
        "changedPropIds": ["add-staged.data"],
        "state": [{"id": "add-title", "property": "value", "value": "Streamed case"},
                  {"id": "add-diagnosis", "property": "value", "value": "Lung adenocarcinoma"}]}
    answer = client.post("/_dash-update-component", json=payload,
                         headers={"X-CSRFToken": client.get_cookie("_csrf_token").value})
    assert answer.status_code == 200
    assert "Case 'Streamed case' added" in json.dumps(answer.json)
    assert not any(staging_root(settings).iterdir())
    [added] = [p for p in (settings.data_dir / "cases").iterdir()]
    assert (added / "tumor.vcf").read_bytes() == vcf
