"""Reading the four files the disease ontology is built from, each refused loudly when damaged.

  DO_cancer_slim.obo      the Disease Ontology cancer slim (CC0): terms, names, synonyms, is_a,
                          alt_ids and cross-references (ICD10CM, NCI, UMLS_CUI, ICDO)
  mtb_supplement.tsv      mtb's curated rows (CC0); its header explains each kind
  DO_crossrefs.tsv        DO terms outside the slim that OncoTree or ICD-O codes reach, with
                          their is_a ancestors (derived; scripts/derive_do_crossrefs.py)
  oncotree_*.json         the OncoTree release tree (CC BY 4.0, MSK / cBioPortal)

A silently partial ontology would tier cases without their tumor type, so every reader raises
KnowledgeBaseError naming the file and line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from annotation.diseases.text import ordered
from mtb.errors import KnowledgeBaseError

CANCER = "DOID:162"
HEMATOLOGIC_CANCER = "DOID:2531"

# Priorities of the names a term is known by; a lower number wins when two terms share a text.
CURATED, NAME, EXACT, ONCOTREE, NARROW, RELATED, ONCOTREE_ANCESTOR, DO_ANCESTOR = range(8)
APPROXIMATE = ONCOTREE_ANCESTOR  # this priority and later: a name of something narrower
SCOPES = {"EXACT": EXACT, "NARROW": NARROW, "RELATED": RELATED}  # BROAD names a wider disease
HOW = {
    CURATED: "synonym (mtb supplement)",
    NAME: "name",
    EXACT: "synonym (EXACT)",
    ONCOTREE: "name in OncoTree",
    NARROW: "synonym (NARROW)",
    RELATED: "synonym (RELATED)",
    ONCOTREE_ANCESTOR: "name in OncoTree",
    DO_ANCESTOR: "name of a DO term outside the slim",
}
_XREFS = ("NCI:", "UMLS_CUI:", "ICDO:")
_ID = r"(?:DOID:\d+|MTB:\d{7})"


@dataclass(frozen=True)
class Term:
    doid: str
    name: str
    parents: tuple[str, ...]
    labels: tuple[tuple[str, int, bool], ...]  # (text, priority, acronym)
    icd10: tuple[str, ...]
    xrefs: tuple[str, ...] = ()  # 'NCI:C3512', 'UMLS_CUI:C0152013', 'ICDO:8140/3'
    obsolete: bool = False
    replaced_by: str = ""


@dataclass(frozen=True)
class Supplement:
    is_a: tuple[tuple[str, str], ...]
    synonyms: tuple[tuple[str, str], ...]
    oncotree: dict[str, str | None]  # None: deliberately no term (not a cancer)
    icd10: dict[str, str]
    icdo: dict[str, str]
    new_terms: dict[str, str]  # ids the slim lacks (DOIDs and mtb-local MTB:…) -> name
    approximate: frozenset[tuple[str, str]] = frozenset()  # (kind, key): note 'nearest: …'


@dataclass(frozen=True)
class CrossRef:
    """A DO term outside the slim, known only by its cross-references and is_a links."""

    doid: str
    name: str
    parents: tuple[str, ...]
    xrefs: tuple[str, ...]


@dataclass(frozen=True)
class Node:
    """One OncoTree tumor type."""

    code: str
    name: str
    parent: str  # 'TISSUE' for the 32 tissues
    level: int
    tissue: str
    nci: tuple[str, ...] = ()
    umls: tuple[str, ...] = ()
    history: tuple[str, ...] = ()  # earlier codes of the same type
    precursors: tuple[str, ...] = ()  # codes merged into this one
    children: tuple[str, ...] = field(default=())


_SYNONYM = re.compile(
    r'^"((?:[^"\\]|\\.)*)"\s+(EXACT|RELATED|NARROW|BROAD)(?:\s+([A-Za-z_]+:\w+))?'
)


def read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeBaseError(f"{path}: cannot read the {what} ({exc})") from exc


def parse_obo(path: Path) -> tuple[dict[str, Term], dict[str, str]]:
    """Terms and alt_id -> id of the slim; refuses files that are not (complete) OBO."""
    text = read_text(path, "Disease Ontology slim")
    if not text.lstrip().startswith("format-version:"):
        raise KnowledgeBaseError(f"{path}: not an OBO file (no 'format-version:' header)")
    terms: dict[str, Term] = {}
    alts: dict[str, str] = {}
    stanza: dict[str, list[str]] | None = None
    start = 0
    for number, line in enumerate([*text.splitlines(), "[End]"], start=1):
        if line.startswith("["):
            if stanza is not None:
                _add_term(path, start, stanza, terms, alts)
            stanza, start = ({}, number) if line.strip() == "[Term]" else (None, number)
        elif stanza is not None and ": " in line:
            tag, value = line.split(": ", 1)
            stanza.setdefault(tag, []).append(value.strip())
    for needed in (CANCER, HEMATOLOGIC_CANCER):
        if needed not in terms:
            raise KnowledgeBaseError(f"{path}: {needed} is missing (truncated, or not the slim?)")
    return terms, alts


def _add_term(
    path: Path, line: int, stanza: dict[str, list[str]], terms: dict[str, Term],
    alts: dict[str, str],
) -> None:
    if "id" not in stanza or "name" not in stanza:
        raise KnowledgeBaseError(f"{path}, line {line}: [Term] without id or name (truncated?)")
    doid = stanza["id"][0]
    if not doid.startswith("DOID:"):
        return
    labels = [(stanza["name"][0], NAME, False)]
    for raw in stanza.get("synonym", []):
        match = _SYNONYM.match(raw)
        if match is None:
            raise KnowledgeBaseError(f"{path}, term {doid}: unreadable synonym {raw!r}")
        label, scope, kind = match.group(1).replace('\\"', '"'), match.group(2), match.group(3)
        if scope in SCOPES:
            acronym = kind == "OMO:0003012" or not any(c.islower() for c in label)
            labels.append((label, SCOPES[scope], acronym))
    xrefs = [x.split()[0] for x in stanza.get("xref", [])]
    terms[doid] = Term(
        doid=doid,
        name=stanza["name"][0],
        parents=tuple(p.split()[0] for p in stanza.get("is_a", [])),
        labels=tuple(labels),
        icd10=tuple(x[8:] for x in xrefs if x.startswith("ICD10CM:")),
        xrefs=tuple(x for x in xrefs if x.startswith(_XREFS)),
        obsolete=stanza.get("is_obsolete", ["false"])[0] == "true",
        replaced_by=stanza.get("replaced_by", [""])[0].split(" ")[0],
    )
    for alt in stanza.get("alt_id", []):
        alts[alt.split()[0]] = doid


_KINDS = ("is_a", "synonym", "oncotree", "icd10", "icdo")


def parse_supplement(path: Path, terms: dict[str, Term], alts: dict[str, str]) -> Supplement:
    """The curated rows, checked: every id exists (in the slim or as a term defined here), no
    key means two things, and every term the slim lacks is attached to the hierarchy."""
    rows: list[tuple[int, str, str, str]] = []
    approximate: set[tuple[str, str]] = set()
    header_seen = False
    for number, line in enumerate(read_text(path, "mtb ontology supplement").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if not header_seen:
            if fields[:3] != ["kind", "key", "doid"]:
                raise KnowledgeBaseError(f"{path}, line {number}: expected header kind, key, doid")
            header_seen = True
            continue
        none_allowed = len(fields) >= 3 and fields[0] == "oncotree" and fields[2] == "none"
        if len(fields) < 3 or fields[0] not in _KINDS or not (
            re.fullmatch(_ID, fields[2]) or none_allowed
        ):
            raise KnowledgeBaseError(f"{path}, line {number}: malformed row {line!r}")
        kind, key, doid = fields[0], fields[1].strip(), alts.get(fields[2], fields[2])
        rows.append((number, kind, alts.get(key, key) if kind == "is_a" else key, doid))
        if len(fields) > 3 and fields[3].startswith("nearest"):
            approximate.add((kind, key))
    if not header_seen:
        raise KnowledgeBaseError(f"{path}: no header row (kind, key, doid, note)")

    new_terms: dict[str, str] = {}
    attached = {key for _, kind, key, _ in rows if kind == "is_a"}
    for number, kind, _key, doid in rows:
        if kind == "synonym" and doid not in terms and doid not in new_terms:
            if doid not in attached:
                raise KnowledgeBaseError(
                    f"{path}, line {number}: {doid} is not in the slim, and no is_a row "
                    "attaches it as a new term (typo?)"
                )
            new_terms[doid] = _key
    known = terms.keys() | new_terms.keys() | {"none"}
    maps: dict[str, dict[str, str]] = {"synonym": {}, "oncotree": {}, "icd10": {}, "icdo": {}}
    is_a: list[tuple[str, str]] = []
    for number, kind, key, doid in rows:
        for needed in (doid, key) if kind == "is_a" else (doid,):
            if needed not in known:
                raise KnowledgeBaseError(f"{path}, line {number}: {needed} is not in the slim")
        if kind == "is_a":
            is_a.append((key, doid))
            continue
        norm = " ".join(ordered(key)) if kind == "synonym" else key.upper()
        if maps[kind].setdefault(norm, doid) != doid:
            raise KnowledgeBaseError(
                f"{path}, line {number}: {kind} {key!r} already maps elsewhere"
            )
    synonyms = tuple((key, doid) for _, kind, key, doid in rows if kind == "synonym")
    oncotree = {code: (None if doid == "none" else doid) for code, doid in maps["oncotree"].items()}
    return Supplement(
        tuple(is_a), synonyms, oncotree, maps["icd10"], maps["icdo"], new_terms,
        frozenset(approximate),
    )


def parse_crossrefs(path: Path) -> dict[str, CrossRef]:
    """DO_crossrefs.tsv: doid, name, parents, xrefs (see scripts/derive_do_crossrefs.py)."""
    out: dict[str, CrossRef] = {}
    lines = read_text(path, "Disease Ontology cross-references").splitlines()
    body = [(n, line) for n, line in enumerate(lines, 1) if line and not line.startswith("#")]
    if not body or body[0][1].split("\t") != ["doid", "name", "parents", "xrefs"]:
        raise KnowledgeBaseError(f"{path}: expected header doid, name, parents, xrefs")
    for number, line in body[1:]:
        fields = line.split("\t")
        if len(fields) != 4 or not fields[0].startswith("DOID:"):
            raise KnowledgeBaseError(f"{path}, line {number}: malformed row {line!r}")
        doid, name, parents, xrefs = fields
        out[doid] = CrossRef(doid, name, tuple(parents.split()), tuple(xrefs.split()))
    return out


def parse_oncotree(path: Path) -> dict[str, Node]:
    """Every node of an OncoTree release tree (trees/oncotree_*.json), the root left out."""
    try:
        root = json.loads(read_text(path, "OncoTree tree"))["TISSUE"]
    except (ValueError, KeyError, TypeError) as exc:
        raise KnowledgeBaseError(f"{path}: not an OncoTree tree (JSON with a TISSUE root)") from exc
    nodes: dict[str, Node] = {}
    stack = list((root.get("children") or {}).values())
    while stack:
        raw = stack.pop()
        try:
            refs = raw.get("externalReferences") or {}
            children = raw.get("children") or {}
            nodes[raw["code"]] = Node(
                code=raw["code"], name=raw["name"], parent=raw["parent"], level=int(raw["level"]),
                tissue=raw.get("tissue") or "", nci=tuple(refs.get("NCI") or ()),
                umls=tuple(refs.get("UMLS") or ()), history=tuple(raw.get("history") or ()),
                precursors=tuple(raw.get("precursors") or ()), children=tuple(children),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise KnowledgeBaseError(f"{path}: malformed OncoTree node ({exc!r})") from exc
        stack.extend(children.values())
    if len(nodes) < 100:
        raise KnowledgeBaseError(f"{path}: only {len(nodes)} OncoTree nodes (truncated?)")
    return nodes
