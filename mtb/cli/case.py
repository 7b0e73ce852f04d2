"""`mtb case show CASE` (a case folder or a case's id; the case at a glance: its stored
version when it is registered, else read and annotated on the road the app takes,
mtb.case), `mtb case add CASE_DIR...`,
`mtb case list`, `mtb case sync` (the case library in the store: mtb.library; annotation runs
as jobs, mtb.jobs) and `mtb case import-fhir --server URL --patient ID` (a patient's record from
a FHIR server into a case folder: mtb.ingest.clinical fetches and reads it, mtb.catalog writes
its case.toml; the case is registered).

Errors are raised as MtbError and printed by mtb.cli (one line, exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mtb.cli.options import ProgressBar, open_kb
from mtb.cli.timeline import cell
from mtb.config import Settings
from mtb.errors import InputError

if TYPE_CHECKING:
    from mtb.case import Case
    from mtb.library import Library
    from mtb.store import JobInfo, Store

LIST_COLUMNS = ("id", "title", "diagnosis", "status", "version", "tier_I", "tier_II",
                "annotation")


def add_parser(commands: Any) -> None:
    case = commands.add_parser("case", help="show a case folder, or import one from FHIR")
    actions = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show", help="the patient header, the timeline in order and the top findings",
    )
    show.add_argument("folder", metavar="CASE", help="a case folder, or a case's id")
    show.add_argument("--all", action="store_true", help="list every finding, not the top ten")
    add = actions.add_parser(
        "add", help="register case folders; each is annotated once, as a job",
        description="Register case folders (each with a case.toml) in the case store. Each "
        "is annotated once, by a worker (`mtb worker`, `mtb serve`, or this command with "
        "--wait); a case whose files change is annotated again into a new version.")
    add.add_argument("folders", metavar="CASE_DIR", type=Path, nargs="+")
    add.add_argument("--wait", action="store_true",
                     help="return when their annotation is done (a progress bar on stderr)")
    listing = actions.add_parser(
        "list", help="every registered case: status, version, tier I/II, annotation")
    listing.add_argument("--format", choices=("text", "tsv"), default="text",
                         help="text (default) or tsv (columns: " + " ".join(LIST_COLUMNS) + ")")
    sync = actions.add_parser(
        "sync", help="register and annotate everything in the cases folder",
        description="Register every case folder of the cases folder (MTB_CASES_DIR) and of "
        "the cases added in the app, and queue the annotation of every case that is new or "
        "whose files or knowledge base changed (nothing else is annotated again).")
    sync.add_argument("--wait", action="store_true",
                      help="return when all jobs are done (a progress bar on stderr)")
    sync.add_argument("--cases", dest="cases_dir", metavar="DIR",
                      help="folder of case folders (MTB_CASES_DIR)")
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
    if args.case_command in ("add", "list", "sync"):
        return _library_command(args, out, err)
    from mtb.case import open_case

    settings = Settings.load()
    folder = _case_folder(args.folder, settings)
    stored = _stored_case(folder, settings, err)
    case = stored or open_case(folder, open_kb(settings, err), settings)
    out.write(render_case(case, every=args.all))
    out.flush()
    return 0


def _case_folder(text: str, settings: Settings) -> Path:
    """The folder of CASE: a case folder, or the id of a case of the cases folder, of the cases
    added in the app, or registered from elsewhere (`mtb case add`), as `mtb report` takes it."""
    from mtb.catalog import find_case
    from mtb.store import Store

    entry = find_case(text, settings)
    if entry is not None:
        return entry.folder
    store = Store.open(settings.database_url)
    try:
        registered = store.stored_case(text)
    finally:
        store.close()
    if registered is None:
        raise InputError(text, "is neither a case folder nor the id of a case (`mtb case list` "
                         "lists them)")
    return Path(registered.folder)


def _stored_case(folder: Path, settings: Settings, err: IO[str]) -> Case | None:
    """The case's stored version when the folder is a registered case with one (its files
    unchanged since, else a warning), else None."""
    from mtb.catalog import read_case
    from mtb.library import Library, version_label
    from mtb.store import Store
    from mtb.versions import file_marks, input_key, kb_signature

    entry = read_case(Path(folder))
    store = Store.open(settings.database_url)
    try:
        registered = store.stored_case(entry.id)
        if registered is None or Path(registered.folder) != entry.folder.resolve():
            return None
        library = Library(settings, store)
        if library.shown_version(entry.id) is None:
            return None
        opened = library.open(entry.id)
        err.write(f"mtb: stored {version_label(opened.info)}\n")
        key = input_key(entry.id, file_marks(entry, registered.inputs), kb_signature(settings))
        if key != opened.info.input_key and not opened.pinned:
            err.write("mtb: warning: the case's files or knowledge base changed since; "
                      "`mtb case sync --wait` annotates it again\n")
        return opened.case
    finally:
        store.close()


def _library_command(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.jobs import JobQueue
    from mtb.library import Library
    from mtb.store import Store

    settings = Settings.load({"cases_dir": getattr(args, "cases_dir", None)})
    store = Store.open(settings.database_url)
    queue = JobQueue(settings)
    try:
        library = Library(settings, store, notify=queue.send)
        if args.case_command == "list":
            return _list(library, args.format, out)
        jobs: list[int] = []
        if args.case_command == "add":
            for folder in args.folders:
                case_id, job = library.register(folder, "command line", by="mtb (command line)")
                active = [j.id for j in store.jobs(case_id=case_id, states=("queued", "running"))]
                shown = library.shown_version(case_id)
                state = f"queued (job {job})" if job is not None else (
                    f"being annotated (job {active[-1]})" if active else
                    f"unchanged (version {shown})" if shown else "not annotated")
                out.write(f"{case_id}\t{state}\n")
                jobs += active
        else:
            result = library.sync(by="mtb (command line)")
            jobs = [j.id for j in store.jobs(states=("queued", "running"))]  # not only new ones
            if result.kb_changed:
                err.write(f"mtb: {result.kb_changed}: every case is annotated again\n")
            for problem in result.problems:
                err.write(f"mtb: warning: {problem}\n")
            out.write(f"registered {len(result.registered)} new cases, queued "
                      f"{len(result.queued)} annotations, {result.unchanged} unchanged\n")
        if not args.wait or not jobs:
            out.flush()
            return 0
        return _wait(settings, store, queue, library, jobs, out, err)
    finally:
        queue.close()
        store.close()


def _wait(settings: Settings, store: Store, queue: Any, library: Library, jobs: list[int],
          out: IO[str], err: IO[str]) -> int:
    """Until the jobs are done: run them here on the embedded queue, else wait for the
    site's workers; a progress bar on stderr."""
    import time

    from mtb.jobs import Worker

    bar = ProgressBar(err, "annotating")
    worker = Worker(settings, store, queue, library=library,
                    name=f"{_host()}:cli") if queue.embedded else None
    while True:
        states = store.jobs(jobs)
        _show(bar, states)
        if all(not job.active for job in states):
            break
        if worker is None or not worker.step():
            time.sleep(0.3)
    failed = [job for job in states if job.state == "failed"]
    for job in failed:
        err.write(f"mtb: {job.case_id}: not annotated: {job.message}\n")
    done = len(states) - len(failed)
    out.write(f"annotated {done} of {len(states)} cases\n")
    out.flush()
    return 2 if failed else 0


