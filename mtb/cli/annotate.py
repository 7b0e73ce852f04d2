"""`mtb annotate PATH... --diagnosis TEXT`: a case's molecular files annotated for its
diagnosis, on the road every case takes (mtb.case: files read and checked, then annotated):
the ingest columns, then tier, evidence, therapies and reasons (mtb.rows) on stdout; the
diagnosis mapping, tier counts, TMB and knowledge-base versions on stderr."""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from mtb.cli.options import add_file_options, open_kb
from mtb.config import Settings
from mtb.ingest.biomarkers import parse_given
from mtb.ingest.cnv import check_sample
from mtb.variant import Biomarker


def add_parser(commands: Any) -> None:
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
    add_file_options(annotate)
    annotate.add_argument("--live", action="store_true", default=None,
                          help="also ask the knowledge bases' web APIs (MTB_LIVE)")
    annotate.add_argument("--reference", metavar="FASTA", type=Path,
                          help="reference FASTA of the input's build: protein changes of "
                          "unannotated coding SNVs are computed from it")
    annotate.add_argument("--target-mb", type=float, metavar="MB",
                          help="sequenced territory for TMB in megabases (MTB_TMB_MB)")
    annotate.add_argument("--panel-bed", metavar="BED", type=Path,
                          help="panel target regions for TMB (overrides --target-mb)")
    measured = annotate.add_argument_group(
        "measured biomarkers", "a laboratory's value wins over the one mtb computes from the "
        "calls (as case.toml's tmb, msi and hrd)")
    measured.add_argument("--tmb", type=_given("TMB"), metavar="MUT_PER_MB",
                          help="tumor mutational burden in mutations per megabase, or high/low")
    measured.add_argument("--msi", type=_given("MSI"), metavar="CALL",
                          help="high (MSI-H, dMMR), stable (MSS, MSI-L, pMMR) or indeterminate")
    measured.add_argument("--hrd", type=_given("HRD"), metavar="CALL",
                          help="positive/negative or a genomic instability score (positive "
                          "from 42)")
    measured.add_argument("--ploidy", type=_sample("ploidy"), metavar="N",
                          help="the tumor's ploidy: amplification from ploidy + 3 copies "
                          "(else 5 copies)")
    measured.add_argument("--purity", type=_sample("purity"), metavar="FRACTION",
                          help="tumor purity (0-1): copy numbers of log2-ratio tables are "
                          "corrected for the normal cells")


def _sample(key: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        problem = check_sample(key, value)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value
    return parse


def _given(name: str) -> Callable[[str], Biomarker]:
    def parse(text: str) -> Biomarker:
        try:
            source = f"given on the command line (--{name.lower()} {text})"
            return parse_given(name, text, source)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return parse


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.case import assemble, read_case_files
    from mtb.catalog import CaseEntry, CaseFile
    from mtb.ingest import file_kind
    from mtb.ingest.bed import read_bed
    from mtb.rows import ANNOTATE_COLUMNS, annotated_json, annotated_tsv_line

    settings = Settings.load({"live": args.live, "tmb_megabases": args.target_mb})
    entry = CaseEntry(
        id="command-line", title="files named on the command line", diagnosis=args.diagnosis,
        synthetic=False, source="mtb annotate", folder=Path.cwd(),
        files=tuple(CaseFile(Path(path), file_kind(path)) for path in args.paths),
        build=args.build.value if args.build else "", tumor=args.tumor or "",
        normal=args.normal or "", origin=Path(args.paths[0]),
        biomarkers=tuple(b for b in (args.tmb, args.msi, args.hrd) if b is not None),
        ploidy=args.ploidy, purity=args.purity,
    )
    files = read_case_files(entry, settings, pass_only=args.pass_only)  # before the index
    panel = read_bed(args.panel_bed) if args.panel_bed else None
    case = assemble(files, open_kb(settings, err), settings, reference=args.reference,
                    panel=panel)
    annotation, build = case.annotation, case.build
    if args.format == "json":
        document = {
            "case": {
                "files": list(args.paths),
                "build": build.value,
                "diagnosis": dataclasses.asdict(annotation.diagnosis),
                "tmb": dataclasses.asdict(annotation.tmb) if annotation.tmb else None,
                "tiers": annotation.by_tier(),
                "sources": [dataclasses.asdict(s) for s in annotation.sources],
                "notes": annotation.notes,
            },
            "variants": [annotated_json(v) for v in annotation.variants],
        }
        json.dump(document, out, indent=1, default=str)
        out.write("\n")
    else:
        out.write("\t".join(ANNOTATE_COLUMNS) + "\n")
        for variant in annotation.variants:
            out.write(annotated_tsv_line(variant))
    out.flush()
    diagnosis = annotation.diagnosis
    mapped = (f"{diagnosis.name} ({diagnosis.doid}) via {diagnosis.matched_by}"
              if diagnosis.known else "not mapped")
    lines = [
        f"files: {', '.join(args.paths)}; genome build: {build}",
        f"diagnosis: {args.diagnosis!r} -> {mapped}",
        "tiers: " + ", ".join(f"{tier} {n}" for tier, n in annotation.by_tier().items()),
    ]
    if annotation.tmb is not None:
        lines.append(annotation.tmb.summary)
    lines += [f"source: {s.name} {s.version} ({s.mode})" for s in annotation.sources]
    lines += [f"warning: {note}" for note in annotation.notes]
    for path, found in zip(args.paths, files.molecular, strict=True):
        if found.info is not None:
            lines += [f"warning: {path}: {w}" for w in found.info.warnings]
    err.write("\n".join(lines) + "\n")
    return 0
