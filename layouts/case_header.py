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
from mtb.case import Case, event_text, latest_stage, latest_value


def header_facts(case: Case) -> list[tuple[str, str]]:
    """(label, value) pairs of the header, in reading order."""
    patient = case.patient
    age = case.age()
    who = "not in the clinical files"
    if patient is not None:
        parts = [patient.name, patient.id, patient.sex or "sex not recorded",
                 f"{age} years" if age is not None else "age not recorded"]
        if patient.deceased not in (None, False):
            parts.append(f"died {patient.deceased}" if patient.deceased is not True else "died")
        who = ", ".join(p for p in parts if p)
    diagnosis = case.annotation.diagnosis
    mapped = diagnosis.name if diagnosis.known else f"{diagnosis.text} (not mapped)"
    stage = event_text(latest_stage(case)) or "not recorded"
    ecog = event_text(latest_value(case, "ECOG")) or "not recorded"
    tmb, msi = (biomarker(case.annotation.variants, name) for name in ("TMB", "MSI"))
    computed = case.annotation.tmb
    tmb_text = (tmb.label.removeprefix("TMB ") if tmb is not None else
                "not computed" if computed is None else "not computable")
    msi_text = (msi.label if msi is not None else
                event_text(latest_value(case, "microsatellite")) or "not recorded")
    return [("Patient", who), ("Diagnosis", mapped), ("Stage", stage), ("ECOG", ecog),
            ("TMB", tmb_text), ("MSI", msi_text)]


def diagnosis_banner(case: Case) -> dbc.Alert | None:
    """The tumor type decides every tier: a diagnosis that did not map, or mapped weakly or
    ambiguously, is said above everything else, with the candidates the mapping weighed."""
    diagnosis = case.annotation.diagnosis
    if diagnosis.known and diagnosis.confidence != "low" and not diagnosis.warning:
        return None
    if not diagnosis.known:
        head = (f"The diagnosis '{diagnosis.text}' did not map to a tumor type: tiers use only "
                "tumor-agnostic evidence." if diagnosis.text else
                "No diagnosis: tiers use only tumor-agnostic evidence.")
    else:
        head = (f"Check the tumor type: '{diagnosis.text}' was read as {diagnosis.name} "
                f"({diagnosis.doid}), and every tier depends on it.")
    body: list[object] = [html.Strong(head)]
    if diagnosis.warning:
        body.append(html.Div(diagnosis.warning, className="small"))
    if diagnosis.candidates:
        body.append(html.Div("Candidates: " + "; ".join(
            f"{name} ({doid})" for doid, name in diagnosis.candidates), className="small"))
    return dbc.Alert(body, color="warning", id=ids.DIAGNOSIS_BANNER, className="py-2")


def case_header(case: Case, *, large: bool = False) -> html.Div:
    entry = case.entry
    badges = []
    if entry.synthetic:
        badges.append(dbc.Badge("SYNTHETIC case", color="warning", text_color="dark",
                                className="ms-2 align-middle"))
    elif entry.synthetic_parts:
        badges.append(dbc.Badge("demonstration join", color="warning", text_color="dark",
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