def _host() -> str:
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def _show(bar: ProgressBar, jobs: list[JobInfo]) -> None:
    if not jobs:
        return
    done = sum(1 for job in jobs if not job.active)
    fraction = sum(100 if not job.active else job.progress for job in jobs) / (100 * len(jobs))
    running = next((job for job in jobs if job.state == "running"), None)
    step = f"{done}/{len(jobs)} cases" + (f"; {running.case_id}: {running.step}"
                                          if running else "")
    bar(step, min(fraction, 1.0) if done < len(jobs) else 1.0)


def _list(library: Library, fmt: str, out: IO[str]) -> int:
    rows = []
    for case in library.summaries():
        annotation = case.state_text + (f": {case.problem}" if case.problem else "")
        rows.append((case.case_id, case.title, case.diagnosis, case.status,
                     "" if case.version is None else str(case.version),
                     "" if case.tier1 is None else str(case.tier1),
                     "" if case.tier2 is None else str(case.tier2), annotation))
    if fmt == "tsv":
        out.write("\t".join(LIST_COLUMNS) + "\n")
        for row in rows:
            out.write("\t".join(cell(v).replace("\t", " ") for v in row) + "\n")
        out.flush()
        return 0
    widths = [min(40, max([len(c) for c in col] + [len(h)]))
              for h, col in zip(LIST_COLUMNS, zip(*rows, strict=False) if rows
                                else [()] * len(LIST_COLUMNS), strict=False)]
    out.write("  ".join(h.ljust(w) for h, w in zip(LIST_COLUMNS, widths, strict=True)).rstrip()
              + "\n")
    for row in rows:
        out.write("  ".join(str(v)[:w].ljust(w) for v, w in zip(row, widths, strict=True))
                  .rstrip() + "\n")
    out.flush()
    return 0


def render_case(case: Case, *, every: bool = False) -> str:
    """The case as plain text: header, timeline, findings, warnings."""
    from annotation.model import Tier
    from annotation.therapies import card_lines, more_text
    from mtb.board import finding_key
    from mtb.options import board_options, card_order, line_cautions
    from mtb.variant import Biomarker

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
    markers = [v.finding for v in case.annotation.variants if isinstance(v.finding, Biomarker)]
    if case.annotation.tmb is not None and not any(m.name == "TMB" for m in markers):
        lines.append(case.annotation.tmb.summary)
    lines += [f"{marker.label}: {marker.source}" for marker in markers]
    if diagnosis.warning:
        lines.append(f"! {diagnosis.warning}")
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
    _register_imported(settings, folder, err)
    if created:
        out.write(f"created {folder / 'case.toml'}: add the diagnosis and the molecular files\n")
    else:
        out.write(f"{folder / 'case.toml'} exists: list {target.name} there as kind = \"fhir\" "
                  "if it is not yet\n")
    for warning in (*fetched.warnings, *timeline.warnings):
        err.write(f"warning: {warning}\n")
    return 0


def _register_imported(settings: Settings, folder: Path, err: IO[str]) -> None:
    """Register the imported case (its annotation is a job); a case.toml that does not read
    yet is said, not fatal: the import itself succeeded."""
    from mtb.errors import MtbError
    from mtb.jobs import JobQueue
    from mtb.library import Library
    from mtb.store import Store

    store = Store.open(settings.database_url)
    queue = JobQueue(settings)
    try:
        case_id, job = Library(settings, store, notify=queue.send).register(
            folder, "FHIR import", by="mtb (command line)")
        if job is not None:
            err.write(f"registered {case_id}: annotation queued (job {job})\n")
    except MtbError as error:
        err.write(f"warning: not registered yet ({error}); `mtb case sync` registers it\n")
    finally:
        queue.close()
        store.close()
