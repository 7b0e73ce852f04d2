"""'Seen before' on a key finding card: the other cases of the store with the same variant,
what their board recommended (with the evidence grade), the newest response their timeline
records, and how many more had the same gene and class. Pure: it draws mtb.cohort.seen's
records and asks nothing."""

from __future__ import annotations

from dash import dcc, html

from layouts.links import href
from mtb.board import RECOMMENDATION_KIND_NAMES
from mtb.cohort.seen import SeenBefore, SeenCase
from mtb.i18n import _, ngettext
from mtb.i18n.formats import date_text, number
from mtb.i18n.terms import term


def _case_line(seen: SeenCase) -> html.Li:
    recs = [f"{term(RECOMMENDATION_KIND_NAMES.get(kind, kind))}: {text}"
            + (f" ({grade})" if grade else "")  # m1A: the same in both languages
            for kind, text, grade in seen.recommendations]
    tumor_type = seen.tumor_type or _("tumor type not recorded")
    tier = _("Tier {tier}", tier=seen.tier or "?")
    category, _gap, when = seen.outcome.partition(" ")
    outcome = (_("latest response: {category} ({day})", category=category,
                 day=date_text(when)) if seen.outcome else _("no response recorded"))
    return html.Li([
        dcc.Link(seen.case_id, href=href(f"/case/{seen.case_id}")),
        f" · {tumor_type} · {tier} · {term(seen.status)} · {date_text(seen.date)}",
        html.Div("; ".join(recs) if recs else _("No recommendation recorded"),
                 className="seen-recommendation small"),
        html.Div(outcome, className="seen-outcome small"),
    ])


def seen_before(seen: SeenBefore | None) -> html.Details | None:
    """The card's slot: nothing when the store knows no other case with this gene."""
    if seen is None or not (seen.same_variant_count or seen.same_class_count):
        return None
    summary = ngettext("Seen before: {count} other case with this variant",
                       "Seen before: {count} other cases with this variant",
                       seen.same_variant_count, count=number(seen.same_variant_count))
    if seen.same_class_count:
        summary += "; " + ngettext(
            "{count} more with this gene and class ({variant_class})",
            "{count} more with this gene and class ({variant_class})",
            seen.same_class_count, count=number(seen.same_class_count),
            variant_class=seen.variant_class or _("class not recorded"))
    items = [_case_line(case) for case in seen.same_variant]
    if seen.more:
        items.append(html.Li(ngettext("and {count} more (Cohort page)",
                                      "and {count} more (Cohort page)", seen.more,
                                      count=number(seen.more))))
    return html.Details([
        html.Summary(summary),
        html.Ul(items, className="mb-1 small") if items else None,
    ], className="seen-before")
