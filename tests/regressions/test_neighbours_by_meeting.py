"""c28f680 "neighbours by meeting": the presentation's previous/next case walked the whole
catalogue, not the agenda of the meeting the case is on."""

from __future__ import annotations

from mtb.config import Settings
from mtb.web.library import CaseLibrary
from tests.drawn import write_vcf_case


def test_previous_and_next_follow_the_meeting(tmp_path) -> None:
    for case_id in ("a", "b", "c", "d"):
        write_vcf_case(tmp_path / "cases", case_id, f"SYNTHETIC {case_id}")
    library = CaseLibrary(Settings.load(environ={"MTB_DATA_DIR": str(tmp_path / "data"),
                                                 "MTB_CASES_DIR": str(tmp_path / "cases")}))
    assert library.neighbours("b") == ("a", "c")
    meetings = {"a": 1, "b": 2, "c": 1, "d": 2}
    assert library.neighbours("b", meetings) == (None, "d")
    assert library.neighbours("c", meetings) == ("a", None)
    assert library.neighbours("b", {"b": None}) == ("a", "c")  # on no meeting: all cases
