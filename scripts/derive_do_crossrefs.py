"""Derive annotation/snapshots/ontology/DO_crossrefs.tsv from the full Disease Ontology reports.

    python scripts/derive_do_crossrefs.py ../shared/data/kb \
        > annotation/snapshots/ontology/DO_crossrefs.tsv

mtb maps OncoTree codes and ICD-O-3 morphology codes to the Disease Ontology cancer slim. The
slim carries its own NCI, UMLS and ICD-O cross-references, but most OncoTree codes and many ICD-O
codes cross-reference DO terms that are not in the slim. The two full reports that know those
terms (DO_allXREFinDO.tsv, 2.3 MB, and DO_NCIthesaurus_subset.obo, 2.6 MB) are too large to ship
for the few hundred terms mtb needs, so this script keeps only:

  * every DO term outside the slim with an NCI or UMLS_CUI cross-reference that an OncoTree
    2025-10-03 node also carries, or with any ICDO cross-reference (DO_allXREFinDO.tsv);
  * every is_a ancestor of those terms in DO_NCIthesaurus_subset.obo, up to the first slim term,
    so that mtb can climb from a term outside the slim to its nearest slim ancestor.

Each row: doid, name, parents (is_a targets in the NCIt subset, space-separated; empty when the
subset has no is_a for the term), xrefs (its NCI, UMLS_CUI and ICDO cross-references,
space-separated). Nothing else is changed; rows are sorted by DOID so the output is reproducible.
tests/annotation/test_diseases.py re-derives the file from ../shared/data and compares.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

KEPT_PREFIXES = ("NCI:", "UMLS_CUI:", "ICDO:")
HEADER = (
    "# DO_crossrefs.tsv: derived by scripts/derive_do_crossrefs.py from the Human Disease\n"
    "# Ontology release 2026-07-31 (DO_allXREFinDO.tsv and DO_NCIthesaurus_subset.obo, CC0 1.0)\n"
    "# and the OncoTree 2025-10-03 codes; see the script and annotation/snapshots/PROVENANCE.md.\n"
    "# Terms outside the cancer slim that OncoTree or ICD-O codes reach, with their is_a\n"
    "# ancestors up to the slim. Columns: doid, name, parents, xrefs (space-separated lists).\n"
)


def _obo_terms(path: Path) -> dict[str, dict[str, list[str]]]:
    terms: dict[str, dict[str, list[str]]] = {}
    stanza: dict[str, list[str]] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            stanza = {} if line.strip() == "[Term]" else None
            continue
        if stanza is None or ": " not in line:
            continue
        tag, value = line.split(": ", 1)
        stanza.setdefault(tag, []).append(value.strip())
        if tag == "id":
            terms[value.strip()] = stanza
    return terms


def _oncotree_codes(path: Path) -> set[str]:
    """NCI:… and UMLS_CUI:… values of every OncoTree node."""
    codes: set[str] = set()
    stack = [json.loads(path.read_text(encoding="utf-8"))["TISSUE"]]
    while stack:
        node = stack.pop()
        refs = node.get("externalReferences") or {}
        codes |= {f"NCI:{c}" for c in refs.get("NCI", [])}
        codes |= {f"UMLS_CUI:{c}" for c in refs.get("UMLS", [])}
        stack.extend((node.get("children") or {}).values())
    return codes


def derive(kb: Path) -> str:
    slim = _obo_terms(kb / "ontology" / "DO_cancer_slim.obo")
    ncit = _obo_terms(kb / "ontology" / "DO_NCIthesaurus_subset.obo")
    wanted = _oncotree_codes(kb / "oncotree" / "oncotree_2025_10_03.json")
    names: dict[str, str] = {}
    xrefs: dict[str, set[str]] = {}
    with open(kb / "ontology" / "DO_allXREFinDO.tsv", encoding="utf-8", newline="") as table:
        for row in csv.DictReader(table, delimiter="\t"):
            doid, xref = row["id"].strip('"'), row["xref"].strip('"')
            names[doid] = row["label"].strip('"')
            if xref.startswith(KEPT_PREFIXES):
                xrefs.setdefault(doid, set()).add(xref)
    seeds = {
        doid for doid, refs in xrefs.items()
        if doid not in slim and (refs & wanted or any(r.startswith("ICDO:") for r in refs))
        and not names.get(doid, "").startswith("obsolete ")
    }
    keep: set[str] = set()
    stack = sorted(seeds)
    while stack:
        doid = stack.pop()
        if doid in keep or doid in slim:
            continue
        keep.add(doid)
        stack.extend(p.split()[0] for p in ncit.get(doid, {}).get("is_a", []))
    lines = [HEADER, "doid\tname\tparents\txrefs\n"]
    for doid in sorted(keep):
        parents = " ".join(p.split()[0] for p in ncit.get(doid, {}).get("is_a", []))
        name = names.get(doid) or ncit.get(doid, {}).get("name", [""])[0]
        lines.append(f"{doid}\t{name}\t{parents}\t{' '.join(sorted(xrefs.get(doid, ())))}\n")
    return "".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])  # the usage line
    sys.stdout.write(derive(Path(sys.argv[1])))
