"""Bad input: InputError naming the file, the line when known, and the problem — never another
exception, never a silently wrong value. Each broken file is made from a real one."""

from __future__ import annotations

import gzip
from pathlib import Path

import pysam
import pytest
from pysam import bcftools

from mtb.errors import InputError
from mtb.ingest import read_vcf
from tests.conftest import needs_shared

pytestmark = needs_shared


def _lines(path: Path) -> list[str]:
    with pysam.BGZFile(str(path), "rb") as handle:
        return handle.read().decode().splitlines(keepends=True)


def _first_record(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if not line.startswith("#"))


def _mutate(vcf_dir: Path, tmp_path: Path, column: int, value: str) -> tuple[Path, int]:
    """test_varscan.vcf with one field of its first record replaced; returns (file, line no)."""
    lines = _lines(vcf_dir / "vcf2maf/test_varscan.vcf")
    index = _first_record(lines)
    fields = lines[index].rstrip("\n").split("\t")
    fields[column] = value
    lines[index] = "\t".join(fields) + "\n"
    out = tmp_path / "varscan.vcf"
    out.write_text("".join(lines))
    return out, index + 1


def _error(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        read_vcf(path, **kwargs)
    assert caught.value.path == str(path)
    return caught.value


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        (1, "abc", "POS is not a positive integer"),
        (1, "", "POS is not a positive integer"),
        (1, "-5", "POS is not a positive integer"),
        # found by tests/ingest/test_fuzz.py: htslib wrapped it to a negative position
        (1, "2401514006", "POS is beyond 2,147,483,647, the largest position htslib reads"),
        (0, "", "CHROM is empty"),
        (3, "A1", "REF is empty or holds characters other than A, C, G, T, N"),
        (3, "", "REF is empty or holds characters other than A, C, G, T, N"),
        (5, "qq", "QUAL is neither a number nor '.'"),
        (9, "0/1:.:x:59:56:48.7%:31,28,33,23", "FORMAT/DP in sample column 1 is not an integer"),
    ],
)
def test_malformed_record_names_line_and_problem(vcf_dir, tmp_path, column, value, problem) -> None:
    path, line = _mutate(vcf_dir, tmp_path, column, value)
    error = _error(path)
    assert error.line == line
    assert error.problem == problem
    assert str(error) == f"{path}, line {line}: {problem}"


def test_missing_columns(vcf_dir, tmp_path) -> None:
    lines = _lines(vcf_dir / "vcf2maf/test_varscan.vcf")
    index = _first_record(lines) + 3
    lines[index] = "\t".join(lines[index].split("\t")[:5]) + "\n"
    path = tmp_path / "short.vcf"
    path.write_text("".join(lines))
    error = _error(path)
    assert (error.line, error.problem) == (index + 1, "has 5 tab-separated columns, expected 11")


def test_invalid_alt_skips_only_that_record(vcf_dir, tmp_path) -> None:
    path, line = _mutate(vcf_dir, tmp_path, 4, "Z")
    callset = read_vcf(path)
    assert callset.counts.skipped_lines == [line, 110]
    assert len(callset.variants) == 498
    assert any(f"line {line}, 110" in warning for warning in callset.info.warnings)


def test_not_a_vcf(tmp_path) -> None:
    path = tmp_path / "notes.vcf"
    path.write_text("hello world\nthis is not a vcf\n")
    assert _error(path).problem == "not a VCF file: the first line must be ##fileformat=VCFv4.x"


def test_records_without_header(vcf_dir, tmp_path) -> None:
    lines = _lines(vcf_dir / "vcf2maf/test_varscan.vcf")
    path = tmp_path / "noheader.vcf"
    path.write_text("".join(line for line in lines if not line.startswith("#")))
    error = _error(path)
    assert (error.line, error.problem) == (
        1, "no VCF header: the file starts with data, not ##fileformat=VCFv4.x"
    )


def test_header_without_fileformat(vcf_dir, tmp_path) -> None:
    lines = _lines(vcf_dir / "vcf2maf/test_varscan.vcf")
    path = tmp_path / "nofileformat.vcf"
    path.write_text("".join(line for line in lines if not line.startswith("##")))
    assert _error(path).problem == "VCF header is missing its ##fileformat=VCFv4.x line"


