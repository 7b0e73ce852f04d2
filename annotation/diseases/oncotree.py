"""OncoTree codes joined to the Disease Ontology cancer slim through their cross-references.

OncoTree gives most of its 897 tumor types an NCI Thesaurus code and a UMLS CUI; the Disease
Ontology cross-references the same codes. A node's term is found, in order:

  1. a row of mtb's supplement (hand-checked; 'none' for nodes that are not cancers);
  2. a slim term carrying the node's NCI code, else its UMLS CUI ('exact');
  3. a DO term outside the slim carrying them, climbed along DO's is_a to its nearest slim
     ancestor ('high': the mapping is right but broader than the node);
  4. the term of the nearest OncoTree ancestor ('high', or 'low' when that is only 'cancer').

Cross-references are not always right (OncoTree's code for a small-bowel neuroendocrine tumor
reaches a bladder carcinoma in DO), so every joined term must lie below the term of the node's
OncoTree parent; one that does not is set aside for the parent's term, and the reason is kept.
A benign node (adenoma, fibroadenoma, nevus, ...) never inherits a cancer from its tissue: it
has a term only when the slim has one of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from annotation.diseases import lexicon
from annotation.diseases.sources import CANCER, Node
from annotation.diseases.text import ordered, soft

EXACT, HIGH, LOW = "exact", "high", "low"

_BENIGN = re.compile(
    r"\b(?:adenomas?|papillomas?|fibroadenoma|nevus|naevus|nevi|hamartoma|hyperplasia|benign|"
    r"lipoma|leiomyoma|myoma|hemangioma|lymphangioma|neurofibroma|schwannoma|neurilemmoma|"
    r"ganglioneuroma|"
    r"oncocytoma|angiomyolipoma|myxoma|angiomyxoma|chondroma|osteoma|fibroma|dermatofibroma|"
    r"fibrothecoma|thecoma|myofibromatosis|myopericytoma|poroma|acrospiroma|spiroma|"
    r"spiradenoma|trichoepithelioma|pilar|cystadenoma|polyps?|mole|pregnancy|cysts?|granuloma|"
    r"xanthogranuloma|amyloidosis|lymphocytosis|gammopathy|undetermined significance|"
    r"clonal hematopoiesis|mature teratoma|heavy[\s-]chain disease|rosai|"
    r"tumorlet|nodule|uncertain malignant potential|low malignant potential|borderlin|"
    r"borderline)\b",
    re.IGNORECASE,
)
_MALIGNANT = re.compile(r"(?:carcinoma|sarcoma|malignant|cancer|leukemia|lymphoma)", re.I)
_IN_SITU = re.compile(r"\bin situ\b", re.IGNORECASE)


@dataclass(frozen=True)
class OncoMapping:
    code: str
    doid: str | None
    confidence: str  # exact, high, low; '' when there is no term
    how: str  # why this term: shown in matched_by and warnings
    own: bool = False  # the term is the type's own (curated, cross-referenced or same name)


def benign(*names: str) -> bool:
    """A name of a benign or non-neoplastic condition (and of no malignant one)."""
    return any(_BENIGN.search(n) and not _MALIGNANT.search(n) for n in names)


@dataclass(frozen=True)
class Context:
    """What the join needs to know about the slim."""

    by_xref: Mapping[str, frozenset[str]]  # 'NCI:C3512' -> DOIDs (slim and DO_crossrefs.tsv)
    slim_ancestors: Callable[[str], tuple[str, ...]]  # nearest slim terms above a DO term
    lineage: Callable[[str], tuple[str, ...]]
    names: Callable[[str], str]
    in_slim: Callable[[str], bool]
    label_words: Callable[[str], tuple[frozenset[str], ...]]  # word sets of a term's names
    same_name: Callable[[str], tuple[str, ...]]  # slim terms with a name equal to a text


def join(
    nodes: Mapping[str, Node], curated: Mapping[str, str | None], context: Context,
) -> dict[str, OncoMapping]:
    """The term of every node, parents before children (see the module docstring)."""
    out: dict[str, OncoMapping] = {}
    for node in sorted(nodes.values(), key=lambda n: (n.level, n.code)):
        out[node.code] = _map(node, out, curated, context)
    return out


def _map(
    node: Node, done: Mapping[str, OncoMapping], curated: Mapping[str, str | None], ctx: Context,
) -> OncoMapping:
    code = node.code
    if code in curated:
        doid = curated[code]
        if doid is None:
            return OncoMapping(code, None, "", "not a cancer (mtb supplement)")
        return OncoMapping(code, doid, _named(node, doid, ctx), "mtb supplement", own=True)
    parent = done.get(node.parent)
    above = parent.doid if parent is not None else None

    def fits(doid: str) -> bool:
        return above is None or above in ctx.lineage(doid)

    same = ctx.same_name(node.name)  # a slim term with the node's very name
    if same and _nested(list(same), ctx.lineage):
        doid = max(same, key=lambda d: len(ctx.lineage(d)))
        if fits(doid) or CANCER not in ctx.lineage(doid) or len(ctx.lineage(doid)) > 3:
            return OncoMapping(code, doid, _named(node, doid, ctx), f"same name as {doid}",
                               own=True)
    nci = _joined(ctx.by_xref, "NCI:", node.nci)
    umls = _joined(ctx.by_xref, "UMLS_CUI:", node.umls)
    is_benign = benign(node.name, *(ctx.names(d) for d in nci | umls))
    conflict = ""
    for source, found in (("NCI", nci), ("UMLS", umls)):
        own = sorted((d for d in found if ctx.in_slim(d)),
                     key=lambda d: _likeness(node.name, d, ctx.names))
        if len(own) > 1 and not _nested(own, ctx.lineage):
            conflict = f"{source} cross-references {', '.join(own)} (unrelated terms)"
            break
        for doid in own:
            if fits(doid) or _same_name(node.name, ctx.names(doid)):
                how = f"{source} {_codes(node, source)} -> {doid} ({ctx.names(doid)})"
                if not fits(doid):
                    how += f", outside the branch of {node.parent}"
                return OncoMapping(code, doid, _named(node, doid, ctx), how, own=True)
        if own and not conflict:
            conflict = f"{source} cross-reference {own[0]} ({ctx.names(own[0])})"
    ancestors = []
    for doid in sorted(nci or umls):
        ancestors += [a for a in ctx.slim_ancestors(doid) if fits(a)]
    if ancestors:
        best = max(ancestors, key=lambda a: (len(ctx.lineage(a)), a))
        via = sorted(nci or umls)[0]
        if not (is_benign and CANCER in ctx.lineage(best)):
            return OncoMapping(
                code, best, _ancestor_confidence(best, node),
                f"DO {via} ({ctx.names(via)}) is not in the slim; its nearest slim ancestor",
            )
    if is_benign:
        return OncoMapping(code, None, "", "a benign or non-malignant type with no slim term")
    if parent is None or parent.doid is None:
        return OncoMapping(code, None, "", "no cross-reference and no mapped OncoTree ancestor")
    why = f"{conflict} lies outside it; " if conflict else ""
    return OncoMapping(
        code, parent.doid, _ancestor_confidence(parent.doid, node),
        f"{why}nearest mapped OncoTree ancestor {node.parent}",
    )


def _named(node: Node, doid: str, ctx: Context) -> str:
    """'exact' when the term has the node's name (word for word, in any order), 'high' when the
    term is only the closest the slim has, 'low' for the root 'cancer' and in-situ types."""
    if doid == CANCER or _IN_SITU.search(node.name):
        return LOW
    words = _words(node.name)
    return EXACT if any(words == w for w in ctx.label_words(doid)) else HIGH


def _nested(doids: list[str], lineage: Callable[[str], tuple[str, ...]]) -> bool:
    """All terms lie on one line of descent (one is an ancestor of the others)."""
    deepest = max(doids, key=lambda d: len(lineage(d)))
    return all(d in lineage(deepest) for d in doids)


def words_of(name: str) -> frozenset[str]:
    """The word set that decides whether two names are the same (order, sites, plurals aside)."""
    return _words(name)


def _same_name(node_name: str, term_name: str) -> bool:
    """Most words of the DO term's name are in the OncoTree name ('lymphoma' in 'Malignant
    Lymphoma'), and a benign DO term is never taken for a type that is not benign."""
    term = _words(term_name)
    if not term or (benign(term_name) and not benign(node_name)):
        return False
    return len(term & _words(node_name)) >= 0.75 * len(term)


