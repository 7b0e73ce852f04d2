"""The `mtb` command. The only place (with the app's error boundary) that turns errors into
messages: an MtbError prints one line on stderr and exits 2; nothing prints a traceback unless
MTB_DEBUG=1 is set.

    mtb ingest PATH     tumor VCF/BCF, copy-number or fusion table -> one row per finding
    mtb annotate PATH   the same rows with AMP/ASCO/CAP tier, evidence, therapies and reasons
    mtb kb build|status|update   the local knowledge-base index
    mtb timeline PATH   clinical events from FHIR, tabular histories and DICOM, in order
    mtb case show|import-fhir    a case folder at a glance; a patient from a FHIR server
    mtb user add NAME --role ROLE   who may sign in to the web app (and with which role)
    mtb report CASE --format html|pdf|fhir -o FILE   the case report for the hospital record
    mtb serve           the web app on the bundled sample cases (or MTB_CASES_DIR)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from mtb import __version__
from mtb.cli_case import add_commands as add_case_commands
from mtb.cli_case import run_case, run_timeline
from mtb.cli_report import add_commands as add_report_commands
from mtb.cli_report import run_report
from mtb.config import Settings
from mtb.errors import InputError, MtbError
from mtb.rows import INGEST_COLUMNS, finding_row, tsv_line
from mtb.variant import Finding, GenomeBuild, SmallVariant

EXIT_INPUT = 2


def _build(text: str) -> GenomeBuild:
    build = GenomeBuild.parse(text)
    if build is GenomeBuild.UNKNOWN:
        raise argparse.ArgumentTypeError(f"unknown genome build {text!r}; use GRCh37 or GRCh38")
    return build


def _file_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--tumor", metavar="NAME", help="sample column of the tumor")
    command.add_argument("--normal", metavar="NAME", help="sample column of the matched normal")
    command.add_argument(
        "--build", type=_build, metavar="GRCh37|GRCh38",
        help="genome build, when the header does not tell (or to override it)",
    )
    command.add_argument(
        "--pass-only", action="store_true",
        help="keep only records that passed all filters (FILTER PASS, or '.' = none applied)",
    )
    command.add_argument("--format", choices=("tsv", "json"), default="tsv", help="output format")


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
    _file_options(ingest)

    annotate = commands.add_parser(
        "annotate",
        help="annotate findings with knowledge-base evidence and AMP/ASCO/CAP tiers",
        description="Annotate a case's findings (VCF/BCF, copy-number and fusion tables) for its "
        "diagnosis: the ingest columns, then amp_tier, evidence_level, therapies, "
        "match_granularity, sources and reasons. A summary (diagnosis mapping, tiers, TMB, "
        "knowledge-base versions) goes to stderr.",
    )
    annotate.add_argument("paths", nargs="+", metavar="PATH",
                          help="the case's files (VCF/BCF, segment or fusion tables)")
    annotate.add_argument(
        "--diagnosis", required=True, metavar="TEXT",
        help="free text, ICD-10-GM code (C34.1), OncoTree code (LUAD) or DOID (DOID:3910)",
    )
    _file_options(annotate)
    annotate.add_argument("--live", action="store_true", default=None,
                          help="also ask the knowledge bases' web APIs (MTB_LIVE)")
    annotate.add_argument("--reference", metavar="FASTA", type=Path,
                          help="reference FASTA of the input's build: protein changes of "
                          "unannotated coding SNVs are computed from it")
    annotate.add_argument("--target-mb", type=float, metavar="MB",
                          help="sequenced territory for TMB in megabases (MTB_TMB_MB)")
    annotate.add_argument("--panel-bed", metavar="BED", type=Path,
                          help="panel target regions for TMB (overrides --target-mb)")

    kb = commands.add_parser("kb", help="build, inspect or update the local knowledge-base index")
    kb_commands = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    kb_build = kb_commands.add_parser("build", help="build the index from the bundled snapshots")
    kb_build.add_argument("--civic", metavar="DIR", type=Path,
                          help="a CIViC release folder to use instead of the bundled one")
    kb_commands.add_parser("status", help="sources, versions, dates, counts and licences")
    kb_commands.add_parser(
        "update", help="fetch CIViC's newest monthly release and switch the index to it"
    )

    add_case_commands(commands)
    add_report_commands(commands)

    user = commands.add_parser("user", help="manage the users who may sign in to the web app")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    user_add = user_commands.add_parser(
        "add", help="add a user (prompts for the password when --password is not given)")
    user_add.add_argument("name")
    user_add.add_argument("--role", required=True, choices=("viewer", "curator", "chair",
                                                             "admin"))
    user_add.add_argument("--password", help="at least 10 characters (prefer the prompt: "
                          "options show in `ps` and shell history)")
    user_role = user_commands.add_parser("role", help="give a user another role")
    user_role.add_argument("name")
    user_role.add_argument("role", choices=("viewer", "curator", "chair", "admin"))
    user_disable = user_commands.add_parser("disable", help="stop a user from signing in")
    user_disable.add_argument("name")
    user_enable = user_commands.add_parser("enable", help="let a disabled user sign in again")
    user_enable.add_argument("name")
    user_password = user_commands.add_parser("password", help="set a user's password "
                                             "(prompted)")
    user_password.add_argument("name")

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


# -- annotate ----------------------------------------------------------------------------------


class _ProgressBar:
    """A progress line on stderr (redrawn in place on a terminal, one line per step otherwise)."""

    def __init__(self, err: IO[str], title: str) -> None:
        self.err = err
        self.title = title
        self.tty = err.isatty()
        self.last = ""

    def __call__(self, step: str, done: float) -> None:
        if step == self.last:
            return
        self.last = step
        filled = int(done * 20)
        line = f"{self.title} [{'#' * filled}{'.' * (20 - filled)}] {done:4.0%} {step}"
        self.err.write(("\r" + line.ljust(80)) if self.tty else line + "\n")
        if self.tty and done >= 1.0:
            self.err.write("\n")
        self.err.flush()


def open_kb(settings: Settings, err: IO[str]) -> Any:
    from annotation.kb import KnowledgeBase

    return KnowledgeBase.open(settings, progress=_ProgressBar(err, "building knowledge-base index"))


def run_annotate(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from annotation import annotate
    from mtb.ingest import read_findings
    from mtb.ingest.bed import read_bed
    from mtb.rows import ANNOTATE_COLUMNS, annotated_json, annotated_tsv_line

    settings = Settings.load({"live": args.live, "tmb_megabases": args.target_mb})
    files = [
        read_findings(path, tumor=args.tumor, normal=args.normal, build=args.build,
                      pass_only=args.pass_only)
        for path in args.paths
    ]
    builds = {f.build for f in files if f.build is not GenomeBuild.UNKNOWN}
    if len(builds) > 1:
        raise InputError(args.paths[0], "the files are on different genome builds: "
                         + ", ".join(sorted(b.value for b in builds)))
    build = args.build or (builds.pop() if builds else GenomeBuild.UNKNOWN)
    panel = read_bed(args.panel_bed) if args.panel_bed else None
    kb = open_kb(settings, err)
    case = annotate(
        [finding for f in files for finding in f.findings], args.diagnosis, kb, build=build,
        reference=args.reference, tmb_megabases=settings.tmb_megabases, panel=panel,
    )
    if args.format == "json":
        document = {
            "case": {
                "files": [f.path for f in files],
                "build": build.value,
                "diagnosis": dataclasses.asdict(case.diagnosis),
                "tmb": dataclasses.asdict(case.tmb) if case.tmb else None,
                "tiers": case.by_tier(),
                "sources": [dataclasses.asdict(s) for s in case.sources],
                "notes": case.notes,
            },
            "variants": [annotated_json(v) for v in case.variants],
        }
        json.dump(document, out, indent=1, default=str)
        out.write("\n")
    else:
        out.write("\t".join(ANNOTATE_COLUMNS) + "\n")
        for variant in case.variants:
            out.write(annotated_tsv_line(variant))
    out.flush()
    diagnosis = case.diagnosis
    mapped = (f"{diagnosis.name} ({diagnosis.doid}) via {diagnosis.matched_by}"
              if diagnosis.known else "not mapped")
    lines = [
        f"files: {', '.join(f.path for f in files)}; genome build: {build}",
        f"diagnosis: {args.diagnosis!r} -> {mapped}",
        "tiers: " + ", ".join(f"{tier} {count}" for tier, count in case.by_tier().items()),
    ]
    if case.tmb is not None:
        lines.append(case.tmb.summary)
    lines += [f"source: {s.name} {s.version} ({s.mode})" for s in case.sources]
    lines += [f"warning: {note}" for note in case.notes]
    for f in files:
        if f.info is not None:
            lines += [f"warning: {f.path}: {w}" for w in f.info.warnings]
    err.write("\n".join(lines) + "\n")
    return 0


# -- kb -----------------------------------------------------------------------------------------


def run_kb(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from annotation import snapshots
    from annotation.index import build_index, index_path, load_index

    settings = Settings.load()
    if args.kb_command == "build":
        path = build_index(settings.data_dir, civic_dir=args.civic,
                           progress=_ProgressBar(err, "building knowledge-base index"))
        out.write(f"index built: {path}\n")
        return 0
    if args.kb_command == "update":
        from annotation.update import update_civic

        result = update_civic(settings, progress=_ProgressBar(err, "updating CIViC"))
        if result.changed:
            out.write(f"CIViC updated from {result.previous or 'none'} to {result.release}; "
                      f"index: {result.index}\n")
        else:
            out.write(f"CIViC {result.release} is already the newest release\n")
        return 0
    path = index_path(settings.data_dir)
    meta: dict[str, str] = {}
    counts: dict[str, int] = {}
    if path.is_file():
        index = load_index(settings.data_dir)
        meta, counts = index.meta, {**index.civic.counts, "hotspots": index.hotspots.count}
        out.write(f"index: {path} (built {meta.get('built_at')} by {meta.get('built_by')})\n")
    else:
        out.write(f"index: none yet at {path} (built on first use, or `mtb kb build`)\n")
    for source in snapshots.manifest():
        version = source.version
        if source.name == "CIViC" and meta.get("civic_release"):
            version = meta["civic_release"]
        out.write(f"\n{source.name}\n  version: {version}\n  date: {source.date}\n"
                  f"  licence: {source.licence}\n")
        if source.name == "CIViC" and counts:
            shown = ", ".join(f"{k} {v}" for k, v in counts.items() if k != "hotspots")
            out.write(f"  counts: {shown}\n")
        if source.name == "Cancer Hotspots" and "hotspots" in counts:
            out.write(f"  counts: {counts['hotspots']} hotspots\n")
    live = "on" if settings.live else "off (MTB_LIVE=1 or --live to ask CIViC/ClinVar/OncoKB)"
    oncokb = "configured" if settings.oncokb_token else "no token (OncoKB not used)"
    out.write(f"\nlive sources: {live}; OncoKB: {oncokb}\n")
    return 0


# -- users -------------------------------------------------------------------------------------


def _ask_password(name: str) -> str:
    import getpass

    password = getpass.getpass(f"password for {name}: ")
    if getpass.getpass("again: ") != password:
        raise InputError("password", "the two passwords differ")
    return password


def run_user(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Users of the web app. Every change but `add` ends the user's open sessions."""
    from mtb.store import Store

    store = Store.open(Settings.load().database_url)
    if args.user_command == "add":
        password = args.password if args.password is not None else _ask_password(args.name)
        store.add_user(args.name, args.role, password)
        out.write(f"user {args.name} added ({args.role})\n")
    elif args.user_command == "role":
        store.change_user(args.name, role=args.role)
        out.write(f"user {args.name} is now {args.role}; their sessions ended\n")
    elif args.user_command in ("disable", "enable"):
        store.change_user(args.name, active=args.user_command == "enable")
        out.write(f"user {args.name} {args.user_command}d\n")
    else:
        store.change_user(args.name, password=_ask_password(args.name))
        out.write(f"password of {args.name} changed; their sessions ended\n")
    return 0


