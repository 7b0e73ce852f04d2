"""The site's trial portfolio: a folder of CTML files, one trial each (MTB_TRIALS_DIR).

Why a folder and not a table: trial coordinators write CTML by hand and many sites keep it in
git, reviewed like code; the folder is then the portfolio, and mtb reads it afresh (a few small
files) whenever it is asked. `mtb trials add FILE...` checks every file completely before
copying any of them in (all or nothing), under the trial's own id, replacing an earlier version
of the same trial. A file that became unreadable later is reported with its error and left out;
the other trials still match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mtb.atomic import atomic_write
from mtb.errors import InputError
from mtb.trials.ctml import read_ctml
from mtb.trials.model import Trial
from mtb.trials.tumor_types import TumorTypes

__all__ = ["SUFFIXES", "Added", "Portfolio", "add_trials", "load_portfolio"]

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Portfolio:
    folder: Path
    trials: tuple[Trial, ...]
    errors: tuple[InputError, ...] = ()  # files that could not be read, with why

    def find(self, text: str) -> Trial | None:
        """A trial by its protocol number or NCT id (any case)."""
        wanted = text.strip().upper()
        return next((t for t in self.trials
                     if wanted in (t.id.upper(), t.nct_id.upper(), t.protocol_no.upper())), None)


@dataclass(frozen=True)
class Added:
    trial: Trial
    path: Path
    replaced: bool


def load_portfolio(folder: Path, types: TumorTypes | None = None) -> Portfolio:
    """Every CTML file of the folder (none when it does not exist yet), by trial id."""
    folder = Path(folder)
    if not folder.is_dir():
        return Portfolio(folder, ())
    trials: dict[str, Trial] = {}
    errors: list[InputError] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES):
        try:
            trial = read_ctml(path, types)
        except InputError as error:
            errors.append(error)
            continue
        if trial.id in trials:
            errors.append(InputError(path, f"trial {trial.id} is also in "
                                           f"{Path(trials[trial.id].source).name}; left out"))
            continue
        trials[trial.id] = trial
    ordered = sorted(trials.values(), key=lambda t: (not t.open, t.id))
    return Portfolio(folder, tuple(ordered), tuple(errors))


def add_trials(paths: Iterable[Path], folder: Path,
               types: TumorTypes | None = None) -> list[Added]:
    """Check every file, then copy them into the portfolio as `<trial id>.<suffix>`. Nothing is
    copied when one of them is bad (its InputError is raised) or two name the same trial."""
    read: list[tuple[Path, Trial]] = []
    for path in paths:
        path = Path(path)
        if path.suffix.lower() not in SUFFIXES:
            raise InputError(path, "a CTML file ends in .yaml, .yml or .json")
        read.append((path, read_ctml(path, types)))
    ids: dict[str, Path] = {}
    for path, trial in read:
        if trial.id in ids:
            raise InputError(path, f"trial {trial.id} is also in {ids[trial.id]}")
        ids[trial.id] = path
    folder = Path(folder)
    existing = load_portfolio(folder, types)
    added = []
    for path, trial in read:
        target = folder / f"{_file_name(trial.id)}{path.suffix.lower()}"
        earlier = existing.find(trial.id)
        atomic_write(target, path.read_bytes(), mode=0o644)
        if earlier is not None and Path(earlier.source) != target:
            Path(earlier.source).unlink(missing_ok=True)  # the same trial, another suffix
        added.append(Added(trial, target, earlier is not None))
    return added


def _file_name(trial_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", trial_id).strip("._") or "trial"
