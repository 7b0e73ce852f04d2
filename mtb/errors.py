"""The one exception tree of mtb: every error mtb reports to a user is defined here.

    MtbError                    anything mtb reports to a user as a message, never a traceback
    ├── InputError              a file the user gave is unreadable or malformed (path, line)
    ├── KnowledgeBaseError      a knowledge-base snapshot or index is missing or corrupt
    ├── SourceError             a live source (web API, FHIR server) failed; the snapshot answers
    │   └── HttpStatusError     it answered with a non-2xx status (host, status)
    ├── StorageError            the case store could not read or write
    │   ├── StaleEditError      the record changed since the user loaded it; nothing was saved
    │   └── DocumentError       a stored case document cannot be read (newer schema, damaged)
    ├── AccessError             the user's role does not allow it, or the case is final
    ├── ConfigError             a setting (MTB_* variable or option) has an unusable value
    └── ReportError             a report cannot be produced (unknown case, ...)
        └── PdfUnavailableError WeasyPrint or its system libraries are missing

Library code raises these and never prints or exits; only the CLI (`mtb.cli`) and the web app's
error boundary (`mtb.web.boundary`) turn them into messages. Messages name files and lines but
never patient data (no sample names, genotypes or variant values), so they are safe to log.
Private exceptions a module raises and catches itself (a reader's "skip this row") stay in it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AccessError",
    "ConfigError",
    "DocumentError",
    "HttpStatusError",
    "InputError",
    "KnowledgeBaseError",
    "MtbError",
    "PdfUnavailableError",
    "ReportError",
    "SourceError",
    "StaleEditError",
    "StorageError",
]


class MtbError(Exception):
    """Root of every error mtb reports to a user."""


class InputError(MtbError):
    """A user-supplied file cannot be used: says which file, which line (when known) and why."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line is not None else self.path
        return f"{where}: {self.problem}"


class KnowledgeBaseError(MtbError):
    """A knowledge-base snapshot or the local index is missing, corrupt or of the wrong version."""


class SourceError(MtbError):
    """A live source (CIViC, ClinVar, OncoKB web API; a hospital's FHIR server) could not
    answer."""


class HttpStatusError(SourceError):
    """A non-2xx answer, after retries. Carries the status so a source can say more (OncoKB
    turns 401/403 into "rejected the token")."""

    def __init__(self, host: str, status: int) -> None:
        self.host = host
        self.status = status
        super().__init__(f"{host}: HTTP {status}")


class StorageError(MtbError):
    """The case store could not be read or written; nothing already stored was changed."""


class StaleEditError(StorageError):
    """The record changed since the user loaded it; their edit was not applied."""


class DocumentError(StorageError):
    """A stored case document cannot be read: written by a newer mtb (a schema or a field this
    one does not know), or damaged (its checksum differs). Nothing is guessed."""


class AccessError(MtbError):
    """The user's role does not allow this, or the case is final (read-only)."""


class ConfigError(MtbError):
    """A setting has a value mtb cannot use (names the setting, never a secret's value)."""


class ReportError(MtbError):
    """A report cannot be produced (unknown case, missing PDF libraries, ...)."""


class PdfUnavailableError(ReportError):
    """WeasyPrint or the system libraries it needs are not installed."""
