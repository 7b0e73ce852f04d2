"""How often mtb's tiers and therapies agree with CIViC's own expert assertions.

    python bench/civic_agreement.py [--list]

For every CIViC assertion with an AMP/ASCO/CAP category (the bundled 01-Jul-2025 release), the
asserted variant is annotated for the asserted disease with the assertions themselves left out,
so the tier comes only from mtb's rules over CIViC's evidence items and the approvals table. The
disease is the assertion's own: its DOID, or its name resolved like any diagnosis; "Solid Tumor"
(tumor-agnostic assertions) is tried as a cancer of unknown primary, a solid tumor with no
other type; an assertion whose disease cannot be resolved is not evaluable. Multi-variant
profiles and variant names mtb cannot turn into a finding are not evaluable, and listed.

Besides the tier, a predictive assertion's therapy is compared with mtb's therapy lines: is the
asserted regimen among the lines mtb gives at that tier, and is it on the card at all?

The baseline, measured in the same run, is the naive reading mtb used to have: CIViC's level
mapped one-to-one onto AMP's (A or B in the tumor type -> IA/IB, C/D -> IIC/IID, A/B elsewhere
-> IIC) over every evidence type, with no approvals table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotation import annotate_alterations, tier_context
from annotation.alterations import from_description
from annotation.drugs import DrugVocabulary
from annotation.kb import KnowledgeBase
from annotation.levels import IN_TUMOR_TYPE, counted, relation
from annotation.model import Match, Tier
from annotation.therapies import card_lines, regimens
from annotation.tiering import tier_variant
from mtb.config import Settings

CATEGORY = {"Tier I - Level A": Tier.IA, "Tier I - Level B": Tier.IB,
            "Tier II - Level C": Tier.IIC, "Tier II - Level D": Tier.IID}
_NAIVE_SAME = {"A": Tier.IA, "B": Tier.IB, "C": Tier.IIC, "D": Tier.IID, "E": Tier.IID}
_NAIVE_OTHER = {"A": Tier.IIC, "B": Tier.IIC, "C": Tier.IID, "D": Tier.IID}


def naive_tier(matches: list[Match], diagnosis) -> Tier:  # type: ignore[no-untyped-def]
    """The one-to-one reading of CIViC levels (the baseline)."""
    best = Tier.III
    for match in matches:
        evidence = match.evidence
        if evidence.kind != "evidence" or not counted(evidence):
            continue
        here = relation(evidence, diagnosis).where in IN_TUMOR_TYPE
        tier = (_NAIVE_SAME if here else _NAIVE_OTHER).get(evidence.level)
        if tier is not None and tier.rank < best.rank:
            best = tier
    return best


def _outcome(got: Tier, expected: Tier) -> str:
    if got == expected:
        return "agree"
    same_tier = got.value.rstrip("ABCD") == expected.value.rstrip("ABCD")
    return "same tier, other level" if same_tier else "disagree"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="print every assertion's outcome")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        kb = KnowledgeBase.open(Settings.load(environ={"MTB_DATA_DIR": scratch}))
        drugs = DrugVocabulary.bundled()
        knowledge = kb.civic.knowledge
        mtb: Counter[str] = Counter()
        naive: Counter[str] = Counter()
        therapy: Counter[str] = Counter()
        lines = []
        for profile_id, items in sorted(knowledge.assertions.items()):
            for assertion in items:
                expected = CATEGORY.get(assertion.amp_category)
                if expected is None:
                    continue
                profile = knowledge.profiles.get(profile_id)
                if profile is None or profile.compound:
                    mtb["not evaluable (multi-variant profile)"] += 1
                    lines.append(f"{assertion.id} {assertion.profile}: not evaluable (profile)")
                    continue
                disease = assertion.doid or assertion.disease
                if disease.strip().lower() == "solid tumor":  # tumor-agnostic assertions: any
                    disease = "cancer of unknown primary"  # solid tumor with no other type
                diagnosis = kb.ontology.resolve(disease)
                if not diagnosis.known:
                    mtb["not evaluable (disease not resolved)"] += 1
                    lines.append(f"{assertion.id} {assertion.disease}: not evaluable (disease)")
                    continue
                variant = knowledge.variants[profile.variant_ids[0]]
                alteration = from_description(variant.gene, variant.name, kb.genes)
                [annotated] = annotate_alterations([(None, alteration)], diagnosis, kb)
                evidence = [m for m in annotated.matches if m.evidence.kind != "assertion"]
                context = tier_context([annotated.alteration], diagnosis, kb)
                call = tier_variant(annotated.alteration, evidence, diagnosis, context,
                                    hotspot=annotated.hotspot)
                key = _outcome(call.tier, expected)
                mtb[key] += 1
                naive[_outcome(naive_tier(evidence, diagnosis), expected)] += 1
                note = ""
                if assertion.evidence_type == "Predictive" and assertion.therapies:
                    wanted = {r.key for r in regimens(assertion, drugs)}
                    at_tier = {frozenset(t.drugs) for t in call.therapies
                               if t.tier == call.tier and t.resistance == assertion.is_resistance}
                    shown, _ = card_lines(call.therapies)
                    on_card = {frozenset(t.drugs) for t in shown}
                    therapy["predictive"] += 1
                    therapy["at tier"] += bool(wanted & at_tier)
                    therapy["on card"] += bool(wanted & on_card)
                    note = "; therapy on card" if wanted & on_card else "; therapy not on card"
                lines.append(f"{assertion.id} {assertion.profile} in {assertion.disease}: "
                             f"CIViC {expected.value}, mtb {call.tier.value} -> {key}{note}")
    evaluable = mtb["agree"] + mtb["same tier, other level"] + mtb["disagree"]
    if args.list:
        print("\n".join(lines))
    print(f"assertions with an AMP category: {sum(mtb.values())}; evaluable: {evaluable}")
    for key, count in mtb.most_common():
        print(f"  {key}: {count}")
    if evaluable:
        for name, counts in (("mtb", mtb), ("baseline (CIViC levels one-to-one)", naive)):
            exact = counts["agree"] / evaluable
            same = (counts["agree"] + counts["same tier, other level"]) / evaluable
            print(f"{name}: exact agreement {exact:.0%}, same tier (I or II) {same:.0%}")
    if therapy["predictive"]:
        total = therapy["predictive"]
        print(f"predictive assertions: {total}; asserted regimen among mtb's lines at that tier: "
              f"{therapy['at tier'] / total:.0%}; on the card: {therapy['on card'] / total:.0%}")


if __name__ == "__main__":
    main()
