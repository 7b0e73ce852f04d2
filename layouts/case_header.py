"""The patient header: who, what, how far — the line a board reads first.

Pseudonymous id, age, sex; the diagnosis with its latest stage; ECOG; TMB and MSI (the case's
biomarker findings, given or computed; an estimate says so). Every value says where it is
missing rather than leaving a gap a reader could overlook.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from layouts import ids
from mtb.board import biomarker
from mtb.case import Case, latest_stage, latest_value
from mtb.i18n import _, ngettext
from mtb.i18n.formats import date_text, event_text
from mtb.i18n.terms import term


def header_facts(case: Case) -> list[tuple[str, str]]:
    """(label, value) pairs of the header, in reading order."""
    patient = case.patient
    age = case.age()
    who = _("not in the clinical files")
    if patient is not None:
        parts = [patient.name, patient.id, term(patient.sex) or _("sex not recorded"),
                 ngettext("{n} year", "{n} years", age) if age is not None
                 else _("age not recorded")]
        if patient.deceased not in (None, False):
            parts.append(_("died {day}", day=date_text(patient.deceased))
                         if patient.deceased is not True else _("died"))
        who = ", ".join(p for p in parts if p)
    diagnosis = case.annotation.diagnosis
    mapped = diagnosis.name if diagnosis.known else _("{text} (not mapped)",
                                                       text=diagnosis.text)
    if diagnosis.chosen_by:  # a curator chose it (layouts.tumor_type)
        mapped += " (" + _("chosen by {who}", who=diagnosis.chosen_by) + ")"
    stage = event_text(latest_stage(case)) or _("not recorded")
    ecog = event_text(latest_value(case, "ECOG")) or _("not recorded")
    tmb, msi = (biomarker(case.annotation.variants, name) for name in ("TMB", "MSI"))
    computed = case.annotation.tmb
    tmb_text = (tmb.label.removeprefix("TMB ") if tmb is not None else
                _("not computed") if computed is None else _("not computable"))
    msi_text = (msi.label if msi is not None else
                event_text(latest_value(case, "microsatellite")) or _("not recorded"))
    return [(_("Patient"), who), (_("Diagnosis"), mapped), (_("Stage"), stage),
            ("ECOG", ecog), ("TMB", tmb_text), ("MSI", msi_text)]


def diagnosis_banner(case: Case) -> dbc.Alert | None:
    """The tumor type decides every tier: a diagnosis that did not map, or mapped weakly or
    ambiguously, is said above everything else, with the candidates the mapping weighed."""
    diagnosis = case.annotation.diagnosis
    if diagnosis.known and diagnosis.confidence != "low" and not diagnosis.warning:
        return None
    if not diagnosis.known:
        head = (_("The diagnosis '{text}' did not map to a tumor type: tiers use only "
                  "tumor-agnostic evidence.", text=diagnosis.text) if diagnosis.text else
                _("No diagnosis: tiers use only tumor-agnostic evidence."))
    else:
        head = _("Check the tumor type: '{text}' was read as {name} ({doid}), and every tier "
                 "depends on it.", text=diagnosis.text, name=diagnosis.name, doid=diagnosis.doid)
    body: list[object] = [html.Strong(head)]
    if diagnosis.warning:
        body.append(html.Div(diagnosis.warning, className="small"))
    if diagnosis.candidates:
        body.append(html.Div(_("Candidates:") + " " + "; ".join(
            f"{name} ({doid})" for doid, name in diagnosis.candidates), className="small"))
    return dbc.Alert(body, color="warning", id=ids.DIAGNOSIS_BANNER, className="py-2")


def case_header(case: Case, *, large: bool = False) -> html.Div:
    entry = case.entry
    badges = []
    if entry.synthetic:
        badges.append(dbc.Badge(_("SYNTHETIC case"), color="warning", text_color="dark",
                                className="ms-2 align-middle"))
    elif entry.synthetic_parts:
        badges.append(dbc.Badge(_("demonstration join"), color="warning", text_color="dark",
                                className="ms-2 align-middle", title=entry.synthetic_parts))
    facts = [
        html.Div([html.Span(label, className="fact-label"), html.Span(value, className="fact")],
                 className="fact-item")
        for label, value in header_facts(case)
    ]
    title = html.H1 if large else html.H2
    return html.Div(
        [title([entry.title, *badges], className="case-title"),
         html.Div(facts, className="facts")],
        id=ids.CASE_HEADER, className="case-header" + (" large" if large else ""),
    )
