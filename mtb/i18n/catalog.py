"""The message catalogs: loading them, and keeping them in step with the code.

    mtb/translations/de/LC_MESSAGES/messages.po   the German catalog (edited by people)

`translations("de")` compiles the .po in memory on first use (a few milliseconds; cached per
process). No .mo is committed or built: a compiled file beside its source can silently fall
behind it, and a build step would be one more thing `pip install -e .` must run.

Maintainers, after changing user-facing strings:

    python -m mtb.i18n.catalog update   # new msgids into every .po, vanished ones dropped
    python -m mtb.i18n.catalog check    # exit 1 when a msgid is new, gone or untranslated

The strings are found the way `pybabel extract` finds them (Babel's Python extractor over
mtb/ and layouts/, keywords _, gettext, N_ and ngettext) plus the report's Jinja template,
which lives in a Python string (mtb.report.html.TEMPLATE) and is read by Jinja's extractor.
"""

from __future__ import annotations

import ast
import io
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations

ROOT = Path(__file__).resolve().parents[2]  # the checkout (or site-packages)
CATALOGS = Path(__file__).resolve().parents[1] / "translations"
DOMAIN = "messages"
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
SOURCES = ("mtb", "layouts")


def po_path(language: str) -> Path:
    return CATALOGS / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of `language` (no catalog: the English source text)."""
    path = po_path(language)
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy guess is never shown
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as source:
        return read_po(source, locale=language)


def extracted() -> Catalog:
    """Every user-facing string of the code, as `pybabel extract` would find it."""
    template = Catalog(project="mtb", msgid_bugs_address="", charset="utf-8")
    for package in SOURCES:
        found = extract_from_dir(ROOT / package, method_map=[("**.py", "python")],
                                 keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
                                 strip_comment_tags=True)
        for filename, lineno, message, comments, context in found:
            template.add(message, locations=[(f"{package}/{filename}", lineno)],
                         auto_comments=comments, context=context)
    for lineno, message, comments, context in extract(
            "jinja2.ext:babel_extract", io.BytesIO(_report_template().encode()), keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        template.add(message, locations=[("mtb/report/html.py", lineno)],
                     auto_comments=comments, context=context)
    return template


def _report_template() -> str:
    """mtb.report.html.TEMPLATE, read from its source as an extractor reads code (importing
    the report would make mtb.i18n -> catalog -> report -> mtb.i18n an import cycle)."""
    source = ROOT / "mtb" / "report" / "html.py"
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "TEMPLATE"):
            return str(ast.literal_eval(node.value))
    raise LookupError(f"no TEMPLATE in {source}")


def msgids(catalog: Iterable[object]) -> set[str | tuple[str, ...]]:
    out: set[str | tuple[str, ...]] = set()
    for message in catalog:
        ident = getattr(message, "id", "")
        if ident:
            out.add(tuple(ident) if isinstance(ident, list | tuple) else ident)
    return out


def update(language: str) -> tuple[int, int]:
    """Merge the code's strings into the catalog of `language`: (added, dropped)."""
    catalog = read_catalog(language) if po_path(language).is_file() else Catalog(
        locale=language, project="mtb")
    template = extracted()
    before = msgids(catalog)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()  # a dropped string's translation is in git, not in the file
    catalog.project, catalog.version = "mtb", ""
    catalog.copyright_holder = catalog.last_translator = "mtb developers"
    catalog.language_team, catalog.msgid_bugs_address = "mtb developers", ""
    catalog.fuzzy = False
    after = msgids(catalog)
    po_path(language).parent.mkdir(parents=True, exist_ok=True)
    with po_path(language).open("wb") as target:
        write_po(target, catalog, width=100, include_lineno=False, sort_output=True)
    translations.cache_clear()
    return len(after - before), len(before - after)


def problems(language: str) -> list[str]:
    """What keeps the catalog of `language` from being complete and in step with the code."""
    catalog = read_catalog(language)
    found = msgids(extracted())
    have = msgids(catalog)
    out = [f"not in the catalog: {m!r}" for m in sorted(found - have, key=str)]
    out += [f"no longer in the code: {m!r}" for m in sorted(have - found, key=str)]
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            out.append(f"not translated: {message.id!r}")
    return out


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    languages = [p.name for p in sorted(CATALOGS.iterdir()) if po_path(p.name).is_file()]
    if command == "update":
        for language in languages:
            added, dropped = update(language)
            print(f"{language}: {added} new, {dropped} dropped")
        return 0
    if command == "check":
        failed = False
        for language in languages:
            for problem in problems(language):
                print(f"{language}: {problem}")
                failed = True
        return 1 if failed else 0
    print("usage: python -m mtb.i18n.catalog update|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
