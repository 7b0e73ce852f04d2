"""Free text -> an ontology term, with how sure the match is and what else it could be.

In order, the first that finds a term wins:

  1. the whole text is a name or synonym (of the slim, mtb's supplement, or an OncoTree type),
     as written, then without the course of the disease, then without receptor status, then
     without biomarker and grading phrases                                  -> 'exact'
  2. 'of unknown primary' (CUP) in any wording                              -> the CUP term
  3. the same in English after German words, compounds and typos are translated, or with
     'cancer' read as 'carcinoma'                                           -> 'high'
  4. word matching: every term with a name whose words all occur in the text competes; the
     one that explains most words of the text wins (words explained by the names of its
     ancestors count, so "malignant glioma, glioblastoma" is a glioblastoma). Unexplained
     words lower the confidence: a site ("of the stomach") to 'high', anything else
     ("low-grade", "cholangiozellulaeres") to 'low', with the candidates named. The bag of
     words once read "Low-grade fibromyxoid sarcoma" as myxofibrosarcoma and
     "Cholangiozellulaeres Karzinom" as carcinoma without a word of doubt; now such a match is
     'low' and says which words it could not place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from annotation.diseases import lexicon, receptors
from annotation.diseases.oncotree import EXACT, HIGH, LOW
from annotation.diseases.sources import APPROXIMATE, CANCER, CURATED, DO_ANCESTOR, HOW
from annotation.diseases.text import (
    capitalised_tokens,
    fold,
    soft,
    strip_biomarkers,
    strip_course,
    strip_grading,
    tokens,
)

# Terms too broad to carry a diagnosis when the text said more (a site, a histology)
GENERIC = frozenset({
    CANCER, "DOID:305", "DOID:299", "DOID:1749", "DOID:1115", "DOID:0050687", "DOID:0050686",
    "DOID:0060058", "DOID:1240", "DOID:0050685", "DOID:1800", "DOID:169",
})
CUP_PHRASE = re.compile(
    r"\bunknown\s+primary\b|\bprimary\s+(?:site\s+)?unknown\b|\boccult\s+primary\b|"
    r"\bunbekannte[mnrs]?\s+primaer\w*|\bprimaer\w*\s+unbekannt\w*|\bcup\b"
)


@dataclass(frozen=True)
class Label:
    target: str  # a DOID / MTB id, or 'oncotree:CODE' for an OncoTree type without a term
    text: str
    words: tuple[str, ...]  # the folded tokens in order (the exact-name key)
    canon_words: tuple[str, ...]  # the same, sites as nouns (lexicon.canonical)
    priority: int
    tokens: frozenset[str]
    size: int
    acronym: bool
    canon: frozenset[str]  # tokens with site adjectives as nouns (lexicon.canonical)
    loose: frozenset[str]  # canon with 'cancer' read as 'carcinoma'
    oncotree: str = ""  # the OncoTree code whose name this is
    cap: str = EXACT  # the best confidence a match of this label can have


@dataclass(frozen=True)
class Hit:
    target: str
    how: str
    confidence: str
    warning: str | None = None
    candidates: tuple[str, ...] = ()
    oncotree: str = ""


def loose(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(lexicon.EQUIVALENT.get(w, w) for w in words)


class TextMatcher:
    """Indexes of every name; `match` resolves one text. Built once per ontology."""

    def __init__(
        self,
        labels: Iterable[Label],
        lineage: Callable[[str], tuple[str, ...]],
        name: Callable[[str], str],
        cup: str | None,
    ) -> None:
        self._labels = tuple(labels)
        self._lineage = lineage
        self._name = name
        self._cup = cup
        rank = sorted(self._labels, key=lambda lab: (lab.priority, -self._depth(lab.target)))
        self.exact: dict[str, Label] = {}
        self._canon: dict[str, Label] = {}
        self._loose: dict[str, Label] = {}
        by_token: dict[str, list[Label]] = {}
        for label in rank:
            self.exact.setdefault(" ".join(label.words), label)
            self._canon.setdefault(" ".join(label.canon_words), label)
            self._loose.setdefault(" ".join(loose(label.canon_words)), label)
            for token in label.loose:
                by_token.setdefault(token, []).append(label)
        self._by_token = by_token
        words: dict[str, set[str]] = {}
        sets: dict[str, set[frozenset[str]]] = {}
        for label in self._labels:  # names that are the term itself, not of something below it
            if label.cap == EXACT and label.priority < APPROXIMATE:
                words.setdefault(label.target, set()).update(label.canon)
                sets.setdefault(label.target, set()).add(label.canon)
        self._words = {target: frozenset(w) for target, w in words.items()}
        self._sets = {target: frozenset(w) for target, w in sets.items()}
        self.vocabulary = frozenset(
            w for lab in self._labels for w in (*lab.tokens, *lab.canon) if w.isalpha()
        )

    def _depth(self, target: str) -> int:
        return len(self._lineage(target))

    def name_sets(self, target: str) -> frozenset[frozenset[str]]:
        """The word set of each of the term's own names."""
        return self._sets.get(target, frozenset())

    def words(self, target: str) -> frozenset[str]:
        """Every word of the term's own names (sites as nouns); not of approximate ones."""
        return self._words.get(target, frozenset())

    # --- 1-3: whole-text lookups ---

    def match(self, raw: str) -> Hit | None:
        folded = fold(raw)
        course = strip_course(folded)
        _, no_receptors = receptors.read(course)
        graded = strip_grading(no_receptors)
        bare = strip_biomarkers(no_receptors)
        words, corrected = lexicon.translate(tokens(no_receptors), self.vocabulary)
        content, _ = lexicon.translate(tokens(bare), self.vocabulary)
        note = _corrections(corrected)
        deferred: Hit | None = None  # the name of something narrower: only if nothing better
        for label, how, confidence in self._whole_text(
            (folded, course, no_receptors, graded), bare, course, words,
            lexicon.translate(tokens(graded), self.vocabulary)[0], content, note,
        ):
            if label is None:  # 'unknown primary'
                return Hit(str(self._cup), how, confidence)
            if label.priority < APPROXIMATE:
                return self._hit(label, how, confidence)
            deferred = deferred or self._hit(label, how, confidence)
        by_words = self._by_words(raw, words, content, capitalised_tokens(raw), note) \
            if words else None
        if deferred is not None and (
            by_words is None or by_words.confidence == LOW or by_words.target == deferred.target
        ):
            return deferred  # the name of a narrower type, unless the words find its own term
        return by_words

    def _whole_text(
        self, variants: tuple[str, ...], bare: str, course: str, words: tuple[str, ...],
        graded: tuple[str, ...], content: tuple[str, ...], note: str,
    ) -> Iterator[tuple[Label | None, str, str]]:
        """Whole-text lookups, best first: (label, how, confidence)."""
        for number, variant in enumerate(variants):  # biomarker words kept: WHO names
            label = self.exact.get(" ".join(tokens(variant)))
            if label is not None:
                yield label, HOW[label.priority] + (", qualifiers removed" if number else ""), EXACT
        if self._cup and CUP_PHRASE.search(course):
            yield None, "'unknown primary' (CUP)", EXACT
        yield from self._translated(words, note)
        yield from self._translated(graded, note)
        label = self.exact.get(" ".join(tokens(bare)))
        if label is not None:
            yield label, HOW[label.priority] + ", qualifiers removed", EXACT
        yield from self._translated(content, note)

    def _translated(
        self, words: tuple[str, ...], note: str,
    ) -> Iterator[tuple[Label, str, str]]:
        """The whole text as a name once in English, or with 'cancer' read as 'carcinoma'."""
        for index, how in ((self._canon, "translated"), (self._loose, "'cancer' as 'carcinoma'")):
            key = loose(words) if index is self._loose else words
            label = index.get(" ".join(key))
            if label is not None:
                yield label, f"{HOW[label.priority]}, {how}{note}", HIGH

    def _hit(self, label: Label, how: str, confidence: str) -> Hit:
        if label.oncotree:
            how = how.replace("name in OncoTree", f"name in OncoTree ({label.oncotree})")
        confidence = _weaker(confidence, label.cap)
        warning = None
        if label.priority == DO_ANCESTOR and label.target in GENERIC:
            confidence = LOW
            warning = (f"'{label.text}' has no term of its own in the slim; only the broad term "
                       f"{self._name(label.target)!r} ({label.target}) fits")
        return Hit(label.target, how, confidence, warning, oncotree=label.oncotree)

    # --- 4: word matching ---

    def _by_words(
        self, raw: str, words: tuple[str, ...], content: tuple[str, ...],
        capitals: frozenset[str], note: str,
    ) -> Hit | None:
        present = set(words)
        present_loose = set(loose(words))
        best: dict[str, tuple[bool, Label]] = {}  # target -> (via equivalence, label)
        matched: list[Label] = []
        for label in self._candidates(present_loose):
            if label.acronym and not label.tokens <= capitals:
                continue
            if label.canon <= present:
                equivalence = False
            elif label.loose <= present_loose:
                equivalence = True
            else:
                continue
            matched.append(label)
            held = best.get(label.target)
            if held is None or _better((equivalence, label), held):
                best[label.target] = (equivalence, label)
        for target in [t for t in best if self._overruled(best[t][1], matched)]:
            del best[target]
        if not best:
            return None
        need = [w for w in dict.fromkeys(content)
                if not soft(w) and not (w == "all" and w not in capitals)]  # "all stages"

        def unexplained(target: str, strict: bool) -> tuple[list[str], list[str]]:
            """Words of the text no name of the term or its ancestors accounts for; strict:
            a broader term does not account for what only its narrower OncoTree type says."""
            line = set(self._lineage(target)) or {target}
            explained = {
                t for lab in matched if lab.target in line
                for t in (self._explains(lab) if strict else lab.loose)
            }
            left = [w for w in need if lexicon.EQUIVALENT.get(w, w) not in explained]
            sites = [w for w in left if w in lexicon.SITE_WORDS]
            return [w for w in left if w not in lexicon.SITE_WORDS], sites

        def key(target: str) -> tuple[int, int, bool, int, int, int, str]:
            hard, sites = unexplained(target, strict=True)
            equivalence, label = best[target]
            return (len(hard), len(sites), equivalence, -label.size, -self._depth(target),
                    label.priority, target)

        ranked = sorted(best, key=key)
        winner = ranked[0]
        hard, sites = unexplained(winner, strict=False)
        equivalence, label = best[winner]
        how = f"words of {label.text!r}" + (", 'cancer' as 'carcinoma'" if equivalence else "")
        how += note
        line = set(self._lineage(winner))
        curated = label.priority == CURATED  # mtb's own reading of these words decides a tie
        rivals = [
            t for t in ranked[1:]
            if key(t)[:4] == key(winner)[:4] and t not in line and winner not in self._lineage(t)
            and (best[t][1].priority == CURATED) == curated
        ]
        confidence = _weaker(HIGH, label.cap)
        doubts = []
        if hard:
            doubts.append("words not understood: " + ", ".join(repr(w) for w in hard))
        if sites and winner in GENERIC:
            doubts.append("site not matched: " + ", ".join(repr(w) for w in sites))
        if winner in GENERIC and label.priority == DO_ANCESTOR and not doubts:
            doubts.append(f"only the broad term {self._name(winner)!r} fits")
        if rivals:
            doubts.append("equally good matches")
        if doubts or winner == CANCER:
            confidence = LOW
        candidates = tuple(dict.fromkeys([*rivals, *self._suggestions(hard, winner)]))[:4]
        warning = None
        if winner == CANCER:
            warning = f"diagnosis '{raw}' matched only the generic term 'cancer' ({CANCER})"
        elif doubts:
            warning = (f"diagnosis '{raw}' mapped with low confidence to {self._name(winner)} "
                       f"({winner}): " + "; ".join(doubts))
        if warning and candidates:
            listed = ", ".join(f"{self._name(c)} ({c})" for c in candidates if self._name(c))
            warning += f"; candidates: {listed}" if listed else ""
        return Hit(winner, how, confidence, warning, candidates, label.oncotree)

    def _overruled(self, label: Label, matched: list[Label]) -> bool:
        """A longer name in the text contains this one and means something that is not this
        term or below it: "low-grade fibromyxoid sarcoma" (a sarcoma) overrules "fibromyxoid
        sarcoma" (myxofibrosarcoma), as "non-small cell" overrules "small cell". The name of
        an OncoTree type filed under a term of another axis ('Uterine Leiomyosarcoma' ->
        uterine cancer) does not overrule the histology ('leiomyosarcoma')."""
        for other in matched:
            if not label.loose < other.loose or other.target == label.target:
                continue
            if label.target in self._lineage(other.target):
                continue  # the longer name is of a narrower term: it confirms this one
            broader = other.target in self._lineage(label.target)
            if other.priority < APPROXIMATE or broader:
                return True  # an exact name of another term, or only a broader term is known
        return False

    def _explains(self, label: Label) -> frozenset[str]:
        """The words a matched name accounts for. The name of an OncoTree type mapped to a
        broader term ('Uterine Leiomyosarcoma' -> uterine cancer) accounts only for the words
        that term has: uterine cancer does not explain 'leiomyosarcoma'."""
        if label.priority < APPROXIMATE:
            return label.loose
        own = frozenset(loose(self.words(label.target))) | lexicon.SITE_WORDS
        return label.loose & own

    def _candidates(self, present_loose: set[str]) -> list[Label]:
        """Labels sharing at least one word with the text (each listed once)."""
        seen: dict[int, Label] = {}
        for token in present_loose:
            for label in self._by_token.get(token, ()):
                seen.setdefault(id(label), label)
        return list(seen.values())

    def _suggestions(self, words: list[str], winner: str) -> list[str]:
        """Terms with a name containing a word the match could not place: 'did you mean'."""
        scores: dict[str, int] = {}
        for word in words:
            for label in self._by_token.get(lexicon.EQUIVALENT.get(word, word), ()):
                if label.target != winner and not label.target.startswith("oncotree:"):
                    scores[label.target] = scores.get(label.target, 0) + 1
        return sorted(scores, key=lambda t: (-scores[t], self._depth(t), t))[:3]


