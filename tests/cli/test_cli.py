"""The `mtb` command as users run it: the installed console script, in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mtb.rows import INGEST_COLUMNS
from tests.conftest import needs_shared

MTB = shutil.which("mtb") or str(Path(sys.executable).parent / "mtb")
CONTRACT = [
    "chrom", "pos", "ref", "alt", "filter", "variant_type", "gene", "hgvsc", "hgvsp",
    "consequence", "tumor_vaf", "tumor_alt", "tumor_depth", "normal_vaf", "normal_depth",
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MTB, *args], capture_output=True, text=True, timeout=120)


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("ingest", "serve"):
        assert command in result.stdout


def test_columns_keep_the_public_order() -> None:
    assert list(INGEST_COLUMNS[: len(CONTRACT)]) == CONTRACT


@needs_shared
def test_ingest_hcc1395_tsv(vcf_dir) -> None:
    """The issue's acceptance command: gene and short HGVSp for the coding variants."""
    result = run("ingest", str(vcf_dir / "pvactools/HCC1395.annotated.expression.vcf.gz"),
                 "--format", "tsv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter="\t"))
    assert len(rows) == 1470
    assert list(rows[0])[: len(CONTRACT)] == CONTRACT
    brca2 = next(r for r in rows if r["pos"] == "32339132")
    assert (brca2["gene"], brca2["hgvsp"], brca2["hgvsc"], brca2["tumor_vaf"]) == (
        "BRCA2", "p.E1593*", "c.4777G>T", "0.4259"
    )
    coding = [r for r in rows if "missense_variant" in r["consequence"]]
    assert coding and all(r["gene"] and r["hgvsp"].startswith("p.") for r in coding)
    assert "genome build: GRCh38" in result.stderr
    assert "tumor sample: HCC1395_TUMOR_DNA" in result.stderr
    assert "rows: 1470 (deletion 101, insertion 42, mnv 21, snv 1306)" in result.stderr
    assert "filter: PASS 1264" in result.stderr


@needs_shared
def test_ingest_json_and_pass_only(vcf_dir) -> None:
    result = run("ingest", str(vcf_dir / "vcf2maf/test_mutect.vcf"), "--format", "json",
                 "--pass-only")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 5  # 495 of the 500 MuTect1 calls are REJECT
    assert {row["filter"] for row in rows} == {"PASS"}
    assert "--pass-only dropped 495 records" in result.stderr


@needs_shared
def test_ingest_tables(vcf_dir) -> None:
    result = run("ingest", str(vcf_dir / "pcgr/T001-BRCA.grch38.fusions.tsv"))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter="\t"))
    assert [r["gene"] for r in rows][:2] == ["NTRK1::TPM3", "EML4::ALK"]
    assert {r["variant_type"] for r in rows} == {"fusion"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("hello\n", "not a VCF file: the first line must be ##fileformat=VCFv4.x"),
        ("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\tx\t.\tA\tG\t.\t.\t.\n",
         "line 3: POS is not a positive integer"),
    ],
)
def test_bad_input_exit_2_one_line_no_traceback(tmp_path, content, message) -> None:
    path = tmp_path / "bad.vcf"
    path.write_text(content)
    result = run("ingest", str(path))
    assert result.returncode == 2
    assert result.stdout == "" or result.stdout.startswith("chrom\t")
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"mtb: error: {path}")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@needs_shared
def test_unknown_tumor_exit_2(vcf_dir) -> None:
    result = run("ingest", str(vcf_dir / "vcf2maf/test_varscan.vcf"), "--tumor", "X")
    assert result.returncode == 2
    assert "no sample named 'X' for --tumor" in result.stderr


def test_unknown_build_is_a_usage_error(tmp_path) -> None:
    result = run("ingest", str(tmp_path / "x.vcf"), "--build", "hg17")
    assert result.returncode == 2
    assert "unknown genome build" in result.stderr


def test_user_commands(tmp_path, monkeypatch, capsys) -> None:
    """`mtb user add|role|disable|enable` on the embedded default store (SQLite in the data
    dir, created on first use)."""
    from mtb.cli import main
    from mtb.store import Store

    monkeypatch.setenv("MTB_DATA_DIR", str(tmp_path / "data"))
    assert main(["user", "add", "bea", "--role", "curator", "--password", "ten-chars-ok"]) == 0
    assert main(["user", "role", "bea", "chair"]) == 0
    assert main(["user", "disable", "bea"]) == 0
    out = capsys.readouterr().out
    assert "user bea added (curator)" in out and "is now chair" in out and "disabled" in out
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'mtb.sqlite'}")
    assert store.authenticate("bea", "ten-chars-ok") is None  # disabled
    assert main(["user", "enable", "bea"]) == 0
    assert store.authenticate("bea", "ten-chars-ok").role == "chair"
    assert main(["user", "add", "bea", "--role", "viewer", "--password", "ten-chars-ok"]) == 2
    assert "exists already" in capsys.readouterr().err


def test_python_dash_m_mtb_is_the_command() -> None:
    module = subprocess.run([sys.executable, "-m", "mtb", "--help"], capture_output=True,
                            text=True, timeout=120)
    assert module.returncode == 0 and module.stdout == run("--help").stdout
    assert module.stdout.startswith("usage: mtb ")


def test_every_command_has_a_module_with_parser_and_run() -> None:
    from mtb.cli import COMMANDS

    assert list(COMMANDS) == ["ingest", "annotate", "kb", "timeline", "case", "report",
                              "trials", "cohort", "user", "serve", "worker", "audit"]
    for name, module in COMMANDS.items():
        assert module.__name__ == f"mtb.cli.{name}"
        assert callable(module.add_parser) and callable(module.run)


def test_annotate_files_on_different_builds_name_the_first(tmp_path: Path) -> None:
    header = "##fileformat=VCFv4.2\n##reference={}\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    for name, build in (("a.vcf", "GRCh37"), ("b.vcf", "GRCh38")):
        (tmp_path / name).write_text(header.format(build) + "7\t100\t.\tA\tT\t.\tPASS\t.\n")
    result = run("annotate", str(tmp_path / "a.vcf"), str(tmp_path / "b.vcf"), "--diagnosis",
                 "NSCLC")
    assert result.returncode == 2
    assert result.stderr == (f"mtb: error: {tmp_path / 'a.vcf'}: the case's VCFs are on different "
                             "genome builds: GRCh37, GRCh38\n")


def test_every_command_says_what_it_does_and_refuses_an_unknown_option_with_its_usage(
        capsys) -> None:
    """Issue 16: every command has a description; an unknown option prints that command's
    usage (not the top-level one)."""
    import argparse

    from mtb.cli import _parser, main

    def walk(parser: argparse.ArgumentParser, name: str) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    if not sub.description:
                        found.append(f"{name} {sub_name}")
                    found += walk(sub, f"{name} {sub_name}")
        return found

    assert walk(_parser(), "mtb") == []
    with pytest.raises(SystemExit) as exit_:
        main(["case", "show", "--bogus", "x"])
    assert exit_.value.code == 2
    assert "usage: mtb case show" in capsys.readouterr().err


def test_case_show_takes_a_case_id(data_dir, monkeypatch, capsys) -> None:
    """`mtb case show` takes a case's id as `mtb report` does, not only its folder."""
    from mtb.cli import main

    monkeypatch.setenv("MTB_DATA_DIR", str(data_dir))
    assert main(["case", "show", "synthetic-egfr-lung"]) == 0
    assert "EGFR" in capsys.readouterr().out
    assert main(["case", "show", "no-such-case"]) == 2
    assert "neither a case folder nor the id of a case" in capsys.readouterr().err