def _words(name: str) -> frozenset[str]:
    return frozenset(lexicon.EQUIVALENT.get(w, w) for w in lexicon.canonical(ordered(name))
                     if not soft(w))


def _joined(by_xref: Mapping[str, frozenset[str]], prefix: str, codes: tuple[str, ...]) -> set[str]:
    return {doid for c in codes for doid in by_xref.get(prefix + c, ())}


def _codes(node: Node, source: str) -> str:
    return ",".join(node.nci if source == "NCI" else node.umls)


def _likeness(name: str, doid: str, names: Callable[[str], str]) -> tuple[int, str]:
    """Sort key: the DO term sharing most words with the OncoTree name first."""
    return (-len(set(ordered(name)) & set(ordered(names(doid)))), doid)


def label_words(texts: Iterable[str]) -> tuple[frozenset[str], ...]:
    """The word sets _named compares an OncoTree name with."""
    return tuple(_words(t) for t in texts)


def _ancestor_confidence(doid: str, node: Node) -> str:
    return LOW if doid == CANCER or _IN_SITU.search(node.name) else HIGH


def aliases(nodes: Mapping[str, Node]) -> dict[str, str]:
    """Former codes (history) and merged codes (precursors) -> the current code, when a former
    code names one current node only."""
    seen: dict[str, set[str]] = {}
    for node in nodes.values():
        for old in (*node.history, *node.precursors):
            if old not in nodes:
                seen.setdefault(old.upper(), set()).add(node.code)
    return {old: next(iter(new)) for old, new in seen.items() if len(new) == 1}


