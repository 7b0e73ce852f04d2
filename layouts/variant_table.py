"""The full variant table: AG Grid on the infinite row model (rows come from the server in
blocks of 100, filtered and sorted there; see mtb.web.grid), with tier buttons above it and the
header's own text and number filters."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import html

from layouts import ids
from mtb.i18n import N_, _, current_language
from mtb.i18n.formats import number

TIER_CHOICES = ((N_("Tier I"), 1), (N_("Tier I–II"), 3), (N_("Tier I–III"), 4),
                (N_("All"), 5))
TIER_CELL_CLASSES = {f"tier tier-{tier}": f"params.value == '{tier}'"
                     for tier in ("IA", "IB", "IIC", "IID", "III", "IV")}

COLUMN_DEFS = [
    {"field": "gene", "headerName": N_("Gene"), "width": 110, "pinned": "left"},
    {"field": "alteration", "headerName": N_("Alteration"), "width": 230,
     "tooltipField": "alteration"},
    {"field": "tier", "headerName": N_("Tier"), "width": 90, "cellClassRules": TIER_CELL_CLASSES},
    {"field": "tier_rank", "hide": True, "filter": "agNumberColumnFilter"},
    {"field": "level", "headerName": N_("Level"), "width": 80},
    {"field": "vaf", "headerName": N_("VAF"), "width": 100, "filter": "agNumberColumnFilter",
     "valueFormatter": {"function": "params.value == null ? '' : d3.format('.1%')(params.value)"}},
    {"field": "alt", "headerName": N_("Alt reads"), "width": 100, "filter": "agNumberColumnFilter"},
    {"field": "depth", "headerName": N_("Depth"), "width": 95, "filter": "agNumberColumnFilter"},
    {"field": "consequence", "headerName": N_("Consequence"), "width": 190,
     "tooltipField": "consequence"},
    {"field": "coding", "headerName": N_("Coding"), "width": 95},
    {"field": "filter", "headerName": N_("Filter"), "width": 110},
    {"field": "type", "headerName": N_("Type"), "width": 90},
    {"field": "therapies", "headerName": N_("Therapies"), "width": 260,
     "tooltipField": "therapies"},
    {"field": "hotspot", "headerName": N_("Hotspot"), "width": 120},
    {"field": "location", "headerName": N_("Location"), "width": 200},
]


def column_defs() -> list[dict[str, object]]:
    """COLUMN_DEFS with the headers in the reader's language; in German the VAF column writes
    a decimal comma (d3's format with a German locale)."""
    german = current_language() == "de"
    out = []
    for column in COLUMN_DEFS:
        shown = dict(column)
        if "headerName" in shown:
            shown["headerName"] = _(str(shown["headerName"]))
        if german and column["field"] == "vaf":
            shown["valueFormatter"] = {"function": (
                "params.value == null ? '' : d3.formatLocale({decimal: ',', thousands: '.', "
                "grouping: [3], currency: ['', ' €'], percent: '\u00a0%'}).format('.1%')"
                "(params.value)")}
        out.append(shown)
    return out


def variant_grid(total: int) -> html.Div:
    controls = dbc.RadioItems(
        id=ids.TIER_FILTER,
        options=[{"label": _(label), "value": rank} for label, rank in TIER_CHOICES],
        value=5, inline=True, className="btn-group tier-filter", inputClassName="btn-check",
        labelClassName="btn btn-outline-secondary btn-sm",
        labelCheckedClassName="active",
    )
    grid = dag.AgGrid(
        id=ids.GRID,
        rowModelType="infinite",
        columnDefs=column_defs(),
        defaultColDef={"sortable": True, "resizable": True, "filter": "agTextColumnFilter",
                       "floatingFilter": True, "filterParams": {"maxNumConditions": 2}},
        dashGridOptions={"rowSelection": {"mode": "singleRow", "checkboxes": False,
                                          "enableClickSelection": True},
                         "cacheBlockSize": 100, "maxBlocksInCache": 50,
                         "infiniteInitialRowCount": min(total, 100), "tooltipShowDelay": 300},
        getRowId="params.data.row",
        style={"height": "520px", "width": "100%"},
        className="ag-theme-alpine",
    )
    return html.Div([
        html.Div([html.H3(_("All findings ({total})", total=number(total)),
                          className="section-title me-3 mb-0"),
                  controls], className="d-flex align-items-center flex-wrap gap-2 mb-2"),
        html.P(_("Filter in the column headers (e.g. Filter = PASS, VAF ≥ 0.05, Coding = yes); "
                 "select a row for its evidence."), className="small text-muted mb-2"),
        grid,
    ])
