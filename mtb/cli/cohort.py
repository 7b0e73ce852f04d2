"""`mtb cohort query`: which cases of the store carry a finding (mtb.cohort.query).

    mtb cohort query [--gene G] [--variant V] [--variant-class C] [--tumor-type T] [--tier T]
                     [--biomarker B] [--therapy D] [--status S] [--since DATE]
                     [--until DATE] [--format tsv|json]

One row per matching finding. The first six TSV columns (case_id, tumor_type, gene,
alteration, tier, status) are a public interface; new columns are only ever appended. Every
query is audited in the store's log (who asked what, when; no patient data).
"""

from __future__ import annotations

import argparse
import getpass
import json
from datetime import date
from typing import IO, Any

from mtb.cli.timeline import cell
from mtb.config import Settings
from mtb.errors import InputError


def add_parser(commands: Any) -> None:
    cohort = commands.add_parser(
        "cohort", help="which cases carry a finding (the case store)",
        description="Cohort queries over every case's shown version (a final case's pinned "
        "version, else the newest). Finding filters (gene, variant, class, tier) choose rows; "
        "the others choose cases.")
    actions = cohort.add_subparsers(dest="cohort_command", metavar="ACTION", required=True)
    query = actions.add_parser("query", help="one row per matching finding")
    query.add_argument("--gene", default="", help="gene (or fusion partner)")
    query.add_argument("--variant", default="", help="p.V600E, p.Val600Glu, V600E, codon "
                       "V600, 'exon 19 deletion', EML4::ALK, fusion, amplification")
    query.add_argument("--variant-class", default="", help="snv, deletion, cnv, fusion, ...")
    query.add_argument("--tumor-type", default="", help="a name or code; its subtypes count "
                       "(NSCLC takes lung adenocarcinoma)")
    query.add_argument("--tier", default="", help="I, II, IA, ... (comma-separated); the "
                       "curated tier wins")
    query.add_argument("--biomarker", default="", help="TMB-high, MSI-high, HRD-positive")
    query.add_argument("--therapy", default="", help="a recommended therapy or board decision")
    query.add_argument("--status", default="", help="prepared, presented, decided, final")
    query.add_argument("--since", type=_day, default=None, metavar="YYYY-MM-DD")
    query.add_argument("--until", type=_day, default=None, metavar="YYYY-MM-DD")
    query.add_argument("--format", choices=("tsv", "json"), default="tsv")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.cohort.query import COLUMNS, CohortQuery, as_json, audit
    from mtb.cohort.query import run as run_query
    from mtb.store import Store

    settings = Settings.load()
    query = CohortQuery(gene=args.gene, variant=args.variant,
                        variant_class=args.variant_class, tumor_type=args.tumor_type,
                        tier=args.tier, biomarker=args.biomarker, therapy=args.therapy,
                        status=args.status, since=args.since, until=args.until)
    if args.since and args.until and args.since > args.until:
        raise InputError("--since", "comes after --until")
    store = Store.open(settings.database_url)
    try:
        result = run_query(store, query)
        audit(store, _who(), result, "cohort_export")
    finally:
        store.close()
    for note in result.notes:
        err.write(f"note: {note}\n")
    if args.format == "json":
        json.dump(as_json(result), out, indent=2, ensure_ascii=False)
        out.write("\n")
        return 0
    out.write("\t".join(COLUMNS) + "\n")
    for row in result.rows:
        out.write("\t".join(cell(value) for value in row.cells()) + "\n")
    return 0


def _who() -> str:
    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = "unknown"
    return f"{name} (command line)"
