"""README states what the code does: settings table, commands, the test command CI runs."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from mtb.config import SETTINGS, Settings
from mtb.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def test_settings_table_matches_code() -> None:
    rows = re.findall(r"^\| `(MTB_[A-Z_]+)` \| (.*?) \| (.*?) \|$", README, re.M)
    assert rows == [(s.env, s.shown_default, s.help) for s in SETTINGS]
    assert {f.name for f in fields(Settings)} == {s.name for s in SETTINGS}


def test_settings_precedence(tmp_path) -> None:
    environ = {"MTB_PORT": "9000", "MTB_DATA_DIR": str(tmp_path)}
    assert Settings.load(environ=environ).port == 9000
    assert Settings.load({"port": 9100}, environ=environ).port == 9100
    assert Settings.load(environ=environ).data_dir == tmp_path
    with pytest.raises(ConfigError, match="MTB_PORT"):
        Settings.load(environ={"MTB_PORT": "eighty"})


def test_ci_runs_exactly_the_readme_test_command() -> None:
    blocks = re.findall(r"```\n(.*?)\n```", README, re.S)
    assert "bash scripts/test.sh" in blocks
    assert "exec bash scripts/test.sh" in (REPO / ".ci/run").read_text()
    assert any(b.startswith("python3 -m venv .venv && .venv/bin/pip install . &&") for b in blocks)


def test_every_path_the_readme_names_exists() -> None:
    tops = ("mtb/", "annotation/", "layouts/", "assets/", "bench/", "docs/", "sample_cases/",
            "scripts/", "tests/")
    pattern = r"(?<![\w./])((?:" + "|".join(map(re.escape, tops)) + r")[\w./-]*)"
    named = set(re.findall(pattern, README))
    assert "mtb/ingest/callers.py" in named and "annotation/tiering.py" in named
    missing = sorted(path for path in named if not (REPO / path.rstrip(".")).exists())
    assert not missing, missing


def test_the_layout_names_every_package() -> None:
    layout = README.split("## Layout", 1)[1].split("## Licence", 1)[0]
    for package in ("ingest/", "store/", "report/", "web/", "cli/", "pages/", "sources/"):
        assert package in layout, package
    for module in ("board.py", "sequence.py", "regions.py", "catalog.py", "case.py"):
        assert module in layout, module
