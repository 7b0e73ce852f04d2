"""Where the shipped folders are: assets/ and sample_cases/.

In a checkout (and an editable install) they sit at the top of the repository, beside mtb/;
a wheel carries them inside the package as mtb/_data/ (see pyproject.toml). Both are tried.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    return _PACKAGE.parent / name


def assets_dir() -> Path:
    return _shipped("assets")


def sample_cases_dir() -> Path:
    return _shipped("sample_cases")
