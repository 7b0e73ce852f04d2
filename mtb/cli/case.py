"""`mtb case show CASE_DIR` (the case at a glance, on the road the app takes: mtb.case) and
`mtb case import-fhir --server URL --patient ID` (a patient's record from a FHIR server into a
case folder: mtb.ingest.clinical fetches and reads it, mtb.catalog writes its case.toml).

Errors are raised as MtbError and printed by mtb.cli (one line, exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mtb.cli.options import open_kb
from mtb.cli.timeline import cell
from mtb.config import Settings

if TYPE_CHECKING:
    from mtb.case import Case


def add_parser(commands: Any) -> None:
    case = commands.add_parser("case", help="show a case folder, or import one from FHIR")
    actions = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show", help="the patient header, the timeline in order and the top findings",
    )
    show.add_argument("folder", metavar="CASE_DIR", type=Path)
    show.add_argument("--all", action="store_true", help="list every finding, not the top ten")
    fetch = actions.add_parser(
        "import-fhir",
        help="fetch a patient's record from a FHIR server into a case folder",
        description="Fetch everything a FHIR R4 server holds about a patient "
        "(Patient/$everything, or per-type searches where the server does not offer it) and "
        "write it as a Bundle into the case folder, creating a case.toml if there is none. "
        "The token comes from --token or MTB_FHIR_TOKEN and is never printed or stored.",
    )
    fetch.add_argument("--server", required=True, metavar="URL", help="FHIR base URL")
    fetch.add_argument("--patient", required=True, metavar="ID", help="the Patient's id")
    fetch.add_argument("--out", metavar="CASE_DIR", type=Path,
                       help="the case folder (default: <MTB_DATA_DIR>/cases/<ID>, where the "
                       "app lists added cases)")
    fetch.add_argument("--token", metavar="TOKEN",
                       help="bearer token (prefer MTB_FHIR_TOKEN: options show in `ps`)")


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if args.case_command == "import-fhir":
        return _import_fhir(args, out, err)
    from mtb.case import open_case

    settings = Settings.load()
    case = open_case(args.folder, open_kb(settings, err), settings)
    out.write(render_case(case, every=args.all))
    out.flush()
    return 0


def render_case(case: Case, *, every: bool = False) -> str:
    """The case as plain text: header, timeline, findings, warnings."""
    from annotation.model import Tier
    from annotation.therapies import card_lines, more_text
    from mtb.board import finding_key
    from mtb.options import board_options, card_order, line_cautions

    entry = case.entry
    lines = [f"{entry.title}" + ("  [SYNTHETIC parts: " + entry.synthetic_parts + "]"
                                 if entry.synthetic_parts else ""),
             "=" * min(100, len(entry.title))]
    patient = case.patient
    if patient is not None:
        age = case.age()
        who = ", ".join(p for p in (
            patient.name, f"patient {patient.id}", patient.sex,
            f"{age} years" if age is not None else "",
            f"died {patient.deceased}" if patient.deceased not in (None, False) else "",
        ) if p)
        lines.append(who)
    diagnosis = case.annotation.diagnosis
    mapped = f" -> {diagnosis.name} ({diagnosis.doid})" if diagnosis.known else " (not mapped)"
    lines.append(f"diagnosis: {diagnosis.text}{mapped}")
    if case.annotation.tmb is not None:
        lines.append(case.annotation.tmb.summary)
    lines += [f"therapy {line.label}" for line in case.lines]
    lines += ["", "TIMELINE"]
    for event in case.events:
        value = f" = {cell(event.value)}{' ' + event.unit if event.unit else ''}" \
            if event.value is not None else ""
        status = f" [{event.status}]" if event.status else ""
        span = f"{cell(event.start) or 'no date'}" + (f" to {event.end}" if event.end else "")
        lines.append(f"  {span:<24} {event.kind.value:<16} {event.label}{value}{status}")
    variants = case.annotation.variants
    shown = variants if every else case.actionable[:10]
    lines += ["", f"FINDINGS ({len(case.actionable)} of {len(variants)} in tier I/II"
              + ("" if every else ", top 10") + ")"]
    cautions = line_cautions(variants, case.course)
    for variant in shown:
        level = f" level {variant.level}" if variant.level else ""
        lines.append(f"  {variant.tier.value:<4} {variant.alteration.label:<32}{level}")
        quality = case.quality.get(finding_key(variant), "")
        lines += [f"       ! {flag}" for flag in ([quality] if quality else [])
                  + list(variant.flags)]
        ordered = card_order(variant.therapies, cautions)
        card, more = card_lines(ordered)
        for therapy in card:
            caution = cautions.get(frozenset(therapy.drugs), "")
            lines.append(f"       - {therapy.label} [{therapy.tier.value}; "
                         f"{therapy.basis_text}]" + (f" ({caution})" if caution else ""))
        if more:
            lines.append(f"       - {'and ' if card else ''}{more_text(ordered, len(card))} "
                         "(mtb annotate --format json lists every line)")
    options = board_options(variants, case.course)
    if options:
        lines += ["", "OPTIONS FROM THE EVIDENCE (tier I, checked against the course)"]
        lines += [f"  {i}. {o.therapy.name} for {o.finding} [{o.therapy.tier.value}; "
                  f"{o.therapy.basis_text}]" + (f" -- {o.caution}" if o.caution else "")
                  + (f" ({o.given})" if o.given else "")
                  for i, o in enumerate(options[:8], start=1)]
    if not shown and not every:
        counts = case.annotation.by_tier()
        lines.append("  none in tier I/II; " + ", ".join(
            f"{t} {counts[t.value]}" for t in Tier if counts.get(t.value)))
    lines += ["", "FILES"] + [f"  {f.path.name} ({f.kind}): {f.summary}" for f in case.files]
    if case.warnings:
        lines += ["", "WARNINGS"] + [f"  {w}" for w in case.warnings]
    return "\n".join(lines) + "\n"


def _import_fhir(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from urllib.parse import urlsplit

    from mtb.catalog import case_toml, uploads_dir, write_case_toml
    from mtb.ingest.clinical import import_patient

    settings = Settings.load()
    folder: Path = args.out or uploads_dir(settings) / args.patient
    imported = import_patient(args.server, args.patient, folder / f"fhir-{args.patient}.json",
                              token=args.token or settings.fhir_token or None)
    fetched, target, timeline = imported.fetched, imported.path, imported.timeline
    created = not (folder / "case.toml").exists()
    if created:
        host = urlsplit(args.server).hostname or "the FHIR server"
        write_case_toml(folder, case_toml(
            [f"Imported by `mtb case import-fhir` from {host}; the diagnosis and molecular "
             "files", "are to be added."],
            case_id=args.patient, title=f"Patient {args.patient}", diagnosis="",
            source=f"FHIR server {host}", files=[(target.name, "fhir")]))
    counts = ", ".join(f"{n} {t}" for t, n in sorted(fetched.counts.items()))
    out.write(f"wrote {target} ({counts}; {fetched.method}, {fetched.pages} pages)\n")
    out.write(f"{timeline.summary()}\n")
    if created:
        out.write(f"created {folder / 'case.toml'}: add the diagnosis and the molecular files\n")
    else:
        out.write(f"{folder / 'case.toml'} exists: list {target.name} there as kind = \"fhir\" "
                  "if it is not yet\n")
    for warning in (*fetched.warnings, *timeline.warnings):
        err.write(f"warning: {warning}\n")
    return 0
