"""ICD-10-GM and ICD-O-3 codes -> slim terms: the code lookups of DiseaseOntology.

ICD-10 goes through the slim's ICD10CM cross-references and mtb's curated rows (GM and CM share
the three-character categories, not always the subdivisions). ICD-O-3 morphology goes through
DO's ICDO cross-references (the slim's, then those of DO terms outside the slim, climbed to the
nearest slim ancestor); with a topography the morphology is placed in the organ: '8140/3 C34.1'
is a lung adenocarcinoma.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotation.diseases import codes, lexicon
from annotation.diseases.oncotree import EXACT, HIGH, LOW
from annotation.diseases.sources import CANCER, HEMATOLOGIC_CANCER, CrossRef
from annotation.diseases.text import ordered
from annotation.diseases.textmatch import GENERIC, Hit, TextMatcher

# ICD-O-3 topography categories whose organ has no cancer term in the slim (ICD-O-3, WHO 2000)
_TOPOGRAPHY_WORDS = {
    "C44": frozenset({"skin"}), "C40": frozenset({"bone"}), "C41": frozenset({"bone"}),
    "C49": frozenset({"softtissue"}), "C69": frozenset({"eye"}), "C77": frozenset({"lymphnode"}),
}
_NOT_SITE = frozenset({"cancer", "carcinoma", "neoplasm", "tumor", "malignant"})



class CodeLookups:
    """Mixin of DiseaseOntology: the attributes below are set by its constructor."""

    _lineages: dict[str, tuple[str, ...]]
    _names: dict[str, str]
    _icd_slim: dict[str, list[str]]
    _icd_curated: dict[str, str]
    _icd_nearest: set[str]
    _icdo: dict[str, str]
    _icdo_nearest: set[tuple[str, str]]
    _by_xref: dict[str, set[str]]
    _crossrefs: dict[str, CrossRef]
    _matcher: TextMatcher

    def name(self, doid: str) -> str:
        raise NotImplementedError

    def _slim_ancestors(self, doid: str) -> tuple[str, ...]:
        raise NotImplementedError

    def _adds_site(self, name: str, doid: str) -> bool:
        raise NotImplementedError

    def _also(self, given: str, chosen: str, others: Iterable[str]) -> str:
        raise NotImplementedError

    def _depth(self, doid: str) -> int:
        raise NotImplementedError

    def _by_icd10(self, text: str) -> Hit | str | None:
        """Exact code, then without its last digit (GM's fifth digit is remission status), then
        the three-character category, then any cross-referenced code in that category."""
        code = codes.icd10(text)
        if code is None:
            return None
        category = code[:3]
        number = int(category[1:])
        if category[0] == "C" and 77 <= number <= 79:
            return f" (ICD-10 {code} codes a secondary neoplasm, a metastasis: give the primary)"
        if category[0] not in "CD" or (category[0] == "D" and number > 48):
            return f" (ICD-10 {code} is not a neoplasm code)"
        benign = category[0] == "D" and 10 <= number <= 36
        in_situ = category[0] == "D" and number <= 9
        tried = [code]
        if "." in code:
            tail = code.split(".")[1]
            if len(tail) == 2:
                tried.append(code[:-1])
            tried.append(category)
        hit: Hit | None = None
        for candidate in tried:
            if candidate in self._icd_curated:
                how = f"ICD-10 {code} -> {candidate} (mtb supplement)"
                nearest = candidate in self._icd_nearest
                hit = Hit(self._icd_curated[candidate], how, HIGH if nearest else EXACT)
                break
            if candidate in self._icd_slim:
                hit = self._icd_hit(code, {candidate: self._icd_slim[candidate]}, EXACT)
                break
        if hit is None and category[0] == "C":  # GM and CM subdivide D codes differently
            related = {c: d for c, d in self._icd_slim.items() if c.startswith(category)}
            if related:
                hit = self._icd_hit(code, related, HIGH)
        if hit is None:
            return f" (ICD-10 {code}: no mapping for category {category})"
        if benign or in_situ:
            kind = "a benign neoplasm" if benign else "an in-situ neoplasm"
            note = f"ICD-10 {code} codes {kind}; {self.name(hit.target)} is only an approximation"
            return Hit(hit.target, hit.how, LOW, note, hit.candidates)
        return hit

    def _icd_hit(self, code: str, codes_: dict[str, list[str]], confidence: str) -> Hit:
        """Several terms can share a code (C92.0: AML and three subtypes); the most general
        cancer term wins, so no subtype-specific evidence is claimed that the code cannot show."""
        pairs = sorted({(d, c) for c, ds in codes_.items() for d in ds}, key=self._generality)
        doid, source = pairs[0]
        others = {d for d, _ in pairs[1:]} - {doid}
        unrelated = sorted(d for d in others if doid not in self._lineages[d])
        how = f"ICD-10 {code} -> ICD10CM {source}"
        if unrelated:
            return Hit(doid, how, LOW, self._also(code, doid, unrelated), tuple(unrelated))
        return Hit(doid, how, confidence)

    def _generality(self, pair: tuple[str, str]) -> tuple[bool, bool, int, str, str]:
        doid = pair[0]
        return (
            CANCER not in self._lineages[doid],
            "syndrome" in self._names[doid],
            self._depth(doid),
            pair[1],
            doid,
        )

    def _by_icdo(self, text: str) -> Hit | str | None:
        """ICD-O-3 morphology (and topography): the term of the morphology, placed in the site
        when a topography is given ('8140/3 C34.1' -> lung adenocarcinoma)."""
        code = codes.icdo(text)
        if code is None:
            return None
        morphology = code.morphology
        if code.behaviour in ("6", "9"):  # metastatic / uncertain whether primary: its histology
            morphology = morphology[:-1] + "3"
        found = self._icdo_terms(morphology)
        if found is None and code.topography and code.behaviour in ("3", "6", "9"):
            site, _ = self._site_of(code.topography)
            if site is not None:
                return Hit(site, f"ICD-O-3 topography {code.topography}", LOW,
                           f"ICD-O-3 {code.morphology} has no term in the slim; mapped to the site "
                           f"{self._names[site]} ({site})")
        if found is None:
            return f" (ICD-O-3 {code.morphology}: no term for this morphology)"
        hit, words, own = found
        if code.behaviour not in ("3", "6", "9"):
            kind = {"0": "benign", "1": "of uncertain behaviour", "2": "in situ"}[code.behaviour]
            if CANCER in self._lineages.get(hit.target, ()):
                return f" (ICD-O-3 {code.morphology} is {kind}: no cancer term applies)"
        if code.topography is None:
            return hit
        return self._icdo_in_site(code, hit, words, own)

    def _icdo_terms(self, morphology: str) -> tuple[Hit, frozenset[str], str | None] | None:
        """(hit, the words of the morphology's DO name, the slim term carrying the code)."""
        if morphology in self._icdo:
            doid = self._icdo[morphology]
            nearest = ("icdo", morphology) in self._icdo_nearest
            hit = Hit(doid, f"ICD-O-3 {morphology} (mtb supplement)", HIGH if nearest else EXACT)
            return hit, self._name_words(doid), None if nearest else doid
        found = sorted(self._by_xref.get(f"ICDO:{morphology}", ()))
        slim = [d for d in found if d in self._lineages]
        if slim:
            hit = self._most_general(slim, f"ICD-O-3 {morphology}", EXACT)
            return hit, self._name_words(hit.target), hit.target
        climbed = sorted({
            a for d in found for a in self._slim_ancestors(d)
            if not self._adds_site(self._crossrefs[d].name, a)
        })
        if climbed:
            best = min(climbed, key=lambda d: (-self._depth(d), d))
            via = found[0]
            name = self._crossrefs[via].name
            how = f"ICD-O-3 {morphology} -> {via} ({name}, not in the slim), nearest slim ancestor"
            words = lexicon.canonical(ordered(name))
            if best in GENERIC:  # '8140/3' alone: adenocarcinoma of no site is only 'carcinoma'
                warning = (f"ICD-O-3 {morphology} ({name}) has no term of its own in the slim; "
                           f"only the broad term {self._names[best]!r} ({best}) fits")
                return Hit(best, how, LOW, warning), frozenset(words), None
            return Hit(best, how, HIGH), frozenset(words), None
        return None

    def _name_words(self, doid: str) -> frozenset[str]:
        return frozenset(lexicon.canonical(ordered(self._names[doid])))

    def _most_general(self, doids: list[str], how: str, confidence: str) -> Hit:
        pairs = sorted(((d, "") for d in doids), key=self._generality)
        doid = pairs[0][0]
        unrelated = sorted(d for d, _ in pairs[1:] if doid not in self._lineages[d])
        if unrelated:
            return Hit(doid, how, LOW, self._also(how, doid, unrelated), tuple(unrelated))
        return Hit(doid, how, confidence)

    def _icdo_in_site(
        self, code: codes.IcdO, morph: Hit, m_words: frozenset[str], own: str | None,
    ) -> Hit:
        """The most general slim term that is both of the morphology and of the site: below
        both terms, or named by exactly their words ('lung' + 'adenocarcinoma'). When the slim
        has no such term the morphology is widened step by step along DO's is_a (small cell
        carcinoma -> carcinoma: 'prostate carcinoma')."""
        if HEMATOLOGIC_CANCER in self._lineages.get(morph.target, ()):
            return Hit(morph.target, f"{morph.how}; topography {code.topography} not used "
                       "(a hematologic neoplasm is classified by its morphology)",
                       morph.confidence, morph.warning, morph.candidates)
        site, s_words = self._site_of(code.topography or "")
        where = f"{code.topography} ({self.name(site) if site else ' '.join(sorted(s_words))})"
        how = f"{morph.how} in {where}"
        for step, (names, anchor) in enumerate(self._widened(morph, m_words, own)):
            wanted = {words | s_words for words in names}
            found = [
                doid for doid, lineage in self._lineages.items()
                if CANCER in lineage and (
                    (anchor is not None and anchor in lineage and site is not None
                     and site in lineage)
                    or bool(wanted & self._matcher.name_sets(doid))
                )
            ]
            if not found:
                continue
            top = min(self._depth(d) for d in found)
            shallow = sorted(d for d in found if self._depth(d) == top)
            confidence = EXACT if (own is not None and step == 0) else HIGH
            if morph.confidence != LOW:  # an ambiguous morphology is settled by its site
                confidence = _weaker(confidence, morph.confidence)
            broader = self.name(anchor) if anchor else "?"
            note = "" if step == 0 else f" (the slim has no narrower term: widened to {broader})"
            if len(shallow) == 1:
                return Hit(shallow[0], how + note, confidence)
            return self._most_general(shallow, how + note, LOW)
        if site is None:
            return Hit(morph.target, how + ": the site adds no term", HIGH)
        warning = (f"ICD-O-3 {code.morphology} in {where}: the slim has no "
                   f"{self.name(morph.target)} of this site; mapped to the site")
        return Hit(site, how, LOW, warning, (morph.target,))

    def _widened(
        self, morph: Hit, words: frozenset[str], own: str | None,
    ) -> list[tuple[set[frozenset[str]], str | None]]:
        """(the word sets of the names, slim term) of the morphology, then of each broader
        morphology along the slim's is_a."""
        first = {words - {"nos"}} | (set(self._matcher.name_sets(own)) if own else set())
        steps: list[tuple[set[frozenset[str]], str | None]] = [(first, own)]
        for doid in self._lineages.get(morph.target, ())[0 if own is None else 1:]:
            steps.append(({self._name_words(doid), *self._matcher.name_sets(doid)}, doid))
        return steps

    def _site_of(self, topography: str) -> tuple[str | None, frozenset[str]]:
        """The organ's cancer term for an ICD-O-3 topography (the ICD-10 code of the same
        number, climbed to its '<organ> cancer' ancestor: C22.0 is the liver, not HCC), and the
        organ's words; for sites the slim has no term for, only the words (C44: skin)."""
        words = _TOPOGRAPHY_WORDS.get(topography[:3], frozenset())
        found = self._by_icd10(topography)
        if not isinstance(found, Hit) or found.target == CANCER:
            return None, words
        for doid in self._lineages[found.target]:
            if doid != CANCER and self._names[doid].endswith(" cancer"):
                return doid, words or self._name_words(doid) - _NOT_SITE
        return None, words  # the code names a histology (C49: sarcoma), not an organ



def _weaker(a: str, b: str) -> str:
    order = {EXACT: 0, HIGH: 1, LOW: 2}
    return a if order[a] >= order[b] else b
