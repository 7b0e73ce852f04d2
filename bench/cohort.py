"""Benchmark: cohort queries and trial recruitment over 1,000 SYNTHETIC cases x 1,500 findings.

    python bench/cohort.py [--cases 1000] [--findings 1500] [--trials 50]

Builds a SQLite case store through the store's own API (Store.add_version: the rows a worker
writes), every case SYNTHETIC: diagnoses are names resolved by the bundled Disease Ontology (so
their codes are the ontology's), findings are mostly tier III changes in made-up genes
(SYNG0001...) plus a share of well-known actionable changes (BRAF V600E/K, EGFR L858R and exon
19 deletion, KRAS G12C/D, EML4::ALK, ERBB2 amplification, TMB-high); each version's document is
a placeholder (no case document: only the index is read). Then prints, with the baseline
measured in the same run:

- cohort query by gene + variant (BRAF p.V600E) and by tumor type + tier (NSCLC, tier I),
  median of 5 runs (target <= 200 ms each); baseline: a naive full scan of every index row in
  Python with the same matching rules;
- matching 50 CTML trials against all cases (target <= 10 s): profiles from the index
  (mtb.trials.recruitment.stored_profiles, the genes the trials name) and recruit() per
  trial; baseline: the same with profiles of every gene, measured on the first 100 cases and
  extrapolated linearly (all 1.5 M findings as profiles would not fit a shared machine).

The trials are the CTML examples of ../shared/data/trials/ctml (MatchMiner's matchengine-V2
test trials, Apache-2.0) and tests/data/trials/handmade (SYNTHETIC), replicated under
SYNTHETIC ids up to --trials.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from annotation.diseases import DiseaseOntology  # noqa: E402
from mtb.cohort.query import CohortQuery, run, tier_matches  # noqa: E402
from mtb.cohort.variants import VariantQuery  # noqa: E402
from mtb.store import CaseHeader, FindingRow, NewVersion, Store  # noqa: E402

CTML = REPO.parent.parent / "shared" / "data" / "trials" / "ctml" / "matchengine-V2" / \
    "matchengine" / "tests" / "data"
HANDMADE = REPO / "tests" / "data" / "trials" / "handmade"
DIAGNOSES = ["lung adenocarcinoma", "small cell lung cancer", "melanoma",
             "colorectal adenocarcinoma", "breast carcinoma", "pancreatic adenocarcinoma"]
# (share of cases, gene, label, class, protein, tier, exon, partner5, partner3, cnv call, key)
ACTIONABLE = [
    (0.05, "BRAF", "BRAF p.V600E", "snv", "p.V600E", "IA", 15, "", "", "", ""),
    (0.03, "BRAF", "BRAF p.V600K", "snv", "p.V600K", "IA", 15, "", "", "", ""),
    (0.08, "EGFR", "EGFR p.L858R", "snv", "p.L858R", "IA", 21, "", "", "", ""),
    (0.05, "EGFR", "EGFR p.E746_A750del", "deletion", "p.E746_A750del", "IA", 19, "", "", "",
     ""),
    (0.06, "KRAS", "KRAS p.G12C", "snv", "p.G12C", "IIC", 2, "", "", "", ""),
    (0.06, "KRAS", "KRAS p.G12D", "snv", "p.G12D", "IIC", 2, "", "", "", ""),
    (0.03, "ALK", "EML4::ALK", "fusion", "", "IA", None, "EML4", "ALK", "", "fusion:EML4::ALK"),
    (0.04, "ERBB2", "ERBB2 amplification (CN 12)", "cnv", "", "IIC", None, "", "", "amplification",
     "cnv:ERBB2 amplification (CN 12)"),
    (0.10, "TMB", "TMB 14 mut/Mb (high)", "biomarker", "", "IIC", None, "", "", "",
     "biomarker:TMB high"),
]
AMINO = "ACDEFGHIKLMNPQRSTVWY"


def build(store: Store, cases: int, findings: int, ontology: DiseaseOntology,
          seed: int = 14) -> None:
    rng = random.Random(seed)
    diagnoses = [ontology.resolve(name) for name in DIAGNOSES]
    genes = [f"SYNG{i:04d}" for i in range(1, 601)] + ["TP53", "PIK3CA", "NRAS", "APC"]
    for i in range(cases):
        case_id = f"syn-bench-{i:04d}"
        diagnosis = diagnoses[i % len(diagnoses)]
        store.register_case(CaseHeader(case_id, f"/nonexistent/{case_id}", "benchmark",
                                       f"SYNTHETIC benchmark case {i}", diagnosis.text, True,
                                       "all (bench/cohort.py)"))
        rows: list[FindingRow] = []
        for share, gene, label, cls, protein, tier, exon, five, three, call, key in ACTIONABLE:
            if rng.random() < share:
                rows.append(FindingRow(len(rows), key or f"bench-{i}-{len(rows)}", gene, label,
                                       cls, protein, tier, "A", tier != "III", exon, five,
                                       three, call))
        while len(rows) < findings:
            gene = rng.choice(genes)
            pos = rng.randint(1, 2000)
            protein = f"p.{rng.choice(AMINO)}{pos}{rng.choice(AMINO)}"
            rows.append(FindingRow(len(rows), f"bench-{i}-{len(rows)}", gene,
                                   f"{gene} {protein}", "snv", protein,
                                   rng.choice(("III", "III", "III", "IV")), "", False,
                                   rng.randint(1, 20)))
        store.add_version(NewVersion(
            case_id=case_id, input_key=f"bench-{i}", reason="SYNTHETIC benchmark",
            mtb_version="bench", document_schema=0, kb_signature="0" * 64,
            kb_release="none", approvals="none", build="GRCh38", files=(),
            title=f"SYNTHETIC benchmark case {i}", diagnosis=diagnosis.text,
            diagnosis_name=diagnosis.name, doid=diagnosis.doid or "",
            oncotree=diagnosis.oncotree, tier_one=0, tier_two=0, tmb=None, biomarkers={},
            changes={}, board_changes={}, document=b'{"synthetic": "benchmark placeholder"}',
            findings=tuple(rows)), after=0, job_id=None, worker="bench")


def timed(action, runs: int = 5) -> tuple[float, object]:
    action()  # warm: the first run reads the pages from disk
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def naive_scan(path: Path, query: CohortQuery, ontology: DiseaseOntology) -> set[str]:
    """The baseline: every index row read and matched in Python (no index, no narrowing)."""
    variant = VariantQuery.parse(query.variant, query.gene) if query.variant else None
    wanted = ontology.resolve(query.tumor_type).doid if query.tumor_type else None
    tiers = [query.tier] if query.tier else []
    with sqlite3.connect(path) as db:
        doids = dict(db.execute("SELECT id, doid FROM case_version"))
        found = set()
        for row in db.execute("SELECT version_id, case_id, ordinal, finding_key, gene, label, "
                              "variant_class, protein, tier, level, key_finding, exon, "
                              "partner5, partner3, cnv_call FROM case_finding"):
            finding = FindingRow(*row[2:])
            if query.gene and finding.gene != query.gene:
                continue
            if variant is not None and not variant.matches(finding):
                continue
            if tiers and not tier_matches(tiers, finding.tier):
                continue
            if wanted and wanted not in ontology.lineage(doids[row[0]]):
                continue
            found.add(row[1])
    return found


def trials(count: int):
    from mtb.trials.ctml import read_ctml
    from mtb.trials.tumor_types import TumorTypes

    types = TumorTypes.bundled()
    paths = sorted(CTML.rglob("integration_trials/*.json")) + sorted(CTML.rglob("*.yaml")) + \
        sorted(HANDMADE.glob("*.yaml"))
    read = []
    for path in paths:
        try:
            read.append(read_ctml(path, types))
        except Exception as error:  # a file this reader refuses is left out
            print(f"  (left out {path.name}: {type(error).__name__})")
    return [replace(read[k % len(read)], id=f"SYN-BENCH-{k:02d}-{read[k % len(read)].id}")
            for k in range(count)], types


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--findings", type=int, default=1500)
    parser.add_argument("--trials", type=int, default=50)
    args = parser.parse_args()
    from mtb.trials.recruitment import recruit, stored_profiles

    ontology = DiseaseOntology.bundled()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        store = Store.open(f"sqlite:///{path}")
        start = time.perf_counter()
        build(store, args.cases, args.findings, ontology)
        print(f"store: {args.cases} SYNTHETIC cases x {args.findings} findings written in "
              f"{time.perf_counter() - start:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
        print("cohort queries (median of 5; target <= 200 ms):")
        for name, query in (("gene + variant (BRAF p.V600E)",
                             CohortQuery(gene="BRAF", variant="p.V600E")),
                            ("tumor type + tier (NSCLC, tier I)",
                             CohortQuery(tumor_type="NSCLC", tier="I"))):
            seconds, result = timed(lambda q=query: run(store, q, ontology))
            start = time.perf_counter()
            naive = naive_scan(path, query, ontology)
            baseline = time.perf_counter() - start
            cases = {c.case_id for c in result.cases}  # type: ignore[attr-defined]
            same = "same cases" if cases == naive else f"DIFFERENT ({len(naive)} by scan)"
            print(f"  {name}: {seconds * 1000:.0f} ms, {len(cases)} cases, "
                  f"{len(result.rows)} rows; naive full scan {baseline * 1000:.0f} ms "  # type: ignore[attr-defined]
                  f"({baseline / seconds:.0f}x slower; {same})")
        portfolio, types = trials(args.trials)
        genes = sorted({g for t in portfolio for g in t.genes})
        print(f"matching {len(portfolio)} CTML trials ({len(genes)} genes) against all cases "
              "(target <= 10 s):")
        sample = [f"syn-bench-{i:04d}" for i in range(min(args.cases, 100))]
        scale = args.cases / len(sample)
        fast = 0.0
        for name, wanted in (("profiles of the trials' genes", genes),
                             (f"baseline: profiles of every gene, {len(sample)} cases", None)):
            start = time.perf_counter()
            site = stored_profiles(store, wanted, ontology,
                                   cases=None if wanted is not None else sample)
            built = time.perf_counter() - start
            matched = 0
            for trial in portfolio:
                matched += len({m.case_id for m in recruit(trial, site, types).matches})
            total = time.perf_counter() - start
            print(f"  {name}: {total:.2f} s ({built:.2f} s profiles, "
                  f"{len(site.profiles)} patients; {matched} patient-trial pairs with a match "
                  "or possible match)")
            if wanted is not None:
                fast = total
            else:  # 1.5 M findings as profiles would not fit a shared machine's memory
                print(f"  baseline for all {args.cases} cases, extrapolated x{scale:g}: "
                      f"{total * scale:.1f} s, {total * scale / fast:.0f}x the index profiles")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
