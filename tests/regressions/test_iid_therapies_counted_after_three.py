"""fab3a34 "Report: level C/D options counted after three names": a finding with a dozen
preclinical (IID) drugs buried its approved ones in the report; now the report names three IID
drugs and counts the rest."""

from __future__ import annotations

from annotation.model import Tier
from mtb.report.html import MAX_IID_NAMES, therapy_groups
from tests.drawn import therapy


def test_more_than_three_iid_names_are_counted() -> None:
    therapies = [therapy("Osimertinib", Tier.IA), *[
        therapy(f"Drawn compound {n}", Tier.IID, "D") for n in range(1, 6)]]
    [(label, _, tiers)] = therapy_groups(therapies)
    assert label == "Response" and MAX_IID_NAMES == 3
    assert tiers == [("IA", ["Osimertinib"]),
                     ("IID", ["Drawn compound 1", "Drawn compound 2", "Drawn compound 3",
                              "and 2 more (level C/D evidence, listed in mtb)"])]


def test_three_or_fewer_are_all_named() -> None:
    [(_, _, tiers)] = therapy_groups([therapy(f"Drawn {n}", Tier.IID, "D") for n in range(3)])
    assert tiers == [("IID", ["Drawn 0", "Drawn 1", "Drawn 2"])]
