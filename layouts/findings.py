"""Key findings as cards (tier I and II first) and the evidence panel of one finding.

A card says what a board needs to decide: gene and change, tier and level (as text: never by
colour alone), VAF and depth, the therapies and resistances the evidence names, and — one
keyboard press away, as a native <details> — why the finding got its tier.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote_plus

import dash_bootstrap_components as dbc
from dash import html

from annotation.model import AnnotatedVariant, Evidence, Tier
from layouts import ids
from mtb.board import Curation, dismissed, finding_key
from mtb.variant import NO_SUPPORT, SMALL_TYPES

TIER_TEXT = {
    Tier.IA: "Tier IA", Tier.IB: "Tier IB", Tier.IIC: "Tier IIC", Tier.IID: "Tier IID",
    Tier.III: "Tier III", Tier.IV: "Tier IV",
}
MAX_CARDS = 8


def tier_badge(tier: Tier, level: str = "") -> html.Span:
    """The tier as text, with a class for its colour (the colour only repeats the text)."""
    text = TIER_TEXT[tier] + (f" · level {level}" if level else "")
    return html.Span(text, className=f"tier tier-{tier.value}")


def read_support(variant: AnnotatedVariant) -> str:
    """What backs the finding in the tumor: a small variant's VAF and reads, a segment's
    copy-number call, or 'fusion'."""
    alteration = variant.alteration
    finding = variant.finding
    support = finding.support if finding is not None else NO_SUPPORT
    if finding is not None and finding.variant_type in SMALL_TYPES and support.vaf is not None:
        depth = f", {support.alt}/{support.depth} reads" if support.depth is not None else ""
        return f"VAF {support.vaf:.0%}{depth}"
    if alteration.kind == "cnv":
        return alteration.cnv_call.replace("_", " ")
    if alteration.kind == "fusion":
        return "fusion"
    return ""


def _therapy_lines(variant: AnnotatedVariant, large: bool) -> list[html.Div]:
    """Therapies with the tier their evidence gives (IIC: another tumor type), strongest
    first, so an off-label option never reads like an approved one."""
    limit = 3 if large else 4
    sensitive = [f"{t.name} ({t.tier.value})" for t in variant.therapies if not t.resistance]
    resistant = [f"{t.name} ({t.tier.value})" for t in variant.therapies if t.resistance]
    lines = []
    for label, names, css in (("Response", sensitive, "therapies"),
                              ("Resistance", resistant, "therapies resistance")):
        if names:
            more = f" +{len(names) - limit}" if len(names) > limit else ""
            lines.append(html.Div([html.Span(label, className="fact-label"),
                                   "; ".join(names[:limit]) + more], className=css))
    return lines


def why(variant: AnnotatedVariant, *, open_: bool = False) -> html.Details:
    """The ordered reasons that decided the tier, as the annotation step wrote them."""
    items = [html.Li(reason.text, className=f"reason reason-{reason.rule}")
             for reason in variant.reasons]
    return html.Details(
        [html.Summary(f"Why {TIER_TEXT[variant.tier]}?"), html.Ol(items, className="reasons")],
        open=open_, className="why",
    )


def curation_note(curation: Curation | None) -> html.Div | None:
    """What the curator decided, next to the computed tier: the board sees both."""
    if curation is None or not (curation.tier_override or curation.oncogenicity):
        return None
    parts = []
    if curation.tier_override:
        parts.append(f"curated Tier {curation.tier_override}")
    if curation.oncogenicity:
        parts.append(curation.oncogenicity)
    reason = f": {curation.override_reason}" if curation.override_reason else ""
    return html.Div(f"{', '.join(parts)}{reason} ({curation.updated_by})",
                    className="curated" + (" dismissed" if dismissed(curation) else ""))


def finding_card(row: int, variant: AnnotatedVariant, *, large: bool = False,
                 curation: Curation | None = None) -> dbc.Card:
    alteration = variant.alteration
    gene, _, change = alteration.label.partition(" ")
    hotspot = variant.hotspot
    body = [
        html.Div([html.Span(gene, className="gene"), html.Span(change, className="change")],
                 className="finding-name"),
        html.Div([tier_badge(variant.tier, variant.level),
                  html.Span(read_support(variant), className="support")],
                 className="finding-meta"),
        curation_note(curation),
        *_therapy_lines(variant, large),
    ]
    if hotspot is not None and not large:
        body.append(html.Div(f"Hotspot {hotspot.residue} ({hotspot.samples} tumors)",
                             className="hotspot"))
    if not large:
        body.append(why(variant))
        body.append(dbc.Button("Evidence", id={"type": ids.FINDING, "row": row}, size="sm",
                               color="link", className="p-0 evidence-button"))
    return dbc.Card(dbc.CardBody(body), className=f"finding tier-border-{variant.tier.value}")


def key_finding_cards(
    variants: Sequence[tuple[int, AnnotatedVariant]], *, large: bool = False,
    curations: Mapping[str, Curation] | None = None,
) -> html.Div:
    """The key findings (mtb.board.key_findings: (row, finding), strongest first) as cards,
    each with its curation; what does not fit is counted."""
    curations = curations or {}
    limit = 6 if large else MAX_CARDS
    shown = variants[:limit]
    if not shown:
        body: list[object] = [dbc.Alert(
            "No tier I or II findings: nothing with clinical evidence in the knowledge bases "
            "(see the variant table for tier III variants of unknown significance).",
            color="secondary", className="mb-0")]
    else:
        body = [html.Div([finding_card(row, v, large=large,
                                       curation=curations.get(finding_key(v)))
                          for row, v in shown], className="finding-grid")]
        if len(variants) > limit:
            body.append(html.Div(f"and {len(variants) - limit} more tier I/II findings in the "
                                 "variant table", className="text-muted small mt-1"))
    heading = html.H2 if large else html.H3
    return html.Div([heading("Key findings", className="section-title"), *body],
                    id=ids.FINDINGS)


# -- evidence panel ----------------------------------------------------------------------------

_PMID = re.compile(r"PMID:\s*(\d+)")


def _citation(evidence: Evidence) -> html.Span | html.A | str:
    match = _PMID.search(evidence.citation)
    if match:
        return html.A(f"PubMed {match.group(1)}", target="_blank", rel="noopener noreferrer",
                      href=f"https://pubmed.ncbi.nlm.nih.gov/{match.group(1)}/")
    return evidence.citation


def evidence_panel(variant: AnnotatedVariant | None, diagnosis: str) -> html.Div:
    """Every matched knowledge-base item of one finding, with links to its sources (the
    content of the case page's evidence container)."""
    if variant is None:
        return html.Div(
            html.P("Select a variant in the table (or press Evidence on a card) to see its "
                   "evidence.", className="text-muted mb-0"))
    alteration = variant.alteration
    header = html.Div([html.H3(alteration.label, className="d-inline me-2 section-title"),
                       tier_badge(variant.tier, variant.level)])
    rows = []
    for match in variant.matches:
        evidence = match.evidence
        link = html.A(evidence.id, href=evidence.url, target="_blank",
                      rel="noopener noreferrer") if evidence.url else evidence.id
        rows.append(html.Tr([
            html.Td([evidence.source, " ", link]),
            html.Td(evidence.level or "-"),
            html.Td(f"{evidence.evidence_type} · {evidence.direction} · {evidence.significance}"),
            html.Td(evidence.disease),
            html.Td(" + ".join(evidence.therapies) or "-"),
            html.Td(f"{match.granularity.value.replace('_', ' ')}: {match.matched}"),
            html.Td(_citation(evidence)),
        ]))
    table = dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in ("Item", "Level", "Statement", "Disease",
                                                    "Therapy", "Match", "Citation")])),
         html.Tbody(rows)],
        bordered=False, hover=True, size="sm", className="evidence-table",
    ) if rows else html.P("No knowledge-base item matched this finding.", className="mb-1")
    query = quote_plus(f"{alteration.gene} {alteration.hgvsp or ''}".strip())
    trials = (f"https://clinicaltrials.gov/search?cond={quote_plus(diagnosis)}&term={query}"
              if alteration.gene else "")
    civic = (f"https://civicdb.org/search/genes?name={quote_plus(alteration.gene)}"
             if alteration.gene else "")
    links = [html.A(text, href=href, target="_blank", rel="noopener noreferrer",
                    className="me-3")
             for text, href in (("ClinicalTrials.gov", trials), ("CIViC gene", civic)) if href]
    notes = [html.Li(n) for n in variant.notes]
    return html.Div(
        [header, why(variant, open_=True), table, html.Div(links, className="mt-1"),
         html.Ul(notes, className="small text-muted mt-2") if notes else None],
        className="evidence",
    )
