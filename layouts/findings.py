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
from dash.development.base_component import ComponentSingleType as Child

from annotation.model import AnnotatedVariant, Evidence, TherapyCall, Tier
from annotation.therapies import CARD_LIMIT, card_lines, more_text
from layouts import ids
from mtb.board import Curation, dismissed, finding_key
from mtb.i18n import N_, _, ngettext
from mtb.i18n.formats import percent
from mtb.i18n.terms import term
from mtb.options import card_order
from mtb.variant import NO_SUPPORT, SMALL_TYPES, SmallVariant

MAX_CARDS = 8


def tier_text(tier: Tier) -> str:
    """'Tier IA' / 'Tier IA' (the AMP/ASCO/CAP tier is an international term; 'Tier' is
    translated where a language has its own word)."""
    return _("Tier {tier}", tier=tier.value)


def tier_badge(tier: Tier, level: str = "") -> html.Span:
    """The tier as text, with a class for its colour (the colour only repeats the text)."""
    text = tier_text(tier) + (" · " + _("level {level}", level=level) if level else "")
    return html.Span(text, className=f"tier tier-{tier.value}")


def read_support(variant: AnnotatedVariant) -> str:
    """What backs the finding in the tumor: a small variant's VAF and reads, a segment's
    copy-number call, or 'fusion'."""
    alteration = variant.alteration
    finding = variant.finding
    support = finding.support if finding is not None else NO_SUPPORT
    if finding is not None and finding.variant_type in SMALL_TYPES and support.vaf is not None:
        depth = ", " + _("{alt}/{depth} reads", alt=support.alt, depth=support.depth) \
            if support.depth is not None else ""
        text = f"VAF {percent(support.vaf)}{depth}"
        if isinstance(finding, SmallVariant) and finding.rna_depth:  # expression support
            text += "; RNA " + _("{alt}/{depth} reads", alt=finding.rna_alt,
                                 depth=finding.rna_depth)
        return text
    if alteration.kind == "cnv":
        return term(alteration.cnv_call.replace("_", " "))
    if alteration.kind == "fusion":
        return term("fusion")
    return ""


def _therapy_line(line: TherapyCall, caution: str) -> html.Div:
    """One therapy as the board reads it: the regimen, its tier, what it rests on (FDA 2018 /
    EMA 2018; off-label: approved in melanoma; clinical), and what speaks against it."""
    marks = []
    if line.conflicting:
        marks.append(html.Span(_("conflicting evidence"), className="mark conflicting"))
    if line.germline_testing:
        marks.append(html.Span(_("germline testing needed"), className="mark germline"))
    if caution:
        marks.append(html.Span(caution, className="mark caution"))
    css = "therapy resistance" if line.resistance and not line.conflicting else "therapy"
    return html.Div([
        html.Span(line.label, className="therapy-name"),
        html.Span(f" {line.tier.value}" if line.tier.level else "", className="therapy-tier"),
        html.Span(f" · {line.basis_text}" if line.basis_text else "", className="therapy-basis"),
        *marks,
    ], className=css + (" cautioned" if caution else ""))


def _therapy_lines(variant: AnnotatedVariant, large: bool,
                   cautions: Mapping[frozenset[str], str]) -> list[Child]:
    """The card's therapies in the board's order (annotation.therapies): at most five (three on
    the shared screen); what the evidence panel holds beyond them is counted, never dropped."""
    ordered = card_order(variant.therapies, cautions)
    shown, more = card_lines(ordered, limit=3 if large else CARD_LIMIT)
    lines: list[Child] = [_therapy_line(t, cautions.get(frozenset(t.drugs), ""))
                           for t in shown]
    if more:
        lines.append(html.Div(_("Evidence panel: {more}", more=more_text(ordered, len(shown))),
                              className="more-therapies"))
    return [html.Div(lines, className="therapies")] if lines else []


def flags(variant: AnnotatedVariant, quality: str = "") -> list[html.Div]:
    """What the card must say before anything else: call quality, germline testing."""
    texts = ([quality] if quality else []) + list(variant.flags)
    return [html.Div(text, className="finding-flag") for text in texts]


def why(variant: AnnotatedVariant, *, open_: bool = False) -> html.Details:
    """The ordered reasons that decided the tier, as the annotation step wrote them."""
    items = [html.Li(reason.text, className=f"reason reason-{reason.rule}")
             for reason in variant.reasons]
    # a long list scrolls inside the card (assets/): tabIndex lets the keyboard scroll it
    return html.Details(
        [html.Summary(_("Why {tier}?", tier=tier_text(variant.tier))),
         html.Ol(items, className="reasons", tabIndex="0")],
        open=open_, className="why",
    )


def curation_note(curation: Curation | None) -> html.Div | None:
    """What the curator decided, next to the computed tier: the board sees both."""
    if curation is None or not (curation.tier_override or curation.oncogenicity):
        return None
    parts = []
    if curation.tier_override:
        parts.append(_("curated Tier {tier}", tier=curation.tier_override))
    if curation.oncogenicity:
        parts.append(term(curation.oncogenicity))
    reason = f": {curation.override_reason}" if curation.override_reason else ""
    return html.Div(f"{', '.join(parts)}{reason} ({curation.updated_by})",
                    className="curated" + (" dismissed" if dismissed(curation) else ""))


