"""The case folders mtb knows: each folder with a case.toml is one case. Reading case.toml,
writing it (the one writer, for cases added in the app and records imported from a FHIR
server) and finding a case by its id live here.

case.toml names the case, its diagnosis as the clinician wrote it, whether it is synthetic, the
dates a board needs to place the molecular findings (specimen taken, sequenced, the index date
of day-counted histories), optionally the reference FASTA of its build (`reference =`, a file
of the case folder or of MTB_REFERENCES_DIR) and its data files, each with its kind:

    vcf        tumor VCF/BCF (small variants, CNV and SV records)
    segments   copy-number segment table          fusions   fusion table
    fhir       FHIR R4 JSON/NDJSON file or folder  dicom     DICOM file or folder
    timeline   cBioPortal timeline (days from index_date)
    events     simple CSV history (date, end, kind, label, value, unit)

An entry without a kind gets the one mtb.ingest.sniff recognises (a VCF when it recognises
none). Reading the catalogue opens no data file beyond that; mtb.case reads them when a case
is opened.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mtb.atomic import atomic_write
from mtb.config import Settings
from mtb.errors import InputError
from mtb.ingest.biomarkers import parse_given
from mtb.ingest.cnv import check_sample
from mtb.ingest.sniff import FILE_KINDS, sniff
from mtb.timeline import PartialDate
from mtb.variant import Biomarker

_FOLDER_KINDS = ("fhir", "dicom")


@dataclass(frozen=True)
class CaseFile:
    path: Path
    kind: str  # one of FILE_KINDS
    patient: str = ""  # the PATIENT_ID of a cBioPortal timeline, the Patient id in FHIR files


@dataclass(frozen=True)
class CaseEntry:
    id: str
    title: str
    diagnosis: str
    synthetic: bool
    source: str
    folder: Path
    files: tuple[CaseFile, ...]
    synthetic_parts: str = ""  # which parts are synthetic or joined for the demo
    specimen_date: PartialDate | None = None  # the sequenced specimen was taken
    sequencing_date: PartialDate | None = None  # the molecular report
    index_date: PartialDate | None = None  # day 0 of day-counted histories
    build: str = ""  # genome build of the tables, when the VCF does not tell
    tumor: str = ""  # VCF sample names, when the header does not tell
    normal: str = ""
    origin: Path | None = None  # what describes the case when it is not a folder's case.toml
    # TMB, MSI, HRD a laboratory measured (case.toml `tmb =`, `msi =`, `hrd =`; the command
    # line's --tmb/--msi/--hrd): they win over the values mtb computes (mtb.ingest.biomarkers)
    biomarkers: tuple[Biomarker, ...] = ()
    # the tumor sample's ploidy and purity (case.toml): copy numbers are judged against them
    ploidy: float | None = None
    purity: float | None = None
    # case.toml `reference =`: the FASTA of the files' build, a file of the case folder or
    # one of the site's references folder by name (reference_path finds it)
    reference: str = ""

    @property
    def described_in(self) -> Path:
        """What errors about the case as a whole name: its case.toml, or for a case given on
        the command line (`mtb annotate`) its first file."""
        return self.origin or self.folder / "case.toml"


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
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise InputError(path, "every [[files]] entry needs a path (text)")
        file_path = folder / item["path"]
        _inside(folder, file_path, item["path"], path)
        kind = str(item["kind"]) if "kind" in item else sniff(file_path) or "vcf"
        if kind not in FILE_KINDS:
            raise InputError(path, f"file kind '{kind}' is not one of {', '.join(FILE_KINDS)}")
        folder_ok = kind in _FOLDER_KINDS and file_path.is_dir()
        if not (folder_ok or file_path.is_file()):
            raise InputError(path, f"names {item['path']}, which is not in the case folder")
        files.append(CaseFile(file_path, kind, str(item.get("patient", ""))))
    return CaseEntry(
        id=data["id"],
        title=data["title"],
        diagnosis=str(data.get("diagnosis", "")),
        synthetic=bool(data.get("synthetic", False)),
        source=str(data.get("source", "")),
        folder=folder,
        files=tuple(files),
        synthetic_parts=str(data.get("synthetic_parts", "")),
        specimen_date=_date(data, "specimen_date", path),
        sequencing_date=_date(data, "sequencing_date", path),
        index_date=_date(data, "index_date", path),
        build=str(data.get("build", "")),
        tumor=str(data.get("tumor", "")),
        normal=str(data.get("normal", "")),
        biomarkers=_biomarkers(data, path),
        ploidy=_sample(data, "ploidy", path),
        purity=_sample(data, "purity", path),
        reference=_text(data, "reference", path),
    )


def reference_path(entry: CaseEntry, settings: Settings) -> Path | None:
    """The reference FASTA case.toml names (`reference = "GRCh38.fa"`): a file in the case
    folder, else one in the site's references folder (MTB_REFERENCES_DIR), never a path
    leading out of either (a case.toml cannot make the server read any file it likes)."""
    if not entry.reference:
        return None
    named = entry.reference
    where = (entry.folder / named).resolve()
    if not Path(named).is_absolute() and where.is_file() and \
            where.is_relative_to(entry.folder.resolve()):
        return where
    shared = settings.references_folder.resolve()
    there = (shared / named).resolve()
    if not Path(named).is_absolute() and there.is_file() and there.is_relative_to(shared):
        return there
    raise InputError(entry.described_in, f"reference '{named}' is neither a file of the case "
                     f"folder nor of the references folder {shared} (MTB_REFERENCES_DIR)")


def _text(data: dict[str, object], key: str, path: Path) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise InputError(path, f"'{key}' must be text (a file name in quotes)")
    return value.strip()


def _inside(folder: Path, file_path: Path, named: str, toml: Path) -> None:
    """A case names only files inside its own folder: not an absolute path, not `..` into
    another case's folder, not a symbolic link (or a folder holding one) that leads out.
    Otherwise a case.toml could show any file the server can read on the board's screen."""
    root = folder.resolve()
    where = file_path.resolve()
    if Path(named).is_absolute() or not where.is_relative_to(root) or where == root:
        raise InputError(toml, f"names {named}, which is not in the case folder")
    if where.is_dir():
        for inner in where.rglob("*"):
            if inner.is_symlink() and not inner.resolve().is_relative_to(root):
                raise InputError(toml, f"names {named}, which links to files outside the "
                                 "case folder")


