"""The case folders mtb knows: each folder with a case.toml is one case.

case.toml names the case, its diagnosis as the clinician wrote it, whether it is synthetic, and
its data files. Reading the catalogue opens no data file; ingest does that when a case is opened.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from mtb.errors import InputError


@dataclass(frozen=True)
class CaseFile:
    path: Path
    kind: str  # vcf, segments, fusions, fhir, timeline


@dataclass(frozen=True)
class CaseEntry:
    id: str
    title: str
    diagnosis: str
    synthetic: bool
    source: str
    folder: Path
    files: tuple[CaseFile, ...]


_LINE = re.compile(r"line (\d+)")


def read_case(folder: Path) -> CaseEntry:
    path = folder / "case.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        line = _LINE.search(str(error))
        number = int(line.group(1)) if line else None
        raise InputError(path, f"is not valid TOML ({error})", number) from None
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror})") from None
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InputError(path, f"'{key}' is missing or empty")
    files = []
    for item in data.get("files", []):
        if not isinstance(item, dict) or "path" not in item:
            raise InputError(path, "every [[files]] entry needs a path")
        file_path = folder / item["path"]
        if not file_path.is_file():
            raise InputError(path, f"names {item['path']}, which is not in the case folder")
        files.append(CaseFile(file_path, str(item.get("kind", "vcf"))))
    return CaseEntry(
        id=data["id"],
        title=data["title"],
        diagnosis=str(data.get("diagnosis", "")),
        synthetic=bool(data.get("synthetic", False)),
        source=str(data.get("source", "")),
        folder=folder,
        files=tuple(files),
    )


def list_cases(cases_dir: Path) -> list[CaseEntry]:
    """All cases under cases_dir, sorted by title. A broken case.toml raises InputError."""
    if not cases_dir.is_dir():
        raise InputError(cases_dir, "cases folder not found")
    cases = [read_case(toml.parent) for toml in sorted(cases_dir.glob("*/case.toml"))]
    return sorted(cases, key=lambda case: case.title.lower())
