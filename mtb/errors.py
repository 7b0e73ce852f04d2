"""The one exception tree of mtb.

    MtbError                 anything mtb reports to a user as a message, never a traceback
    ├── InputError           a file the user gave is unreadable or malformed (path, line, problem)
    ├── KnowledgeBaseError   a knowledge-base snapshot or index is missing or corrupt
    ├── SourceError          a live knowledge source (web API) failed; the snapshot answers
    ├── StorageError         the case store could not read or write
    └── ConfigError          a setting (MTB_* variable or option) has an unusable value

Library code raises these and never prints or exits; only the CLI (`mtb.cli`) and the app's error
boundary turn them into messages. Messages name files and lines but never patient data (no
sample names, genotypes or variant values), so they are safe to log.
"""

from __future__ import annotations

from pathlib import Path


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
    """A live knowledge source (CIViC, ClinVar, OncoKB web API) could not answer."""


class StorageError(MtbError):
    """The case store could not be read or written; nothing already stored was changed."""


class ConfigError(MtbError):
    """A setting has a value mtb cannot use (names the setting, never a secret's value)."""
