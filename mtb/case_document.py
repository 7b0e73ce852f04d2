"""A case as a stored document: `Case` <-> JSON, exact and versioned.

The store keeps each annotation run of a case as one document (mtb.store compresses it and
checks its checksum); every page, the presentation and the reports are drawn from the `Case`
read back from it, so the round trip must be exact: `from_document(to_document(case)) == case`
for every sample case (tests/test_case_document.py also compares the rendered case page and
report).

How: the document is derived from the dataclasses' and NamedTuples' own type hints, not
written out by hand, so a field the lead adds to AnnotatedVariant, TherapyCall or a new finding
type in `mtb.variant.Finding` is stored without a change here. A codec is compiled once per
type (about 0.1 s to read the 1470-variant HCC1395 exome back).

    {"kind": "mtb.case", "schema": 1, "mtb": "0.1.0",
     "tables": {"Evidence": [...]},      # each knowledge-base statement once per document
     "case": {...}}                       # the Case: fields by name, defaults left out

- Objects are JSON objects keyed by field name; a field holding its default is left out (the
  exome's document is a third smaller), and read back as that default. A union of several
  classes (a `Finding`, a `PartialDate | DayOffset`) names the class: {"@": "SmallVariant", ...}.
- Evidence items are shared by many findings: stored once in `tables`, referred to by index.
- Tuples, frozensets (sorted, so a document is byte-for-byte the same for the same case),
  Counters, enums (by value), paths and dates have their own spellings; JSON keeps int and
  float apart, so 5 and 5.0 come back as they went in.

Versions: `SCHEMA` rises when a field changes meaning; `_UPGRADES` brings older documents to
the current schema (older documents are always read). A document from a newer mtb (a higher
schema, or a field this mtb does not know) is refused with DocumentError saying so: a case must
never be shown with part of its annotation silently dropped.
"""

from __future__ import annotations

import collections.abc
import contextlib
import dataclasses
import enum
import gc
import json
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from annotation.model import Evidence
from mtb import __version__
from mtb.case import Case
from mtb.errors import DocumentError

__all__ = ["KIND", "SCHEMA", "dumps", "from_document", "loads", "to_document"]

KIND = "mtb.case"
SCHEMA = 1
INTERNED: tuple[type, ...] = (Evidence,)  # stored once per document, referred to by index
TAG = "@"

# schema n -> a function turning a schema-n document into a schema n+1 one
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class _Tables:
    """The interned objects of one document: while encoding, object -> index; while
    decoding, index -> object."""

    def __init__(self, decoded: dict[str, list[Any]] | None = None) -> None:
        self.index: dict[type, dict[Any, int]] = {cls: {} for cls in INTERNED}
        self.rows: dict[type, list[Any]] = {cls: [] for cls in INTERNED}
        self.decoded = decoded if decoded is not None else {}


Encode = Callable[[Any, _Tables], Any]
Decode = Callable[[Any, _Tables], Any]


def _same(value: Any, _tables: _Tables) -> Any:
    return value


_PRIMITIVES = (str, int, float, bool, type(None))
_CODECS: dict[Any, tuple[Encode, Decode]] = {}


def _codec(hint: Any) -> tuple[Encode, Decode]:
    """(encode, decode) for a type hint, compiled once."""
    try:
        return _CODECS[hint]
    except (KeyError, TypeError):
        pass
    made = _make(hint)
    with contextlib.suppress(TypeError):  # an unhashable hint: not cached
        _CODECS[hint] = made
    return made


def _make(hint: Any) -> tuple[Encode, Decode]:
    origin = typing.get_origin(hint)
    if hint is Any or hint in _PRIMITIVES:
        return _same, _same
    if origin in (typing.Union, types.UnionType):
        return _union(typing.get_args(hint))
    if origin is tuple:
        return _tuple(typing.get_args(hint))
    if origin in (list, frozenset, set):
        return _sequence(origin, typing.get_args(hint)[0])
    if origin in (dict, collections.abc.Mapping):  # a Mapping field holds a dict
        return _mapping(dict, typing.get_args(hint)[1])
    if origin is collections.abc.Sequence:  # a Sequence field of a frozen record: a tuple
        return _sequence(tuple, typing.get_args(hint)[0])
    if origin is Counter:
        return _mapping(Counter, int)
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            return (lambda value, _t: value.value), (lambda value, _t, cls=hint: cls(value))
        if issubclass(hint, Path):
            return (lambda value, _t: str(value)), (lambda value, _t: Path(value))
        if issubclass(hint, datetime):
            return ((lambda value, _t: value.isoformat()),
                    (lambda value, _t: datetime.fromisoformat(value)))
        if issubclass(hint, date):
            return ((lambda value, _t: value.isoformat()),
                    (lambda value, _t: date.fromisoformat(value)))
        if hint in INTERNED:
            return _interned(hint)
        if _is_record(hint):
            return _record(hint, tagged=False)
    raise DocumentError(f"mtb cannot store a value of type {hint!r} in a case document")


