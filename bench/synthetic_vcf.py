"""A synthetic Mutect2-style tumor/normal VCF for benchmarks and tests (no real sample in it).

    python bench/synthetic_vcf.py OUT.vcf.gz --records 1000000 [--seed 15]

The file looks like GATK4 Mutect2 + FilterMutectCalls output on a whole genome: the full
FORMAT (GT:AD:AF:DP:F1R2:F2R1:FAD:SB), the INFO keys Mutect2 writes, AF written as GATK writes
it ('0.150', '2.180e-03'), GRCh38 ##contig lines, positions sorted per contig, NORMAL before
TUMOR. What is in it, and why:
- 2 % of records PASS (a whole-genome tumor has tens of thousands of somatic calls among
  millions of unfiltered candidates); the rest carry Mutect2's filter names, some combined;
- 88 % SNVs, 5 % insertions, 5 % deletions, 2 % multi-allelic sites (FILTER multiallelic),
  a few of them with a spanning-deletion '*' allele;
- a few normal columns with '.' for AF and DP (Mutect2 writes them when the normal has no reads).
The same seed always writes the same bytes. Every record is labelled synthetic in the header.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import pysam

from mtb.ingest.header import CONTIG_LENGTHS
from mtb.variant import GenomeBuild

CONTIGS = {
    f"chr{name}": length for name, length in CONTIG_LENGTHS[GenomeBuild.GRCH38].items()
}

HEADER = """##fileformat=VCFv4.2
##source=Mutect2
##comment=SYNTHETIC data written by bench/synthetic_vcf.py (seed {seed}); no real sample
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=clustered_events,Description="Clustered events observed in the tumor">
##FILTER=<ID=germline,Description="Evidence for germline">
##FILTER=<ID=haplotype,Description="Variant near filtered variant on same haplotype.">
##FILTER=<ID=multiallelic,Description="Too many alt alleles pass tumor LOD">
##FILTER=<ID=normal_artifact,Description="artifact_in_normal">
##FILTER=<ID=strand_bias,Description="Alt reads from one direction only">
##FILTER=<ID=weak_evidence,Description="Does not meet likelihood threshold">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##FORMAT=<ID=F1R2,Number=R,Type=Integer,Description="Count of reads in F1R2 pair orientation">
##FORMAT=<ID=F2R1,Number=R,Type=Integer,Description="Count of reads in F2R1 pair orientation">
##FORMAT=<ID=FAD,Number=R,Type=Integer,Description="Count of fragments supporting each allele.">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=SB,Number=4,Type=Integer,Description="Strand bias components">
##INFO=<ID=AS_FilterStatus,Number=A,Type=String,Description="Filter status for each allele">
##INFO=<ID=AS_SB_TABLE,Number=1,Type=String,Description="Allele-specific strand counts">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##INFO=<ID=ECNT,Number=1,Type=Integer,Description="Number of events in this haplotype">
##INFO=<ID=GERMQ,Number=1,Type=Integer,Description="Quality that alt alleles are not germline">
##INFO=<ID=MBQ,Number=R,Type=Integer,Description="median base quality by allele">
##INFO=<ID=MFRL,Number=R,Type=Integer,Description="median fragment length by allele">
##INFO=<ID=MMQ,Number=R,Type=Integer,Description="median mapping quality by allele">
##INFO=<ID=MPOS,Number=A,Type=Integer,Description="median distance from end of read">
##INFO=<ID=NALOD,Number=A,Type=Float,Description="Log odds of artifact in normal">
##INFO=<ID=NLOD,Number=A,Type=Float,Description="Normal log 10 likelihood ratio">
##INFO=<ID=POPAF,Number=A,Type=Float,Description="-log10 population allele frequencies">
##INFO=<ID=TLOD,Number=A,Type=Float,Description="Log 10 likelihood ratio of the variant">
##MutectVersion=2.2
##normal_sample=NORMAL
##tumor_sample=TUMOR
##reference=file:///references/Homo_sapiens_assembly38.fasta
"""

FILTERS = (
    ["weak_evidence"] * 60 + ["germline"] * 12 + ["normal_artifact"] * 6 + ["strand_bias"] * 4
    + ["clustered_events"] * 4 + ["haplotype"] * 4 + ["clustered_events;weak_evidence"] * 6
    + ["germline;normal_artifact"] * 2 + ["strand_bias;weak_evidence"] * 2
)
BASES = "ACGT"


def _af(value: float) -> str:
    """As GATK writes allele fractions: three decimals, or scientific below 0.001."""
    return f"{value:.3f}" if value >= 0.001 or value == 0 else f"{value:.3e}"


def _sample(rng: random.Random, alts: int, depth: int, alt_reads: list[int], gt: str,
            missing: bool) -> str:
    ref_reads = max(depth - sum(alt_reads), 0)
    ad = [ref_reads, *alt_reads]
    if missing:
        return f"{gt}:{','.join(map(str, ad))}:{','.join(['.'] * alts)}:.:.:.:.:."
    total = max(sum(ad), 1)
    af = ",".join(_af((reads + 0.5) / (total + 1)) for reads in alt_reads)
    f1r2 = [reads // 2 for reads in ad]
    f2r1 = [reads - half for reads, half in zip(ad, f1r2, strict=True)]
    fwd = ref_reads // 2
    alt_fwd = sum(alt_reads) // 2
    sb = f"{fwd},{ref_reads - fwd},{alt_fwd},{sum(alt_reads) - alt_fwd}"
    return (f"{gt}:{','.join(map(str, ad))}:{af}:{depth}:{','.join(map(str, f1r2))}:"
            f"{','.join(map(str, f2r1))}:{','.join(map(str, ad))}:{sb}")


def records(count: int, seed: int = 15):  # type: ignore[no-untyped-def]
    """Yield `count` data lines (with '\\n'), sorted by contig order then position."""
    rng = random.Random(seed)
    genome = sum(CONTIGS.values())
    names = list(CONTIGS)
    written = 0
    for index, name in enumerate(names):
        share = count - written if index == len(names) - 1 else round(
            count * CONTIGS[name] / genome)
        share = min(share, count - written)
        step = max(CONTIGS[name] // max(share, 1), 2)
        pos = 10_000
        for _ in range(share):
            pos += rng.randint(1, 2 * step - 1)
            yield _record(rng, name, pos)
        written += share


def _record(rng: random.Random, chrom: str, pos: int) -> str:
    ref = rng.choice(BASES)
    kind = rng.random()
    if kind < 0.88:
        alts = [rng.choice([b for b in BASES if b != ref])]
    elif kind < 0.93:
        alts = [ref + "".join(rng.choice(BASES) for _ in range(rng.randint(1, 6)))]
    elif kind < 0.98:
        ref = ref + "".join(rng.choice(BASES) for _ in range(rng.randint(1, 8)))
        alts = [ref[0]]
    else:
        first = rng.choice([b for b in BASES if b != ref])
        second = "*" if rng.random() < 0.2 else rng.choice(
            [b for b in BASES if b not in (ref, first)])
        alts = [first, second]
    if len(alts) > 1:
        filter_ = "multiallelic"
    elif rng.random() < 0.02:
        filter_ = "PASS"
    else:
        filter_ = rng.choice(FILTERS)
    tumor_depth, normal_depth = rng.randint(8, 120), rng.randint(8, 80)
    tumor_alt = [rng.randint(1, max(tumor_depth // (2 + i), 1)) for i in range(len(alts))]
    normal_alt = [rng.choice((0, 0, 0, 1)) for _ in alts]
    normal_missing = rng.random() < 0.005
    gt = "0/" + "/".join(str(i + 1) for i in range(len(alts)))
    normal = _sample(rng, len(alts), normal_depth, normal_alt, "0/0", normal_missing)
    tumor = _sample(rng, len(alts), tumor_depth, tumor_alt, gt, False)
    n = len(alts)
    status = ",".join("SITE" for _ in alts)
    info = (
        f"AS_FilterStatus={status};AS_SB_TABLE={tumor_depth // 2},{tumor_depth - tumor_depth // 2}"
        f"|{sum(tumor_alt) // 2},{sum(tumor_alt) - sum(tumor_alt) // 2};"
        f"DP={tumor_depth + normal_depth};ECNT={rng.randint(1, 3)};GERMQ={rng.randint(1, 93)};"
        f"MBQ={','.join(['30'] * (n + 1))};"
        f"MFRL={','.join(str(rng.randint(150, 400)) for _ in range(n + 1))};"
        f"MMQ={','.join(['60'] * (n + 1))};MPOS={','.join(str(rng.randint(5, 50)) for _ in alts)};"
        f"NALOD={','.join(f'{rng.uniform(-2, 3):.3f}' for _ in alts)};"
        f"NLOD={','.join(f'{rng.uniform(0, 30):.2f}' for _ in alts)};"
        f"POPAF={','.join(f'{rng.uniform(1, 6):.2f}' for _ in alts)};"
        f"TLOD={','.join(f'{rng.uniform(0, 40):.2f}' for _ in alts)}"
    )
    return (f"{chrom}\t{pos}\t.\t{ref}\t{','.join(alts)}\t.\t{filter_}\t{info}\t"
            f"GT:AD:AF:DP:F1R2:F2R1:FAD:SB\t{normal}\t{tumor}\n")


def write(path: str | Path, count: int, seed: int = 15) -> Path:
    """Write a BGZF-compressed synthetic VCF of `count` records (plain text if not .gz)."""
    path = Path(path)
    header = HEADER.format(seed=seed) + "".join(
        f"##contig=<ID={name},length={length},assembly=GRCh38>\n"
        for name, length in CONTIGS.items()
    ) + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
    gz = path.name.endswith(".gz")
    handle = pysam.BGZFile(str(path), "wb") if gz else open(path, "wb")  # noqa: SIM115
    with handle:
        handle.write(header.encode())
        batch: list[str] = []
        for line in records(count, seed):
            batch.append(line)
            if len(batch) >= 20_000:
                handle.write("".join(batch).encode())
                batch.clear()
        handle.write("".join(batch).encode())
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    write(args.out, args.records, args.seed)


if __name__ == "__main__":
    main()
