"""The Dash app: `create_app(settings)` builds it; nothing happens at import.

Layouts come from `layouts/` (pure functions); this module only wires them to data and turns
MtbError into a message on the page.
"""

from __future__ import annotations

from dash import Dash, html

from layouts.agenda import case_list
from layouts.messages import error_message
from layouts.shell import shell
from mtb.catalog import list_cases
from mtb.config import Settings
from mtb.errors import MtbError
from mtb.resources import assets_dir


def create_app(settings: Settings) -> Dash:
    app = Dash(
        __name__,
        assets_folder=str(assets_dir()),  # the top-level assets/, not one beside this module
        external_stylesheets=[],  # Bootstrap is shipped in assets/: no CDN on hospital networks
        title="mtb",
        update_title=None,
    )

    def layout() -> html.Div:
        try:
            return shell(case_list(list_cases(settings.cases_dir)))
        except MtbError as error:
            return shell(error_message("The case list cannot be shown", str(error)))

    app.layout = layout
    return app
