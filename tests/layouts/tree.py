"""Reading a Dash component tree in pure tests: its texts, and the components with an id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dash.development.base_component import Component


def walk(node: Any) -> Iterator[Any]:
    """Every component and string of a tree, depth first."""
    if node is None:
        return
    if isinstance(node, list | tuple):
        for item in node:
            yield from walk(item)
        return
    yield node
    if isinstance(node, Component):
        yield from walk(getattr(node, "children", None))


def texts(node: Any) -> str:
    """All strings of a tree joined by newlines (what a reader sees, roughly)."""
    return "\n".join(str(item) for item in walk(node) if isinstance(item, str | int | float))


def by_id(node: Any, ident: Any) -> Any:
    """The first component whose id is `ident`."""
    for item in walk(node):
        if isinstance(item, Component) and getattr(item, "id", None) == ident:
            return item
    raise AssertionError(f"no component with id {ident!r}")


def all_of(node: Any, kind: type) -> list[Any]:
    return [item for item in walk(node) if isinstance(item, kind)]
