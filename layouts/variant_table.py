"""The full variant table: AG Grid on the infinite row model (rows come from the server in
blocks of 100, filtered and sorted there; see mtb.web.grid), with tier buttons above it and the
header's own text and number filters."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import html

from layouts import ids

TIER_CHOICES = (("Tier I", 1), ("Tier I–II", 3), ("Tier I–III", 4), ("All", 5))
TIER_CELL_CLASSES = {f"tier tier-{tier}": f"params.value == '{tier}'"
                     for tier in ("IA", "IB", "IIC", "IID", "III", "IV")}

COLUMN_DEFS = [
    {"field": "gene", "headerName": "Gene", "width": 110, "pinned": "left"},
    {"field": "alteration", "headerName": "Alteration", "width": 230, "tooltipField": "alteration"},
    {"field": "tier", "headerName": "Tier", "width": 90, "cellClassRules": TIER_CELL_CLASSES},
    {"field": "tier_rank", "hide": True, "filter": "agNumberColumnFilter"},
    {"field": "level", "headerName": "Level", "width": 80},
    {"field": "vaf", "headerName": "VAF", "width": 100, "filter": "agNumberColumnFilter",
     "valueFormatter": {"function": "params.value == null ? '' : d3.format('.1%')(params.value)"}},
    {"field": "alt", "headerName": "Alt reads", "width": 100, "filter": "agNumberColumnFilter"},
    {"field": "depth", "headerName": "Depth", "width": 95, "filter": "agNumberColumnFilter"},
    {"field": "consequence", "headerName": "Consequence", "width": 190,
     "tooltipField": "consequence"},
    {"field": "coding", "headerName": "Coding", "width": 95},
    {"field": "filter", "headerName": "Filter", "width": 110},
    {"field": "type", "headerName": "Type", "width": 90},
    {"field": "therapies", "headerName": "Therapies", "width": 260, "tooltipField": "therapies"},
    {"field": "hotspot", "headerName": "Hotspot", "width": 120},
    {"field": "location", "headerName": "Location", "width": 200},
]


def variant_grid(total: int) -> html.Div:
    controls = dbc.RadioItems(
        id=ids.TIER_FILTER,
        options=[{"label": label, "value": rank} for label, rank in TIER_CHOICES],
        value=5, inline=True, className="btn-group tier-filter", inputClassName="btn-check",
        labelClassName="btn btn-outline-secondary btn-sm",
        labelCheckedClassName="active",
    )
    grid = dag.AgGrid(
        id=ids.GRID,
        rowModelType="infinite",
        columnDefs=COLUMN_DEFS,
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
        html.Div([html.H3(f"All findings ({total:,})", className="section-title me-3 mb-0"),
                  controls], className="d-flex align-items-center flex-wrap gap-2 mb-2"),
        html.P("Filter in the column headers (e.g. Filter = PASS, VAF ≥ 0.05, Coding = yes); "
               "select a row for its evidence.", className="small text-muted mb-2"),
        grid,
    ])
