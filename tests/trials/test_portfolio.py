"""The portfolio folder (MTB_TRIALS_DIR): added all or nothing, replaced by trial id, a broken
file reported and left out while the others still match."""

from __future__ import annotations

import shutil

import pytest

from mtb.errors import InputError
from mtb.trials.portfolio import add_trials, load_portfolio
from tests.trials.conftest import TRIALS

HANDMADE = TRIALS / "handmade"
MATCHENGINE = TRIALS / "ctml" / "matchengine"


def test_add_and_list(tmp_path) -> None:
    folder = tmp_path / "trials"
    added = add_trials([HANDMADE / "SYN-KRAS-G12.yaml", MATCHENGINE / "tmb.json"], folder)
    assert [(a.trial.id, a.path.name, a.replaced) for a in added] == [
        ("SYN-KRAS-G12", "SYN-KRAS-G12.yaml", False), ("99-9999", "99-9999.json", False)]
    portfolio = load_portfolio(folder)
    assert [t.id for t in portfolio.trials] == ["99-9999", "SYN-KRAS-G12"]
    assert portfolio.find("syn-kras-g12").id == "SYN-KRAS-G12"
    again = add_trials([MATCHENGINE / "signatures.json"], folder)  # the same protocol number
    assert again[0].replaced
    assert load_portfolio(folder).find("99-9999").source.endswith("99-9999.json")


def test_nothing_is_added_when_one_file_is_bad(tmp_path) -> None:
    folder = tmp_path / "trials"
    with pytest.raises(InputError, match="protocol_no or its nct_id"):
        add_trials([HANDMADE / "SYN-KRAS-G12.yaml", MATCHENGINE / "11-112.json"], folder)
    assert not folder.exists() or not any(folder.iterdir())
    with pytest.raises(InputError, match="also in"):
        add_trials([MATCHENGINE / "tmb.json", MATCHENGINE / "signatures.json"], folder)
    with pytest.raises(InputError, match=r"\.yaml, \.yml or \.json"):
        add_trials([TRIALS / "PROVENANCE.md"], folder)


def test_a_broken_file_is_reported_and_left_out(tmp_path) -> None:
    folder = tmp_path / "trials"
    folder.mkdir()
    shutil.copy(HANDMADE / "SYN-EGFR-NSCLC.yaml", folder)
    (folder / "broken.yaml").write_text("protocol_no: X\ntreatment_list: [\n")
    portfolio = load_portfolio(folder)
    assert [t.id for t in portfolio.trials] == ["SYN-EGFR-NSCLC"]
    assert len(portfolio.errors) == 1 and "broken.yaml" in str(portfolio.errors[0])
    assert load_portfolio(tmp_path / "none").trials == ()
