"""`mtb trials`: the site's trial portfolio, trials for a case, and patients for a trial.

    mtb trials add FILE...                         check CTML files, copy them into MTB_TRIALS_DIR
    mtb trials list [--format tsv|json]            the portfolio, with each trial's arms and genes
    mtb trials match CASE [--format tsv|json] [--live] [--location L]
                                                   portfolio arms, then ClinicalTrials.gov studies
    mtb trials patients TRIAL [--format tsv|json] [--live]
                                                   the site's patients for a trial (audited)

The work is mtb.trials'; this module reads options and writes rows. TSV columns are a public
interface (new columns only ever appended); `--format json` gives every reason.
"""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mtb.cli.options import open_kb
from mtb.cli.timeline import cell
from mtb.config import Settings

if TYPE_CHECKING:
    from mtb.trials.model import ArmMatch, Trial

LIST_COLUMNS = ("trial", "nct_id", "title", "phase", "status", "open_arms", "arms", "genes",
                "file")
MATCH_COLUMNS = ("source", "trial", "nct_id", "arm", "recruiting", "status", "matched",
                 "unknown", "excluding", "title")
PATIENT_COLUMNS = ("case", "diagnosis", "arm", "recruiting", "status", "matched", "unknown",
                   "excluding", "title")


def add_parser(commands: Any) -> None:
    trials = commands.add_parser(
        "trials", help="the site's trials (CTML), trials for a case, patients for a trial",
        description="The site's trial portfolio is a folder of CTML files (MTB_TRIALS_DIR). "
        "Matching gives, for each trial arm, what matched (which finding, which criterion), "
        "what is unknown and what excludes.")
    actions = trials.add_subparsers(dest="trials_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="check CTML files and add them to the portfolio",
                             description="Every file is checked before any is copied; a trial "
                             "already in the portfolio is replaced by the new file.")
    add.add_argument("files", metavar="FILE", nargs="+", type=Path)
    listing = actions.add_parser("list", help="the portfolio's trials and arms")
    listing.add_argument("--format", choices=("tsv", "json"), default="tsv")
    match = actions.add_parser(
        "match", help="trials for a case: the portfolio, then ClinicalTrials.gov",
        description="Each trial arm that matches, may match (something unknown) or is about a "
        "finding of the case but excluded, with its reasons. ClinicalTrials.gov is asked only "
        "when live (--live or MTB_LIVE=1); its eligibility is read from the records' text.")
    match.add_argument("case", metavar="CASE", help="a case folder, or a case id")
    _common(match)
    match.add_argument("--location", metavar="PLACE",
                       help="ClinicalTrials.gov sites in this country or city "
                       "(MTB_CTGOV_LOCATION)")
    patients = actions.add_parser(
        "patients", help="the site's patients for a trial (portfolio id or NCT id)",
        description="Every case of the catalogue is matched against the trial's arms; the "
        "query is recorded in the audit log (who asked which trial, when).")
    patients.add_argument("trial", metavar="TRIAL", help="a protocol number or an NCT id")
    _common(patients)


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--format", choices=("tsv", "json"), default="tsv")
    command.add_argument("--live", action="store_true", default=None,
                         help="ask ClinicalTrials.gov (MTB_LIVE=1)")
    command.add_argument("--cases", dest="cases_dir", metavar="DIR",
                         help="folder of case folders (MTB_CASES_DIR)")


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    settings = Settings.load({"live": getattr(args, "live", None),
                              "cases_dir": getattr(args, "cases_dir", None)})
    action = args.trials_command
    if action == "add":
        return _add(args, settings, out, err)
    if action == "list":
        return _list(args, settings, out, err)
    if action == "match":
        return _match(args, settings, out, err)
    return _patients(args, settings, out, err)


def _add(args: argparse.Namespace, settings: Settings, out: IO[str], err: IO[str]) -> int:
    from mtb.trials.portfolio import add_trials

    folder = settings.trials_folder
    for added in add_trials(args.files, folder):
        trial = added.trial
        verb = "replaced" if added.replaced else "added"
        arms = sum(1 for a in trial.arms if a.match is not None)
        out.write(f"{verb} {trial.id}{' (' + trial.nct_id + ')' if trial.nct_id else ''}: "
                  f"{arms} arms with criteria, genes {', '.join(trial.genes) or 'none'} -> "
                  f"{added.path}\n")
        for warning in trial.warnings:
            err.write(f"mtb: note: {trial.id}: {warning}\n")
    return 0


