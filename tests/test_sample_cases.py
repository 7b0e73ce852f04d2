"""The bundled sample cases are intact copies of their sources and open in the catalogue."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from mtb.catalog import list_cases
from mtb.ingest import read_vcf
from mtb.resources import sample_cases_dir

REPO = Path(__file__).resolve().parents[1]


def test_checksums_match_provenance() -> None:
    text = (REPO / "sample_cases/PROVENANCE.md").read_text()
    row = r"^\| ([\w-]+) \| (\S+)(?: \(\+ \.tbi\))? \|.*\| ([0-9a-f]{64}) \|$"
    rows = re.findall(row, text, re.M)
    assert len(rows) == 26  # 3 VCFs (one copied into the MII case), 2 bundles, 20 MII resources
    for case, name, digest in rows:
        data = (REPO / "sample_cases" / case / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest


def test_every_shipped_file_is_listed() -> None:
    """Nothing ships without provenance: every data file is in the table or is synthetic."""
    text = (REPO / "sample_cases/PROVENANCE.md").read_text()
    for path in (REPO / "sample_cases").rglob("*"):
        relative = path.relative_to(REPO / "sample_cases")
        if path.is_dir() or relative.parts[0] == "LICENSES" or path.name in (
            "case.toml", "PROVENANCE.md"
        ) or path.suffix == ".tbi":
            continue
        listed = f"| {relative.parts[0]} | {'/'.join(relative.parts[1:])}" in text
        assert listed or ".synthetic." in path.name, relative


def test_catalogue_lists_the_cases_and_their_vcfs_read() -> None:
    cases = list_cases(sample_cases_dir())
    assert [case.id for case in cases] == [
        "hcc1395-breast", "mii-kim-musterperson-ovary", "synthetic-egfr-lung",
        "tcga-a2-a04w-breast", "tcga-a6-2686-colon",
    ]
    assert [case.id for case in cases if case.synthetic] == ["synthetic-egfr-lung"]
    for case in cases:
        # a case that is not wholly real says which parts are not
        assert case.synthetic_parts or case.id == "hcc1395-breast"
        for file in case.files:
            if file.kind == "vcf":
                assert read_vcf(file.path).variants
