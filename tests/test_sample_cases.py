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
    assert len(rows) == 3
    for case, name, digest in rows:
        data = (REPO / "sample_cases" / case / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest


def test_catalogue_lists_the_cases_and_their_vcfs_read() -> None:
    cases = list_cases(sample_cases_dir())
    assert [case.id for case in cases] == [
        "hcc1395-breast", "tcga-a2-a04w-breast", "tcga-a6-2686-colon"
    ]
    assert not any(case.synthetic for case in cases)
    for case in cases:
        for file in case.files:
            assert read_vcf(file.path).variants