def _is_record(cls: type) -> bool:
    return dataclasses.is_dataclass(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields"))


def _tuple(args: tuple[Any, ...]) -> tuple[Encode, Decode]:
    if len(args) == 2 and args[1] is Ellipsis:
        return _sequence(tuple, args[0])
    codecs = [_codec(arg) for arg in args]

    def encode(value: Any, tables: _Tables) -> Any:
        return [enc(item, tables) for (enc, _), item in zip(codecs, value, strict=True)]

    def decode(value: Any, tables: _Tables) -> Any:
        return tuple(dec(item, tables) for (_, dec), item in zip(codecs, value, strict=True))

    return encode, decode


def _sequence(kind: Any, item: Any) -> tuple[Encode, Decode]:
    enc, dec = _codec(item)
    plain = enc is _same

    if kind is frozenset or kind is set:
        def encode(value: Any, tables: _Tables) -> Any:
            items = [enc(x, tables) for x in value]
            if all(type(x) is str for x in items):
                return sorted(items)
            return sorted(items, key=lambda x: json.dumps(x, sort_keys=True))
    elif plain:
        def encode(value: Any, tables: _Tables) -> Any:
            return list(value)
    else:
        def encode(value: Any, tables: _Tables) -> Any:
            return [enc(x, tables) for x in value]

    if plain:
        def decode(value: Any, tables: _Tables) -> Any:
            return kind(value)
    else:
        def decode(value: Any, tables: _Tables) -> Any:
            return kind(dec(x, tables) for x in value)

    return encode, decode


def _mapping(kind: Any, item: Any) -> tuple[Encode, Decode]:
    enc, dec = _codec(item)

    def encode(value: Any, tables: _Tables) -> Any:
        return {str(key): enc(x, tables) for key, x in value.items()}

    def decode(value: Any, tables: _Tables) -> Any:
        return kind({key: dec(x, tables) for key, x in value.items()})

    return encode, decode


def _union(members: tuple[Any, ...]) -> tuple[Encode, Decode]:
    """Raw JSON for None and primitives; an enum by value (when no str shares the union); a
    class as an object, tagged with its name when the union holds several classes."""
    records = [m for m in members if isinstance(m, type) and _is_record(m)]
    enums = [m for m in members if isinstance(m, type) and issubclass(m, enum.Enum)]
    others = [m for m in members if m not in records and m not in enums
              and m not in _PRIMITIVES]
    if len(others) == 1 and not records and not enums and set(members) - set(others) <= {
            type(None)}:
        return _optional(others[0])  # a Path | None, a date | None
    if others or len(enums) > 1 or (enums and str in members):
        raise DocumentError(f"mtb cannot store a value of type {members!r} in a case document")
    tagged = len(records) > 1
    by_class = {cls: _record(cls, tagged=tagged) for cls in records}
    by_name = {cls.__name__: codec for cls, codec in by_class.items()}
    single = next(iter(by_class.values()), None)
    enum_cls = enums[0] if enums else None

    def encode(value: Any, tables: _Tables) -> Any:
        if value is None or type(value) in _PRIMITIVES:
            return value
        codec = by_class.get(type(value))
        if codec is not None:
            return codec[0](value, tables)
        if enum_cls is not None and isinstance(value, enum_cls):
            return value.value
        raise DocumentError(f"a {type(value).__name__} where the document expects "
                            f"{', '.join(str(m) for m in members)}")

    def decode(value: Any, tables: _Tables) -> Any:
        if isinstance(value, dict):
            if tagged:
                codec = by_name.get(value.get(TAG, ""))
                if codec is None:
                    raise DocumentError(
                        f"the document holds a {value.get(TAG)!r}, which this mtb does not "
                        "know (written by a newer mtb?): upgrade mtb to read it")
                return codec[1](value, tables)
            if single is not None:
                return single[1](value, tables)
        if enum_cls is not None and isinstance(value, str):
            return enum_cls(value)
        return value

    return encode, decode


def _optional(hint: Any) -> tuple[Encode, Decode]:
    enc, dec = _codec(hint)

    def encode(value: Any, tables: _Tables) -> Any:
        return None if value is None else enc(value, tables)

    def decode(value: Any, tables: _Tables) -> Any:
        return None if value is None else dec(value, tables)

    return encode, decode


def _interned(cls: type) -> tuple[Encode, Decode]:
    """Stored once in the document's tables, referred to by index."""
    enc, _ = _record(cls, tagged=False)
    name = cls.__name__

    def encode(value: Any, tables: _Tables) -> Any:
        index = tables.index[cls]
        at = index.get(value)
        if at is None:
            at = index[value] = len(index)
            tables.rows[cls].append(enc(value, tables))
        return at

    def decode(value: Any, tables: _Tables) -> Any:
        try:
            return tables.decoded[name][value]
        except (KeyError, IndexError, TypeError):
            raise DocumentError(f"the document refers to {name} {value!r}, which its tables "
                                "do not hold (damaged)") from None

    return encode, decode


_RECORDS: dict[tuple[type, bool], tuple[Encode, Decode]] = {}
_MISSING = dataclasses.MISSING


def _record(cls: type, *, tagged: bool) -> tuple[Encode, Decode]:
    """A dataclass or NamedTuple as an object of its fields; fields at their default are left
    out. Compiled lazily (a class may refer to itself through its fields)."""
    key = (cls, tagged)
    if key in _RECORDS:
        return _RECORDS[key]
    compiled: dict[str, Any] = {}

    def compile_() -> dict[str, Any]:
        if compiled:
            return compiled
        hints = typing.get_type_hints(cls)
        fields: list[tuple[str, Any, Any]] = []  # (name, hint, default or _MISSING)
        if dataclasses.is_dataclass(cls):
            for f in dataclasses.fields(cls):
                if not f.init:
                    continue
                default = f.default if f.default is not _MISSING else (
                    f.default_factory() if f.default_factory is not _MISSING else _MISSING)
                fields.append((f.name, hints[f.name], default))
        else:
            defaults = cls._field_defaults  # type: ignore[attr-defined]
            fields = [(name, hints[name], defaults.get(name, _MISSING))
                      for name in cls._fields]  # type: ignore[attr-defined]
        compiled["fields"] = [(name, _codec(hint)[0], default) for name, hint, default in fields]
        compiled["decoders"] = {name: _codec(hint)[1] for name, hint, _ in fields}
        return compiled

    def encode(value: Any, tables: _Tables) -> Any:
        spec = compiled if compiled else compile_()
        out: dict[str, Any] = {TAG: cls.__name__} if tagged else {}
        for name, enc, default in spec["fields"]:
            item = getattr(value, name)
            if default is not _MISSING and type(item) is type(default) and item == default:
                continue
            out[name] = item if enc is _same else enc(item, tables)
        return out

    def decode(value: Any, tables: _Tables) -> Any:
        decoders = compiled["decoders"] if compiled else compile_()["decoders"]
        kwargs = {}
        for name, item in value.items():
            dec = decoders.get(name)
            if dec is None:
                if name == TAG:
                    continue
                raise DocumentError(
                    f"the document holds {cls.__name__}.{name}, a field this mtb does not know "
                    "(written by a newer mtb): upgrade mtb to read it")
            kwargs[name] = item if dec is _same else dec(item, tables)
        try:
            return cls(**kwargs)
        except TypeError as error:
            raise DocumentError(f"the document's {cls.__name__} cannot be read ({error})") \
                from None

    _RECORDS[key] = (encode, decode)
    return encode, decode


# -- the door ---------------------------------------------------------------------------------


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic collector paused while a document is built or read: tens of thousands of
    small acyclic objects, and with a knowledge base in memory each collection pass walks
    millions (HCC1395 read back in 2.6 s with it, 0.3 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def to_document(case: Case) -> dict[str, Any]:
    """The case as a JSON-ready document (the current schema)."""
    tables = _Tables()
    with _gc_paused():
        body = _codec(Case)[0](case, tables)
    return {"kind": KIND, "schema": SCHEMA, "mtb": __version__,
            "tables": {cls.__name__: tables.rows[cls] for cls in INTERNED},
            "case": body}


def from_document(document: dict[str, Any]) -> Case:
    """The case a document holds; DocumentError when it is not a case document, comes from a
    newer mtb, or is damaged."""
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise DocumentError("not an mtb case document")
    schema = document.get("schema")
    if not isinstance(schema, int) or schema < 1:
        raise DocumentError(f"the case document has no valid schema number ({schema!r})")
    if schema > SCHEMA:
        raise DocumentError(
            f"this case was stored by a newer mtb ({document.get('mtb', '?')}, document schema "
            f"{schema}); this mtb ({__version__}) reads schemas up to {SCHEMA}: upgrade mtb")
    while schema < SCHEMA:
        document = _UPGRADES[schema](document)
        schema += 1
    with _gc_paused():
        return _read(document)


def _read(document: dict[str, Any]) -> Case:
    decoded: dict[str, list[Any]] = {}
    tables = _Tables(decoded)
    for cls in INTERNED:
        decode = _record(cls, tagged=False)[1]
        decoded[cls.__name__] = [decode(row, tables)
                                 for row in document.get("tables", {}).get(cls.__name__, [])]
    try:
        return _codec(Case)[1](document["case"], tables)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DocumentError(f"the case document is damaged ({type(error).__name__}: "
                            f"{str(error)[:120]})") from None


def dumps(case: Case) -> bytes:
    """The document as compact UTF-8 JSON: the same case gives the same bytes."""
    return json.dumps(to_document(case), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=True).encode("utf-8")


def loads(data: bytes) -> Case:
    try:
        with _gc_paused():
            document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise DocumentError(f"the case document is not JSON ({error})") from None
    return from_document(document)
