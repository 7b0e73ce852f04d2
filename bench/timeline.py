"""Benchmark: reading clinical FHIR records into a timeline, and opening a whole case.

    python bench/timeline.py [--shared ../shared/data] [--repeat 3]

FHIR: every file in shared/data/fhir (40 files, 1705 resources, 5.9 MB: four Synthea
patients, mCODE, Genomics Reporting, MII). Baseline, measured in the same run: json.load of
the same files plus fhir.resources' R4B validation of every resource — the floor for any reader
that validates. The ratio says what mtb's event rules and reference resolution cost on top.

Case: `open_case` of each bundled sample case (ingest, annotation, timeline join) once the
knowledge base is loaded; the slowest is the 1470-variant HCC1395 exome.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from fhir.resources.R4B import get_fhir_model_class

from annotation.kb import KnowledgeBase
from mtb.case import open_case
from mtb.catalog import list_cases
from mtb.config import Settings
from mtb.ingest.fhir import read_fhir
from mtb.resources import sample_cases_dir


def _baseline(files: list[Path]) -> int:
    count = 0
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        resources = ([e["resource"] for e in data.get("entry", [])]
                     if data.get("resourceType") == "Bundle" else [data])
        for resource in resources:
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
            count += 1
    return count


def _best(repeat: int, run) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = Path(__file__).resolve().parents[1]
    parser.add_argument("--shared", type=Path, default=here.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    fhir = args.shared / "fhir"
    if not fhir.is_dir():
        print(f"no FHIR folder at {fhir}; give --shared", file=sys.stderr)
        return 2
    files = sorted(fhir.rglob("*.json"))
    size = sum(f.stat().st_size for f in files) / 1e6
    base_time, resources = _best(args.repeat, lambda: _baseline(files))
    mtb_time, timeline = _best(args.repeat, lambda: read_fhir([fhir]))
    print(f"FHIR: {len(files)} files, {resources} resources, {size:.1f} MB")
    print(f"  baseline json.load + R4B validation: {base_time:.2f} s")
    print(f"  mtb read_fhir -> {len(timeline.events)} events: {mtb_time:.2f} s "  # type: ignore[attr-defined]
          f"({resources / mtb_time:,.0f} resources/s)")
    print(f"  read_fhir time / baseline time = {mtb_time / base_time:.2f}x")
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings.load(environ={"MTB_DATA_DIR": scratch})
        kb = KnowledgeBase.open(settings)
        print("cases (knowledge base loaded):")
        for entry in list_cases(sample_cases_dir()):
            seconds, case = _best(args.repeat, lambda e=entry: open_case(e.folder, kb, settings))
            print(f"  {entry.id}: {seconds:.2f} s ({len(case.annotation.variants)} findings, "  # type: ignore[attr-defined]
                  f"{len(case.events)} events)")  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
