"""The board's rules (mtb.board), on drawn findings: the tier the board reports, which findings
are key findings, which count, and who may do what."""

from __future__ import annotations

from datetime import date

import pytest

from annotation.model import Tier
from mtb.board import (
    AMP_TIERS,
    NEXT_STATUS,
    PERMISSIONS,
    ROLES,
    STATUSES,
    Actor,
    Meeting,
    Recommendation,
    counts,
    dismissed,
    finding_key,
    is_key_finding,
    key_findings,
    reported_tier,
    tier_counts,
)
from tests.drawn import amplification, curation, fusion, small

IA = small("EGFR", "p.L858R", Tier.IA, level="A")
IIC = small("KRAS", "p.G12D", Tier.IIC, level="C")
III = small("TP53", "p.R175H", Tier.III)
IV = small("MUC16", "p.S100F", Tier.IV)


@pytest.mark.parametrize(("variant", "fields", "tier", "key", "counted"), [
    (IA, {}, "IA", True, True),
    (IA, {"tier_override": "IIC", "override_reason": "r"}, "IIC", True, True),
    (IA, {"tier_override": "III", "override_reason": "r"}, "III", True, False),  # curated away
    (IA, {"oncogenicity": "likely artefact"}, "IA", True, False),
    (IA, {"oncogenicity": "oncogenic", "comment": "x"}, "IA", True, True),
    (III, {}, "III", False, False),
    (III, {"tier_override": "IIC", "override_reason": "r"}, "IIC", True, True),  # raised
    (III, {"oncogenicity": "oncogenic"}, "III", False, False),  # oncogenic is not a tier
    (IV, {"tier_override": "IB", "override_reason": "r"}, "IB", True, True),
    (IIC, {"tier_override": "IV", "override_reason": "r"}, "IV", True, False),
])
def test_reported_tier_key_findings_and_what_counts(variant, fields, tier, key, counted):
    curated = curation(variant, **fields) if fields else None
    assert reported_tier(variant, curated) == tier
    assert is_key_finding(variant, curated) is key
    assert counts(variant, curated) is counted


@pytest.mark.parametrize(("fields", "gone"), [
    ({"oncogenicity": "benign"}, True), ({"oncogenicity": "likely benign"}, True),
    ({"oncogenicity": "likely artefact"}, True), ({"oncogenicity": "uncertain"}, False),
    ({"tier_override": "IV"}, True), ({"tier_override": "IID"}, False), ({}, False),
])
def test_dismissed(fields, gone):
    assert dismissed(curation(IA, **fields)) is gone
    assert dismissed(None) is False


def test_key_findings_sort_by_reported_tier_then_gene():
    curations = {finding_key(III): curation(III, tier_override="IB", override_reason="r"),
                 finding_key(IA): curation(IA, tier_override="IID", override_reason="r")}
    rows = key_findings([IA, IIC, III, IV], curations)
    assert [(row, v.alteration.gene) for row, v in rows] == [(2, "TP53"), (1, "KRAS"),
                                                             (0, "EGFR")]
    assert [v for _, v in key_findings([IV, III, IIC, IA])] == [IA, IIC]


def test_tier_counts_follow_the_reported_tier():
    curations = {finding_key(IIC): curation(IIC, tier_override="IA", override_reason="r"),
                 finding_key(IA): curation(IA, oncogenicity="likely artefact")}
    assert tier_counts([IA, IIC, III, IV]) == (1, 1)
    assert tier_counts([IA, IIC, III, IV], curations) == (1, 0)
    assert tier_counts([]) == (0, 0)


def test_finding_keys():
    assert finding_key(IA) == IA.finding.key
    assert finding_key(amplification("ERBB2", Tier.IA)) == "cnv:ERBB2 amplification (12)"
    assert finding_key(fusion("EML4", "ALK", Tier.IA)) == "fusion:EML4::ALK"


def test_vocabularies():
    assert AMP_TIERS == ("IA", "IB", "IIC", "IID", "III", "IV")
    assert set(NEXT_STATUS) == set(STATUSES) and NEXT_STATUS["final"] == ()
    assert all(next_ in STATUSES for moves in NEXT_STATUS.values() for next_ in moves)
    assert all(roles <= set(ROLES) for roles in PERMISSIONS.values())


@pytest.mark.parametrize(("role", "allowed"), [
    ("viewer", set()), ("curator", {"curate", "add_case"}),
    ("chair", {"curate", "add_case", "decide"}),
    ("admin", {"curate", "add_case", "decide", "manage_users"}),
])
def test_who_may_do_what(role, allowed):
    actor = Actor("someone", role)
    assert {action for action in PERMISSIONS if actor.may(action)} == allowed


def test_records_read_their_encodings():
    recommendation = Recommendation(1, "c", "genetic_counselling", "x",
                                    finding_keys="7-1-A-T\n\ncnv:ERBB2 amplification\n")
    assert recommendation.keys == ("7-1-A-T", "cnv:ERBB2 amplification")
    assert recommendation.kind_label == "Genetic counselling"
    meeting = Meeting(1, date(2026, 11, 24), "MTB", participants="Dr. A\n\nDr. B")
    assert meeting.label == "2026-11-24 · MTB (2 participants)"
    assert Meeting(2, date(2026, 11, 24), "MTB").label == "2026-11-24 · MTB"
