"""Benchmark: mtb's VCF ingest against a bare cyvcf2 loop reading the same fields.

    python bench/ingest.py [--records 1000000] [--keep DIR]

Writes a synthetic Mutect2-style tumor/normal VCF (bgzipped; random positions, 5 % insertions,
20 % failing a filter), then times in separate processes (so that peak memory is each one's own):
- baseline: a bare cyvcf2 loop that reads CHROM, POS, ID, REF, ALT, QUAL, FILTER and the tumor
  and normal AF, alt reads (AD) and depth (DP) into Python values — what ingest outputs;
- ingest: `VcfReader` streaming every SmallVariant (line checks, caller conventions, types);
- cli: `mtb ingest FILE --format tsv > /dev/null`, end to end.
Each is run twice and the faster run is reported. Target: ingest >= 0.5x the baseline.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pysam

CONTIGS = {f"chr{i}": n for i, n in enumerate(
    [248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973, 145138636,
     138394717, 133797422, 135086622, 133275309, 114364328, 107043718, 101991189, 90338345,
     83257441, 80373285, 58617616, 64444167, 46709983, 50818468], start=1)}

HEADER = """##fileformat=VCFv4.2
##source=Mutect2 (synthetic benchmark file written by bench/ingest.py)
##tumor_sample=TUMOR
##normal_sample=NORMAL
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##INFO=<ID=TLOD,Number=A,Type=Float,Description="Log 10 likelihood ratio score">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
"""


def write_vcf(path: Path, records: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    per_contig = records // len(CONTIGS)
    with open(path, "w") as out:
        out.write(HEADER)
        for name, length in CONTIGS.items():
            out.write(f"##contig=<ID={name},length={length}>\n")
        out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n")
        written = 0
        for index, name in enumerate(CONTIGS):
            count = per_contig if index < len(CONTIGS) - 1 else records - written
            pos = 10_000
            for _ in range(count):
                pos += rng.randint(1, 200)
                ref = rng.choice("ACGT")
                alt = rng.choice([b for b in "ACGT" if b != ref])
                if rng.random() < 0.05:
                    alt = ref + rng.choice("ACGT")
                tumor_depth, normal_depth = rng.randint(20, 300), rng.randint(20, 300)
                tumor_alt, normal_alt = rng.randint(1, tumor_depth), rng.randint(0, 2)
                filt = "PASS" if rng.random() < 0.8 else "weak_evidence"
                out.write(
                    f"{name}\t{pos}\t.\t{ref}\t{alt}\t.\t{filt}\t"
                    f"DP={tumor_depth + normal_depth};TLOD={rng.random() * 100:.2f}\tGT:AD:AF:DP\t"
                    f"0/0:{normal_depth - normal_alt},{normal_alt}:"
                    f"{(normal_alt + 1) / (normal_depth + 2):.3f}:{normal_depth}\t"
                    f"0/1:{tumor_depth - tumor_alt},{tumor_alt}:"
                    f"{(tumor_alt + 1) / (tumor_depth + 2):.3f}:{tumor_depth}\n"
                )
            written += count
    pysam.tabix_index(str(path), preset="vcf", force=True)  # bgzips to path.gz
    return path.with_suffix(".vcf.gz")


def measure_baseline(path: str) -> int:
    from cyvcf2 import VCF

    tumor, normal = 1, 0
    rows = 0
    for rec in VCF(path):
        fixed = (rec.CHROM, rec.POS, rec.ID, rec.REF, rec.ALT, rec.QUAL, rec.FILTER)
        af = rec.format("AF").tolist()
        ad = rec.format("AD").tolist()
        dp = rec.format("DP").tolist()
        values = (af[tumor][0], ad[tumor][1], dp[tumor][0], af[normal][0], ad[normal][1],
                  dp[normal][0])
        rows += fixed is not None and values is not None
    return rows


def measure_ingest(path: str) -> int:
    from mtb.ingest import VcfReader

    rows = 0
    with VcfReader(path) as reader:
        for _ in reader:
            rows += 1
    return rows


def _child(kind: str, path: str) -> None:
    start = time.perf_counter()
    if kind == "cli":
        with open("/dev/null", "w") as sink:
            subprocess.run([sys.executable, "-m", "mtb.cli", "ingest", path], stdout=sink,
                           stderr=subprocess.DEVNULL, check=True)
        rows = -1
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    else:
        rows = measure_baseline(path) if kind == "baseline" else measure_ingest(path)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows, "peak_kb": peak}))


def _run(kind: str, path: Path, repeats: int = 2) -> dict[str, float]:
    results = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)],
                             capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout))
    return min(results, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the VCF here and keep it")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        vcf = write_vcf(folder / "bench.vcf", args.records)
        size = vcf.stat().st_size / 1e6
        print(f"wrote {args.records:,} records, {size:.1f} MB bgzipped, in "
              f"{time.perf_counter() - started:.1f} s: {vcf}")
        baseline = _run("baseline", vcf)
        ingest = _run("ingest", vcf)
        cli = _run("cli", vcf, repeats=1)
    n = args.records
    assert baseline["rows"] == n and ingest["rows"] == n, (baseline, ingest)
    print(f"{'':24}{'seconds':>9}{'records/s':>12}{'peak RSS MB':>13}")
    for name, result in (("baseline (bare cyvcf2)", baseline), ("mtb ingest (VcfReader)", ingest),
                         ("mtb ingest CLI -> TSV", cli)):
        print(f"{name:24}{result['seconds']:9.2f}{n / result['seconds']:12,.0f}"
              f"{result['peak_kb'] / 1024:13.0f}")
    ratio = baseline["seconds"] / ingest["seconds"]
    print(f"ingest throughput / baseline throughput = {ratio:.2f}x (target >= 0.5x)")
    print(f"CLI throughput / baseline throughput = {baseline['seconds'] / cli['seconds']:.2f}x")


if __name__ == "__main__":
    main()
