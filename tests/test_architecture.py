"""The one-way data flow: ingest -> annotate -> case -> layouts -> app.

Each package may import only stages to its left; `annotation` never imports dash, `layouts`
never opens files or databases. Walks the imports with ast.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# module prefix -> imports it must not make
FORBIDDEN = {
    "mtb.variant": ["mtb.ingest", "annotation", "layouts", "mtb.app", "dash", "pysam", "cyvcf2"],
    "mtb.timeline": ["mtb.ingest", "annotation", "mtb.case", "layouts", "mtb.app", "dash"],
    "mtb.ingest": ["annotation", "mtb.case", "layouts", "mtb.app", "mtb.cli", "dash"],
    "annotation": ["mtb.case", "layouts", "mtb.app", "mtb.cli", "dash", "mtb.ingest.vcf"],
    "mtb.case": ["layouts", "mtb.app", "mtb.cli", "dash"],
    "layouts": ["mtb.ingest", "mtb.app", "mtb.cli", "pysam", "cyvcf2", "sqlite3", "sqlalchemy",
                "requests"],
}


def _modules() -> list[tuple[str, Path]]:
    out = []
    for package in ("mtb", "annotation", "layouts"):
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(p for p in parts if p != "__init__")
            out.append((name, path))
    return out


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda v: str(v))
def test_imports_flow_one_way(module: str, path: Path) -> None:
    for prefix, banned in FORBIDDEN.items():
        if module == prefix or module.startswith(prefix + "."):
            for name in _imports(path):
                for ban in banned:
                    assert not (name == ban or name.startswith(ban + ".")), (
                        f"{module} imports {name}"
                    )


def test_layouts_do_no_io() -> None:
    for path in (REPO / "layouts").rglob("*.py"):
        tree = ast.parse(path.read_text())
        calls = {
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert "open" not in calls, path
