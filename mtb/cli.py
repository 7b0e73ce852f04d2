"""The `mtb` command. The only place (with the app's error boundary) that turns errors into
messages: an MtbError prints one line on stderr and exits 2; nothing prints a traceback unless
MTB_DEBUG=1 is set.

    mtb ingest PATH   tumor VCF/BCF, copy-number or fusion table -> one row per finding
    mtb serve         the web app on the bundled sample cases (or MTB_CASES_DIR)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import IO, Any

from mtb import __version__
from mtb.config import Settings
from mtb.errors import MtbError
from mtb.rows import INGEST_COLUMNS, finding_row, tsv_line
from mtb.variant import Finding, GenomeBuild, SmallVariant

EXIT_INPUT = 2


def _build(text: str) -> GenomeBuild:
    build = GenomeBuild.parse(text)
    if build is GenomeBuild.UNKNOWN:
        raise argparse.ArgumentTypeError(f"unknown genome build {text!r}; use GRCh37 or GRCh38")
    return build


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mtb",
        description="Prepare and present molecular tumor board cases.",
    )
    parser.add_argument("--version", action="version", version=f"mtb {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ingest = commands.add_parser(
        "ingest",
        help="read a tumor VCF/BCF (or a copy-number / fusion table) and print one row per finding",
        description="Read a tumor VCF/BCF, a copy-number segment table or a fusion table and "
        "write one row per finding (one per ALT allele) to stdout; a summary goes to stderr.",
    )
    ingest.add_argument("path", help=".vcf, .vcf.gz, .bcf, or a tab-separated segment/fusion table")
    ingest.add_argument("--tumor", metavar="NAME", help="sample column of the tumor")
    ingest.add_argument("--normal", metavar="NAME", help="sample column of the matched normal")
    ingest.add_argument(
        "--build", type=_build, metavar="GRCh37|GRCh38",
        help="genome build, when the header does not tell (or to override it)",
    )
    ingest.add_argument(
        "--pass-only", action="store_true",
        help="keep only records that passed all filters (FILTER PASS, or '.' = none applied)",
    )
    ingest.add_argument("--format", choices=("tsv", "json"), default="tsv", help="output format")

    serve = commands.add_parser("serve", help="start the web app (bundled sample cases by default)")
    serve.add_argument("--host", help="address to listen on (MTB_HOST)")
    serve.add_argument("--port", type=int, help="port (MTB_PORT)")
    serve.add_argument("--cases", dest="cases_dir", help="folder of case folders (MTB_CASES_DIR)")
    serve.add_argument("--debug", action="store_true", help="Dash debug mode (reloader, dev tools)")
    return parser


# -- ingest ------------------------------------------------------------------------------------


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


def run_ingest(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.ingest import VcfReader, file_kind, read_fusions, read_segments

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
    else:
        reader_of = read_segments if kind == "segments" else read_fusions
        findings: list[Any] = reader_of(args.path)
        if args.pass_only:
            findings = [f for f in findings if f.passed]
        writer(_tally(findings, by_type, by_filter), out)
        content = "copy-number segments" if kind == "segments" else "gene fusions"
    out.flush()
    summary = _summary_lines(args.path, content, by_type, by_filter, info, counts)
    err.write("\n".join(summary) + "\n")
    return 0


# -- serve -------------------------------------------------------------------------------------


def run_serve(args: argparse.Namespace) -> int:
    from mtb.app import create_app

    settings = Settings.load({"host": args.host, "port": args.port, "cases_dir": args.cases_dir})
    app = create_app(settings)
    url = f"http://{settings.host}:{settings.port}/"
    print(f"mtb: serving {settings.cases_dir} on {url}", file=sys.stderr)
    app.run(host=settings.host, port=settings.port, debug=args.debug)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "ingest":
            return run_ingest(args, sys.stdout, sys.stderr)
        if args.command == "serve":
            return run_serve(args)
    except MtbError as error:
        print(f"mtb: error: {error}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # `mtb ingest x.vcf | head`: the reader left; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last boundary: no traceback (it may hold patient data)
        if os.environ.get("MTB_DEBUG") == "1":
            raise
        print(
            f"mtb: internal error ({type(error).__name__}); rerun with MTB_DEBUG=1 for details "
            "and report it",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