def _ordered(text: str) -> tuple[str, ...]:
    return tokens(fold(text))


def _better(new: tuple[bool, Label], held: tuple[bool, Label]) -> bool:
    return (not new[0], new[1].size, -new[1].priority) > (not held[0], held[1].size,
                                                          -held[1].priority)


def _weaker(a: str, b: str) -> str:
    order = {EXACT: 0, HIGH: 1, LOW: 2}
    return a if order.get(a, 2) >= order.get(b, 2) else b


def _corrections(corrected: Mapping[str, str]) -> str:
    if not corrected:
        return ""
    return ", read " + ", ".join(f"{a!r} as {b!r}" for a, b in corrected.items())


def labels_of(
    target: str, texts: Iterable[tuple[str, int, bool]], oncotree: str = "", cap: str = EXACT,
) -> list[Label]:
    """Label objects for one target's names (text, priority, acronym)."""
    out = []
    for text, priority, acronym in texts:
        words = _ordered(text)
        if not words:
            continue
        canon = lexicon.english(words)
        out.append(Label(
            target, text, words, canon, priority, frozenset(words), len(set(canon)), acronym,
            frozenset(canon), frozenset(loose(canon)), oncotree, cap,
        ))
    return out


__all__ = ["GENERIC", "Hit", "Label", "TextMatcher", "labels_of"]