def shared_names(nodes: Mapping[str, Node]) -> frozenset[tuple[str, ...]]:
    """Names OncoTree gives to types in more than one tissue ('Immature Teratoma')."""
    tissues: dict[tuple[str, ...], set[str]] = {}
    for node in nodes.values():
        tissues.setdefault(ordered(node.name), set()).add(node.tissue)
    return frozenset(name for name, where in tissues.items() if len(where) > 1)


def preferred_codes(
    nodes: Mapping[str, Node], mappings: Mapping[str, OncoMapping], term: Callable[[str], str],
) -> dict[str, str]:
    """DOID -> the OncoTree code for it: of the nodes whose own term it is (not tissues), the
    one with the term's name, else the shallowest; a tie leaves the term without a code."""
    by_doid: dict[str, list[Node]] = {}
    shared = shared_names(nodes)
    for code, mapping in mappings.items():
        if code not in nodes or ordered(nodes[code].name) in shared:
            continue  # 'Immature Teratoma' is a type of three tissues: not a code for the term
        if mapping.doid and mapping.own and nodes[code].level > 1:
            by_doid.setdefault(mapping.doid, []).append(nodes[code])
    out = {}
    for doid, candidates in by_doid.items():
        same_name = [n for n in candidates if _words(n.name) == _words(term(doid))]
        top = min(n.level for n in candidates)
        shallow = [n for n in candidates if n.level == top]
        if len(same_name) == 1:
            out[doid] = same_name[0].code
        elif len(shallow) == 1:
            out[doid] = shallow[0].code
    return out