@pytest.mark.parametrize("keep", [3000, 1_000_000])
def test_truncated_gzip(vcf_dir, tmp_path, keep) -> None:
    """Cut inside the header (3 kB) and inside the records (1 MB) of the 2 MB HCC1395 file."""
    data = (vcf_dir / "pvactools/HCC1395.annotated.expression.vcf.gz").read_bytes()
    path = tmp_path / "truncated.vcf.gz"
    path.write_bytes(data[:keep])
    error = _error(path)
    assert "truncated or corrupt" in error.problem


def test_empty_and_missing_files(tmp_path) -> None:
    empty = tmp_path / "empty.vcf"
    empty.write_text("")
    assert _error(empty).problem == "file is empty"
    missing = tmp_path / "missing.vcf"
    assert _error(missing).problem == "file not found"
    assert _error(tmp_path).problem == "is a directory, not a VCF file"


def test_unknown_tumor_name_lists_samples(vcf_dir) -> None:
    path = vcf_dir / "vcf2maf/test_varscan.vcf"
    error = _error(path, tumor="PATIENT_7")
    assert error.problem == (
        "no sample named 'PATIENT_7' for --tumor; samples in the file: NORMAL, TUMOR"
    )


def test_quirks_of_real_files_are_not_errors(vcf_dir, tmp_path) -> None:
    """Undeclared tags (test_strelka), wrong Number= (VarScan AD), no ##contig lines, zero
    records (LoFreq.indel), plain gzip instead of BGZF."""
    assert len(read_vcf(vcf_dir / "vcf2maf/test_strelka.vcf").variants) == 240
    assert read_vcf(vcf_dir / "somaticseq/LoFreq.indel.vcf.gz").variants == []
    plain = tmp_path / "plain.vcf.gz"
    with pysam.BGZFile(str(vcf_dir / "somaticseq/MuTect2.vcf.gz"), "rb") as handle:
        plain.write_bytes(gzip.compress(handle.read()))
    assert len(read_vcf(plain).variants) == 121


def test_bcf_reads_like_vcf(vcf_dir, tmp_path) -> None:
    bcf = tmp_path / "mutect2.bcf"
    bcftools.view("-O", "b", "-o", str(bcf), str(vcf_dir / "somaticseq/MuTect2.vcf.gz"),
                        catch_stdout=False)
    from_bcf = read_vcf(bcf)
    from_vcf = read_vcf(vcf_dir / "somaticseq/MuTect2.vcf.gz")
    assert [(v.pos, v.alt, v.tumor_vaf) for v in from_bcf.variants] == [
        (v.pos, v.alt, v.tumor_vaf) for v in from_vcf.variants
    ]
    assert all(v.line is None for v in from_bcf.variants)  # BCF has no text lines


def test_repeated_column_header_line(vcf_dir, tmp_path) -> None:
    """Regression (found by fuzzing): htslib parsed a second #CHROM line as a record and
    cyvcf2 crashed on it; it is now a broken record with its line number."""
    lines = _lines(vcf_dir / "vcf2maf/test_varscan.vcf")
    index = _first_record(lines)
    lines.insert(index, lines[index - 1])
    path = tmp_path / "twice.vcf"
    path.write_text("".join(lines))
    error = _error(path)
    assert (error.line, error.problem) == (index + 1, "header line among the records")


def test_bad_value_on_first_record_of_undeclared_contig(vcf_dir, tmp_path) -> None:
    """Regression (found by fuzzing): without ##contig lines, cyvcf2 returned a half-parsed
    record when the first record of a contig was malformed, and crashed reading it. Contigs are
    now declared before their records are parsed. Line 197 of test_varscan.vcf is the first
    record on chromosome 6; an unparseable INFO value there no longer crashes the reader, and
    its FORMAT evidence is read as before."""
    lines = _lines(vcf_dir / "vcf2maf/test_varscan.vcf")
    assert lines[196].startswith("6\t4979405\t") and lines[195].startswith("5\t")
    lines[196] = lines[196].replace("GPV=2.3594E-19", "GPV=2.35E2E-19")
    path = tmp_path / "info.vcf"
    path.write_text("".join(lines))
    callset = read_vcf(path)
    variant = next(v for v in callset.variants if v.line == 197)
    # 0/1:.:38:13:25:65.79%:...  0/1:.:46:23:23:50%:...  (NORMAL, TUMOR)
    assert (variant.tumor_vaf, variant.tumor_alt, variant.tumor_depth) == (0.5, 23, 46)
