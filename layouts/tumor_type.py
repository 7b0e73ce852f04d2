"""The tumor type a curator chooses for a case, under the patient header.

Every tier depends on the tumor type. When the diagnosis text maps weakly, ambiguously or to
the wrong term (the banner above says so), a curator picks the Disease Ontology term here, with
a reason; the case is annotated again with it (mtb.library.Library.set_tumor_type) and the
header says who chose it. The form is open when the mapping needs a look, folded otherwise;
only curators see it, and a final case does not take a new tumor type.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from annotation.model import Diagnosis
from layouts import ids
from mtb.board import TEXT_LIMITS
from mtb.i18n import _

MATCHES = 40  # terms offered for what the curator typed: the slim has over 700


def _label(doid: str, name: str, code: str) -> str:
    """The label carries the OncoTree code, so that typing 'LUAD' finds lung adenocarcinoma."""
    return f"{name} · {code} ({doid})" if code else f"{name} ({doid})"


def tumor_type_options(diagnosis: Diagnosis, terms: Sequence[tuple[str, str, str]]
                       ) -> list[dict[str, str]]:
    """The choices the page starts with (`terms`: (doid, name, OncoTree code)): back to the
    text, the mapping's term and candidates, and a chosen term; the others come as the
    curator types (matching_options), so a case page does not carry the whole slim."""
    codes = {doid: code for doid, _name, code in terms}
    options = [{"label": _("from the diagnosis text"), "value": ""}]
    first = [(doid, name) for doid, name in diagnosis.candidates]
    if diagnosis.doid and diagnosis.confidence != "chosen":
        first.insert(0, (diagnosis.doid, diagnosis.name))
    for doid, name in dict(first).items():
        if doid in codes:
            options.append({"label": _label(doid, name, codes[doid]) + " — " + _("suggested"),
                            "value": doid})
    if diagnosis.doid and diagnosis.confidence == "chosen" and diagnosis.doid in codes:
        options.append({"label": _label(diagnosis.doid, diagnosis.name, codes[diagnosis.doid]),
                        "value": diagnosis.doid})
    return options


def matching_options(terms: Sequence[tuple[str, str, str]], typed: str,
                     keep: Sequence[dict[str, str]] = ()) -> list[dict[str, str]]:
    """The terms whose label holds every word typed (name, OncoTree code or DOID; any case),
    at most MATCHES: labels that start with what was typed first, then those holding it as
    typed, then those starting with its first word; `keep` (the way back to the text, the
    term chosen) stays in front."""
    words = typed.casefold().split()
    phrase = " ".join(words)
    found = [(doid, _label(doid, name, code)) for doid, name, code in terms
             if words and all(word in _label(doid, name, code).casefold() for word in words)]
    found.sort(key=lambda item: (not item[1].casefold().startswith(phrase),
                                 phrase not in item[1].casefold(),
                                 not item[1].casefold().startswith(words[0]), item[1]))
    kept = {option["value"] for option in keep}
    return [*keep, *({"label": label, "value": doid} for doid, label in found[:MATCHES]
                     if doid not in kept)]


def tumor_type_form(diagnosis: Diagnosis, terms: Sequence[tuple[str, str, str]], *,
                    reason: str = "") -> html.Details:
    """The curator's choice of the tumor type. `reason`: why the current choice was made."""
    chosen = diagnosis.confidence == "chosen"
    weak = not diagnosis.known or diagnosis.confidence == "low" or bool(diagnosis.warning)
    current = (f"{diagnosis.name} ({diagnosis.doid})" if diagnosis.known
               else _("none (the diagnosis did not map)"))
    summary = _("Tumor type: {current}", current=current)
    if chosen:
        summary += " · " + _("chosen by {who}", who=diagnosis.chosen_by)
    start = tumor_type_options(diagnosis, terms)
    return html.Details([
        html.Summary([summary, html.Span(" · " + _("change"), className="text-primary-emphasis "
                                         "text-decoration-underline")]),
        html.Div([
            html.P(_("Every tier depends on the tumor type. The diagnosis as written: "
                     "'{text}'. Choosing a term annotates the case again with it (a new "
                     "version); the diagnosis text and its receptor status are kept.",
                     text=diagnosis.text), className="small mb-2"),
            html.P(_("Reason given: {reason}", reason=reason), className="small mb-2")
            if chosen and reason else None,
            dbc.Label(_("Tumor type"), html_for=ids.TUMOR_TYPE_CHOICE),
            dcc.Store(id=ids.TUMOR_TYPE_START, data=start),
            dcc.Dropdown(id=ids.TUMOR_TYPE_CHOICE, options=start,
                         value=diagnosis.doid if chosen else "", clearable=False,
                         searchable=True, placeholder=_("type a name, an OncoTree code or a DOID")),
            dbc.Label(_("Reason (for example the pathology report it follows)"),
                      html_for=ids.TUMOR_TYPE_REASON, className="mt-2"),
            dbc.Textarea(id=ids.TUMOR_TYPE_REASON, rows=2,
                         maxLength=TEXT_LIMITS["tumor_type_reason"]),
            dbc.Button(_("Annotate with this tumor type"), id=ids.TUMOR_TYPE_SAVE,
                       color="primary", size="sm", className="mt-2"),
        ], className="mt-2"),
    ], open=weak and not chosen, id=ids.TUMOR_TYPE, className="tumor-type small mb-2")
