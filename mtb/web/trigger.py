"""What set a callback off: a write runs only when the user pressed its button.

Dash also runs a callback when one of its inputs is drawn (a form that appears below a
finding's evidence, a page that is redrawn), with `n_clicks` None or 0: the curation form once
saved an empty curation every time it appeared (issue 12). Every writing callback therefore
asks `pressed()` first: the property that triggered it must be the button's click count, and
that count must be a positive number. Opening, selecting and redrawing never write.
"""

from __future__ import annotations

from typing import Any

from dash import ctx

CLICKS = ("n_clicks", "submit_n_clicks")


def pressed(component: str | dict[str, Any] | None = None, *, type_: str = "") -> bool:
    """True when this callback runs because the user clicked `component` (an id), or any
    component of pattern-matching type `type_`; False for a drawn, redrawn or unknown one."""
    if not ctx.triggered_id or not ctx.triggered:
        return False
    trigger = ctx.triggered[0]
    prop = str(trigger.get("prop_id", "")).rsplit(".", 1)[-1]
    value = trigger.get("value")
    if prop not in CLICKS or isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return False
    triggered = ctx.triggered_id
    if type_:
        return isinstance(triggered, dict) and triggered.get("type") == type_
    return component is None or triggered == component