def _list(args: argparse.Namespace, settings: Settings, out: IO[str], err: IO[str]) -> int:
    from mtb.trials.portfolio import load_portfolio

    portfolio = load_portfolio(settings.trials_folder)
    for error in portfolio.errors:
        err.write(f"mtb: warning: {error} (left out)\n")
    rows = [_trial_row(t) for t in portfolio.trials]
    if args.format == "json":
        out.write(json.dumps([_trial_json(t) for t in portfolio.trials], indent=2,
                             ensure_ascii=False) + "\n")
    else:
        _tsv(out, LIST_COLUMNS, rows)
    err.write(f"{len(portfolio.trials)} trials in {portfolio.folder}"
              f"{f'; {len(portfolio.errors)} files could not be read' if portfolio.errors else ''}"
              "\n")
    return 0


def _trial_row(trial: Trial) -> list[object]:
    with_criteria = [a for a in trial.arms if a.match is not None]
    return [trial.id, trial.nct_id, trial.label, trial.phase, trial.status,
            sum(1 for a in with_criteria if not a.suspended), len(with_criteria),
            ",".join(trial.genes), Path(trial.source).name]


def _trial_json(trial: Trial) -> dict[str, Any]:
    return {"trial": trial.id, "nct_id": trial.nct_id, "protocol_no": trial.protocol_no,
            "title": trial.title, "short_title": trial.short_title, "phase": trial.phase,
            "status": trial.status, "open": trial.open, "drugs": list(trial.drugs),
            "genes": list(trial.genes), "file": trial.source, "warnings": list(trial.warnings),
            "arms": [{"arm": a.code, "description": a.description, "status": a.status,
                      "criteria": a.match is not None} for a in trial.arms]}


def _match(args: argparse.Namespace, settings: Settings, out: IO[str], err: IO[str]) -> int:
    from mtb.case import load_case
    from mtb.trials.portfolio import load_portfolio
    from mtb.trials.profile import profile_of
    from mtb.trials.search import trials_for

    entry = _entry(args.case, settings)
    kb = open_kb(settings, err)
    store = _store(settings)
    try:
        curations = store.curations(entry.id)
        case = load_case(entry, kb, settings)
        profile = profile_of(case, curations)
        portfolio = load_portfolio(settings.trials_folder)
        found = trials_for(profile, portfolio, _client(settings),
                           lambda g: kb.genes.exon_count(g) is not None,
                           location=args.location or settings.ctgov_location)
        store.log_event(_who(), "trials_match", entry.id,
                        f"trials for case {entry.id}: {len(found.portfolio)} portfolio arms, "
                        f"{len(found.registry)} ClinicalTrials.gov studies")
    finally:
        store.close()
    for error in found.portfolio_errors:
        err.write(f"mtb: warning: {error} (left out)\n")
    rows = [*found.portfolio, *found.registry]
    if args.format == "json":
        out.write(json.dumps({
            "case": entry.id, "portfolio_trials": found.portfolio_size,
            "portfolio": [_match_json(m) for m in found.portfolio],
            "clinicaltrials_gov": {"note": found.registry_note, "query": dict(found.query),
                                   "studies": [_match_json(m) for m in found.registry]},
        }, indent=2, ensure_ascii=False) + "\n")
    else:
        _tsv(out, MATCH_COLUMNS, [_match_row(m) for m in rows])
    err.write(f"case {entry.id}: {len(found.portfolio)} arms of {found.portfolio_size} portfolio "
              f"trials; {found.registry_note}\n")
    return 0


