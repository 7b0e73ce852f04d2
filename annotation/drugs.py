"""One name per drug, and whether a drug may stand on a tumor board's card.

Knowledge bases write the same drug many ways (Imatinib, Imatinib Mesylate, Gleevec, STI-571),
list tool compounds next to approved drugs (staurosporine beside osimertinib), and keep drugs
whose development stopped (rociletinib) or whose approval was withdrawn (mobocertinib). The
board must see each therapy once, under its INN, and only therapies a patient could receive.
The vocabulary is annotation/snapshots/drugs/drugs.tsv (its README and PROVENANCE say how it
was made): every CIViC therapy name of the bundled releases maps to exactly one row.

A regimen is a *set* of drugs (pertuzumab + trastuzumab == trastuzumab + pertuzumab), named by
its members in a fixed order.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from annotation import snapshots
from mtb.errors import KnowledgeBaseError

DRUGS_FILE = Path("drugs") / "drugs.tsv"
NOT_ON_CARD = frozenset({"tool", "withdrawn", "discontinued"})  # statuses never shown first
_SALTS = re.compile(
    r"\s+(?:mesylate|mesilate|hydrochloride|dihydrochloride|sulfate|sulphate|tosylate|maleate|"
    r"malate|citrate|phosphate|acetate|sodium|potassium|besylate|dimaleate|ditosylate|"
    r"tartrate|fumarate|succinate|monohydrate|hydrobromide)$"
)
_KEY = re.compile(r"[\s_]+")


@dataclass(frozen=True)
class Drug:
    name: str  # the INN in lower case ("osimertinib"), or the plain term of a non-drug
    kind: str  # drug, class, procedure, other
    status: str  # approved, investigational, withdrawn, discontinued, tool, unknown, ''
    approved_by: tuple[str, ...] = ()  # FDA, EMA
    drug_class: str = ""
    status_date: str = ""

    @property
    def display(self) -> str:
        """'Osimertinib', 'Trastuzumab deruxtecan': the INN with a capital, as cards show it."""
        return self.name[:1].upper() + self.name[1:]

    @property
    def card_worthy(self) -> bool:
        """A therapy a patient could be given: not a tool compound, not withdrawn, not a drug
        whose development stopped, and a drug or drug class rather than a procedure."""
        return self.kind in ("drug", "class", "other") and self.status not in NOT_ON_CARD


@dataclass(frozen=True)
class Regimen:
    """Drugs given together; equal whatever order a source lists them in."""

    drugs: tuple[Drug, ...]  # sorted by name

    @property
    def key(self) -> frozenset[str]:
        return frozenset(d.name for d in self.drugs)

    @property
    def label(self) -> str:
        return " + ".join(d.display for d in self.drugs)

    @property
    def card_worthy(self) -> bool:
        return all(d.card_worthy for d in self.drugs)

    @property
    def excluded_because(self) -> str:
        """Why the regimen stays off the card ('rociletinib: development discontinued')."""
        for drug in self.drugs:
            if not drug.card_worthy:
                what = {"tool": "a tool compound (preclinical only)",
                        "withdrawn": "approval withdrawn",
                        "discontinued": "development discontinued"}.get(drug.status, drug.kind)
                when = f" {drug.status_date}" if drug.status_date else ""
                return f"{drug.name}: {what}{when}"
        return ""


def _key(text: str) -> str:
    return _KEY.sub(" ", text.strip().lower())


class DrugVocabulary:
    """Names -> Drug, case-insensitively, salts folded ('Imatinib Mesylate' -> imatinib)."""

    def __init__(self, drugs: Iterable[tuple[Drug, Iterable[str]]]) -> None:
        self._by_name: dict[str, Drug] = {}
        for drug, synonyms in drugs:
            for name in (drug.name, *synonyms):
                self._by_name.setdefault(_key(name), drug)

    @classmethod
    def load(cls, path: Path) -> DrugVocabulary:
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
        except OSError as error:
            raise KnowledgeBaseError(f"{path}: cannot be read ({error.strerror})") from None
        if not rows or "name" not in rows[0] or "status" not in rows[0]:
            raise KnowledgeBaseError(f"{path}: not mtb's drug vocabulary (no name/status)")
        return cls(
            (Drug(name=row["name"].strip(), kind=row["kind"].strip(),
                  status=row["status"].strip(),
                  approved_by=tuple(a for a in row["approved_by"].split("|") if a),
                  drug_class=row.get("drug_class", "").strip(),
                  status_date=row.get("status_date", "").strip()),
             [s for s in row["synonyms"].split("|") if s.strip()])
            for row in rows
        )

    @classmethod
    def bundled(cls) -> DrugVocabulary:
        return _bundled()

    def __contains__(self, name: str) -> bool:
        key = _key(name)
        return key in self._by_name or _SALTS.sub("", key) in self._by_name

    def drug(self, name: str) -> Drug:
        """The vocabulary's drug for a name; an unknown name stands for itself (status
        'unknown'), so nothing a source names is ever dropped silently."""
        key = _key(name)
        found = self._by_name.get(key) or self._by_name.get(_SALTS.sub("", key))
        if found is not None:
            return found
        return Drug(name=key, kind="drug", status="unknown")

    def regimen(self, names: Iterable[str]) -> Regimen:
        drugs = {d.name: d for d in (self.drug(n) for n in names if n.strip())}
        return Regimen(tuple(drugs[n] for n in sorted(drugs)))


@functools.cache
def _bundled() -> DrugVocabulary:
    return DrugVocabulary.load(snapshots.SNAPSHOT_DIR / DRUGS_FILE)
