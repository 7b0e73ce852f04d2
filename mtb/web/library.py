"""The cases the app serves: the catalogue of the cases folder, each case opened (ingested,
annotated, joined with its timeline) on first view and kept until one of its files changes.

Opening the 1470-variant HCC1395 exome takes about 0.3 s, so a board moving from case to case
must not pay it twice; a curator who replaces a VCF must not see the old findings either. The
cache key is therefore every file's modification time and size, checked on each request (a few
stat calls). Waitress serves requests from several threads: one lock per case makes concurrent
first views open the case once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from annotation.kb import KnowledgeBase
from mtb.case import Case, load_case
from mtb.catalog import CaseEntry, case_folders, list_cases
from mtb.config import Settings
from mtb.errors import InputError
from mtb.web.grid import VariantFrame, variant_frame


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    frame: VariantFrame  # the variant table's rows, for the grid's server-side filtering
    fingerprint: tuple[tuple[str, int, int], ...]


class CaseLibrary:
    def __init__(
        self, settings: Settings, kb: Callable[[], KnowledgeBase] | None = None
    ) -> None:
        self.settings = settings
        self._kb_factory = kb or (lambda: KnowledgeBase.open(settings))
        self._kb: KnowledgeBase | None = None
        self._opened: dict[str, OpenedCase] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @property
    def kb(self) -> KnowledgeBase:
        with self._guard:
            if self._kb is None:
                self._kb = self._kb_factory()
            return self._kb

    def entries(self) -> list[CaseEntry]:
        """The catalogue, read afresh (a few small TOML files): new cases appear at once.
        The cases folder first, then the cases added in the app (under the data dir)."""
        return [entry for folder in case_folders(self.settings) for entry in list_cases(folder)]

    def entry(self, case_id: str) -> CaseEntry:
        for entry in self.entries():
            if entry.id == case_id:
                return entry
        raise InputError("cases", f"no case with id '{case_id}'")  # no server path shown

    def open(self, case_id: str) -> OpenedCase:
        """The opened case. Every grid block asks for it, so a case already open is checked
        by stat-ing its own files (case.toml among them) instead of reading the catalogue;
        the catalogue is read only to open a case, or when one of its files changed."""
        with self._guard:
            lock = self._locks.setdefault(case_id, threading.Lock())
        with lock:
            opened = self._opened.get(case_id)
            if opened is not None and _fingerprint(opened.case.entry) == opened.fingerprint:
                return opened
            entry = self.entry(case_id)
            fingerprint = _fingerprint(entry)
            case = load_case(entry, self.kb, self.settings)
            opened = OpenedCase(case, variant_frame(case), fingerprint)
            self._opened[case_id] = opened
            return opened

    def neighbours(
        self, case_id: str, meeting_of: dict[str, int | None] | None = None
    ) -> tuple[str | None, str | None]:
        """The previous and next case of the agenda (for the presentation's arrow keys): of
        the case's meeting when it is on one, else of all cases."""
        ids = [entry.id for entry in self.entries()]
        meeting = (meeting_of or {}).get(case_id)
        if meeting is not None:
            ids = [i for i in ids if (meeting_of or {}).get(i) == meeting]
        if case_id not in ids:
            return None, None
        at = ids.index(case_id)
        return (ids[at - 1] if at > 0 else None, ids[at + 1] if at + 1 < len(ids) else None)


def _fingerprint(entry: CaseEntry) -> tuple[tuple[str, int, int], ...]:
    paths: list[Path] = [entry.folder / "case.toml"]
    for file in entry.files:
        paths += sorted(p for p in file.path.rglob("*") if p.is_file()) if file.path.is_dir() \
            else [file.path]
    marks = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            marks.append((str(path), -1, -1))
            continue
        marks.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(marks)
