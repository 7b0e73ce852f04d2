"""c28f680 "request and block limits": a grid request could ask for every row of a 100,000-row
case at once, and any request body was accepted whatever its size."""

from __future__ import annotations

from flask import Flask

from annotation.model import Tier
from mtb.store import Store
from mtb.web.auth import MAX_REQUEST_BYTES, install_auth
from mtb.web.grid import MAX_BLOCK, rows_for, variant_frame
from tests.drawn import case_of, small


def test_a_block_has_at_most_max_block_rows() -> None:
    frame = variant_frame(case_of([small("G", f"p.A{n}T", Tier.III) for n in range(600)]))
    answer = rows_for(frame, {"startRow": 0, "endRow": 600})
    assert (len(answer["rowData"]), answer["rowCount"]) == (MAX_BLOCK, 600)


def test_a_request_body_is_limited(tmp_path) -> None:
    server = Flask(__name__)
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite'}")
    install_auth(server, store, tmp_path, secure=False)
    assert server.config["MAX_CONTENT_LENGTH"] == MAX_REQUEST_BYTES == 700 * 1024 * 1024
    server.config["MAX_CONTENT_LENGTH"] = 64  # the same check, on a drawn small limit
    response = server.test_client().post("/login", data={"name": "x" * 100})
    assert response.status_code == 413
    store.close()
