"""A plain (non-editable) `pip install .` carries assets/ and sample_cases/ and works; the lock
the test command installs is in step with pyproject.toml."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    return next(out.glob("mtb-*.whl"))


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "mtb/cli/__init__.py", "annotation/__init__.py", "layouts/agenda.py",
        "mtb/_data/assets/00_bootstrap.min.css",
        "mtb/_data/sample_cases/hcc1395-breast/case.toml",
        "mtb/_data/sample_cases/hcc1395-breast/HCC1395.annotated.expression.vcf.gz",
        "mtb/_data/sample_cases/PROVENANCE.md",
        "mtb/translations/de/LC_MESSAGES/messages.po",  # compiled when first used (mtb.i18n)
    ):
        assert required in names, required
    assert not any(name.startswith("tests/") for name in names)


def test_installed_copy_finds_its_data_and_ingests(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", "import mtb.resources as r; print(r.sample_cases_dir()); "
         "print(r.assets_dir())"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )
    cases, assets = probe.stdout.split()
    assert cases == str(target / "mtb/_data/sample_cases")
    assert assets == str(target / "mtb/_data/assets")
    german = subprocess.run(
        [sys.executable, "-c", "from mtb.i18n import _, using\nwith using('de'): "
         "print(_('Key findings'))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )
    assert german.stdout.strip() == "Wesentliche Befunde"  # the installed catalog, compiled
    vcf = Path(cases) / "tcga-a2-a04w-breast/T001-BRCA.grch37.vcf.gz"
    result = subprocess.run(
        [sys.executable, "-m", "mtb.cli", "ingest", str(vcf)],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 197  # header + 196 PASS variants
    assert SHARED is None or "genome build: GRCh37" in result.stderr


def _pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements" / "test.lock").read_text().splitlines():
        if line and not line.startswith((" ", "#")) and "==" in line:
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = version.split()[0]
    return pins


def test_the_lock_pins_every_dependency_within_its_range() -> None:
    """requirements/test.lock (what scripts/test.sh installs) is in step with pyproject.toml:
    each runtime and test dependency is pinned, at a version its declared range admits (a
    range changed without regenerating the lock fails here, not in a user's install)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = _pins()
    declared = [Requirement(r) for r in [*project["dependencies"],
                                         *project["optional-dependencies"]["test"]]]
    problems = []
    for requirement in declared:
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"{requirement.name} is not in the lock")
        elif not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(f"{requirement.name}=={pinned} is outside {requirement.specifier}")
    assert problems == []
    assert len(pins) > len(declared)  # the transitive dependencies are pinned too
