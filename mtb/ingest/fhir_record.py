"""HL7 FHIR R4 files -> a Record of validated resources: Bundles (collection, transaction,
searchset, document), single resources, folders of them, and NDJSON bulk exports.

Every resource is validated with fhir.resources' R4B models (the package's default is R5; R4B
reads R4 data): a resource that is not valid FHIR is reported with its file and position and
left out, and the others are still read. `mtb.ingest.fhir` turns the valid ones into events by
the rules in `mtb.ingest.fhir_rules`.

Real data is untidy, and a tumor board still needs the course: the MII examples reference
placeholders (`Patient/Example`, `SystemicTherapy1`), Synthea uses `urn:uuid:` references,
reports come without dates. None of that stops reading; each is a warning, and what is not
an event is counted by type and reason (`Timeline.skipped`). Warnings name files, positions
and resource ids, never a patient's name or value.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from mtb.errors import InputError
from mtb.ingest.limits import ReadLimits
from mtb.ingest.sniff import FHIR_SUFFIXES, fhir_files


@dataclass(frozen=True)
class Entry:
    """One validated resource and where it came from."""

    resource: Any  # a fhir.resources R4B model
    origin: str  # file name
    position: str  # "entry 12", "line 4", "" for a single-resource file
    full_url: str = ""

    @property
    def type(self) -> str:
        return str(self.resource.get_resource_type())

    @property
    def ref(self) -> str:
        return f"{self.type}/{self.resource.id}" if self.resource.id else self.full_url

    @property
    def source(self) -> str:
        """The event's source column: the resource and its file (shown with the event)."""
        where = f"{self.origin}, {self.position}" if self.position else self.origin
        return f"{self.ref or self.type} ({where})"

    @property
    def place(self) -> str:
        """Where a warning about this resource points: its type, file and entry. Never its
        id: ids are often made of a patient's name ("Patient/max-mustermann"), and warnings
        end up in terminal logs."""
        where = f"{self.origin}, {self.position}" if self.position else self.origin
        return f"{self.type} ({where})"


@dataclass
class Record:
    """The resources of one patient's files, with reference resolution across files."""

    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    read: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    _by_ref: dict[str, Entry] = field(default_factory=dict)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        self.read[entry.type] += 1
        for key in (entry.ref, entry.full_url):
            if key:
                self._by_ref.setdefault(key, entry)

    def resolve(self, reference: str | None) -> Entry | None:
        """'Medication/1', 'urn:uuid:...', or an absolute URL ending in Type/id."""
        if not reference:
            return None
        found = self._by_ref.get(reference)
        if found is None and "/" in reference:
            found = self._by_ref.get("/".join(reference.rstrip("/").split("/")[-2:]))
        return found

    def warn(self, entry: Entry | None, problem: str) -> None:
        self.warnings.append(f"{entry.place}: {problem}" if entry else problem)


def load_record(paths: Sequence[Path]) -> Record:
    """Read and validate every resource of the files and folders given."""
    record = Record()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = fhir_files(path)
            others = sorted(p.name for p in path.rglob("*") if p.is_file()
                            and p.suffix.lower() not in FHIR_SUFFIXES
                            and not p.name.startswith("."))
            if others:
                shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
                record.warnings.append(f"{path.name}: {len(others)} files that are not FHIR "
                                       f"JSON were not read ({shown})")
                record.skipped["file (not FHIR JSON)"] += len(others)
            if not files:
                record.warnings.append(f"{path}: no .json or .ndjson files")
            for file in files:
                _load_file(file, record)
        elif path.is_file():
            _load_file(path, record)
        else:
            raise InputError(path, "not found")
    return record


def record_from_bundle(bundle: dict[str, Any], origin: str) -> Record:
    """A Record from a Bundle already in memory (a FHIR server's answer)."""
    record = Record()
    _load_object(bundle, origin, record)
    return record