def first_admin(store: Any, err: IO[str]) -> None:
    """The embedded default's first start: a local admin with a random password, printed
    once on the console of whoever started mtb (never logged, never stored in clear)."""
    import secrets

    if store.has_users():
        return
    password = secrets.token_urlsafe(12)
    store.add_user("admin", "admin", password)
    err.write("mtb: first start: created the user 'admin' (role admin) with the password\n"
              f"     {password}\n"
              "     sign in with it, then add your users: mtb user add NAME --role ROLE\n")


# -- serve -------------------------------------------------------------------------------------


def run_serve(args: argparse.Namespace) -> int:
    from mtb.store import Store
    from mtb.web import create_app

    settings = Settings.load({"host": args.host, "port": args.port, "cases_dir": args.cases_dir})
    store = Store.open(settings.database_url)
    first_admin(store, sys.stderr)
    app = create_app(settings, store=store)
    url = f"http://{settings.host}:{settings.port}/"
    print(f"mtb: serving {settings.cases_dir} on {url} (Ctrl+C stops)", file=sys.stderr)
    if args.debug:  # Flask's development server with Dash's dev tools: never for patients
        app.run(host=settings.host, port=settings.port, debug=True)
        return 0
    from waitress import serve

    serve(app.server, host=settings.host, port=settings.port, threads=8, ident="mtb",
          clear_untrusted_proxy_headers=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    runners: dict[str, Callable[[argparse.Namespace, IO[str], IO[str]], int]] = {
        "ingest": run_ingest, "annotate": run_annotate, "kb": run_kb, "timeline": run_timeline,
        "case": run_case, "report": run_report, "user": run_user,
    }
    try:
        if args.command == "serve":
            return run_serve(args)
        return runners[args.command](args, sys.stdout, sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main())
