"""Benchmark: `mtb ingest` against htslib's own `bcftools query` and a bare cyvcf2 loop.

    python bench/ingest.py [--records 1000000] [--big 5000000] [--keep DIR] [--annotate]

Writes (or reuses, with --keep) a SYNTHETIC Mutect2-style tumor/normal VCF, bgzipped
(bench/synthetic_vcf.py, fixed seed), then times on that same file, each in its own process
(wall time and peak RSS are its own, with its child processes; best of two runs):
- bcftools query: CHROM POS ID REF ALT QUAL FILTER and the samples' AF AD DP as text to
  /dev/null — Debian's bcftools when installed (`apt-get install bcftools`), and the bcftools
  that pysam carries (always);
- cyvcf2 loop -> TSV: a bare cyvcf2 loop writing the same fields as TSV to /dev/null;
- mtb ingest, per record: `write_findings` with the per-record reader (today's `mtb ingest`);
- mtb ingest, columnar: `write_findings` as `mtb ingest` now runs it.
Each figure is compared with bcftools query (target: mtb ingest within 3x). With --big N,
mtb ingest (columnar) and bcftools query also run on an N-record file: the whole-genome figure
and its peak RSS (target under 1 GB). With --annotate, the PASS records of the first file are
read in batches and annotated (annotation.annotate) once the knowledge base is loaded.
Wall time is what a user waits; CPU time (of the process and its children) shows the work
when the machine is shared: run it on an idle machine for the wall-time ratios. Peak RSS is
the process's plus its largest child's (the check process shares most of its pages).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import synthetic_vcf

FIELDS = "%CHROM\t%POS\t%ID\t%REF\t%ALT\t%QUAL\t%FILTER[\t%AF\t%AD\t%DP]\n"


def bcftools(path: str) -> int:
    subprocess.run(["bcftools", "query", "-f", FIELDS, path], stdout=subprocess.DEVNULL,
                   check=True)
    return -1


def pysam_bcftools(path: str) -> int:
    script = ("import sys; from pysam import bcftools; bcftools.query('-f', sys.argv[1], "
              "'-o', '/dev/null', sys.argv[2], catch_stdout=False)")
    # in its own process: pysam's dispatcher may abort at exit after writing everything
    subprocess.run([sys.executable, "-c", script, FIELDS, path], stderr=subprocess.DEVNULL)
    return -1


def cyvcf2_tsv(path: str) -> int:
    """The same fields as bcftools query, as TSV, from a plain cyvcf2 loop."""
    from cyvcf2 import VCF

    rows = 0
    with open("/dev/null", "w") as sink:
        write = sink.write
        for rec in VCF(path):
            af, ad, dp = rec.format("AF").tolist(), rec.format("AD").tolist(), \
                rec.format("DP").tolist()
            samples = "\t".join(
                f"{','.join(map(str, af[s]))}\t{','.join(map(str, ad[s]))}\t{dp[s][0]}"
                for s in range(len(af))
            )
            write(f"{rec.CHROM}\t{rec.POS}\t{rec.ID or '.'}\t{rec.REF}\t{','.join(rec.ALT)}\t"
                  f"{rec.QUAL if rec.QUAL is not None else '.'}\t{rec.FILTER or 'PASS'}\t"
                  f"{samples}\n")
            rows += 1
    return rows


def _ingest(path: str, engine: str) -> int:
    from mtb.ingest.export import write_findings

    with open("/dev/null", "w") as sink:
        summary = write_findings(path, sink, engine=engine)
    assert summary.counts is not None
    return summary.counts.records


RUNNERS = {
    "bcftools": bcftools,
    "pysam-bcftools": pysam_bcftools,
    "cyvcf2-tsv": cyvcf2_tsv,
    "mtb-records": lambda path: _ingest(path, "records"),
    "mtb-columnar": lambda path: _ingest(path, "auto"),
}
LABELS = {
    "bcftools": "bcftools query (Debian)",
    "pysam-bcftools": "bcftools query (pysam)",
    "cyvcf2-tsv": "cyvcf2 loop -> TSV",
    "mtb-records": "mtb ingest, per record",
    "mtb-columnar": "mtb ingest, columnar",
}


def _child(kind: str, path: str) -> None:
    started = time.perf_counter()
    rows = RUNNERS[kind](path)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    print(json.dumps({"seconds": seconds, "rows": rows, "cpu": cpu,
                      "peak_kb": own.ru_maxrss + children.ru_maxrss}))


def _run(kind: str, path: Path, repeats: int = 2) -> dict:
    results = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)],
                             capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return min(results, key=lambda r: r["seconds"])


def _file(folder: Path, records: int) -> Path:
    vcf = folder / f"mutect2.synthetic.{records}.vcf.gz"
    if not vcf.exists():
        started = time.perf_counter()
        synthetic_vcf.write(vcf, records)
        print(f"wrote {vcf.name} ({records:,} records) in {time.perf_counter() - started:.0f} s")
    return vcf


def _table(title: str, records: int, results: dict[str, dict]) -> None:
    reference = (results.get("bcftools") or results.get("pysam-bcftools") or {}).get("seconds")
    print(f"\n{title}")
    print(f"{'':26}{'seconds':>9}{'records/s':>12}{'x bcftools':>12}{'CPU s':>8}"
          f"{'peak RSS MB':>13}")
    for kind, result in results.items():
        ratio = f"{result['seconds'] / reference:.2f}" if reference else "-"
        print(f"{LABELS[kind]:26}{result['seconds']:9.2f}{records / result['seconds']:12,.0f}"
              f"{ratio:>12}{result['cpu']:8.1f}{result['peak_kb'] / 1024:13.0f}")


def _annotate(vcf: Path) -> None:
    from annotation import annotate
    from annotation.index import build_index
    from annotation.kb import KnowledgeBase
    from mtb.config import Settings
    from mtb.ingest.columnar import finding_batches
    from mtb.variant import GenomeBuild

    with tempfile.TemporaryDirectory() as scratch:
        build_index(Path(scratch))
        kb = KnowledgeBase.open(Settings.load(environ={"MTB_DATA_DIR": scratch}))
        started = time.perf_counter()
        findings = [f for batch in finding_batches(vcf, pass_only=True) for f in batch]
        read = time.perf_counter() - started
        annotate(findings[:10], "lung adenocarcinoma", kb, build=GenomeBuild.GRCH38)  # warm
        started = time.perf_counter()
        case = annotate(findings, "lung adenocarcinoma", kb, build=GenomeBuild.GRCH38)
        elapsed = time.perf_counter() - started
    tiers = ", ".join(f"{k} {v}" for k, v in case.by_tier().items() if v)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nannotate the PASS records of {vcf.name}: {len(findings):,} findings read in "
          f"{read:.2f} s, annotated in {elapsed:.2f} s ({len(findings) / elapsed:,.0f}/s); "
          f"tiers: {tiers}; peak RSS of this process {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=5_000_000,
                        help="records of the whole-genome file (0: skip)")
    parser.add_argument("--keep", type=Path, help="folder to write (or reuse) the VCFs in")
    parser.add_argument("--annotate", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    kinds = [kind for kind in RUNNERS if kind != "bcftools" or shutil.which("bcftools")]
    if "bcftools" not in kinds:
        print("Debian's bcftools is not installed (apt-get install bcftools): pysam's only")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        vcf = _file(folder, args.records)
        print(f"{vcf.name}: {args.records:,} records, {vcf.stat().st_size / 1e6:.0f} MB "
              "bgzipped (synthetic, Mutect2 style)")
        results = {kind: _run(kind, vcf) for kind in kinds}
        for kind in ("mtb-records", "mtb-columnar"):
            assert results[kind]["rows"] == args.records, results[kind]
        _table(f"{args.records:,} records", args.records, results)
        if args.annotate:
            _annotate(vcf)
        if args.big:
            big = _file(folder, args.big)
            chosen = [k for k in ("bcftools", "pysam-bcftools") if k in kinds][:1]
            big_results = {kind: _run(kind, big, repeats=1) for kind in [*chosen, "mtb-columnar"]}
            _table(f"{args.big:,} records ({big.stat().st_size / 1e6:.0f} MB bgzipped)", args.big,
                   big_results)


if __name__ == "__main__":
    main()
