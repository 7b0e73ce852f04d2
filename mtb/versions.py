"""What an annotation version is made of, and what changed between two.

A version of a case is determined by its inputs: the case's files (each by its sha256, case.toml
included), the knowledge base (CIViC release the index was built from, the bundled snapshots
and the approvals table, each by checksum) and the settings that change a tier or a number
(TMB territory, live sources, call-quality thresholds). `input_key` is their sha256: the same
key, the same annotation, so a job whose key already produced the case's newest version has
nothing to do, and a server start re-annotates nothing. A file changed on disk gives a new
key, hence a new version; so does `mtb kb update` or an mtb upgrade with a new approvals table
(mtb.library starts the re-annotation of every case).

Hashing an exome's VCF takes a few milliseconds, but a library of 1,000 cases is looked at on
every sync: a file whose size and modification time are as last seen keeps its recorded sha256
(the marks in the store), so a sync reads only what changed.

`compare` says what changed between two versions the way a board reads it: findings added and
removed, and tier changes of findings that are (or were) tier I/II, each with why ("KRAS
p.G12C IIC -> IA (new approval: Sotorasib, FDA 2021)").
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotation import snapshots
from annotation.index import SCHEMA_VERSION, index_path
from annotation.model import TIER_RANK, AnnotatedVariant
from mtb.board import KEY_TIERS, finding_key
from mtb.case import Case
from mtb.catalog import CaseEntry
from mtb.config import Settings
from mtb.errors import InputError, KnowledgeBaseError
from mtb.i18n import N_, gettext, ngettext

__all__ = [
    "KbSignature",
    "changes_lines",
    "compare",
    "file_marks",
    "input_key",
    "kb_signature",
]


@dataclass(frozen=True)
class KbSignature:
    """The knowledge base a case is annotated with, as one checksum and as people name it."""

    signature: str  # sha256 of everything below
    civic: str  # "CIViC 01-Jul-2025"
    approvals: str  # "mtb approvals table 2025-06-30 (FDA, EMA, NCCN rows)"
    parts: Mapping[str, str]

    @property
    def label(self) -> str:
        return f"{self.civic}; {self.approvals}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _folder_sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder)}\0{_sha256(path)}\n".encode())
    return digest.hexdigest()


def _index_meta(settings: Settings) -> dict[str, str]:
    """The index's meta table (read without loading the index); the bundled release when
    there is no index yet (it is built from it on first use)."""
    path = index_path(settings.data_dir)
    if not path.is_file():
        return {"civic_release": snapshots.CIVIC_RELEASE, "schema_version": SCHEMA_VERSION}
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return dict(connection.execute("SELECT key, value FROM meta"))
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise KnowledgeBaseError(f"the index {path} cannot be read ({error}); run `mtb kb "
                                 "build`") from None


def kb_signature(settings: Settings) -> KbSignature:
    """The knowledge base annotation would use now (a few small files read, nothing loaded)."""
    meta = _index_meta(settings)
    manifest = snapshots.SNAPSHOT_DIR / "manifest.toml"
    parts = {
        "civic_release": meta.get("civic_release", ""),
        "index_schema": meta.get("schema_version", ""),
        "hotspots": meta.get("hotspots_version", ""),
        "snapshots": _sha256(manifest) if manifest.is_file() else "",
        "approvals": _folder_sha256(snapshots.SNAPSHOT_DIR / "approvals"),
        "drugs": _folder_sha256(snapshots.SNAPSHOT_DIR / "drugs"),
        "live": "live" if settings.live else "offline",
        "tmb_megabases": f"{settings.tmb_megabases:g}",
        "call_quality": f"{settings.min_alt_reads}/{settings.min_depth}/{settings.min_vaf:g}",
    }
    signature = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    try:
        approvals = snapshots.source("Approvals").version
    except KnowledgeBaseError:
        approvals = "approvals table"
    return KbSignature(signature, f"CIViC {parts['civic_release']}", approvals, parts)


def _case_paths(entry: CaseEntry, reference: Path | None) -> list[Path]:
    paths = [entry.folder / "case.toml"]
    for file in entry.files:
        if file.path.is_dir():
            paths += sorted(p for p in file.path.rglob("*") if p.is_file())
        else:
            paths.append(file.path)
    if reference is not None and reference not in paths:
        paths.append(reference)  # protein changes come from it
    return paths


def file_marks(entry: CaseEntry, previous: Sequence[Mapping[str, Any]] = (),
               reference: Path | None = None) -> list[dict[str, Any]]:
    """Every file of a case (case.toml first, the reference FASTA it names last) with its
    size, modification time and sha256; the sha256 of a file whose size and time are as in
    `previous` is taken from there. The reference's is kept for the process (a 3 GB genome
    shared by a thousand cases is read once, not once per case)."""
    known = {(m.get("path"), m.get("size"), m.get("mtime_ns")): m.get("sha256")
             for m in previous}
    marks = []
    for path in _case_paths(entry, reference):
        name = _relative(path, entry.folder)
        try:
            stat = path.stat()
        except OSError:
            raise InputError(entry.described_in, f"names {name}, which cannot be read") \
                from None
        digest = known.get((name, stat.st_size, stat.st_mtime_ns))
        if digest is None:
            try:
                digest = (_shared_sha256(path, stat.st_size, stat.st_mtime_ns)
                          if path == reference else _sha256(path))
            except OSError as error:
                raise InputError(path, f"cannot be read ({error.strerror})") from None
        marks.append({"path": name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                      "sha256": digest})
    return marks


@functools.lru_cache(maxsize=16)
def _shared_sha256(path: Path, size: int, mtime_ns: int) -> str:
    """The sha256 of a file many cases share (a reference genome), once per size and time."""
    return _sha256(path)


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return os.path.abspath(path)


def input_key(case_id: str, marks: Sequence[Mapping[str, Any]], kb: KbSignature,
              tumor_type: str = "") -> str:
    """The checksum of a version's inputs: the case's files by content, the knowledge
    base (file names and times do not count) and the tumor type a curator chose (a key
    without one is as before such choices existed)."""
    data: dict[str, Any] = {"case": case_id,
                            "files": sorted((m["path"], m["sha256"]) for m in marks),
                            "kb": kb.signature}
    if tumor_type:
        data["tumor_type"] = tumor_type
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


# -- what changed ---------------------------------------------------------------------------


def _why(old: AnnotatedVariant | None, new: AnnotatedVariant) -> str:
    """Why a finding's tier changed: an approval new to it, else the rule that decides now."""
    before = {(t.name, a) for t in (old.therapies if old else ()) for a in t.approvals}
    fresh = [(t.name, a) for t in new.therapies for a in t.approvals if (t.name, a) not in before]
    if fresh:
        named = dict.fromkeys(f"{name}, {approval}" for name, approval in fresh)
        return N_("new approval") + ": " + "; ".join(list(named)[:2])
    reason = next((r.text for r in new.reasons), "")
    return reason if len(reason) <= 160 else reason[:157] + "..."


