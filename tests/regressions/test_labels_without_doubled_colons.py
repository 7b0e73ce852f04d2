"""a406f85 "labels without doubled colons": the stylesheet writes the colon after every
`.fact-label`; the status bar and the report buttons wrote one more ("Status::")."""

from __future__ import annotations

from layouts.board import downloads, status_bar
from mtb.board import CaseRecord
from tests.layouts.tree import walk

CSS = "assets/10_mtb.css"


def _labels(node) -> list[str]:
    return [c.children for c in walk(node) if getattr(c, "className", None) == "fact-label"]


def test_fact_labels_carry_no_colon_of_their_own() -> None:
    from mtb.resources import assets_dir

    assert '.fact-label::after { content: ":"; }' in (assets_dir() / "10_mtb.css").read_text()
    labels = _labels(status_bar(CaseRecord("drawn"), may_decide=False)) + _labels(downloads())
    assert labels == ["Status", "Report"]
