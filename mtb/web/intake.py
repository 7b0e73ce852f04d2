"""A new case from uploaded files: checked completely, then stored in one step.

The files are written to a hidden folder beside the cases, recognised by content, named in a
case.toml, and the case is opened exactly as the board would open it (ingest, annotation,
timeline). Only when that succeeds is the folder renamed into place; on any error it is
removed, so a half-stored case never appears on the agenda. Uploaded cases live under the
data dir (`<MTB_DATA_DIR>/cases`), since the bundled sample cases may be read-only.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tomllib
from collections.abc import Sequence
from pathlib import Path

from annotation.kb import KnowledgeBase
from mtb.case import load_case
from mtb.catalog import CaseEntry, read_case
from mtb.config import Settings
from mtb.errors import InputError
from mtb.ingest import file_kind
from mtb.ingest.fhir import looks_like_fhir
from mtb.ingest.histories import looks_like_cbioportal_timeline, looks_like_event_table

MAX_FILE_BYTES = 512 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def uploads_dir(settings: Settings) -> Path:
    return settings.data_dir / "cases"


def safe_name(name: str) -> str:
    """A file name without folders or characters a shell or TOML would trip over."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip("._") or "file"
    return cleaned[:120]


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".vcf", ".vcf.gz", ".bcf")):
        return "vcf"
    if name.endswith((".json", ".ndjson")) and looks_like_fhir(path):
        return "fhir"
    if looks_like_cbioportal_timeline(path):
        return "timeline"
    if looks_like_event_table(path):
        return "events"
    kind = file_kind(path)
    if kind in ("segments", "fusions"):
        return kind
    if looks_like_fhir(path):
        return "fhir"
    return "vcf"  # the VCF reader says precisely what is wrong with anything else


def add_case(
    files: Sequence[tuple[str, bytes]],
    title: str,
    diagnosis: str,
    settings: Settings,
    kb: KnowledgeBase,
) -> CaseEntry:
    """Store a case made of `files` (name, content) or raise InputError naming the file, the
    line and the problem; nothing is kept unless everything could be read."""
    title = " ".join(title.split())
    if not title:
        raise InputError("title", "a case needs a title")
    if not files:
        raise InputError("files", "no files were uploaded")
    root = uploads_dir(settings)
    root.mkdir(parents=True, exist_ok=True)
    case_id = f"{safe_name(title).lower()[:40]}-{secrets.token_hex(3)}"
    staging = root / f".incoming-{case_id}"
    staging.mkdir()
    try:
        names = _write_files(staging, files)
        kinds = {name: _kind(staging / name) for name in names}
        if "vcf" not in kinds.values():
            raise InputError(names[0], "no tumor VCF/BCF among the files (one is required)")
        (staging / "case.toml").write_text(_case_toml(case_id, title, diagnosis, kinds),
                                           encoding="utf-8")
        load_case(read_case(staging), kb, settings)  # everything the board will open
        final = root / case_id
        staging.rename(final)
    except InputError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(Path(error.path).name, error.problem, error.line) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return read_case(final)


def _write_files(folder: Path, files: Sequence[tuple[str, bytes]]) -> list[str]:
    names: list[str] = []
    for name, content in files:
        safe = safe_name(name)
        if safe in names:
            raise InputError(name, "two files have the same name")
        if len(content) > MAX_FILE_BYTES:
            raise InputError(name, f"is larger than {MAX_FILE_BYTES // 2**20} MB")
        (folder / safe).write_bytes(content)
        names.append(safe)
    return names


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch.isprintable() else " " for ch in escaped)
    return f'"{escaped}"'


def _case_toml(case_id: str, title: str, diagnosis: str, kinds: dict[str, str]) -> str:
    lines = [
        "# Added in the mtb web app from uploaded files.",
        f"id = {_toml_string(case_id)}",
        f"title = {_toml_string(title)}",
        f"diagnosis = {_toml_string(' '.join(diagnosis.split()))}",
        "synthetic = false",
        'source = "uploaded in the mtb web app"',
    ]
    for name, kind in kinds.items():
        lines += ["", "[[files]]", f"path = {_toml_string(name)}", f"kind = {_toml_string(kind)}"]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # never store a case.toml this module cannot read back
    return text
