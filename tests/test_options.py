"""The board's options checked against the patient's own course (issue 10, item 5), and the
call-quality flag (item 6). Drawn findings and a drawn timeline (SYNTHETIC): the lung case of
the scenario, EGFR L858R with acquired T790M after progression on erlotinib."""

from __future__ import annotations

from annotation.drugs import DrugVocabulary
from annotation.model import Tier
from mtb.board import call_quality
from mtb.config import SupportThresholds
from mtb.options import board_options, course_of, line_cautions
from mtb.timeline import EventKind, PartialDate, TimelineEvent, therapy_lines
from tests.drawn import small, snv, therapy

ERLOTINIB = TimelineEvent(EventKind.SYSTEMIC_THERAPY, PartialDate.parse("2023-02-01"),
                          "Erlotinib", end=PartialDate.parse("2024-03-10"))
PROGRESSION = TimelineEvent(EventKind.PROGRESSION, PartialDate.parse("2024-03-05"),
                            "Progression (CT)")
L858R = small("EGFR", "p.L858R", Tier.IA, level="A", therapies=[
    therapy("Osimertinib", Tier.IA), therapy("Erlotinib", Tier.IA), therapy("Afatinib", Tier.IA),
    therapy("Amivantamab", Tier.IIC, "C")])
T790M = small("EGFR", "p.T790M", Tier.IA, level="A", therapies=[
    therapy("Osimertinib", Tier.IA), therapy("Afatinib", Tier.IA, resistance=True)])


def _course():  # type: ignore[no-untyped-def]
    events = [ERLOTINIB, PROGRESSION]
    return course_of(therapy_lines(events), events, DrugVocabulary.bundled())


def test_a_drug_the_patient_progressed_on_is_marked_and_offered_last() -> None:
    course = _course()
    assert course.progressed["erlotinib"].startswith("progressed on erlotinib (line 1, "
                                                     "progression 2024-03-05")
    options = board_options([L858R, T790M], course)
    names = [o.therapy.name for o in options]
    assert names[0] == "Osimertinib"
    erlotinib = next(o for o in options if o.therapy.name == "Erlotinib")
    assert erlotinib.caution.startswith("progressed on erlotinib") and not erlotinib.offered
    assert names.index("Erlotinib") > names.index("Osimertinib")
    offered = [o.offered for o in options]
    assert offered == sorted(offered, reverse=True)  # every offered option before any other


def test_resistance_another_finding_predicts_is_a_caution() -> None:
    options = {o.therapy.name: o for o in board_options([L858R, T790M], _course())}
    assert options["Afatinib"].caution == "resistance predicted by EGFR p.T790M"
    cautions = line_cautions([L858R, T790M], _course())
    assert cautions[frozenset({"afatinib"})] == "resistance predicted by EGFR p.T790M"


def test_one_option_per_regimen_with_every_finding_it_serves() -> None:
    options = board_options([L858R, T790M], _course())
    [osimertinib] = [o for o in options if o.therapy.name == "Osimertinib"]
    assert set(osimertinib.finding.split(", ")) == {"EGFR p.L858R", "EGFR p.T790M"}


def test_only_tier_i_lines_are_options() -> None:
    names = {o.therapy.name for o in board_options([L858R], _course())}
    assert "Amivantamab" not in names  # tier IIC: not an option as such


def test_a_course_without_progression_says_given_only() -> None:
    events = [ERLOTINIB]
    course = course_of(therapy_lines(events), events, DrugVocabulary.bundled())
    assert "erlotinib" not in course.progressed
    erlotinib = next(o for o in board_options([L858R], course) if o.therapy.name == "Erlotinib")
    assert erlotinib.offered and erlotinib.given.startswith("given in Line 1")


def test_call_quality_on_both_sides_of_each_threshold() -> None:
    limits = SupportThresholds(min_alt_reads=5, min_depth=20, min_vaf=0.05)

    def drawn(alt: int, depth: int, vaf: float):  # type: ignore[no-untyped-def]
        found = small("KRAS", "p.G12D", Tier.IIC)
        return found.__class__(snv("chr12", 1, "C", "T", vaf=vaf, alt_reads=alt, depth=depth),
                               found.alteration, found.tier, found.level)

    assert call_quality(drawn(2, 9, 0.22), limits) == "low support: 2/9 reads"
    assert call_quality(drawn(4, 100, 0.04), limits) == "low support: 4/100 reads"
    assert call_quality(drawn(5, 19, 0.26), limits) == "low support: 5/19 reads"
    assert call_quality(drawn(5, 20, 0.25), limits) == ""
    assert call_quality(drawn(10, 1000, 0.049), limits) == "low VAF: 5%"
    assert call_quality(drawn(50, 1000, 0.05), limits) == ""
    # with the tumor purity: a VAF the tumor cells cannot explain (more than 10 points above)
    assert call_quality(drawn(55, 100, 0.55), limits, purity=0.4) == (
        "VAF 55% above the tumor purity 40%: germline, or is the purity underestimated?")
    assert call_quality(drawn(50, 100, 0.50), limits, purity=0.4) == ""
    assert call_quality(drawn(55, 100, 0.55), limits) == ""  # purity unknown: not judged