def _entry(variant: AnnotatedVariant) -> dict[str, str]:
    return {"key": finding_key(variant), "label": variant.alteration.label,
            "tier": variant.tier.value}


def compare(old: Case, new: Case, *, against: int, kb_before: str = "",
            kb_after: str = "") -> dict[str, Any]:
    """What changed from `old` (version `against`) to `new`, as plain data (stored with the
    new version): counts of findings added and removed, the tier I/II ones by name, and every
    tier change that reaches or leaves tier I/II, with why."""
    before: dict[str, AnnotatedVariant] = {}
    for variant in old.annotation.variants:
        before.setdefault(finding_key(variant), variant)
    after: dict[str, AnnotatedVariant] = {}
    for variant in new.annotation.variants:
        after.setdefault(finding_key(variant), variant)
    added = [after[k] for k in after if k not in before]
    removed = [before[k] for k in before if k not in after]
    tiers = []
    other = 0
    for key, variant in after.items():
        previous = before.get(key)
        if previous is None or previous.tier == variant.tier:
            continue
        if previous.tier.value in KEY_TIERS or variant.tier.value in KEY_TIERS:
            tiers.append({"key": key, "label": variant.alteration.label,
                          "old": previous.tier.value, "new": variant.tier.value,
                          "why": _why(previous, variant)})
        else:
            other += 1
    tiers.sort(key=lambda t: (min(TIER_RANK[t["old"]], TIER_RANK[t["new"]]), t["label"]))
    return {
        "against": against,
        "kb": [kb_before, kb_after] if kb_before and kb_after and kb_before != kb_after else [],
        "added": len(added), "removed": len(removed),
        "key_added": [_entry(v) for v in added if v.tier.value in KEY_TIERS],
        "key_removed": [_entry(v) for v in removed if v.tier.value in KEY_TIERS],
        "tiers": tiers, "other_tier_changes": other,
    }


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[:width - 3].rstrip() + "..."


