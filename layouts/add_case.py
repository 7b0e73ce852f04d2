"""Adding a case from files: VCF (required), copy-number and fusion tables, FHIR or CSV
history, and the diagnosis. The server checks every file before anything is stored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.links import href
from mtb.i18n import _


def add_case_page(upload_limit: int = 0) -> html.Div:
    """The form. `upload_limit`: the bytes this user's role may upload for one case (the
    browser refuses more before sending; the server refuses it anyway). The files are sent by
    assets/30_upload.js straight to the server's upload route, one at a time, as they are."""
    return html.Div([
        dcc.Link(_("← Agenda"), href=href("/"), className="btn btn-link btn-sm ps-0"),
        html.H2(_("Add a case"), className="mb-3"),
        dbc.Row([
            dbc.Col([
                dbc.Label(_("Title"), html_for=ids.ADD_TITLE),
                dbc.Input(id=ids.ADD_TITLE, placeholder=_("e.g. Lung adenocarcinoma, 2nd line"),
                          maxLength=120),
            ], md=6),
            dbc.Col([
                dbc.Label(_("Diagnosis"), html_for=ids.ADD_DIAGNOSIS),
                dbc.Input(id=ids.ADD_DIAGNOSIS, maxLength=200,
                          placeholder=_("free text, ICD-10-GM (C34.1), OncoTree (LUAD) or DOID")),
            ], md=6),
        ], className="mb-3"),
        html.Div([
            dbc.Label(_("Files (choose all of a case's files at once)"),
                      html_for=ids.ADD_FILE_INPUT),
            # Dash has no file input that leaves the files alone (dcc.Upload reads them into
            # the page, base64): assets/30_upload.js puts a plain <input type=file> in here
            html.Div(className="file-slot"),
        ], id=ids.ADD_UPLOAD, className="upload-zone mb-2",
            **_data_limit(upload_limit)),
        html.Div(uploaded_files([]), id=ids.ADD_FILES),
        dcc.Store(id=ids.ADD_CHOSEN),
        dcc.Store(id=ids.ADD_STAGED),
        dbc.Button(_("Add case"), id=ids.ADD_BUTTON, color="primary", className="mt-2",
                   disabled=upload_limit <= 0),
        dcc.Loading(html.Div(id=ids.ADD_RESULT, className="mt-3"), type="circle"),
        html.P(_("A tumor VCF/BCF is required; copy-number segment and fusion tables, FHIR R4 "
                 "JSON and CSV event tables may be added. Every file is read and annotated "
                 "before the case is stored: if one fails, nothing is kept."),
               className="small text-muted mt-3"),
    ], className="add-case")


def uploaded_files(names: Sequence[str]) -> html.Div | html.Ul:
    if not names:
        return html.Div(_("No files chosen yet (choose all of a case's files at once)."),
                        className="small text-muted")
    return html.Ul([html.Li(name) for name in names], className="small mb-0")


def add_result(ok: bool, message: str, case_id: str | None = None) -> dbc.Alert:
    if ok and case_id:
        return dbc.Alert([message, " ", dcc.Link(_("Open the case"),
                                                 href=href(f"/case/{case_id}"))],
                         color="success", id=ids.PAGE_MESSAGE)
    return dbc.Alert([html.H5(_("The case was not added"), className="alert-heading"),
                      html.P(message, className="mb-0")], color="danger", id=ids.PAGE_MESSAGE)


def _data_limit(upload_limit: int) -> dict[str, Any]:
    """The upload limit for assets/30_upload.js as a data-* prop (a Dash wildcard prop, which
    its typed signatures cannot name)."""
    return {"data-limit": str(upload_limit)}