def _patients(args: argparse.Namespace, settings: Settings, out: IO[str], err: IO[str]) -> int:
    from mtb.case import load_case
    from mtb.catalog import case_folders, list_cases
    from mtb.errors import ReportError
    from mtb.trials.eligibility import read_study
    from mtb.trials.portfolio import load_portfolio
    from mtb.trials.recruitment import recruit, site_profiles

    portfolio = load_portfolio(settings.trials_folder)
    trial: Any = portfolio.find(args.trial)
    kb = open_kb(settings, err)
    if trial is None:
        from mtb.errors import SourceError

        if not args.trial.strip().upper().startswith("NCT"):
            raise ReportError(f"no trial '{args.trial}' in the portfolio ({portfolio.folder})")
        try:
            study = _client(settings).study(args.trial)
        except SourceError as error:
            raise ReportError(f"{args.trial} is not in the portfolio and ClinicalTrials.gov "
                              f"did not answer ({error})") from None
        trial = read_study(study, lambda g: kb.genes.exon_count(g) is not None)
    store = _store(settings)
    try:
        entries = {e.id: e for folder in case_folders(settings) for e in list_cases(folder)}
        site = site_profiles(entries, lambda case_id: load_case(entries[case_id], kb, settings),
                             store.curations)
        found = recruit(trial, site)
        store.log_event(_who(), "trial_patients", "",
                        f"patients for trial {found.trial_id}: {len(found.case_ids)} of "
                        f"{found.patients} cases")
    finally:
        store.close()
    for case_id, why in found.skipped:
        err.write(f"mtb: warning: case {case_id} could not be opened ({why})\n")
    diagnoses = {p.case_id: p.diagnosis.shown for p in site.profiles}
    if args.format == "json":
        out.write(json.dumps({
            "trial": found.trial_id, "title": found.title, "source": found.source,
            "patients_checked": found.patients, "counts": found.counts,
            "matches": [dict(_match_json(m), case=m.case_id, diagnosis=diagnoses[m.case_id])
                        for m in found.matches],
        }, indent=2, ensure_ascii=False) + "\n")
    else:
        _tsv(out, PATIENT_COLUMNS, [
            [m.case_id, diagnoses[m.case_id], m.arm, _yes(m.recruiting), m.status,
             _joined(m.matched), _joined(m.unknown), _joined(m.excluding), m.title]
            for m in found.matches])
    counts = ", ".join(f"{n} {status}" for status, n in found.counts.items()) or "none"
    err.write(f"trial {found.trial_id}: {len(found.case_ids)} of {found.patients} patients "
              f"({counts}); the query is in the audit log\n")
    return 0


def _entry(text: str, settings: Settings) -> Any:
    from mtb.catalog import find_case, uploads_dir
    from mtb.errors import ReportError

    entry = find_case(text, settings)
    if entry is None:
        folders = (settings.cases_dir, uploads_dir(settings))
        raise ReportError(f"no case '{text}': it is not a case folder, and no case in "
                          f"{' or '.join(str(f) for f in folders)} has this id")
    return entry


def _client(settings: Settings) -> Any:
    """The ClinicalTrials.gov client when live, else one answering from its cache only."""
    from mtb.trials.ctgov import CtgovClient

    return CtgovClient.in_data_dir(settings.ctgov_url, settings.data_dir, live=settings.live)


def _store(settings: Settings) -> Any:
    from mtb.store import Store

    return Store.open(settings.database_url)


def _who() -> str:
    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = "unknown"
    return f"{name} (command line)"


def _match_row(m: ArmMatch) -> list[object]:
    return [m.source, m.trial_id, m.nct_id, m.arm, _yes(m.recruiting), m.status,
            _joined(m.matched), _joined(m.unknown), _joined(m.excluding), m.title]


def _match_json(m: ArmMatch) -> dict[str, Any]:
    return {"source": m.source, "trial": m.trial_id, "nct_id": m.nct_id, "title": m.title,
            "arm": m.arm, "recruiting": m.recruiting, "status": m.status,
            "reasons": [{"kind": r.kind, "criterion": r.criterion, "text": r.text,
                         "finding": r.finding, "finding_key": r.finding_key,
                         "read_from_text": r.from_text} for r in m.reasons]}


def _joined(reasons: Sequence[Any]) -> str:
    return "; ".join(r.text for r in reasons)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _tsv(out: IO[str], columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    out.write("\t".join(columns) + "\n")
    for row in rows:
        out.write("\t".join(cell(c) for c in row) + "\n")
    out.flush()
