"""Hypothesis-mutated real VCFs yield rows or InputError — never another exception.

Mutations are the damage real files suffer: a character changed, inserted or deleted, a field
emptied, a tab lost or doubled, a line duplicated or cut, compressed bytes flipped or truncated.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

import pysam
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtb.errors import InputError
from mtb.ingest import read_vcf
from tests.conftest import SHARED, needs_shared

pytestmark = needs_shared

BASES = [
    "vcf2maf/test_varscan.vcf",
    "vcf2maf/test_strelka.vcf",
    "vcf2maf/test_delly.vcf",
    "somaticseq/MuTect2.vcf.gz",
    "somaticseq/LoFreq.snv.vcf.gz",
    "pcgr/T001-BRCA.grch37.vcf.gz",
]


def _text(name: str) -> bytes:
    with pysam.BGZFile(str(SHARED / "vcf" / name), "rb") as handle:  # type: ignore[operator]
        return handle.read()


# MTB_FUZZ_EXAMPLES=40000 for a long run; 120k random mutations passed before the first release.
EXAMPLES = int(os.environ.get("MTB_FUZZ_EXAMPLES", "150"))
TEXTS = {name: _text(name) for name in BASES} if SHARED else {}
ALPHABET = st.sampled_from([*b"\t\n:;,.=%ACGTN0123456789-+eE<>[]*#xZ ", 0, 0xFF])


@st.composite
def damaged(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(BASES))
    data = bytearray(TEXTS[name])
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        kind = draw(st.sampled_from(["replace", "insert", "delete", "dupline", "cut", "blank"]))
        at = draw(st.integers(0, len(data) - 1))
        if kind == "replace":
            data[at] = draw(ALPHABET)
        elif kind == "insert":
            data[at:at] = bytes([draw(ALPHABET)])
        elif kind == "delete":
            del data[at]
        elif kind == "dupline":
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end + 1
            data[end:end] = data[start:end]
        elif kind == "cut":
            del data[at:]
            if not data:
                data.extend(b"#")
        elif kind == "blank":  # empty one field between two tabs
            start = data.find(b"\t", at)
            end = data.find(b"\t", start + 1)
            if 0 <= start < end:
                del data[start + 1 : end]
    return name, bytes(data)


def _read(path: Path) -> None:
    try:
        callset = read_vcf(path)
    except InputError as error:
        assert error.path == str(path)
        assert error.problem
        return
    for variant in callset.variants:
        assert variant.pos >= 1
        assert variant.ref and variant.alt
        for vaf in (variant.tumor_vaf, variant.normal_vaf):
            assert vaf is None or vaf == vaf  # never NaN


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_text(case) -> None:
    _name, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.vcf"
        path.write_bytes(data)
        _read(path)


@settings(max_examples=EXAMPLES // 2, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(BASES), st.data())
def test_damaged_compressed_bytes(name, data) -> None:
    raw = bytearray(gzip.compress(TEXTS[name]))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw) - 1))
        if data.draw(st.booleans()):
            raw[at] ^= data.draw(st.integers(1, 255))
        else:
            del raw[at:]
            break
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.vcf.gz"
        path.write_bytes(bytes(raw or b"\x1f"))
        _read(path)


@pytest.mark.parametrize("name", BASES)
def test_undamaged_bases_read(name) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.vcf"
        path.write_bytes(TEXTS[name])
        assert read_vcf(path).counts.records > 0
