"""`mtb ingest PATH`: a tumor VCF/BCF, MAF, copy-number or fusion table or MSIsensor report ->
one row per finding on stdout (TSV or JSON, the columns of mtb.rows), a summary on stderr.
Whole genomes stream through the columnar reader (mtb.ingest.export.write_findings)."""

from __future__ import annotations

import argparse
from typing import IO, Any

from mtb.cli.options import add_file_options


def add_parser(commands: Any) -> None:
    ingest = commands.add_parser(
        "ingest",
        help="read a tumor VCF/BCF, MAF, copy-number or fusion table and print one row per "
        "finding",
        description="Read a tumor VCF/BCF, a MAF, a copy-number segment table, a fusion table or "
        "an MSIsensor report and write one row per finding (one per ALT allele) to stdout; a "
        "summary goes to stderr.",
    )
    ingest.add_argument("path", help=".vcf, .vcf.gz, .bcf, a MAF, or a tab-separated "
                        "segment/fusion table or MSIsensor report")
    add_file_options(ingest)


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.ingest import write_findings

    summary = write_findings(args.path, out, fmt=args.format, tumor=args.tumor,
                             normal=args.normal, build=args.build, pass_only=args.pass_only,
                             progress_to=err)
    err.write(summary.text())
    return 0
