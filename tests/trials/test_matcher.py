"""The prepared matcher (many patients, many trials) gives every arm the status the full
evaluation gives: its shortcut (an arm whose genes the patient lacks) is only a shortcut."""

from __future__ import annotations

from mtb.trials.ctml import read_ctml
from mtb.trials.matching import TrialMatcher, match_arm
from tests.trials.conftest import TRIALS


def test_the_shortcut_agrees_with_the_full_evaluation(text_profile, types) -> None:
    trials = [read_ctml(p) for p in sorted((TRIALS / "handmade").glob("*.yaml"))]
    trials += [read_ctml(TRIALS / "ctml" / "matchengine" / name) for name in (
        "11-112.yaml", "structured_sv.json", "massive_match_clause.json")]
    patients = [
        text_profile("egfr", [("EGFR", "L858R")], "lung adenocarcinoma", age=60.0),
        text_profile("kras", [("KRAS", "G12D"), ("TP53", "R175H")], "colorectal adenocarcinoma",
                     age=70.0),
        text_profile("alk", [("ALK", "EML4-ALK")], "lung adenocarcinoma", age=12.0),
        text_profile("none", [], "melanoma", age=50.0),
    ]
    matcher = TrialMatcher(trials, types)
    shortcuts = 0
    for profile in patients:
        for found in matcher.match(profile):
            trial = next(t for t in trials if t.id == found.trial_id and t.arm(found.arm))
            full = match_arm(trial, trial.arm(found.arm), profile, types)
            assert found.status == full.status, (profile.case_id, found, full)
            shortcuts += found.reasons[0].text.startswith("the arm requires")
    assert shortcuts > 10  # the shortcut was taken, and agreed each time
