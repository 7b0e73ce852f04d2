"""Dates, times, percentages and numbers as the reader's language writes them: the one place
pages and reports format them (Babel's CLDR data, not hand-written patterns).

    German:  07.12.2026 · 12/2026 · 07.12.2026 14:30 · VAF 43,5 % · 1.234 · 8,3
    English: 2026-12-07 · 2026-12 · 2026-12-07 14:30 · VAF 43.5% · 1,234 · 8.3

English keeps ISO dates (unambiguous across the US/UK split, and what the files say); German
uses the dotted day.month.year every German clinical document uses. A date known only to the
month or the year stays that precise: inventing a day would add false precision.
"""

from __future__ import annotations

from datetime import date, datetime

from babel import dates, numbers

from mtb.i18n import current_language

_LOCALES = {"de": "de_DE", "en": "en_US"}


def _locale(language: str | None = None) -> str:
    return _LOCALES.get(language or current_language(), "en_US")


def date_text(value: object, language: str | None = None) -> str:
    """A date (datetime.date/datetime, mtb.timeline.PartialDate, or an ISO string such as
    '2026-12-07' or '2026-12'); '' for None. Text that is not a date is returned as it is."""
    if value is None or value == "":
        return ""
    language = language or current_language()
    if isinstance(value, datetime):
        value = value.date()
    month: int | None
    day: int | None
    if isinstance(value, date):
        year, month, day = value.year, value.month, value.day
    else:
        parts = _parts(value)
        if parts is None:
            return str(value)
        year, month, day = parts
    if language != "de":
        return "-".join(f"{v:02d}" if i else f"{v:04d}"
                        for i, v in enumerate((year, month, day)) if v)
    if day and month:
        return dates.format_date(date(year, month, day), "dd.MM.yyyy", locale=_locale("de"))
    if month:
        return f"{month:02d}/{year:04d}"
    return f"{year:04d}"


def _parts(value: object) -> tuple[int, int | None, int | None] | None:
    year = getattr(value, "year", None)
    if isinstance(year, int):  # a PartialDate
        return year, getattr(value, "month", None), getattr(value, "day", None)
    text = str(value).strip()[:10]
    try:
        pieces = [int(p) for p in text.split("-")]
    except ValueError:
        return None
    if not 1 <= len(pieces) <= 3 or not 1000 <= pieces[0] <= 9999:
        return None
    pieces += [0] * (3 - len(pieces))
    try:
        date(pieces[0], pieces[1] or 1, pieces[2] or 1)
    except ValueError:
        return None
    return pieces[0], pieces[1] or None, pieces[2] or None


def period_text(start: object, end: object = None, language: str | None = None) -> str:
    """'2023-02-01 to 2024-03-10' / '01.02.2023 bis 10.03.2024'; only the start when there is
    no end (or the same)."""
    from mtb.i18n import gettext

    first = date_text(start, language)
    if end is None or end == "" or end == start:
        return first
    return gettext("{start} to {end}", start=first, end=date_text(end, language))


def datetime_text(value: datetime | None, language: str | None = None, *,
                  seconds: bool = False) -> str:
    """A timestamp to the minute (or second): '07.12.2026 14:30' / '2026-12-07 14:30'. The
    zone is the reader's to add (the app's timestamps are UTC and say so beside them)."""
    if value is None:
        return ""
    clock = value.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{date_text(value, language)} {clock}"


def percent(fraction: float | None, digits: int = 0, language: str | None = None) -> str:
    """0.435 -> '43,5 %' (German, a no-break space before the sign) / '43.5%'."""
    if fraction is None:
        return ""
    decimals = "." + "0" * digits if digits else ""
    return numbers.format_percent(fraction, f"#,##0{decimals}%" if _locale(language) == "en_US"
                                  else f"#,##0{decimals}\u00a0%", locale=_locale(language),
                                  decimal_quantization=True)


def number(value: float | int | None, digits: int | None = None,
           language: str | None = None) -> str:
    """1234.5 -> '1.234,5' / '1,234.5'; `digits`: fixed decimals (None: as many as needed, up
    to three)."""
    if value is None:
        return ""
    if digits is None:
        return numbers.format_decimal(value, "#,##0.###", locale=_locale(language))
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(value, pattern, locale=_locale(language))


def event_text(event: object) -> str:
    """mtb.case.event_text in the reader's language: 'IVA (16.01.2023)', 'ECOG 1,5 (...)'."""
    if event is None:
        return ""
    value = getattr(event, "value", None)
    text = number(value) if isinstance(value, float) else str(value)
    start = getattr(event, "start", None)
    return f"{text} ({date_text(start)})" if start else text
