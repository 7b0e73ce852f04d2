"""A new case from uploaded files: checked completely, then stored in one step.

The files were streamed into a staging folder by mtb.web.uploads; that folder is moved to a
hidden folder beside the cases, the files are recognised by content (mtb.ingest.sniff), named
in a case.toml (mtb.catalog writes it), and every file is read exactly as the annotation job
will read it (mtb.case.read_case_files). Only when that succeeds is the folder renamed into
place and registered (its annotation then runs as a job, whose progress the agenda shows); on
any error it is removed, so a half-stored case never appears
on the agenda. Uploaded cases live under the data dir (`<MTB_DATA_DIR>/cases`), since the
bundled sample cases may be read-only.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

from mtb.board import too_long
from mtb.case import read_case_files
from mtb.catalog import CaseEntry, case_toml, read_case, uploads_dir, write_case_toml
from mtb.config import Settings
from mtb.errors import InputError
from mtb.ingest.sniff import sniff

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A file name without folders or characters a shell or TOML would trip over."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip("._") or "file"
    return cleaned[:120]


def add_case(
    staged: Path,
    title: str,
    diagnosis: str,
    settings: Settings,
) -> CaseEntry:
    """Store a case made of the files uploaded into the staging folder `staged`
    (mtb.web.uploads) or raise InputError naming the file, the line and the problem; nothing
    is kept unless everything could be read, and the staging folder is gone either way."""
    try:
        title = " ".join(title.split())
        if not title:
            raise InputError("title", "a case needs a title")
        for field, text in (("case_title", title), ("diagnosis", diagnosis)):
            if too_long(field, text):
                raise InputError(field.replace("_", " "), too_long(field, text))
        names = sorted(p.name for p in staged.iterdir()
                       if p.is_file() and not p.name.startswith("."))
        if not names:
            raise InputError("files", "no files were uploaded")
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    root = uploads_dir(settings)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    case_id = f"{safe_name(title).lower()[:40]}-{secrets.token_hex(3)}"
    staging = root / f".incoming-{case_id}"
    try:
        shutil.move(str(staged), str(staging))  # a rename on one file system: no copy
    except OSError:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    try:
        for hidden in staging.glob(".*"):
            hidden.unlink()
        # a file sniff cannot place is named a VCF: the VCF reader says what is wrong with it
        kinds = {name: sniff(staging / name) or "vcf" for name in names}
        if "vcf" not in kinds.values():
            raise InputError(names[0], "no tumor VCF/BCF among the files (one is required)")
        write_case_toml(staging, case_toml(
            ["Added in the mtb web app from uploaded files."], case_id=case_id, title=title,
            diagnosis=" ".join(diagnosis.split()), source="uploaded in the mtb web app",
            files=list(kinds.items())))
        read_case_files(read_case(staging), settings)  # every file, as annotation reads it
        final = root / case_id
        staging.rename(final)
    except InputError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(Path(error.path).name, error.problem, error.line) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return read_case(final)
