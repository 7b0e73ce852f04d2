"""The cases the app serves, read from the store (mtb.library): the agenda from the index
columns without opening a case, and each case page from its stored version's document.

A version never changes once stored, so an opened version (its Case and the grid's rows) can
be kept as long as memory allows: the few most recently opened stay (`keep`, least recently
used out), which bounds the server's memory however many cases the board opens (an exome case
holds about 18 MB). Which version a page shows is asked of the store on each request (one
indexed query), so a version stored by a worker, in this process or another server, shows at
the next request. Each server process serves requests from several threads: one lock per
version makes concurrent first views read it once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from annotation.kb import KnowledgeBase
from mtb.case import Case
from mtb.config import Settings
from mtb.errors import InputError
from mtb.library import CaseSummary, Library
from mtb.store import Store, VersionInfo
from mtb.web.grid import VariantFrame, variant_frame

KEEP = 8  # opened versions kept in memory


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    frame: VariantFrame  # the variant table's rows, for the grid's server-side filtering
    info: VersionInfo  # the version shown
    newest: int  # the case's newest version
    pinned: bool  # a final case's pinned version

    @property
    def version(self) -> int:
        return self.info.number


class CaseLibrary:
    def __init__(self, settings: Settings, store: Store, library: Library | None = None, *,
                 keep: int = KEEP, kb: Callable[[], KnowledgeBase] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.library = library or Library(settings, store)
        self.keep = keep
        self._opened: OrderedDict[tuple[str, int], OpenedCase] = OrderedDict()
        self._locks: dict[tuple[str, int], threading.Lock] = {}
        self._guard = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._kb_factory = kb or (lambda: KnowledgeBase.open(settings))

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base, opened at first use (the trials page asks it which words are
        gene symbols; cases come annotated from the store and never need it)."""
        with self._guard:
            if self._kb is None:
                self._kb = self._kb_factory()
            return self._kb

    def entry(self, case_id: str) -> str:
        """`case_id` when the store has that case registered, else InputError (a forged
        request cannot write for a case that does not exist)."""
        if self.store.stored_case(case_id) is None:
            raise InputError("cases", f"no case with id '{case_id}'")  # no server path shown
        return case_id

    def summaries(self) -> list[CaseSummary]:
        """The agenda's rows (from the store's index columns; no case is opened)."""
        return self.library.summaries()

    def open(self, case_id: str, version: int | None = None) -> OpenedCase:
        """A version of a case (the shown one: a final case's pinned version, else the
        newest). InputError when the case is unknown or not annotated yet."""
        number = version or self.library.shown_version(case_id)
        if number is None:
            if self.store.stored_case(case_id) is None:
                raise InputError("cases", f"no case with id '{case_id}'")
            raise InputError("cases", f"case '{case_id}' is not annotated yet")
        key = (case_id, number)
        with self._guard:
            opened = self._opened.get(key)
            if opened is not None:
                self._opened.move_to_end(key)
                return opened
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                opened = self._opened.get(key)
            if opened is None:
                read = self.library.open(case_id, number)
                opened = OpenedCase(read.case, variant_frame(read.case), read.info, read.newest,
                                    read.pinned)
            with self._guard:
                self._opened[key] = opened
                self._opened.move_to_end(key)
                while len(self._opened) > self.keep:
                    old, _ = self._opened.popitem(last=False)
                    self._locks.pop(old, None)
            return opened

    def neighbours(self, case_id: str,
                   meeting_of: dict[str, int | None] | None = None) -> tuple[str | None,
                                                                            str | None]:
        """The previous and next case of the agenda (the presentation's arrow keys)."""
        return self.library.neighbours(case_id, meeting_of)
