"""`mtb ingest PATH`: a tumor VCF/BCF, copy-number or fusion table -> one row per finding on
stdout (TSV or JSON, the columns of mtb.rows), a summary on stderr."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable
from typing import IO, Any

from mtb.cli.options import add_file_options
from mtb.rows import INGEST_COLUMNS, finding_row, tsv_line
from mtb.variant import Finding, SmallVariant


def add_parser(commands: Any) -> None:
    ingest = commands.add_parser(
        "ingest",
        help="read a tumor VCF/BCF (or a copy-number / fusion table) and print one row per finding",
        description="Read a tumor VCF/BCF, a copy-number segment table or a fusion table and "
        "write one row per finding (one per ALT allele) to stdout; a summary goes to stderr.",
    )
    ingest.add_argument("path", help=".vcf, .vcf.gz, .bcf, or a tab-separated segment/fusion table")
    add_file_options(ingest)


def _write_tsv(findings: Iterable[Finding], out: IO[str]) -> None:
    out.write("\t".join(INGEST_COLUMNS) + "\n")
    write = out.write
    for finding in findings:
        write(tsv_line(finding))


def _json_row(finding: Finding) -> dict[str, Any]:
    row = finding_row(finding)
    if isinstance(finding, SmallVariant):
        row["transcripts"] = [
            {
                "gene": t.gene, "transcript": t.transcript, "consequence": list(t.consequence),
                "hgvsc": t.hgvsc, "hgvsp": t.hgvsp, "hgvsp_long": t.hgvsp_long, "exon": t.exon,
                "impact": t.impact, "canonical": t.canonical, "mane_select": t.mane_select,
                "source": t.source,
            }
            for t in finding.transcripts
        ]
    return row


def _write_json(findings: Iterable[Finding], out: IO[str]) -> None:
    """A JSON array written as it streams, one object per line."""
    out.write("[")
    first = True
    for finding in findings:
        out.write("\n" if first else ",\n")
        out.write(json.dumps(_json_row(finding), separators=(",", ":")))
        first = False
    out.write("\n]\n")


def _tally(findings: Iterable[Finding], by_type: Counter[str], by_filter: Counter[str]):  # type: ignore[no-untyped-def]
    for finding in findings:
        by_type[finding.variant_type.value] += 1
        by_filter[finding.filter] += 1
        yield finding


def _summary_lines(
    path: str, kind: str, by_type: Counter[str], by_filter: Counter[str], info: Any, counts: Any
) -> list[str]:
    lines = [f"file: {path}", f"content: {kind}"]
    if info is not None:
        lines += [
            f"format: {info.file_format}; caller: {info.caller}; "
            f"annotation: {info.annotation or 'none'}",
            f"genome build: {info.build} ({info.build_evidence})",
            f"tumor sample: {info.tumor_sample or '-'} ({info.roles_from}); "
            f"normal sample: {info.normal_sample or '-'}",
            f"records: {counts.records}",
        ]
    rows = sum(by_type.values())
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(by_type.items()))
    lines.append(f"rows: {rows}" + (f" ({kinds})" if rows else ""))
    filters = counts.by_filter if counts is not None else by_filter
    if filters:
        shown = ", ".join(f"{k} {v}" for k, v in filters.most_common(8))
        more = len(filters) - 8
        lines.append(f"filter: {shown}" + (f", {more} more" if more > 0 else ""))
    if counts is not None and counts.filtered_out:
        lines.append(f"--pass-only dropped {counts.filtered_out} records")
    if info is not None:
        lines += [f"warning: {warning}" for warning in info.warnings]
    return lines


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.ingest import VcfReader, file_kind, read_findings

    kind = file_kind(args.path)
    by_type: Counter[str] = Counter()
    by_filter: Counter[str] = Counter()
    writer = _write_json if args.format == "json" else _write_tsv
    info = counts = None
    if kind == "vcf":
        with VcfReader(
            args.path, tumor=args.tumor, normal=args.normal, build=args.build,
            pass_only=args.pass_only,
        ) as reader:
            writer(_tally(reader, by_type, by_filter), out)
            info, counts = reader.info, reader.counts
        content = "VCF" if not reader.is_bcf else "BCF"
    else:  # a table: read whole (small), a VCF streams
        table = read_findings(args.path, pass_only=args.pass_only)
        writer(_tally(table.findings, by_type, by_filter), out)
        content = "copy-number segments" if kind == "segments" else "gene fusions"
    out.flush()
    summary = _summary_lines(args.path, content, by_type, by_filter, info, counts)
    err.write("\n".join(summary) + "\n")
    return 0
