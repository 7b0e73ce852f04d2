"""Which engine should read VCFs into columns? The candidates on the same file, in one run.

    python bench/ingest_candidates.py [--records 1000000] [--keep DIR]
    (the optional engines: pip install oxbow polars pyarrow; absent ones are skipped)

Each candidate reads CHROM, POS, ID, REF, ALT, QUAL, FILTER and the tumor's and normal's AF,
AD and DP of a synthetic Mutect2-style file (bench/synthetic_vcf.py) into NumPy/Arrow columns,
batch by batch (nothing holds the whole file), in its own process (wall time and peak RSS are
its own; the best of two runs is kept):
- bcftools-query: Debian's bcftools writing those fields as text to /dev/null (the reference);
- pysam-query-numpy: pysam's bundled bcftools query streaming text through a pipe, cut into
  NumPy columns here;
- cyvcf2-batches: the cyvcf2 loop filling NumPy arrays, 65,536 records a batch;
- oxbow: oxbow's Rust reader (noodles) yielding Arrow record batches with the FORMAT fields;
- polars-csv / pyarrow-csv: the decompressed text read as a tab-separated table, FORMAT columns
  split with the engine's string kernels;
- mtb-columnar: mtb.ingest.columnar (text checked by regular expression in a second process,
  cut into columns with NumPy), building its column batches.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import synthetic_vcf

FIELDS = "%CHROM\t%POS\t%ID\t%REF\t%ALT\t%QUAL\t%FILTER[\t%AF\t%AD\t%DP]\n"
CANDIDATES = ("bcftools-query", "pysam-query-numpy", "cyvcf2-batches", "oxbow", "polars-csv",
              "pyarrow-csv", "mtb-columnar")


def bcftools_query(path: str) -> int:
    subprocess.run(["bcftools", "query", "-f", FIELDS, path], stdout=subprocess.DEVNULL,
                   check=True)
    return -1


def pysam_query_numpy(path: str) -> int:
    import numpy as np

    from mtb.ingest.sound import FLOAT_VALUES
    from mtb.ingest.vectors import TextBlock, codes, float_tokens, token_ranges, unsigned_single

    # pysam's dispatcher leaves stdout unflushed unless -o names it (and may abort at exit,
    # after writing everything: the exit status is not looked at, the rows are counted)
    script = ("import sys; from pysam import bcftools; bcftools.query('-f', sys.argv[1], "
              "'-o', '/dev/stdout', sys.argv[2], catch_stdout=False)")
    process = subprocess.Popen([sys.executable, "-c", script, FIELDS, path],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    assert process.stdout is not None
    rows, carry = 0, b""
    while True:
        data = process.stdout.read(1 << 24)
        if not data:
            break
        data = carry + data
        cut = data.rfind(b"\n") + 1
        text, carry = data[:cut], data[cut:]
        block = TextBlock(text)
        buffer = block.buffer[: len(text)]
        newlines = np.flatnonzero(buffer == 10)
        tabs = np.flatnonzero(buffer == 9).reshape(len(newlines), 12)
        starts = np.concatenate(([0], newlines[:-1] + 1))
        ends = np.concatenate((tabs, newlines[:, None]), axis=1)
        begins = np.concatenate((starts[:, None], tabs + 1), axis=1)
        for column in (0, 2, 3, 4, 5, 6):
            codes(block, begins[:, column], ends[:, column])
        unsigned_single(block.matrix(begins[:, 1], ends[:, 1] - begins[:, 1]))
        for sample in (0, 1):
            af, ad, dp = 7 + 3 * sample, 8 + 3 * sample, 9 + 3 * sample
            float_tokens(block, begins[:, af], ends[:, af], 2, FLOAT_VALUES)
            matrix = block.matrix(begins[:, ad], ends[:, ad] - begins[:, ad])
            for begin, end in token_ranges(matrix, begins[:, ad], 2):
                unsigned_single(block.matrix(begin, end - begin))
            unsigned_single(block.matrix(begins[:, dp], ends[:, dp] - begins[:, dp]))
        rows += len(newlines)
    process.wait()
    return rows


def cyvcf2_batches(path: str) -> int:
    import numpy as np
    from cyvcf2 import VCF

    size = 65_536
    rows = 0
    columns: dict[str, list] = {name: [] for name in ("chrom", "pos", "id", "ref", "alt",
                                                      "qual", "filter")}
    evidence = np.zeros((size, 6))
    filled = 0
    for rec in VCF(path):
        columns["chrom"].append(rec.CHROM)
        columns["pos"].append(rec.POS)
        columns["id"].append(rec.ID)
        columns["ref"].append(rec.REF)
        columns["alt"].append(rec.ALT)
        columns["qual"].append(rec.QUAL)
        columns["filter"].append(rec.FILTER)
        af, ad, dp = rec.format("AF"), rec.format("AD"), rec.format("DP")
        evidence[filled] = (af[1, 0], ad[1, 1], dp[1, 0], af[0, 0], ad[0, 1], dp[0, 0])
        filled += 1
        if filled == size:
            batch = {name: np.asarray(values, object) for name, values in columns.items()}
            rows += len(batch["pos"])
            columns = {name: [] for name in columns}
            filled = 0
    return rows + len(columns["pos"])


def oxbow(path: str) -> int:
    import oxbow as ox

    source = ox.from_vcf(path, fields=["chrom", "pos", "id", "ref", "alt", "qual", "filter"],
                         info_fields=None, genotype_fields=["AF", "AD", "DP"], samples="*")
    return sum(batch.num_rows for batch in source.batches())


def _text_chunks(path: str):  # type: ignore[no-untyped-def]
    from mtb.ingest.chunks import ChunkReader

    reader = ChunkReader(Path(path), 1 << 24)
    try:
        for chunk in reader:
            yield chunk.text
    finally:
        reader.close()


NAMES = ["chrom", "pos", "id", "ref", "alt", "qual", "filter", "info", "format", "normal",
         "tumor"]


def polars_csv(path: str) -> int:
    import io

    import polars as pl

    rows = 0
    for text in _text_chunks(path):
        frame = pl.read_csv(io.BytesIO(text), separator="\t", has_header=False,
                            new_columns=NAMES, quote_char=None, infer_schema=False,
                            columns=[0, 1, 2, 3, 4, 5, 6, 9, 10])
        out = frame.select(
            "chrom", pl.col("pos").cast(pl.Int64), "id", "ref", "alt", "qual", "filter",
            *[pl.col(sample).str.split(":").list.get(index).alias(f"{sample}_{name}")
              for sample in ("normal", "tumor") for index, name in ((1, "AD"), (2, "AF"),
                                                                     (3, "DP"))],
        ).with_columns(
            *[pl.col(f"{sample}_AF").str.split(",").list.get(0, null_on_oob=True)
              .cast(pl.Float32, strict=False) for sample in ("normal", "tumor")],
            *[pl.col(f"{sample}_AD").str.split(",").list.get(1, null_on_oob=True)
              .cast(pl.Int64, strict=False) for sample in ("normal", "tumor")],
            *[pl.col(f"{sample}_DP").cast(pl.Int64, strict=False)
              for sample in ("normal", "tumor")],
        )
        rows += out.height
    return rows


def pyarrow_csv(path: str) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    rows = 0
    stream = pa.input_stream(path, compression="gzip")
    header_lines = 0
    with open(path, "rb"):
        from mtb.ingest.chunks import read_header

        _, header_lines = read_header(Path(path))
    reader = csv.open_csv(
        stream,
        read_options=csv.ReadOptions(column_names=NAMES, skip_rows=header_lines,
                                     block_size=1 << 24),
        parse_options=csv.ParseOptions(delimiter="\t", quote_char=False),
        convert_options=csv.ConvertOptions(column_types=dict.fromkeys(NAMES, pa.string()),
                                           include_columns=[*NAMES[:7], "normal", "tumor"]),
    )
    def number(values, kind):  # type: ignore[no-untyped-def]
        return pc.cast(pc.if_else(pc.equal(values, "."), None, values), kind)

    for batch in reader:
        for sample in ("normal", "tumor"):
            parts = pc.split_pattern(batch.column(sample), ":")
            number(pc.list_element(pc.split_pattern(pc.list_element(parts, 2), ","), 0),
                   pa.float32())
            number(pc.list_element(pc.split_pattern(pc.list_element(parts, 1), ","), 1),
                   pa.int64())
            number(pc.list_element(parts, 3), pa.int64())
        pc.cast(batch.column("pos"), pa.int64())
        rows += batch.num_rows
    return rows


def mtb_columnar(path: str) -> int:
    from mtb.ingest.columnar import ColumnarReader

    with ColumnarReader(path) as reader:
        for _batch in reader.batches():
            pass
        return reader.counts.records


RUNNERS = {
    "bcftools-query": bcftools_query, "pysam-query-numpy": pysam_query_numpy,
    "cyvcf2-batches": cyvcf2_batches, "oxbow": oxbow, "polars-csv": polars_csv,
    "pyarrow-csv": pyarrow_csv, "mtb-columnar": mtb_columnar,
}


def _child(kind: str, path: str) -> None:
    started = time.perf_counter()
    try:
        rows = RUNNERS[kind](path)
    except (ImportError, FileNotFoundError) as error:
        print(json.dumps({"skipped": f"{type(error).__name__}: {error}"}))
        return
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    print(json.dumps({"seconds": seconds, "rows": rows, "cpu": cpu,
                      "peak_kb": own.ru_maxrss + children.ru_maxrss}))


def run(kind: str, path: Path, repeats: int = 2) -> dict:
    results = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)],
                             capture_output=True, text=True)
        if out.returncode != 0:
            return {"skipped": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if "skipped" in result:
            return result
        results.append(result)
    return min(results, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="folder to write (or reuse) the VCF in")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        vcf = folder / f"mutect2.synthetic.{args.records}.vcf.gz"
        if not vcf.exists():
            synthetic_vcf.write(vcf, args.records)
        print(f"{args.records:,} records (synthetic Mutect2, {vcf.stat().st_size / 1e6:.0f} MB "
              "bgzipped); fields CHROM POS ID REF ALT QUAL FILTER + tumor/normal AF AD DP")
        results = {kind: run(kind, vcf) for kind in CANDIDATES}
    reference = results["bcftools-query"].get("seconds")
    print(f"{'candidate':20}{'seconds':>9}{'x bcftools':>12}{'CPU s':>8}{'peak RSS MB':>13}"
          f"{'rows':>10}")
    for kind, result in results.items():
        if "skipped" in result:
            print(f"{kind:20}  skipped ({result['skipped'][:60]})")
            continue
        ratio = f"{result['seconds'] / reference:.2f}" if reference else "-"
        print(f"{kind:20}{result['seconds']:9.2f}{ratio:>12}{result['cpu']:8.1f}"
              f"{result['peak_kb'] / 1024:13.0f}{result['rows']:>10}")


if __name__ == "__main__":
    main()
