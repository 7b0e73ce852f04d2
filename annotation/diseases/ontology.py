"""The case's diagnosis as a Disease Ontology term, with every ancestor of that term.

Knowledge bases file evidence under the disease a study enrolled ("lung non-small cell carcinoma").
A tumor board writes the patient's diagnosis however it likes: "Adenokarzinom der Lunge,
metastasiert", "ICD-10-GM C34.1", "8140/3 C34.1", "OncoTree:LUAD" or "DOID:3910". This module
maps each of these to one term of the Disease Ontology cancer slim and lists the term's
ancestors, so that evidence filed under a broader disease applies to the case (lung
adenocarcinoma -> lung non-small cell carcinoma -> lung carcinoma -> lung cancer -> cancer).
Every mapping says how sure it is ('exact', 'high', 'low'; 'chosen' when a curator chose the
term), names the alternatives of a weak
one, and carries the receptor status it read (annotation.diseases.receptors).

Files (annotation/snapshots/, read by `bundled()`, never at import): the slim, mtb's supplement,
the DO cross-references the slim lacks, and the OncoTree tree (annotation.diseases.sources).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from annotation.diseases import codes, lexicon, oncotree, receptors
from annotation.diseases.codelookup import CodeLookups
from annotation.diseases.oncotree import EXACT, HIGH, LOW, OncoMapping
from annotation.diseases.sources import (
    CANCER,
    CURATED,
    DO_ANCESTOR,
    HEMATOLOGIC_CANCER,
    ONCOTREE,
    ONCOTREE_ANCESTOR,
    CrossRef,
    Node,
    Supplement,
    Term,
    parse_crossrefs,
    parse_obo,
    parse_oncotree,
    parse_supplement,
)
from annotation.diseases.text import fold, ordered
from annotation.diseases.textmatch import Hit, Label, TextMatcher, labels_of
from annotation.model import Diagnosis
from mtb.errors import KnowledgeBaseError

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
SLIM_FILE = "DO_cancer_slim.obo"
SUPPLEMENT_FILE = "mtb_supplement.tsv"
CROSSREFS_FILE = "DO_crossrefs.tsv"
ONCOTREE_FILE = "oncotree_2025_10_03.json"
CUP = "MTB:0000001"  # solid tumor, primary unknown (mtb_supplement.tsv)
CHOSEN = "chosen"  # Diagnosis.confidence of a tumor type a curator chose

_UNKNOWN = "diagnosis '{text}'{detail} not found in the Disease Ontology cancer slim; tiers are given without tumor-type context"  # noqa: E501
_PSEUDO = "oncotree:"


class DiseaseOntology(CodeLookups):
    """The cancer slim plus mtb's supplement and OncoTree, indexed for mapping diagnoses.
    Immutable once loaded, so one instance can serve every case (see bundled())."""

    def __init__(
        self,
        terms: dict[str, Term],
        alts: dict[str, str],
        sup: Supplement,
        crossrefs: dict[str, CrossRef] | None = None,
        nodes: dict[str, Node] | None = None,
    ) -> None:
        self._alts = alts
        self._names = {d: t.name for d, t in terms.items()} | sup.new_terms
        self._obsolete = {d: t.replaced_by for d, t in terms.items() if t.obsolete}
        parents: dict[str, list[str]] = {d: list(t.parents) for d, t in terms.items()}
        parents.update({d: [] for d in sup.new_terms})
        for child, parent in sup.is_a:
            if parent not in parents[child]:
                parents[child].append(parent)
        self._lineages = _lineages(parents)
        self._below: dict[str, set[str]] = {}
        for doid, lineage in self._lineages.items():
            for ancestor in lineage[1:]:
                self._below.setdefault(ancestor, set()).add(doid)
        self._icd_slim: dict[str, list[str]] = {}
        for term in terms.values():
            for code in term.icd10 if not term.obsolete else ():
                self._icd_slim.setdefault(code, []).append(term.doid)
        self._icd_curated = sup.icd10
        self._icd_nearest = {key for kind, key in sup.approximate if kind == "icd10"}
        self._crossrefs = crossrefs or {}
        self._by_xref: dict[str, set[str]] = {}
        for doid, xrefs in [*((t.doid, t.xrefs) for t in terms.values() if not t.obsolete),
                            *((c.doid, c.xrefs) for c in self._crossrefs.values())]:
            for xref in xrefs:
                self._by_xref.setdefault(xref, set()).add(doid)
        self._icdo = sup.icdo
        self._icdo_nearest = {(k, key) for k, key in sup.approximate if k == "icdo"}
        self._climbed: dict[str, tuple[str, ...]] = {}
        self._nodes = nodes or {}
        self._onco = self._join_oncotree(terms, sup)
        self._aliases = oncotree.aliases(self._nodes)
        self._preferred = oncotree.preferred_codes(self._nodes, self._onco, self.name)
        self._matcher = TextMatcher(
            self._labels(terms, sup), self._lineage_of, self.name, CUP if CUP in self._names
            else None,
        )

    @classmethod
    def load(
        cls, obo: Path, supplement: Path, crossrefs: Path | None = None,
        oncotree_tree: Path | None = None,
    ) -> DiseaseOntology:
        """Read the slim and the supplement, and optionally the DO cross-references and the
        OncoTree tree. Raises KnowledgeBaseError naming the file when one is missing,
        unreadable or inconsistent, because a silently partial ontology would tier cases
        without their tumor type."""
        terms, alts = parse_obo(Path(obo))
        sup = parse_supplement(Path(supplement), terms, alts)
        refs = parse_crossrefs(Path(crossrefs)) if crossrefs is not None else None
        nodes = parse_oncotree(Path(oncotree_tree)) if oncotree_tree is not None else None
        return cls(terms, alts, sup, refs, nodes)

    @classmethod
    def bundled(cls) -> DiseaseOntology:
        """The ontology shipped in annotation/snapshots/, loaded once per process."""
        return _bundled()

    # --- lookups by id ---

    def normalise_doid(self, value: str) -> str | None:
        """'3910', 'DOID:3910', 'doid_3910' -> 'DOID:3910' when the term exists; alt_ids give the
        primary term (CIViC writes DOIDs without prefix and sometimes as alt_ids). Leading zeros
        are part of the id ('0060079'). mtb's own terms keep their prefix ('MTB:0000001')."""
        text = str(value).strip()
        given = codes.ontology_id(text)
        if given is None:
            match = re.fullmatch(r"\d+", text)
            given = f"DOID:{text}" if match else None
        if given is None:
            return None
        doid = self._alts.get(given, given)
        return doid if doid in self._names else None

    def lineage(self, doid: str) -> tuple[str, ...]:
        """The term, then its ancestors breadth-first without duplicates, ending at DOID:162 for
        cancers; () for an unknown DOID."""
        primary = self.normalise_doid(doid)
        return self._lineages[primary] if primary else ()

    def name(self, doid: str) -> str:
        """The ontology's name of the term ('' if unknown)."""
        primary = self.normalise_doid(doid)
        return self._names[primary] if primary else ""

    def is_solid(self, doid: str) -> bool | None:
        """False under hematologic cancer, True for other cancers, None otherwise (unknown DOIDs,
        the root 'cancer', and benign or syndromic terms the slim keeps outside 'cancer'). CIViC
        files tumor-agnostic evidence under 'Solid Tumor'; this decides whether it applies."""
        lineage = self.lineage(doid)
        if HEMATOLOGIC_CANCER in lineage:
            return False
        if CANCER in lineage[1:]:
            return True
        return None

    def oncotree_code(self, doid: str) -> str:
        """The OncoTree code of a term ('' when no OncoTree type maps to it exactly)."""
        primary = self.normalise_doid(doid)
        return self._preferred.get(primary, "") if primary else ""

    def oncotree_mapping(self, code: str) -> OncoMapping | None:
        """How an OncoTree code (current, former or mtb-curated) maps to the slim."""
        code = code.upper()
        return self._onco.get(code) or self._onco.get(self._aliases.get(code, ""))

    # --- resolving what a tumor board wrote ---

    def resolve(self, text: str) -> Diagnosis:
        """Map a diagnosis to a slim term. Tries, in order: a DOID (or mtb id), an ICD-O-3 code,
        an ICD-10 code, an OncoTree code, then free text. Never raises: an unmappable text gives
        Diagnosis(doid=None) with a warning, because the board still needs the tiers, only
        without tumor-type context."""
        raw = text if isinstance(text, str) else ""
        qualifiers, _ = receptors.read(fold(raw))
        for step in (self._by_id, self._by_icdo, self._by_icd10, self._by_oncotree):
            found = step(raw.strip())
            if found is not None:
                return self._diagnosis(raw, found, qualifiers)
        found = self._matcher.match(raw) if raw.strip() else None
        if found is None:
            found = self._receptors_only(raw, qualifiers)
        if found is None:
            return _unknown(raw, qualifiers=qualifiers)
        return self._diagnosis(raw, self._with_receptors(found, qualifiers), qualifiers)

    def chosen(self, doid: str, text: str, by: str) -> Diagnosis:
        """The tumor type a curator chose for the case (mtb.library.Library.set_tumor_type):
        the term itself, with the receptor status the diagnosis text gives (a curator picks
        'breast carcinoma' for 'HR+/HER2- Mammakarzinom' and the board keeps HR+ and HER2-).
        KeyError for a DOID the slim does not have."""
        primary = self.normalise_doid(doid)
        if primary is None:
            raise KeyError(doid)
        qualifiers, _ = receptors.read(fold(text))
        return Diagnosis(
            text=text, doid=primary, name=self._names[primary],
            lineage=self._lineages[primary], solid=self.is_solid(primary),
            subtypes=frozenset(self._below.get(primary, ())), matched_by=f"chosen by {by}",
            confidence=CHOSEN, oncotree=self._preferred.get(primary, ""),
            qualifiers=qualifiers)

    def tumor_types(self) -> list[tuple[str, str]]:
        """(doid, name) of every term the slim and mtb's supplement know, by name: what a
        curator may choose from (cancers, and the tumors the slim keeps outside 'cancer',
        such as paraganglioma: a curator knows when one is malignant)."""
        return sorted(((doid, name) for doid, name in self._names.items()
                       if doid not in self._obsolete), key=lambda item: item[1].casefold())

    def _by_id(self, text: str) -> Hit | str | None:
        given = codes.ontology_id(text)
        if given is None:
            return None
        doid = self.normalise_doid(given)
        if doid is None:
            return ""
        how = "DOID" if doid == given else f"DOID ({given} is an alt_id of {doid})"
        if given.startswith(codes.LOCAL_PREFIX):
            how = "mtb term"
        if doid in self._obsolete:
            replacement = self.normalise_doid(self._obsolete[doid] or "-")
            if replacement:
                return Hit(replacement, f"DOID ({given} is obsolete, replaced by {replacement})",
                           EXACT)
            return Hit(doid, how, LOW, f"{doid} is obsolete in the Disease Ontology")
        return Hit(doid, how, EXACT)

    def _by_oncotree(self, text: str) -> Hit | str | None:
        """'OncoTree:LUAD', or a bare upper-case code of the OncoTree tree or mtb's table."""
        parsed = codes.oncotree(text)
        if parsed is None:
            return None
        code, prefixed = parsed
        mapping = self.oncotree_mapping(code)
        if mapping is None:
            return f" (OncoTree code {code} is not in OncoTree 2025-10-03 or mtb's table)" \
                if prefixed else None
        current = mapping.code if mapping.code in self._nodes else ""
        if mapping.doid is None:
            return f" (OncoTree {code}: {mapping.how})"
        how = f"OncoTree {code}"
        if mapping.code != code:
            how += f" (former code of {mapping.code})"
        if mapping.how != "mtb supplement":
            how += f": {mapping.how}"
        warning = None
        if mapping.confidence == LOW:
            warning = (f"diagnosis '{text}': OncoTree {mapping.code} maps only to "
                       f"{self.name(mapping.doid)} ({mapping.doid}): {mapping.how}")
        return Hit(mapping.doid, how, mapping.confidence, warning, oncotree=current)

    def _receptors_only(self, raw: str, qualifiers: frozenset[str]) -> Hit | None:
        """'HR+/HER2-' or 'TNBC' alone: hormone receptor status classifies breast cancer, so
        the breast cancer term of that status. HER2 status alone does not (gastric cancer)."""
        _, rest = receptors.read(fold(raw))
        if re.search(r"[a-z]{2,}", rest) or not qualifiers & receptors.HORMONE_STATUS:
            return None
        doid = receptors.breast_term(qualifiers)
        if doid is None or doid not in self._lineages:
            return None
        return Hit(doid, "receptor status only: a breast cancer classification", HIGH)

    def _with_receptors(self, hit: Hit, qualifiers: frozenset[str]) -> Hit:
        """A breast cancer with a receptor status is the slim's term for that status (the
        histology stays in the text); a contradiction lowers the confidence."""
        warning = hit.warning
        confidence = hit.confidence
        clash = receptors.contradictions(qualifiers)
        if clash:
            confidence = LOW
            warning = (warning + "; " if warning else "") + (
                "contradictory receptor status: " + ", ".join(f"{m}+ and {m}-" for m in clash))
        target = hit.target
        if receptors.BREAST_CANCER in self._lineages.get(target, ()) and not clash:
            chosen = receptors.breast_term(qualifiers)
            if chosen and chosen != target and chosen in self._lineages:
                how = f"{hit.how}; receptor status {'/'.join(sorted(qualifiers))} -> {chosen}"
                return Hit(chosen, how, confidence, warning, hit.candidates)
        return Hit(target, hit.how, confidence, warning, hit.candidates, hit.oncotree)

    # --- building ---

    def _join_oncotree(self, terms: dict[str, Term], sup: Supplement) -> dict[str, OncoMapping]:
        curated = {code: (self._alts.get(d, d) if d else None) for code, d in sup.oncotree.items()}
        names: dict[str, list[str]] = {}
        for term in terms.values():
            names.setdefault(term.doid, []).extend(text for text, _, _ in term.labels)
        for text, doid in sup.synonyms:
            if ("synonym", text) not in sup.approximate:
                names.setdefault(doid, []).append(text)
        words = {doid: oncotree.label_words(texts) for doid, texts in names.items()}
        by_words: dict[frozenset[str], list[str]] = {}
        for doid, sets in words.items():
            if doid in self._lineages and doid not in self._obsolete:
                for word_set in set(sets):
                    by_words.setdefault(word_set, []).append(doid)
        context = oncotree.Context(
            by_xref={k: frozenset(v) for k, v in self._by_xref.items()},
            slim_ancestors=self._slim_ancestors, lineage=self._lineage_of, names=self._any_name,
            in_slim=lambda d: d in self._lineages, label_words=lambda d: words.get(d, ()),
            same_name=lambda text: tuple(sorted(by_words.get(oncotree.words_of(text), ()))),
        )
        joined = oncotree.join(self._nodes, curated, context) if self._nodes else {}
        for code, mapping in joined.items():
            if ("oncotree", code) in sup.approximate and mapping.confidence == EXACT:
                joined[code] = OncoMapping(code, mapping.doid, HIGH, mapping.how, mapping.own)
        for code, curated_doid in curated.items():  # legacy and TCGA codes outside the tree
            if code not in joined:
                joined[code] = OncoMapping(code, curated_doid, EXACT if curated_doid else "",
                                           "mtb supplement")
        return joined

    def _any_name(self, doid: str) -> str:
        """The name of a slim term or of a DO term known from its cross-references."""
        if doid in self._names:
            return self._names[doid]
        ref = self._crossrefs.get(doid)
        return ref.name if ref else ""

    def _slim_ancestors(self, doid: str) -> tuple[str, ...]:
        """The nearest slim terms above a DO term outside the slim (itself if in the slim)."""
        if doid not in self._climbed:
            self._climbed[doid] = self._climb(doid)
        return self._climbed[doid]

    def _climb(self, doid: str) -> tuple[str, ...]:
        frontier, seen = [doid], {doid}
        while frontier:
            hits = sorted(d for d in frontier if d in self._lineages)
            if hits:
                return tuple(hits)
            step = []
            for term in frontier:
                ref = self._crossrefs.get(term)
                for parent in ref.parents if ref else ():
                    if parent not in seen:
                        seen.add(parent)
                        step.append(self._alts.get(parent, parent))
            frontier = step
        return ()

    def _labels(self, terms: dict[str, Term], sup: Supplement) -> list[Label]:
        labels: list[Label] = []
        for term in terms.values():
            if not term.obsolete:
                labels += labels_of(term.doid, term.labels)
        for text, doid in sup.synonyms:
            cap = HIGH if ("synonym", text) in sup.approximate else EXACT
            labels += labels_of(doid, [(text, CURATED, not any(c.islower() for c in text))],
                                cap=cap)
        for ref in self._crossrefs.values():  # DO terms outside the slim: their slim ancestor
            above = self._slim_ancestors(ref.doid)
            if len(above) != 1:
                continue
            if oncotree.benign(ref.name) and CANCER in self._lineages[above[0]]:
                continue
            if self._adds_site(ref.name, above[0]):
                continue  # DO files adenoid cystic carcinoma under tonsil cancer: not as text
            cap = LOW if above[0] == CANCER else HIGH
            labels += labels_of(above[0], [(ref.name, DO_ANCESTOR, False)], cap=cap)
        shared = oncotree.shared_names(self._nodes)
        for code, node in self._nodes.items():
            mapping = self._onco.get(code)
            if node.level < 2 or mapping is None:
                continue
            if ordered(node.name) in shared:
                code = ""  # 'Immature Teratoma' is a type of three tissues: no one code
            own = mapping.confidence == EXACT
            if mapping.doid == CUP and "unknown primary" not in node.name.lower():
                continue  # 'Adenocarcinoma, NOS' under CUP: a bare histology is not a CUP
            if mapping.doid and self._adds_site(node.name, mapping.doid):
                continue  # 'Mucinous Carcinoma' (cervix) -> cervical adenocarcinoma: the tissue
                # is implied by OncoTree's tree, not by the words; as text it would mislead
            target = mapping.doid or f"{_PSEUDO}{node.code}"
            cap = mapping.confidence or LOW
            labels += labels_of(target, [(node.name, ONCOTREE if own else ONCOTREE_ANCESTOR,
                                          False)], code, cap)
        return labels

    def _adds_site(self, name: str, doid: str) -> bool:
        """The term names a site the OncoTree name does not."""
        sites = set(lexicon.english(ordered(self._names[doid]))) & lexicon.SITE_WORDS
        words = set(lexicon.english(ordered(name)))
        return any(not any(site in w or w in site for w in words) for site in sites)
        # 'oropharynx' names a part of the 'pharynx': not a site added

    def _matcher_words(self, doid: str) -> tuple[str, ...]:
        return lexicon.canonical(ordered(self._names[doid]))

    # --- helpers ---

    def _lineage_of(self, target: str) -> tuple[str, ...]:
        return self._lineages.get(target, ())

    def _also(self, given: str, chosen: str, others: Iterable[str]) -> str:
        listed = ", ".join(f"{self._names[d]} ({d})" for d in list(others)[:3])
        return (
            f"diagnosis '{given}' also matches {listed}; mtb chose {self._names[chosen]} "
            f"({chosen})"
        )

    def _depth(self, doid: str) -> int:
        return len(self._lineages[doid]) - 1

    def _diagnosis(self, raw: str, found: Hit | str, qualifiers: frozenset[str]) -> Diagnosis:
        if isinstance(found, str):
            return _unknown(raw, found, qualifiers)
        if found.target.startswith(_PSEUDO):
            code = found.target.removeprefix(_PSEUDO)
            mapping = self._onco[code]
            detail = f" (OncoTree {code} '{self._nodes[code].name}': {mapping.how})"
            return _unknown(raw, detail, qualifiers)
        doid = found.target
        warning = found.warning
        confidence = found.confidence
        if oncotree.benign(self._names[doid]) and CANCER not in self._lineages[doid]:
            confidence = LOW
            warning = warning or (f"diagnosis '{raw}' maps to {self._names[doid]} ({doid}), "
                                  "a benign tumor outside 'cancer' in the Disease Ontology")
        if confidence == LOW and not warning:
            warning = (f"diagnosis '{raw}' mapped with low confidence to {self._names[doid]} "
                       f"({doid}): {found.how}")
        if warning and raw and f"'{raw}'" not in warning and not warning.startswith("diagnosis"):
            warning = f"diagnosis '{raw}': {warning}"
        return Diagnosis(
            text=raw,
            doid=doid,
            name=self._names[doid],
            lineage=self._lineages[doid],
            solid=self.is_solid(doid),
            subtypes=frozenset(self._below.get(doid, ())),
            matched_by=found.how,
            warning=warning,
            confidence=confidence,
            candidates=tuple((c, self._names[c]) for c in found.candidates if c in self._names),
            oncotree=found.oncotree or self._preferred.get(doid, ""),
            qualifiers=qualifiers,
        )


