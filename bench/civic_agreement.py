"""How often mtb's evidence-based tiers agree with CIViC's own expert assertions.

    python bench/civic_agreement.py [--list]

For every CIViC assertion with an AMP/ASCO/CAP category (01-Aug-2024 snapshot), the asserted
variant is annotated for the asserted disease with the assertions themselves left out, so the
tier comes only from mtb's rules over CIViC's evidence items. Disease: the assertion's DOID;
tumor-agnostic assertions ("Solid Tumor", no DOID) are tried on colon adenocarcinoma as a
representative solid tumor. Multi-variant profiles and assertions whose variant name mtb cannot
turn into a finding are counted as not evaluable, and listed.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter

from annotation import annotate_alterations
from annotation.alterations import from_description
from annotation.kb import KnowledgeBase
from annotation.tiering import _CATEGORY, tier_variant
from mtb.config import Settings

SOLID_TUMOR_STAND_IN = "colon adenocarcinoma"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="print every assertion's outcome")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        kb = KnowledgeBase.open(Settings.load(environ={"MTB_DATA_DIR": scratch}))
        knowledge = kb.civic.knowledge
        outcomes: Counter[str] = Counter()
        lines = []
        for profile_id, items in sorted(knowledge.assertions.items()):
            for assertion in items:
                expected = _CATEGORY.get(assertion.amp_category)
                if expected is None:
                    continue
                profile = knowledge.profiles.get(profile_id)
                if profile is None or profile.compound:
                    outcomes["not evaluable (multi-variant profile)"] += 1
                    lines.append(f"{assertion.id} {assertion.profile}: not evaluable")
                    continue
                variant = knowledge.variants[profile.variant_ids[0]]
                disease = assertion.doid or SOLID_TUMOR_STAND_IN
                diagnosis = kb.ontology.resolve(disease)
                alteration = from_description(variant.gene, variant.name, kb.genes)
                [annotated] = annotate_alterations([(None, alteration)], diagnosis, kb)
                evidence_only = [m for m in annotated.matches if m.evidence.kind != "assertion"]
                call = tier_variant(annotated.alteration, evidence_only, diagnosis,
                                    hotspot=annotated.hotspot)
                same = call.tier == expected
                same_tier = call.tier.value.rstrip("ABCD") == expected.value.rstrip("ABCD")
                key = "agree" if same else "same tier, other level" if same_tier else "disagree"
                outcomes[key] += 1
                lines.append(f"{assertion.id} {assertion.profile} in {assertion.disease}: "
                             f"CIViC {expected.value}, mtb {call.tier.value} -> {key}")
    evaluable = outcomes["agree"] + outcomes["same tier, other level"] + outcomes["disagree"]
    if args.list:
        print("\n".join(lines))
    print(f"assertions with an AMP category: {sum(outcomes.values())}; evaluable: {evaluable}")
    for key, count in outcomes.most_common():
        print(f"  {key}: {count}")
    if evaluable:
        print(f"exact agreement (tier and level): {outcomes['agree'] / evaluable:.0%}; "
              f"same tier (I or II): "
              f"{(outcomes['agree'] + outcomes['same tier, other level']) / evaluable:.0%}")


if __name__ == "__main__":
    main()