# -- loading ----------------------------------------------------------------------------------


MAX_JSON = 256 * 2**20  # a FHIR file is parsed whole and every resource validated


def _load_file(path: Path, record: Record) -> None:
    limit = min(MAX_JSON, ReadLimits.current().uncompressed)
    try:
        too_large = path.stat().st_size > limit
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror})") from None
    if too_large:  # parsing it would take many times its size in memory
        record.warnings.append(f"{path.name}: larger than {limit // 2**20} MiB, the limit for "
                               "one FHIR file (split a bulk export); not read")
        record.skipped["file (too large)"] += 1
        return
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        record.warnings.append(f"{path.name}: not UTF-8 text; not read")
        record.skipped["file (not UTF-8 text)"] += 1
        return
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror})") from None
    if path.suffix.lower() == ".ndjson":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                parsed = _parse_json(line, path.name, record, line_offset=number)
                if isinstance(parsed, dict) and parsed.get("resourceType") == "Bundle":
                    _load_object(parsed, f"{path.name}, line {number}", record)
                elif parsed is not None:
                    _load_resource(parsed, path.name, f"line {number}", "", record)
        return
    parsed = _parse_json(text, path.name, record)
    if parsed is not None:
        _load_object(parsed, path.name, record)


def _parse_json(text: str, origin: str, record: Record, line_offset: int = 0) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        line = line_offset or error.lineno
        record.warnings.append(f"{origin}, line {line}: invalid JSON ({error.msg}); not read")
        record.skipped["file (invalid JSON)"] += 1
        return None
    except RecursionError:
        record.warnings.append(f"{origin}: JSON nested too deeply to be FHIR; not read")
        record.skipped["file (invalid JSON)"] += 1
        return None


def _load_object(data: Any, origin: str, record: Record) -> None:
    if not isinstance(data, dict) or "resourceType" not in data:
        record.warnings.append(f"{origin}: not a FHIR resource (no resourceType); not read")
        record.skipped["file (no resourceType)"] += 1
        return
    if data["resourceType"] != "Bundle":
        _load_resource(data, origin, "", "", record)
        return
    for position, item in enumerate(_bundle_entries(data, origin, record), start=1):
        resource, full_url = item
        _load_resource(resource, origin, f"entry {position}", full_url, record)


def _bundle_entries(
    bundle: dict[str, Any], origin: str, record: Record
) -> Iterator[tuple[dict[str, Any], str]]:
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        record.warnings.append(f"{origin}: Bundle.entry is not a list; not read")
        return
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            record.warnings.append(f"{origin}, entry {number}: no resource")
            record.skipped["bundle entry without resource"] += 1
            continue
        if resource.get("resourceType") == "Bundle":  # a document inside a collection
            yield from _bundle_entries(resource, origin, record)
            continue
        yield resource, str(entry.get("fullUrl") or "")


def _load_resource(
    data: Any, origin: str, position: str, full_url: str, record: Record
) -> None:
    where = f"{origin}, {position}" if position else origin
    if not isinstance(data, dict):
        record.warnings.append(f"{where}: not a JSON object; not read")
        record.skipped["not a resource"] += 1
        return
    kind = str(data.get("resourceType") or "")
    ident = kind or "resource"  # never the id: it may hold a name (Entry.source)
    try:
        model = get_fhir_model_class(kind)
    except (ValueError, KeyError, TypeError):
        record.warnings.append(f"{where}: resourceType '{kind}' is not a FHIR R4 resource")
        record.skipped[f"{kind or 'no resourceType'} (unknown resource type)"] += 1
        return
    try:
        resource = model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first.get("loc", ()))
        record.warnings.append(
            f"{ident} ({where}): not valid FHIR R4 ({location}: {first.get('msg', 'invalid')});"
            " left out"
        )
        record.skipped[f"{kind} (invalid)"] += 1
        return
    record.add(Entry(resource, origin, position, full_url))