def finding_card(row: int, variant: AnnotatedVariant, *, large: bool = False,
                 curation: Curation | None = None, quality: str = "",
                 cautions: Mapping[frozenset[str], str] | None = None,
                 seen: Child = None) -> dbc.Card:
    """`seen`: the card's 'seen before' slot (layouts.seen_before), drawn last."""
    alteration = variant.alteration
    gene, _sep, change = alteration.label.partition(" ")
    hotspot = variant.hotspot
    body = [
        html.Div([html.Span(gene, className="gene"), html.Span(change, className="change")],
                 className="finding-name"),
        html.Div([tier_badge(variant.tier, variant.level),
                  html.Span(read_support(variant), className="support")],
                 className="finding-meta"),
        curation_note(curation),
        *flags(variant, quality),
        *_therapy_lines(variant, large, cautions or {}),
    ]
    if hotspot is not None and not large:
        body.append(html.Div(ngettext("Hotspot {residue} ({n} tumor)",
                                      "Hotspot {residue} ({n} tumors)", hotspot.samples,
                                      residue=hotspot.residue),
                             className="hotspot"))
    if not large:
        body.append(why(variant))
        body.append(dbc.Button(_("Evidence"), id={"type": ids.FINDING, "row": row}, size="sm",
                               color="link", className="p-0 evidence-button"))
    body.append(seen)
    return dbc.Card(dbc.CardBody(body), className=f"finding tier-border-{variant.tier.value}")


def key_finding_cards(
    variants: Sequence[tuple[int, AnnotatedVariant]], *, large: bool = False,
    curations: Mapping[str, Curation] | None = None, quality: Mapping[str, str] | None = None,
    cautions: Mapping[frozenset[str], str] | None = None,
    seen: Mapping[str, Child] | None = None,
) -> html.Div:
    """The key findings (mtb.board.key_findings: (row, finding), strongest first) as cards,
    each with its curation (and, by finding key, its 'seen before' slot); what does not fit
    is counted."""
    curations = curations or {}
    limit = 6 if large else MAX_CARDS
    shown = variants[:limit]
    if not shown:
        body: list[Child] = [dbc.Alert(
            _("No tier I or II findings: nothing with clinical evidence in the knowledge bases "
              "(see the variant table for tier III variants of unknown significance)."),
            color="secondary", className="mb-0")]
    else:
        quality = quality or {}
        body = [html.Div([finding_card(row, v, large=large,
                                       curation=curations.get(finding_key(v)),
                                       quality=quality.get(finding_key(v), ""),
                                       cautions=cautions,
                                       seen=(seen or {}).get(finding_key(v)))
                          for row, v in shown], className="finding-grid")]
        if len(variants) > limit:
            body.append(html.Div(_("and {more} more tier I/II findings in the variant table",
                                   more=len(variants) - limit),
                                 className="text-muted small mt-1"))
    heading = html.H2 if large else html.H3
    return html.Div([heading(_("Key findings"), className="section-title"), *body],
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
            html.P(_("Select a variant in the table (or press Evidence on a card) to see its "
                     "evidence."), className="text-muted mb-0"))
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
        [html.Thead(html.Tr([html.Th(_(h)) for h in (N_("Item"), N_("Level"), N_("Statement"),
                                                       N_("Disease"), N_("Therapy"), N_("Match"),
                                                       N_("Citation"))])),
         html.Tbody(rows)],
        bordered=False, hover=True, size="sm", className="evidence-table",
    ) if rows else html.P(_("No knowledge-base item matched this finding."), className="mb-1")
    query = quote_plus(f"{alteration.gene} {alteration.hgvsp or ''}".strip())
    trials = (f"https://clinicaltrials.gov/search?cond={quote_plus(diagnosis)}&term={query}"
              if alteration.gene else "")
    civic = (f"https://civicdb.org/search/genes?name={quote_plus(alteration.gene)}"
             if alteration.gene else "")
    links = [html.A(text, href=href, target="_blank", rel="noopener noreferrer",
                    className="me-3")
             for text, href in (("ClinicalTrials.gov", trials), (_("CIViC gene"), civic))
             if href]
    notes = [html.Li(n) for n in variant.notes]
    return html.Div(
        [header, *flags(variant), why(variant, open_=True), therapy_table(variant), table,
         html.Div(links, className="mt-1"),
         html.Ul(notes, className="small text-muted mt-2") if notes else None],
        className="evidence",
    )


def therapy_table(variant: AnnotatedVariant) -> html.Div | None:
    """Every therapy line of the finding, ranked, with what it rests on and, for the lines a
    card never shows, why not (level D only, a tool compound, a withdrawn drug)."""
    if not variant.therapies:
        return None
    rows = [html.Tr([
        html.Td(t.label), html.Td(t.tier.value if t.tier.level else "-"),
        html.Td(t.basis_text), html.Td(", ".join(t.evidence_ids[:4])),
        html.Td(t.excluded or (_("germline testing needed") if t.germline_testing else "")),
    ], className="excluded" if t.excluded else None) for t in variant.therapies]
    return html.Div([
        html.H4(_("Therapies"), className="section-title mt-2"),
        dbc.Table([html.Thead(html.Tr([html.Th(_(h)) for h in (
            N_("Therapy"), N_("Tier"), N_("Basis"), N_("Evidence"),
            N_("Not on the card because"))])),
            html.Tbody(rows)], bordered=False, size="sm", className="therapy-table"),
    ])