def _sample(data: dict[str, object], key: str, path: Path) -> float | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(path, f"'{key}': {value!r} is not a number")
    problem = check_sample(key, float(value))
    if problem:
        raise InputError(path, f"'{key}': {problem}")
    return float(value)


def _biomarkers(data: dict[str, object], path: Path) -> tuple[Biomarker, ...]:
    found = []
    for key in ("tmb", "msi", "hrd"):
        if data.get(key) in (None, ""):
            continue
        try:
            source = f"given in case.toml ({key} = {data[key]!r})"
            found.append(parse_given(key, data[key], source))
        except ValueError as error:
            raise InputError(path, f"'{key}': {error}") from None
    return tuple(found)


def _date(data: dict[str, object], key: str, path: Path) -> PartialDate | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return PartialDate.parse(str(value))  # TOML dates arrive as datetime.date: same text
    except ValueError as error:
        raise InputError(path, f"'{key}': {error}") from None


def list_cases(cases_dir: Path) -> list[CaseEntry]:
    """All cases under cases_dir, sorted by title. A broken case.toml raises InputError."""
    if not cases_dir.is_dir():
        raise InputError(cases_dir, "cases folder not found")
    folders = [toml.parent for toml in sorted(cases_dir.glob("*/case.toml"))
               if not toml.parent.name.startswith(".")]  # .incoming-*: a case being added
    cases = [read_case(folder) for folder in folders]
    return sorted(cases, key=lambda case: case.title.lower())


# -- the catalogue: the cases folder, then the cases added through the app ---------------------


def uploads_dir(settings: Settings) -> Path:
    """Where cases added through the app (and imported from a FHIR server) live: under the
    data dir, since the bundled sample cases may be read-only."""
    return settings.data_dir / "cases"


def case_folders(settings: Settings) -> list[Path]:
    """The folders of case folders, in the catalogue's order: the cases folder
    (MTB_CASES_DIR), then the cases added through the app when that is another folder."""
    folders = [settings.cases_dir]
    added = uploads_dir(settings)
    if added.is_dir() and added.resolve() != settings.cases_dir.resolve():
        folders.append(added)
    return folders


def find_case(text: str, settings: Settings) -> CaseEntry | None:
    """A case folder, else the catalogue's case with this id (sample/configured cases first,
    then the cases added through the app); None when there is none. A folder without a
    case.toml is an InputError."""
    path = Path(text).expanduser()
    if (path / "case.toml").is_file():
        return read_case(path)
    if path.is_dir():
        raise InputError(path, "is a folder without a case.toml (not a case folder)")
    for folder in (settings.cases_dir, uploads_dir(settings)):
        for entry in _readable_cases(folder):
            if entry.id == text:
                return entry
    return None


def _readable_cases(folder: Path) -> list[CaseEntry]:
    """The cases of a folder; one broken case.toml does not hide the others."""
    if not folder.is_dir():
        return []
    try:
        return list_cases(folder)
    except InputError:
        entries = []
        for toml in sorted(folder.glob("*/case.toml")):
            if toml.parent.name.startswith("."):
                continue
            try:
                entries.append(read_case(toml.parent))
            except InputError:
                continue
        return entries


# -- writing case.toml ---------------------------------------------------------------------------


def toml_string(text: str) -> str:
    """A TOML basic string: quotes and backslashes escaped, control characters (a newline in a
    title) replaced by spaces."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch.isprintable() else " " for ch in escaped)
    return f'"{escaped}"'


def case_toml(
    comment: Sequence[str], *, case_id: str, title: str, diagnosis: str, source: str,
    files: Sequence[tuple[str, str]], synthetic: bool = False,
) -> str:
    """The text of a case.toml: `comment` lines first, then the case's fields and its
    [[files]] (name, kind). Checked by reading it back: never a case.toml mtb cannot read."""
    lines = [f"# {line}" for line in comment]
    lines += [
        f"id = {toml_string(case_id)}",
        f"title = {toml_string(title)}",
        f"diagnosis = {toml_string(diagnosis)}",
        f"synthetic = {'true' if synthetic else 'false'}",
        f"source = {toml_string(source)}",
    ]
    for name, kind in files:
        lines += ["", "[[files]]", f"path = {toml_string(name)}", f"kind = {toml_string(kind)}"]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)
    return text


def write_case_toml(folder: Path, text: str) -> Path:
    """Write a case.toml (from `case_toml`) into a case folder, atomically."""
    return atomic_write(Path(folder) / "case.toml", text.encode("utf-8"), mode=0o644)
