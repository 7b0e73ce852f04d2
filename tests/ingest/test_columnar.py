"""The columnar path gives byte for byte what the per-record path gives, on every VCF/BCF here.

Every file of ../shared/data/vcf, the sample cases, the CIViC snapshot, tests/data/vcf and
synthetic Mutect2 files written here (text, BCF, plain gzip) is written through
`write_findings` with the per-record reader and with the columnar reader (checks in a second
process and in-process, large and tiny chunks), as TSV and JSON, with and without --pass-only;
rows, summary and errors must be identical. The per-record path is compared with the CLI.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pysam
import pytest
from pysam import bcftools

from bench import synthetic_vcf
from mtb import cli
from mtb.errors import InputError
from mtb.ingest import chunks
from mtb.ingest.columnar import ColumnarReader, ColumnBatch, RecordBatch, finding_batches
from mtb.ingest.export import write_findings
from mtb.ingest.vcf import VcfReader
from tests.conftest import REPO, SHARED

DATA = REPO / "tests" / "data" / "vcf"


def _files() -> list[Path]:
    found = sorted(DATA.glob("*.vcf*"))
    found += sorted(path for path in (REPO / "sample_cases").glob("*/*.vcf*")
                    if not path.name.endswith(".tbi"))
    found += sorted((REPO / "annotation" / "snapshots" / "civic").glob("*/*.vcf"))
    if SHARED is not None:
        found += sorted(path for path in (SHARED / "vcf").glob("*/*")
                        if path.name.endswith((".vcf", ".vcf.gz")))
    return found


FILES = _files()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> dict[str, Path]:
    """A synthetic Mutect2 file as BGZF, plain gzip and BCF."""
    folder = tmp_path_factory.mktemp("synthetic")
    bgzf = synthetic_vcf.write(folder / "mutect2.synthetic.vcf.gz", 3000, seed=3)
    plain = folder / "mutect2.plain-gzip.vcf.gz"
    with pysam.BGZFile(str(bgzf), "rb") as handle:
        plain.write_bytes(gzip.compress(handle.read()))
    bcf = folder / "mutect2.synthetic.bcf"
    bcftools.view("-O", "b", "-o", str(bcf), str(bgzf), catch_stdout=False)
    return {"bgzf": bgzf, "plain": plain, "bcf": bcf}


def _run(path: Path, **options) -> tuple[str, str]:
    out = io.StringIO()
    try:
        summary = write_findings(path, out, **options)
    except InputError as error:
        return out.getvalue(), f"error: {error}"
    return out.getvalue(), summary.text()


def _same(path: Path, **options) -> None:
    expected = _run(path, engine="records", **options)
    assert expected[1].startswith(("file:", "error:"))
    for parallel in (True, False):
        got = _run_columnar(path, parallel, **options)
        assert got[1] == expected[1]
        assert got[0] == expected[0]


def _run_columnar(path: Path, parallel: bool, **options) -> tuple[str, str]:
    original = ColumnarReader.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["parallel"] = parallel
        original(self, *args, **kwargs)

    ColumnarReader.__init__ = init  # type: ignore[method-assign]
    try:
        return _run(path, **options)
    finally:
        ColumnarReader.__init__ = original  # type: ignore[method-assign]


def test_files_are_found() -> None:
    names = {path.name for path in FILES}
    assert "edge_cases.synthetic.vcf" in names
    assert len(FILES) >= (24 if SHARED else 6)


@pytest.mark.parametrize("fmt", ["tsv", "json"])
@pytest.mark.parametrize("pass_only", [False, True])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_file_same_through_both_paths(path, fmt, pass_only) -> None:
    _same(path, fmt=fmt, pass_only=pass_only)


@pytest.mark.parametrize("kind", ["bgzf", "plain", "bcf"])
@pytest.mark.parametrize("fmt", ["tsv", "json"])
def test_synthetic_mutect2_same_through_both_paths(synthetic, kind, fmt) -> None:
    _same(synthetic[kind], fmt=fmt)
    _same(synthetic[kind], fmt=fmt, pass_only=True)


@pytest.mark.parametrize("path", FILES[:1] + [p for p in FILES if "varscan" in p.name
                                              or "MuTect2" in p.name or "strelka" in p.name],
                         ids=lambda p: p.name)
def test_tiny_chunks_cut_records_anywhere(path, monkeypatch) -> None:
    """Chunks of 2 kB: every chunk boundary, sound run and per-record part meet."""
    monkeypatch.setattr(chunks, "CHUNK", 2048)
    _same(path)
    _same(path, fmt="json", pass_only=True)


def test_per_record_path_is_the_cli(capsys) -> None:
    """write_findings(engine='records') writes what `mtb ingest` writes today."""
    for path in FILES:
        for argv in ([], ["--format", "json"], ["--pass-only"]):
            code = cli.main(["ingest", str(path), *argv])
            printed = capsys.readouterr()
            fmt = "json" if "json" in argv else "tsv"
            out, summary = _run(path, engine="records", fmt=fmt, pass_only="--pass-only" in argv)
            assert printed.out == out, path
            if code == 0:
                assert printed.err == summary, path
            else:
                assert printed.err == f"mtb: {summary}\n", path


def test_mutect2_is_read_in_columns(synthetic) -> None:
    with ColumnarReader(synthetic["bgzf"]) as reader:
        batches = list(reader.batches())
    assert reader.columnar
    assert batches and all(isinstance(batch, ColumnBatch) for batch in batches)
    assert reader.counts.records == 3000
    assert reader.counts.skipped_alleles > 0  # '*' alleles of multi-allelic sites


def test_files_the_columnar_path_leaves_whole(synthetic) -> None:
    """BCF, sites-only and annotated files are read per record, decided from the header."""
    with ColumnarReader(synthetic["bcf"]) as reader:
        assert reader.fallback_reason == "BCF"
    if SHARED is not None:
        vcf = SHARED / "vcf"
        with ColumnarReader(vcf / "somaticseq/LoFreq.snv.vcf.gz") as reader:
            assert reader.fallback_reason == "sites-only"
        with ColumnarReader(vcf / "pvactools/HCC1395.annotated.expression.vcf.gz") as reader:
            assert reader.fallback_reason == "VEP annotation"


def test_doubtful_lines_go_per_record_inside_a_file() -> None:
    """The edge-case file: a symbolic ALT, an undeclared FORMAT key, a negative AD and 'nan'
    are read by the per-record reader, the plain lines before and after them in columns."""
    with ColumnarReader(DATA / "edge_cases.synthetic.vcf") as reader:
        kinds = [type(batch) for batch in reader.batches()]
    assert kinds == [ColumnBatch, RecordBatch, ColumnBatch]


def test_batches_are_the_per_record_findings(synthetic) -> None:
    """finding_batches yields the very objects VcfReader yields, in lists."""
    for path in (synthetic["bgzf"], DATA / "edge_cases.synthetic.vcf"):
        with VcfReader(path) as reader:
            expected = list(reader)
        batches = list(finding_batches(path))
        assert all(isinstance(batch, list) for batch in batches)
        assert [finding for batch in batches for finding in batch] == expected


def test_progress_bar_on_a_terminal(synthetic, monkeypatch) -> None:
    from mtb.ingest import export

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(export, "PROGRESS_MIN_BYTES", 1)
    monkeypatch.setattr(chunks, "CHUNK", 1 << 16)
    monkeypatch.setattr(export.ProgressBar, "__call__", _always_draw(export.ProgressBar.__call__))
    err = Terminal()
    write_findings(synthetic["bgzf"], io.StringIO(), progress_to=err)
    shown = err.getvalue()
    assert "records" in shown and "MB/s" in shown and "reading mutect2.synthetic.vcf.gz" in shown
    quiet = io.StringIO()  # not a terminal: nothing
    write_findings(synthetic["bgzf"], io.StringIO(), progress_to=quiet)
    assert quiet.getvalue() == ""


def _always_draw(call):  # type: ignore[no-untyped-def]
    def draw(self, records: int, consumed: int) -> None:
        self.drawn = 0.0
        call(self, records, consumed)

    return draw


def test_an_odd_line_goes_per_record_alone(synthetic, tmp_path) -> None:
    """One doubtful line in the middle of a long file: only it (and lines up to the next long
    plain run) goes to the per-record reader; the rest stays columnar, same rows."""
    with pysam.BGZFile(str(synthetic["bgzf"]), "rb") as handle:
        lines = handle.read().split(b"\n")
    middle = next(i for i, line in enumerate(lines) if line.startswith(b"chr2\t"))
    fields = lines[middle].split(b"\t")
    fields[10] = b"0/1:12,-3:0.2:15:1,1:1,1:12,3:6,6,1,2"  # a negative count: doubtful
    lines[middle] = b"\t".join(fields)
    path = tmp_path / "odd.vcf"
    path.write_bytes(b"\n".join(lines))
    with ColumnarReader(path) as reader:
        kinds = [type(batch).__name__ for batch in reader.batches()]
    assert kinds == ["ColumnBatch", "RecordBatch", "ColumnBatch"]
    _same(path)
    _same(path, fmt="json")


@pytest.mark.skipif(SHARED is None, reason="shared data not found")
@pytest.mark.parametrize("name", ["pcgr/T001-BRCA.grch38.cna.tsv",
                                  "pcgr/T001-BRCA.grch38.fusions.tsv"])
@pytest.mark.parametrize("argv", [[], ["--format", "json"], ["--pass-only"]])
def test_tables_are_written_as_the_cli_writes_them(capsys, name, argv) -> None:
    """write_findings is all of `mtb ingest`: segment and fusion tables too."""
    path = SHARED / "vcf" / name  # type: ignore[operator]
    assert cli.main(["ingest", str(path), *argv]) == 0
    printed = capsys.readouterr()
    out, summary = _run(path, fmt="json" if "json" in argv else "tsv",
                        pass_only="--pass-only" in argv)
    assert (printed.out, printed.err) == (out, summary)