def _why_text(why: str) -> str:
    """A stored reason for a tier change in the reader's language: its head ('new approval')
    is translated, what follows (drug, agency, a rule's text) is data."""
    head, colon, rest = why.partition(": ")
    return gettext(head) + colon + rest if colon else why


def changes_lines(changes: Mapping[str, Any], since: str) -> tuple[str, list[str]]:
    """(headline, details) of stored changes, in the reader's language (`since`: 'since the
    board met', translated by the caller): "2 findings changed tier since the board met:
    KRAS p.G12C IIC -> IA (new approval: ...)". ("", []) when nothing the board reads
    changed."""
    tiers = list(changes.get("tiers") or [])
    key_added = list(changes.get("key_added") or [])
    key_removed = list(changes.get("key_removed") or [])
    parts = []
    if tiers:
        shown = "; ".join(f"{t['label']} {t['old']} -> {t['new']}"
                          + (f" ({_short(_why_text(t['why']))})" if t.get("why") else "")
                          for t in tiers[:3])
        if len(tiers) > 3:
            shown += gettext("; and {n} more", n=len(tiers) - 3)
        parts.append(ngettext("{n} finding changed tier {since}: {shown}",
                              "{n} findings changed tier {since}: {shown}", len(tiers),
                              since=since, shown=shown))
    if key_added:
        parts.append(ngettext("{n} new tier I/II finding {since}: {found}",
                              "{n} new tier I/II findings {since}: {found}", len(key_added),
                              since=since, found=", ".join(f"{f['label']} ({f['tier']})"
                                                          for f in key_added[:3])))
    if key_removed:
        parts.append(ngettext("{n} tier I/II finding gone {since}: {found}",
                              "{n} tier I/II findings gone {since}: {found}", len(key_removed),
                              since=since, found=", ".join(f"{f['label']} ({f['tier']})"
                                                          for f in key_removed[:3])))
    if not parts:
        return "", []
    details = [f"{t['label']}: {t['old']} -> {t['new']}" + (f" ({_why_text(t['why'])})"
                                                           if t.get('why') else "")
               for t in tiers]
    details += [gettext("new: {label} ({tier})", label=f["label"], tier=f["tier"])
                for f in key_added]
    details += [gettext("gone: {label} (was {tier})", label=f["label"], tier=f["tier"])
                for f in key_removed]
    kb = changes.get("kb") or []
    if kb:
        details.append(gettext("knowledge base: {before} -> {after}", before=kb[0], after=kb[1]))
    counts = []
    if changes.get("added"):
        counts.append(ngettext("{n} finding added", "{n} findings added",
                               int(changes.get("added") or 0)))
    if changes.get("removed"):
        counts.append(ngettext("{n} finding removed", "{n} findings removed",
                               int(changes.get("removed") or 0)))
    if counts:
        details.append(gettext("in all: {counts}", counts=", ".join(counts)))
    return ". ".join(parts), details
