"""Over-calling: how much of mtb's tier II and of its card therapies rests on evidence that
should not carry it.

    python bench/overcall.py

Every CIViC variant of the bundled release that names one gene and one change (single-variant
molecular profiles whose name mtb can read: protein changes, codons, exon classes, fusions,
amplifications, gene classes) is annotated, alone, in each of ten diagnoses. For each run:

- the share of tier II calls that rest on diagnostic or prognostic evidence from another tumor
  type (AMP: such evidence counts only in the patient's tumor type; target 0);
- the share of card therapies (the lines a card may show) that come from level D evidence or
  name a tool compound, a withdrawn drug or one whose development stopped (target 0);
- tier counts per diagnosis.

The same three figures are measured, in the same run, for the naive reading mtb used to have
(CIViC's levels one-to-one onto AMP's over every evidence type and every tumor type, all named
therapies shown): the baseline the ratios are taken against.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotation import annotate_alterations
from annotation.alterations import from_description
from annotation.drugs import DrugVocabulary
from annotation.kb import KnowledgeBase
from annotation.levels import IN_TUMOR_TYPE, counted, relation
from annotation.model import Tier
from annotation.proteins import UNMATCHABLE, classify_name
from annotation.therapies import card_lines, regimens
from mtb.config import Settings

DIAGNOSES = ("lung adenocarcinoma", "colorectal cancer", "breast cancer", "melanoma",
             "acute myeloid leukemia", "high-grade serous ovarian carcinoma",
             "pancreatic ductal adenocarcinoma", "prostate cancer", "glioblastoma",
             "bladder urothelial carcinoma")
_NAIVE_SAME = {"A": Tier.IA, "B": Tier.IB, "C": Tier.IIC, "D": Tier.IID, "E": Tier.IID}
_NAIVE_OTHER = {"A": Tier.IIC, "B": Tier.IIC, "C": Tier.IID, "D": Tier.IID}


def _naive(matches, diagnosis, drugs):  # type: ignore[no-untyped-def]
    """Tier, whether the best item was off-type diagnostic/prognostic, and the therapies with
    whether each is level D or not card-worthy: the old one-to-one reading."""
    best, best_item, therapies = Tier.III, None, {}
    for match in matches:
        evidence = match.evidence
        if evidence.kind != "evidence" or not counted(evidence):
            continue
        here = relation(evidence, diagnosis).where in IN_TUMOR_TYPE
        tier = (_NAIVE_SAME if here else _NAIVE_OTHER).get(evidence.level)
        if tier is None:
            continue
        if tier.rank < best.rank:
            best, best_item = tier, (evidence, here)
        for regimen in regimens(evidence, drugs):
            bad = evidence.level in ("D", "E") or not regimen.card_worthy
            therapies[regimen.key] = therapies.get(regimen.key, True) and bad
    off_type = (best_item is not None and not best_item[1]
                and best_item[0].evidence_type in ("Diagnostic", "Prognostic"))
    return best, off_type, therapies


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        kb = KnowledgeBase.open(Settings.load(environ={"MTB_DATA_DIR": scratch}))
        drugs = DrugVocabulary.bundled()
        knowledge = kb.civic.knowledge
        variants = [v for v in knowledge.variants.values()
                    if v.single_profile is not None and v.gene
                    and classify_name(v.name, v.variant_types).kind != UNMATCHABLE]
        alterations = [from_description(v.gene, v.name, kb.genes) for v in variants]
        print(f"CIViC {knowledge.release}: {len(variants)} single-variant profiles x "
              f"{len(DIAGNOSES)} diagnoses")
        totals = {"mtb": Counter(), "baseline": Counter()}
        started = time.perf_counter()
        for text in DIAGNOSES:
            diagnosis = kb.ontology.resolve(text)
            annotated = annotate_alterations([(None, a) for a in alterations], diagnosis, kb)
            mtb: Counter[str] = Counter()
            naive: Counter[str] = Counter()
            for variant in annotated:
                mtb[variant.tier.value] += 1
                decided = next((r.match for r in variant.reasons if r.rule == "decided_by"),
                               None)
                if variant.tier in (Tier.IIC, Tier.IID):
                    mtb["tier II"] += 1
                    if decided is not None and decided.evidence.evidence_type in (
                            "Diagnostic", "Prognostic") and relation(
                            decided.evidence, diagnosis).where not in IN_TUMOR_TYPE:
                        mtb["tier II off-type dx/px"] += 1
                shown, _ = card_lines(variant.therapies)
                mtb["card therapies"] += len(shown)
                mtb["card therapies D or unfit"] += sum(
                    1 for t in shown if t.level == "D" or t.excluded)
                tier, off_type, lines = _naive(variant.matches, diagnosis, drugs)
                naive[tier.value] += 1
                if tier in (Tier.IIC, Tier.IID):
                    naive["tier II"] += 1
                    naive["tier II off-type dx/px"] += off_type
                naive["card therapies"] += len(lines)
                naive["card therapies D or unfit"] += sum(lines.values())
            for name, counts in (("mtb", mtb), ("baseline", naive)):
                totals[name].update(counts)
            tiers = lambda c: " ".join(f"{t.value} {c[t.value]}" for t in Tier)  # noqa: E731
            print(f"{text} -> {diagnosis.name}:\n  mtb:      {tiers(mtb)}\n"
                  f"  baseline: {tiers(naive)}")
        elapsed = time.perf_counter() - started
    print()
    for name, counts in totals.items():
        tier2 = counts["tier II"] or 1
        cards = counts["card therapies"] or 1
        print(f"{name}: tier II resting on off-type diagnostic/prognostic evidence "
              f"{counts['tier II off-type dx/px']}/{counts['tier II']} "
              f"({counts['tier II off-type dx/px'] / tier2:.1%}); card therapies from level D "
              f"or unfit drugs {counts['card therapies D or unfit']}/{counts['card therapies']} "
              f"({counts['card therapies D or unfit'] / cards:.1%}); tier I "
              f"{counts['IA'] + counts['IB']}, tier II {counts['tier II']}")
    print(f"annotation of {len(variants) * len(DIAGNOSES):,} variant x diagnosis pairs: "
          f"{elapsed:.1f} s")


if __name__ == "__main__":
    main()
