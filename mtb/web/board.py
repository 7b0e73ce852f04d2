"""What the store holds about one case, for the signed-in user: the bridge between mtb.store
and the board layouts (used by the page and by the callbacks that redraw it)."""

from __future__ import annotations

from typing import Any

from layouts.board import AUDIT_PAGE, BoardView, audit_table
from mtb.board import ANONYMOUS, Actor, finding_key
from mtb.case import Case
from mtb.store import Store


def board_view(store: Store, case_id: str, actor: Actor | None) -> BoardView:
    actor = actor or ANONYMOUS
    return BoardView(
        record=store.case_record(case_id),
        recommendations=store.recommendations(case_id),
        audit=store.audit(case_id, newest=AUDIT_PAGE),
        audit_total=store.audit_count(case_id),
        meetings=meeting_labels(store),
        curations=store.curations(case_id),
        user=actor.name,
        role=actor.role,
        may_curate=actor.may("curate"),
        may_decide=actor.may("decide"),
    )


def audit_page(store: Store, case_id: str, skip: int = 0) -> Any:
    """The children of the case page's audit log: the AUDIT_PAGE entries after the `skip`
    newest (a long history is sent a page at a time, never whole)."""
    total = store.audit_count(case_id)
    skip = max(0, min(int(skip), max(total - 1, 0)))
    return audit_table(store.audit(case_id, newest=AUDIT_PAGE, skip=skip), total, skip,
                       open_=True).children


def advanced(shown: Any, before: int | None, after: int | None) -> Any:
    """The page's revision after the user's own write: the write's revision when the page
    showed the one just before it (nothing else changed meanwhile), else the page keeps the
    revision it showed, so the chair's "final" stays refused until a reload shows what a
    colleague changed."""
    if isinstance(shown, int) and before is not None and shown == before:
        return after
    return shown


def meeting_labels(store: Store) -> list[tuple[int, str]]:
    """(id, '2026-11-24 · Molecular tumor board (5 participants)') of every meeting."""
    return [(meeting.id, meeting.label) for meeting in store.meetings()]


def finding_choices(case: Case) -> list[tuple[str, str]]:
    """(key, label) of the findings a recommendation may rest on: tier I-III first."""
    ranked = sorted(case.annotation.variants, key=lambda v: v.tier.rank)
    return [(finding_key(v), f"{v.alteration.label} ({v.tier.value})")
            for v in ranked if v.tier.rank <= 4][:200]
