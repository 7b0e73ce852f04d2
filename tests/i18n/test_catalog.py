"""The German catalog is complete and in step with the code; dates and numbers are written
the way each language writes them; the language is chosen per block and per request."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mtb.i18n import _, current_language, ngettext, normalize, using
from mtb.i18n.catalog import extracted, msgids, po_path, problems, read_catalog
from mtb.i18n.formats import date_text, datetime_text, number, percent, period_text
from mtb.timeline import PartialDate


def test_every_string_of_the_code_is_in_the_catalog_and_translated():
    """What `python -m mtb.i18n.catalog check` checks: pybabel's extraction over mtb/ and
    layouts/ (and the report's template) finds no msgid the catalog lacks, the catalog keeps
    none the code dropped, and every entry has a German msgstr (no fuzzy guesses)."""
    assert problems("de") == []
    assert len(msgids(extracted())) >= 350
    assert "Systemische Vorbehandlung" in po_path("de").read_text(encoding="utf-8")


def test_placeholders_survive_translation():
    """A translation that drops or renames a {field} would fail at runtime: none does."""
    import re

    for message in read_catalog("de"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"\{(\w*)\}", ids[-1]))
        for text in strings:
            assert set(re.findall(r"\{(\w*)\}", text)) <= wanted | {"n"}, (ids, text)


@pytest.mark.parametrize(("value", "german", "english"), [
    (date(2026, 12, 7), "07.12.2026", "2026-12-07"),
    (datetime(2026, 1, 5, 23, 59, tzinfo=UTC), "05.01.2026", "2026-01-05"),
    (PartialDate(2023, 2, 1), "01.02.2023", "2023-02-01"),
    (PartialDate(2023, 2), "02/2023", "2023-02"),  # known to the month: no invented day
    (PartialDate(2023), "2023", "2023"),
    ("2024-03-10", "10.03.2024", "2024-03-10"),
    ("2024-03", "03/2024", "2024-03"),
    ("unknown", "unknown", "unknown"),  # text that is not a date stays as it is
    ("2024-13-01", "2024-13-01", "2024-13-01"),  # nor is an impossible date rewritten
    (None, "", ""),
])
def test_dates(value, german, english):
    assert date_text(value, "de") == german
    assert date_text(value, "en") == english


def test_numbers_percentages_and_periods():
    assert percent(0.435, 1, "de") == "43,5\u00a0%" and percent(0.435, 1, "en") == "43.5%"
    assert percent(0.42, language="de") == "42\u00a0%" and percent(None) == ""
    assert number(1234.5, language="de") == "1.234,5" and number(1234.5, language="en") == "1,234.5"
    assert number(8.3, 1, "de") == "8,3" and number(12, 1, "en") == "12.0"
    assert datetime_text(datetime(2026, 12, 7, 14, 30, 5), "de") == "07.12.2026 14:30"
    assert datetime_text(datetime(2026, 12, 7, 14, 30, 5), "en", seconds=True) \
        == "2026-12-07 14:30:05"
    with using("de"):
        assert period_text(PartialDate(2023, 2, 1), PartialDate(2024, 3, 10)) \
            == "01.02.2023 bis 10.03.2024"
        assert period_text(PartialDate(2023, 2, 1), PartialDate(2023, 2, 1)) == "01.02.2023"
    assert period_text("2023-02-01", "2024-03-10") == "2023-02-01 to 2024-03-10"


def test_the_language_is_chosen_per_block():
    assert current_language() == "en"  # no request, no choice: MTB_LANGUAGE's default
    with using("de"):
        assert current_language() == "de"
        assert _("Key findings") == "Wesentliche Befunde"
        assert ngettext("{n} year", "{n} years", 1) == "1 Jahr"
        assert ngettext("{n} year", "{n} years", 67) == "67 Jahre"
        assert _("{what} cannot be shown", what=_("This case")) \
            == "Dieser Fall kann nicht angezeigt werden"
        with using("en"):
            assert _("Key findings") == "Key findings"
        assert _("a text the catalog does not know") == "a text the catalog does not know"
    assert _("Key findings") == "Key findings"
    with using("fr"):  # a language mtb does not speak: the default
        assert current_language() == "en"
    # a value with braces is shown as it is (only a msgid's own fields are filled)
    assert _("Case '{title}' added.", title="{x}") == "Case '{x}' added."


@pytest.mark.parametrize(("given", "code"), [
    ("de", "de"), ("DE", "de"), ("de-DE", "de"), ("de_AT", "de"), ("en-GB", "en"),
    ("fr", None), ("", None), (None, None),
])
def test_normalize(given, code):
    assert normalize(given) == code
