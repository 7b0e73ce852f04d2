"""Bad input through the columnar path: the same error (file, line, problem) as the per-record
path, after the same rows — never a hidden error, never another exception.

The broken files are real files with one field changed (the cases of test_bad_input.py), cut
compressed files, and hypothesis-damaged text of real and synthetic files: each is written
through both paths and the two results must be identical.
"""

from __future__ import annotations

import gzip
import io
import os
import tempfile
from pathlib import Path

import pysam
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import synthetic_vcf
from mtb.errors import InputError
from mtb.ingest import chunks
from mtb.ingest.columnar import ColumnarReader
from mtb.ingest.export import write_findings
from tests.conftest import SHARED, needs_shared

pytestmark = needs_shared


def _run(path: Path, **options) -> tuple[str, str]:
    out = io.StringIO()
    try:
        summary = write_findings(path, out, **options)
    except InputError as error:
        assert error.path == str(path)
        return out.getvalue(), f"error: {error}"
    return out.getvalue(), summary.text()


def _both(path: Path, **options) -> tuple[str, str]:
    """The per-record result, after checking that the columnar path gives the same."""
    expected = _run(path, engine="records", **options)
    original = ColumnarReader.__init__
    for parallel in (True, False):

        def init(self, *args, _parallel=parallel, **kwargs):  # type: ignore[no-untyped-def]
            kwargs["parallel"] = _parallel
            original(self, *args, **kwargs)

        ColumnarReader.__init__ = init  # type: ignore[method-assign]
        try:
            got = _run(path, **options)
        finally:
            ColumnarReader.__init__ = original  # type: ignore[method-assign]
        assert got[1] == expected[1]
        assert got[0] == expected[0]
    return expected


def _text(path: Path) -> bytes:
    with pysam.BGZFile(str(path), "rb") as handle:
        return handle.read()


def _mutated(tmp_path: Path, source: bytes, record: int, column: int, value: bytes) -> Path:
    lines = source.split(b"\n")
    index = next(i for i, line in enumerate(lines) if line and not line.startswith(b"#"))
    fields = lines[index + record].split(b"\t")
    fields[column] = value
    lines[index + record] = b"\t".join(fields)
    out = tmp_path / "broken.vcf"
    out.write_bytes(b"\n".join(lines))
    return out


@pytest.fixture(scope="module")
def mutect2_text(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("m2")
    return _text(synthetic_vcf.write(folder / "m2.vcf.gz", 400, seed=5))


CASES = [
    (1, b"abc"), (1, b""), (1, b"-5"), (0, b""), (3, b"A1"), (3, b""), (5, b"qq"),
    (4, b"Z"), (4, b"A/T"), (9, b"0/1:.:x:59"), (9, b"0/1:10,2:0.1:12:3:4:5:6:7:8"),
    (10, b"0/1:10,2:0.1x:12:1,1:1,1:10,2:5,5,1,1"), (10, b"x/1:10,2:0.1:12:1,1:1,1:10,2:5,5,1,1"),
    (10, b"0/1:10,2.5:0.1:12:1,1:1,1:10,2:5,5,1,1"), (10, b"0/1:10,2:0.1:1 2:1,1:1,1:10,2:5,5,1,1"),
    (10, b"0/1:10,,2:0.1:12:1,1:1,1:10,2:5,5,1,1"), (10, b"0/1"), (8, b"GT:AD:AF:QQ"),
    (6, b"PASS;"), (6, b""), (2, b""), (7, b"DP=1\xff"),
    # names htslib cannot declare on the fly (found by fuzzing): errors in both paths
    (6, b"q,10"), (6, b"q<1"), (7, b"DP=1;K,1=3"), (7, b"AS_SB_TABLE;29,22|7,10"), (7, b""),
    (8, b"\xffT:AD:AF:DP:F1R2:F2R1:FAD:SB"),
]


@pytest.mark.parametrize("record", [0, 7, 399])
@pytest.mark.parametrize(("column", "value"), CASES)
def test_one_bad_field_same_error_after_same_rows(mutect2_text, tmp_path, record, column,
                                                  value) -> None:
    _both(_mutated(tmp_path, mutect2_text, record, column, value))


def test_bad_field_in_a_later_chunk(mutect2_text, tmp_path, monkeypatch) -> None:
    """A malformed record deep in the file: the rows of every chunk before it come out."""
    monkeypatch.setattr(chunks, "CHUNK", 4096)
    out, error = _both(_mutated(tmp_path, mutect2_text, 350, 10, b"0/1:10,2:0.1x:12"))
    assert error.startswith("error: ") and "line" in error
    assert out.count("\n") > 300


@pytest.mark.parametrize("keep", [3000, 60_000, 1_000_000])
def test_truncated_gzip_same_error(tmp_path, keep) -> None:
    data = (SHARED / "vcf/pvactools/HCC1395.annotated.expression.vcf.gz").read_bytes()  # type: ignore[operator]
    path = tmp_path / "truncated.vcf.gz"
    path.write_bytes(data[:keep])
    _both(path)
    cut = tmp_path / "cut-mutect2.vcf.gz"
    text = _text(SHARED / "vcf/somaticseq/MuTect2.vcf.gz")  # type: ignore[operator]
    cut.write_bytes(gzip.compress(text * 40)[: keep // 10])
    _both(cut)


BASES = ["vcf2maf/test_varscan.vcf", "vcf2maf/test_mutect.vcf", "somaticseq/MuTect2.vcf.gz",
         "vcf2maf/test_b38.vcf", "somaticseq/MuSE.vcf.gz"]
TEXTS = {name: _text(SHARED / "vcf" / name) for name in BASES} if SHARED else {}
EXAMPLES = int(os.environ.get("MTB_FUZZ_EXAMPLES", "60"))
ALPHABET = st.sampled_from([*b"\t\n:;,.=%ACGTN0123456789-+eE<>[]*#xZ ", 0, 0xFF])


@st.composite
def damaged(draw) -> bytes:
    data = bytearray(TEXTS[draw(st.sampled_from(BASES))])
    for _ in range(draw(st.integers(1, 4))):
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
            del data[max(at, 1):]
        else:
            start = data.find(b"\t", at)
            end = data.find(b"\t", start + 1)
            if 0 <= start < end:
                del data[start + 1 : end]
        if not data:
            data.extend(b"#")
    return bytes(data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(), st.sampled_from([1 << 22, 1024]))
def test_damaged_text_same_through_both_paths(data, chunk) -> None:
    original = chunks.CHUNK
    chunks.CHUNK = chunk
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "damaged.vcf"
            path.write_bytes(data)
            _both(path)
            _both(path, pass_only=True, fmt="json")
    finally:
        chunks.CHUNK = original


@pytest.mark.parametrize("chunk", [1 << 22, 4096])
@pytest.mark.parametrize("at", [0.3, 0.6, 0.95])
def test_corrupt_compressed_bytes_same_error(mutect2_text, tmp_path, monkeypatch, chunk,
                                             at) -> None:
    """A flipped byte inside the deflate stream: ISA-L's failure is reported as zlib's, after
    the same rows as the per-record path (both read the text in chunks of the same size)."""
    from mtb.ingest.lines import LineCheck

    monkeypatch.setattr(chunks, "CHUNK", chunk)
    monkeypatch.setattr(LineCheck, "_CHUNK", chunk)
    data = bytearray(gzip.compress(mutect2_text * 3))
    data[int(len(data) * at)] ^= 0x55
    path = tmp_path / "corrupt.vcf.gz"
    path.write_bytes(bytes(data))
    _both(path)
