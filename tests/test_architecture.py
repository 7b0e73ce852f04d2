"""The walls between the packages, guarded: who may import whom, no import cycle, and each
package's `__all__` naming exactly what it offers.

    ground floor   mtb.errors, config, http, atomic, resources, variant, sequence, regions,
                   timeline, board (the board's rules and records)
    domain         mtb.ingest -> annotation -> mtb.case, mtb.catalog, mtb.store, mtb.report
    drawing        layouts (pure functions of a Case and the board's records)
    front doors    mtb.web (the app), mtb.cli (the command)

Imports are read with ast from every first-party file (also imports inside functions, which
used to hide a circle between the CLI's modules); only `if TYPE_CHECKING:` blocks are left out.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("mtb", "annotation", "layouts")
DOORS = ("mtb.web", "mtb.cli", "mtb.__main__")

# module prefix -> imports it must not make, and why
WALLS: dict[str, tuple[tuple[str, ...], str]] = {
    "layouts": (("mtb.store", "sqlalchemy", "sqlite3", "mtb.ingest", "pysam", "cyvcf2",
                 "requests", "mtb.http"),
                "layouts draw the board's records (mtb.board) and open no file or database"),
    "annotation": (("mtb.ingest", "mtb.case", "mtb.catalog", "mtb.store", "mtb.report",
                    "layouts", "dash"),
                   "annotation takes findings (mtb.variant) and shared vocabulary (mtb.sequence,"
                   " mtb.regions), never ingest's readers"),
    "mtb.store": (("annotation", "layouts", "mtb.case", "mtb.catalog", "mtb.ingest",
                   "mtb.report", "dash"),
                  "the store keeps the board's records; it owns no clinical vocabulary"),
    "mtb.board": (("mtb.store", "mtb.case", "mtb.catalog", "mtb.ingest", "layouts", "dash",
                   "sqlalchemy"),
                  "the board's rules are pure"),
    "mtb.variant": (("mtb.ingest", "annotation", "layouts", "dash", "pysam", "cyvcf2"),
                    "the finding model is the ground floor"),
    "mtb.sequence": (("mtb.ingest", "annotation", "layouts", "dash"), "ground floor"),
    "mtb.regions": (("mtb.ingest", "annotation", "layouts", "dash"), "ground floor"),
    "mtb.timeline": (("mtb.ingest", "annotation", "mtb.case", "layouts", "dash"),
                     "the timeline model is the ground floor"),
    "mtb.ingest": (("annotation", "mtb.case", "mtb.catalog", "mtb.store", "layouts", "dash"),
                   "ingest reads files into findings and events, nothing more"),
    "mtb.case": (("layouts", "dash", "mtb.store"), "a case is assembled without the web"),
    "mtb.report": (("layouts", "dash"), "reports are rendered without the web app"),
    "mtb.trials": (("layouts", "dash"), "trials and their matching are domain code: the pages "
                   "and commands call them, never the reverse"),
}
DOMAIN = ("mtb", "annotation", "layouts")  # ... except the front doors themselves


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" in path.parts:  # Alembic's scripts, run by the store
                continue
            parts = path.relative_to(REPO).with_suffix("").parts
            found[".".join(p for p in parts if p != "__init__")] = path
    return found


MODULES = _modules()


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _import_nodes(node)


def imports(module: str) -> set[str]:
    """Everything `module` imports: modules, and for `from x import y` the submodule x.y when
    there is one, else x."""
    names = set()
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in _import_nodes(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                            + ([base] if base else []))
        for alias in node.names:
            names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return names


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_walls(module: str) -> None:
    for prefix, (banned, why) in WALLS.items():
        if not _within(module, prefix):
            continue
        for name in imports(module):
            hit = next((ban for ban in banned if _within(name, ban)), None)
            assert hit is None, f"{module} imports {name}: {why}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES
                                          if not any(_within(m, door) for door in DOORS)))
def test_domain_never_imports_the_front_doors(module: str) -> None:
    for name in imports(module):
        door = next((d for d in DOORS if _within(name, d)), None)
        assert door is None, f"{module} imports {name}: domain code knows no web app or CLI"


def test_first_party_import_graph_has_no_cycle() -> None:
    graph = {module: {name for name in imports(module) if name in MODULES} - {module}
             for module in MODULES}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for name in sorted(graph[module]):
            if state.get(name) == 1:
                cycle = [*path[path.index(name):], name]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if name not in state:
                visit(name)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_the_walls_name_real_packages() -> None:
    for prefix in [*WALLS, *DOORS]:
        assert prefix in MODULES, prefix


def test_layouts_do_no_io() -> None:
    for path in (REPO / "layouts").rglob("*.py"):
        tree = ast.parse(path.read_text())
        calls = {
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert "open" not in calls, path


# -- __all__ -------------------------------------------------------------------------------------


def _public_names(module: str) -> tuple[set[str], set[str]]:
    """(names the package defines, names it imports but does not use: re-exports), both
    without a leading underscore."""
    tree = ast.parse(MODULES[module].read_text())
    defined: set[str] = set()
    imported: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom) and getattr(node, "module", "") != \
                "__future__":
            imported.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    used |= {node.value.id for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)}
    public = {name for name in defined if not name.startswith("_")}
    reexported = {name for name in imported - used if not name.startswith("_")}
    return public, reexported


PACKAGE_INITS = sorted(m for m, path in MODULES.items() if path.name == "__init__.py")


@pytest.mark.parametrize("package", PACKAGE_INITS)
def test_all_is_exactly_what_the_package_offers(package: str) -> None:
    """`__all__` lists every public name the package defines and every name it re-exports
    (imports without using), and only names the package has; a package that offers nothing
    needs none."""
    defined, reexported = _public_names(package)
    module = importlib.import_module(package)
    listed = set(getattr(module, "__all__", ()))
    offered = defined | reexported
    assert offered <= listed, f"{package}.__all__ misses {sorted(offered - listed)}"
    for name in listed:
        assert hasattr(module, name), f"{package}.__all__ names {name}, which it does not have"
    assert len(listed) == len(getattr(module, "__all__", ())), f"{package}.__all__ repeats a name"
