"""c28f680 "request and block limits": a grid request could ask for every row of a 100,000-row
case at once, and any request body was accepted whatever its size."""

from __future__ import annotations

from werkzeug.test import Client

from annotation.model import Tier
from mtb.board import Actor
from mtb.web.grid import MAX_BLOCK, rows_for, variant_frame
from mtb.web.limits import SIGNED_IN_BYTES, RequestLimits
from tests.drawn import case_of, small


def test_a_block_has_at_most_max_block_rows() -> None:
    frame = variant_frame(case_of([small("G", f"p.A{n}T", Tier.III) for n in range(600)]))
    answer = rows_for(frame, {"startRow": 0, "endRow": 600})
    assert (len(answer["rowData"]), answer["rowCount"]) == (MAX_BLOCK, 600)


def test_a_request_body_is_limited() -> None:
    """(Since issue 12 the limit is checked before the body is read: tests/security.)"""
    read: list[bytes] = []

    def inner(environ, start_response):  # type: ignore[no-untyped-def]
        read.append(environ["wsgi.input"].read())
        start_response("200 OK", [])
        return [b"ok"]

    limits = RequestLimits(inner, lambda token: Actor("vera", "viewer") if token else None,
                           {}, "mtb_session")
    client = Client(limits)
    client.set_cookie("mtb_session", "a-session")
    response = client.post("/_dash-update-component", data=b"x" * (SIGNED_IN_BYTES + 1))
    assert response.status_code == 413 and read == []
    assert client.post("/_dash-update-component", data=b"x" * 100).status_code == 200
