"""c28f680 "confirm before final": one click on "Mark final" made the case read-only for good;
the button now sits behind the browser's confirmation."""

from __future__ import annotations

from dash import dcc

from layouts import ids
from layouts.board import status_bar
from mtb.board import CaseRecord
from tests.layouts.tree import by_id, walk


def test_mark_final_is_behind_a_confirmation() -> None:
    bar = status_bar(CaseRecord("drawn", "decided", version=3), may_decide=True)
    confirm = by_id(bar, ids.CONFIRM_FINAL)
    assert isinstance(confirm, dcc.ConfirmDialogProvider)
    assert "read-only for everyone" in confirm.message
    assert by_id(confirm, ids.FINAL_BUTTON).children == "Mark final"
    others = [c for c in walk(bar) if isinstance(getattr(c, "id", None), dict)]
    assert [c.id["status"] for c in others] == ["presented"]  # the step back needs no dialog
