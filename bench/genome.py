"""Benchmark: a whole genome's unfiltered VCF into an annotated case (issue 15, item 4).

    python bench/genome.py [--records 5000000] [--keep DIR]

Writes (or reuses, with --keep) a SYNTHETIC Mutect2-style tumor/normal VCF
(bench/synthetic_vcf.py: 2 % PASS, as a whole genome's unfiltered calls), puts it in a case
folder and times, each in its own process (wall time and peak RSS are its own):
- baseline: `bcftools query` of the fixed columns and the samples' AF/AD/DP (Debian's bcftools
  when installed, else the one pysam carries): reading the file at htslib's speed, nothing more;
- mtb: the road every case takes (mtb.case.read_case_files + assemble): the columnar reader
  keeps the PASS records (MTB_KEEP_FILTERED_MB), then annotation, TMB and MSI, the timeline
  and the case's flags; then the case is stored as an annotation version (document + index).
Targets: <= 60 s and <= 2 GB peak RSS on the 2-core machine. The ratio to the baseline is the
figure to quote when the machine is shared (both slow down alike).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import synthetic_vcf

FIELDS = "%CHROM\t%POS\t%ID\t%REF\t%ALT\t%QUAL\t%FILTER[\t%AF\t%AD\t%DP]\n"
CASE_TOML = """id = "synthetic-genome"
title = "SYNTHETIC whole genome (bench/genome.py)"
diagnosis = "lung adenocarcinoma"
synthetic = true

[[files]]
path = "{name}"
kind = "vcf"
"""


def _baseline(vcf: str) -> dict[str, float]:
    started = time.perf_counter()
    if shutil.which("bcftools"):
        subprocess.run(["bcftools", "query", "-f", FIELDS, vcf], stdout=subprocess.DEVNULL,
                       check=True)
    else:
        script = ("import sys; from pysam import bcftools; bcftools.query('-f', sys.argv[1], "
                  "'-o', '/dev/null', sys.argv[2], catch_stdout=False)")
        subprocess.run([sys.executable, "-c", script, FIELDS, vcf], stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    return {"seconds": seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def _case(folder: str, data_dir: str) -> dict[str, object]:
    from annotation.kb import KnowledgeBase
    from mtb.case import assemble, read_case_files
    from mtb.catalog import read_case
    from mtb.config import Settings

    settings = Settings.load(environ={"MTB_DATA_DIR": data_dir})
    kb = KnowledgeBase.open(settings)
    started = time.perf_counter()
    files = read_case_files(read_case(Path(folder)), settings)
    read = time.perf_counter() - started
    case = assemble(files, kb, settings)
    total = time.perf_counter() - started
    stored = _store(case, settings)
    return {
        "read": read, "annotate": total - read, "seconds": total + stored, "store": stored,
        "findings": len(case.annotation.variants), "tiers": case.annotation.by_tier(),
        "warnings": case.warnings[:2],
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _store(case: Any, settings: Any) -> float:
    """Seconds to store the annotated case as a version (its case document and an index row
    per finding), as an annotation job does, in a scratch SQLite store of the data dir."""
    from mtb import case_document
    from mtb.annotation_run import new_version
    from mtb.store import CaseHeader, Store
    from mtb.versions import kb_signature

    started = time.perf_counter()
    store = Store.open(f"sqlite:///{settings.data_dir / 'bench-genome.sqlite'}")
    try:
        entry = case.entry
        store.register_case(CaseHeader(entry.id, str(entry.folder), "bench", entry.title,
                                       entry.diagnosis, entry.synthetic, entry.synthetic_parts))
        after = store.stored_case(entry.id).current_version or 0
        new = new_version(case, case_document.dumps(case), key=f"bench-{after + 1}",
                          reason="bench/genome.py", kb=kb_signature(settings), files=[],
                          changes={}, board_changes={})
        store.add_version(new, after=after, job_id=None, worker="bench")
    finally:
        store.close()
    return time.perf_counter() - started


def _child(kind: str, *args: str) -> None:
    result = _baseline(*args) if kind == "baseline" else _case(*args)
    print(json.dumps(result, default=str))


def _run(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench/genome.py: the {args[0]} step failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--keep", type=Path, help="folder to write (or reuse) the VCF in")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        vcf = folder / f"mutect2.synthetic.{args.records}.vcf.gz"
        if not vcf.exists():
            started = time.perf_counter()
            synthetic_vcf.write(vcf, args.records)
            print(f"wrote {vcf.name} in {time.perf_counter() - started:.0f} s")
        case = Path(scratch) / "case"
        case.mkdir()
        try:  # case files stay inside the case folder (no symlinks out of it)
            os.link(vcf.resolve(), case / vcf.name)
        except OSError:
            shutil.copy(vcf, case / vcf.name)
        (case / "case.toml").write_text(CASE_TOML.format(name=vcf.name))
        data_dir = Path(scratch) / "data"
        data_dir.mkdir()
        _run("case", str(case), str(data_dir))  # builds the index once, outside the timing
        baseline = _run("baseline", str(vcf))
        mtb = _run("case", str(case), str(data_dir))
    print(f"{vcf.name}: {args.records:,} records, {vcf.stat().st_size / 1e6:.0f} MB bgzipped "
          "(synthetic, Mutect2 style, 2 % PASS)")
    print(f"baseline, bcftools query: {baseline['seconds']:.1f} s")
    print(f"mtb case: {mtb['seconds']:.1f} s (read {mtb['read']:.1f} s, annotate and assemble "
          f"{mtb['annotate']:.1f} s, store {mtb['store']:.1f} s); {mtb['findings']:,} findings; "
          f"peak RSS {mtb['peak_mb']:.0f} MB (targets: 60 s, 2048 MB)")
    print(f"mtb case time / bcftools query time = {mtb['seconds'] / baseline['seconds']:.2f}x")
    print(f"tiers: {mtb['tiers']}")


if __name__ == "__main__":
    main()
