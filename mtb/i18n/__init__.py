"""German and English: the language a text is shown in, and its translation.

    from mtb.i18n import _, N_, ngettext
    _("Board agenda")                      -> "Tumorkonferenz: Fallliste" in German
    _("{n} notes", n=3)                     -> placeholders are str.format fields
    TITLE = N_("Key findings")              -> marked at import, translated where shown: _(TITLE)

Which language: inside a web request, the user's choice (the `mtb_lang` cookie the navbar's
DE/EN switch sets), else the browser's Accept-Language, else MTB_LANGUAGE; outside a request
(`mtb report`), MTB_LANGUAGE or `--lang`, set for a block with `using("de")`.

Why plain Babel and not Flask-Babel: the same strings are rendered outside Flask (the `mtb
report` command, the report built for the web download, pure layout tests), where Flask-Babel's
gettext needs an application context and its locale selector a request. Here the language is
one context variable, set per block (`using`) or read from the request when there is one, and
Babel does the rest (catalogs, CLDR dates and numbers). Dash components are serialized to JSON,
so a lazy string object cannot travel inside one: strings defined at import time are marked
with N_ (for extraction) and translated with _ when a page is drawn.

Catalogs: mtb/translations/<lang>/LC_MESSAGES/messages.po, compiled in memory on first use
(mtb.i18n.catalog): no .mo file that could drift from its .po is committed, no build step is
needed for `pip install -e .`, and the wheel ships the .po files inside the mtb package.
English is the source language: its "translation" is the msgid itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

LANGUAGES = ("en", "de")
DEFAULT = "en"
COOKIE = "mtb_lang"

_forced: ContextVar[str | None] = ContextVar("mtb_language", default=None)
_fallback: ContextVar[str] = ContextVar("mtb_default_language", default=DEFAULT)


def normalize(language: str | None) -> str | None:
    """'de', 'de-DE', 'DE_at' -> 'de'; None for a language the app does not speak."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in LANGUAGES else None


def current_language() -> str:
    """The language of what is being rendered now (see the module's docstring)."""
    forced = _forced.get()
    if forced:
        return forced
    try:
        from flask import has_request_context
    except ImportError:  # pragma: no cover - flask comes with dash
        return _fallback.get()
    if has_request_context():
        return _request_language()
    return _fallback.get()


def _request_language() -> str:
    from flask import current_app, g, request

    cached = getattr(g, "mtb_language", None)
    if cached:
        return str(cached)
    default = normalize(current_app.config.get("MTB_LANGUAGE")) or DEFAULT
    chosen = normalize(request.cookies.get(COOKIE)) or normalize(
        request.accept_languages.best_match(list(LANGUAGES), default=default)) or default
    g.mtb_language = chosen
    return chosen


@contextmanager
def using(language: str | None) -> Iterator[str]:
    """Render a block in `language` (None or unknown: MTB_LANGUAGE's default, English)."""
    chosen = normalize(language) or _fallback.get()
    token = _forced.set(chosen)
    try:
        yield chosen
    finally:
        _forced.reset(token)


def set_default(language: str | None) -> None:
    """The language outside requests and without `using` (the CLI sets MTB_LANGUAGE's)."""
    _fallback.set(normalize(language) or DEFAULT)


def gettext(message: str, **values: Any) -> str:
    """`message` in the current language, with `values` put into its {fields}."""
    from mtb.i18n.catalog import translations

    language = current_language()
    text = message if language == "en" else translations(language).gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    """The singular or plural form for `n` (the count is also the {n} field)."""
    from mtb.i18n.catalog import translations

    language = current_language()
    if language == "en":
        text = singular if n == 1 else plural
    else:
        text = translations(language).ngettext(singular, plural, n)
    return text.format(n=n, **values)


def N_(message: str) -> str:  # the gettext convention
    """Mark a string for the catalog where it is defined; translate it with _ where shown."""
    return message


_ = gettext

__all__ = ["COOKIE", "DEFAULT", "LANGUAGES", "N_", "_", "current_language", "gettext", "ngettext",
           "normalize", "set_default", "using"]