def _unknown(raw: str, detail: str = "", qualifiers: frozenset[str] = frozenset()) -> Diagnosis:
    return Diagnosis(text=raw, doid=None, warning=_UNKNOWN.format(text=raw, detail=detail),
                     qualifiers=qualifiers)


def _lineages(parents: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """Each term with its ancestors, breadth-first, the root 'cancer' last. A parent that is also
    an ancestor of another parent is not taken as a direct step, so an added link (skin
    melanoma -> melanoma) keeps melanoma before the root."""
    ancestors: dict[str, frozenset[str]] = {}

    def above(doid: str, path: frozenset[str]) -> frozenset[str]:
        if doid not in ancestors:
            if doid in path:
                raise KnowledgeBaseError(f"is_a cycle through {doid}")
            found: set[str] = set()
            for parent in parents.get(doid, ()):
                found |= {parent} | above(parent, path | {doid})
            ancestors[doid] = frozenset(found)
        return ancestors[doid]

    direct = {}
    for doid, ps in parents.items():
        above(doid, frozenset())
        direct[doid] = [p for p in ps if not any(p in ancestors[q] for q in ps if q != p)]
    lineages = {}
    for doid in parents:
        order, queue = [doid], [doid]
        while queue:
            for parent in direct.get(queue.pop(0), ()):
                if parent not in order:
                    order.append(parent)
                    queue.append(parent)
        if CANCER in order[1:]:
            order.remove(CANCER)
            order.append(CANCER)
        lineages[doid] = tuple(order)
    return lineages


@functools.lru_cache(maxsize=1)
def _bundled() -> DiseaseOntology:
    ontology = SNAPSHOTS / "ontology"
    return DiseaseOntology.load(
        ontology / SLIM_FILE, ontology / SUPPLEMENT_FILE, ontology / CROSSREFS_FILE,
        SNAPSHOTS / "oncotree" / ONCOTREE_FILE,
    )
