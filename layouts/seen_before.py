"""'Seen before' on a key finding card: the other cases of the store with the same variant,
what their board recommended (with the evidence grade), and how many more had the same gene
and class. Pure: it draws mtb.cohort.seen's records and asks nothing."""

from __future__ import annotations

from dash import dcc, html

from mtb.cohort.seen import SeenBefore, SeenCase

RECOMMENDATION_KIND = {"therapy": "Therapy", "trial": "Clinical trial",
                       "diagnostics": "Further diagnostics",
                       "genetic_counselling": "Genetic counselling"}


def _case_line(seen: SeenCase) -> html.Li:
    recs = [f"{RECOMMENDATION_KIND.get(kind, kind)}: {text}" + (f" ({grade})" if grade else "")
            for kind, text, grade in seen.recommendations]
    return html.Li([
        dcc.Link(seen.case_id, href=f"/case/{seen.case_id}"),
        f" · {seen.tumor_type or 'tumor type not recorded'} · Tier {seen.tier or '?'}"
        f" · {seen.status} · {seen.date}",
        html.Div("; ".join(recs) if recs else "No recommendation recorded",
                 className="seen-recommendation small"),
    ])


def seen_before(seen: SeenBefore | None) -> html.Details | None:
    """The card's slot: nothing when the store knows no other case with this gene."""
    if seen is None or not (seen.same_variant_count or seen.same_class_count):
        return None
    summary = (f"Seen before: {seen.same_variant_count} other case"
               f"{'' if seen.same_variant_count == 1 else 's'} with this variant")
    if seen.same_class_count:
        summary += (f"; {seen.same_class_count} more with this gene and class"
                    f" ({seen.variant_class or 'class not recorded'})")
    items = [_case_line(case) for case in seen.same_variant]
    if seen.more:
        items.append(html.Li(f"and {seen.more} more (Cohort page)"))
    return html.Details([
        html.Summary(summary),
        html.Ul(items, className="mb-1 small") if items else None,
        html.Div("Outcomes are not shown here: see each case's timeline.",
                 className="text-muted small"),
    ], className="seen-before")
