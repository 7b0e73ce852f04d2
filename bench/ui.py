"""Benchmark: the case page of a 100,000-variant case, server side.

    python bench/ui.py [--variants 100000] [--repeat 5]

Builds a SYNTHETIC whole-exome-plus case (bench/annotate.py's generator, annotated for lung
adenocarcinoma, with a short clinical history) and times:
- the case page's layout function (`layouts.case_page.case_page`): target <= 1 s;
- the grid callback (`mtb.web.grid.rows_for`) answering the first block of 100 rows for typical
  filters (tier I-II; PASS + VAF >= 5 % + coding, sorted by VAF; a gene name): target <= 150 ms;
and, as the baseline measured in the same run, what a grid without server-side rows would
cost: turning all 100k rows into the records the browser would have to receive.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from annotate import synthetic_case

from annotation import annotate
from annotation.kb import KnowledgeBase
from layouts.case_page import case_page
from mtb.case import Case
from mtb.catalog import CaseEntry
from mtb.config import Settings
from mtb.timeline import EventKind, PartialDate, TimelineEvent, therapy_lines
from mtb.variant import GenomeBuild
from mtb.web.grid import rows_for, variant_frame

FILTERS = {
    "tier I-II": {"tier_rank": {"filterType": "number", "type": "lessThanOrEqual",
                                "filter": 3}},
    "PASS, VAF >= 5 %, coding; by VAF": {
        "filter": {"filterType": "text", "type": "equals", "filter": "PASS"},
        "vaf": {"filterType": "number", "type": "greaterThanOrEqual", "filter": 0.05},
        "coding": {"filterType": "text", "type": "equals", "filter": "yes"},
    },
    "gene contains 'EGFR'": {"gene": {"filterType": "text", "type": "contains",
                                      "filter": "EGFR"}},
}


def _history() -> list[TimelineEvent]:
    day = PartialDate.parse
    return [
        TimelineEvent(EventKind.DIAGNOSIS, day("2023-01-16"), "Lung adenocarcinoma (SYNTHETIC)"),
        TimelineEvent(EventKind.SYSTEMIC_THERAPY, day("2023-02-01"), "Erlotinib",
                      end=day("2024-03-10")),
        TimelineEvent(EventKind.PROGRESSION, day("2024-03-05"), "Progression"),
        *[TimelineEvent(EventKind.MARKER, day(d), "CEA", value=v, unit="ng/mL")
          for d, v in (("2023-01-16", 18.4), ("2023-05-02", 4.1), ("2024-02-26", 14.9))],
    ]


def _best(repeat: int, run) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        kb = KnowledgeBase.open(Settings.load(environ={"MTB_DATA_DIR": scratch}))
        variants = synthetic_case(args.variants)
        started = time.perf_counter()
        annotation = annotate(variants, "lung adenocarcinoma", kb, build=GenomeBuild.GRCH38)
        annotate_time = time.perf_counter() - started
    events = _history()
    entry = CaseEntry("bench", "SYNTHETIC 100k-variant case", "lung adenocarcinoma", True,
                      "bench/ui.py", Path(scratch), ())
    case = Case(entry, None, annotation, events, therapy_lines(events), GenomeBuild.GRCH38, [])
    started = time.perf_counter()
    table = variant_frame(case)
    frame_time = time.perf_counter() - started
    page = _best(args.repeat, lambda: case_page(case))
    baseline = _best(args.repeat, lambda: table.frame.to_dict("records"))
    print(f"case: {len(case.annotation.variants):,} findings (annotated in {annotate_time:.1f} s; "
          f"grid table built once per case in {frame_time:.2f} s)")
    print(f"case page layout: {page * 1000:.0f} ms (target <= 1000 ms)")
    print(f"baseline, all rows as records for a client-side grid: {baseline * 1000:.0f} ms")
    worst = 0.0
    for name, model in FILTERS.items():
        sort = [{"colId": "vaf", "sort": "desc"}] if "by VAF" in name else []
        request = {"startRow": 0, "endRow": 100, "filterModel": model, "sortModel": sort}
        seconds = _best(args.repeat, lambda r=request: rows_for(table, r))
        matched = rows_for(table, request)["rowCount"]
        worst = max(worst, seconds)
        print(f"grid callback, {name}: {seconds * 1000:.0f} ms ({matched:,} rows match; "
              "target <= 150 ms)")
    print(f"slowest grid callback / baseline = {worst / baseline:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
