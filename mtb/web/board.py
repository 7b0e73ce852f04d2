"""What the store holds about one case, for the signed-in user: the bridge between mtb.store
and the board layouts (used by the page and by the callbacks that redraw it)."""

from __future__ import annotations

from layouts.board import BoardView
from mtb.board import ANONYMOUS, Actor, finding_key
from mtb.case import Case
from mtb.store import Store


def board_view(store: Store, case_id: str, actor: Actor | None) -> BoardView:
    actor = actor or ANONYMOUS
    return BoardView(
        record=store.case_record(case_id),
        recommendations=store.recommendations(case_id),
        audit=store.audit(case_id),
        meetings=meeting_labels(store),
        curations=store.curations(case_id),
        user=actor.name,
        role=actor.role,
        may_curate=actor.may("curate"),
        may_decide=actor.may("decide"),
    )


def meeting_labels(store: Store) -> list[tuple[int, str]]:
    """(id, '2026-11-24 · Molecular tumor board (5 participants)') of every meeting."""
    return [(meeting.id, meeting.label) for meeting in store.meetings()]


def finding_choices(case: Case) -> list[tuple[str, str]]:
    """(key, label) of the findings a recommendation may rest on: tier I-III first."""
    ranked = sorted(case.annotation.variants, key=lambda v: v.tier.rank)
    return [(finding_key(v), f"{v.alteration.label} ({v.tier.value})")
            for v in ranked if v.tier.rank <= 4][:200]
