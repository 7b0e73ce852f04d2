"""What the case page says about the version it shows (layouts.versions draws it): read from
the store for one opened version and the board's curations, in the reader's language (dates by
mtb.i18n.formats)."""

from __future__ import annotations

from collections.abc import Mapping

from layouts.versions import VersionView
from mtb.board import Curation, finding_key
from mtb.i18n import _
from mtb.i18n.formats import date_text, datetime_text
from mtb.i18n.terms import term
from mtb.versions import changes_lines
from mtb.web.library import CaseLibrary, OpenedCase

__all__ = ["version_view"]


def _said(curation: Curation) -> str:
    parts = []
    if curation.tier_override:
        parts.append(_("tier {tier} ({reason})", tier=curation.tier_override,
                       reason=curation.override_reason) if curation.override_reason
                     else _("tier {tier}", tier=curation.tier_override))
    if curation.oncogenicity:
        parts.append(term(curation.oncogenicity))
    if curation.comment:
        parts.append(f"“{curation.comment}”")
    if curation.in_report:
        parts.append(_("in the report"))
    who = f" — {curation.updated_by}" if curation.updated_by else ""
    when = f", {date_text(curation.updated_at)}" if curation.updated_at else ""
    return (", ".join(parts) or _("curated")) + who + when


def version_view(library: CaseLibrary, opened: OpenedCase,
                 curations: Mapping[str, Curation]) -> VersionView:
    store, info, case_id = library.store, opened.info, opened.case.entry.id
    keys = {finding_key(v) for v in opened.case.annotation.variants}
    orphans = []
    missing = [key for key in curations if key not in keys]
    if missing:
        labels: dict[str, str] = {}
        for version in reversed(store.versions(case_id)):
            for row in store.finding_rows(case_id, version.number):
                labels.setdefault(row.finding_key, _(
                    "{finding} (version {number}, tier {tier})", finding=row.label,
                    number=version.number, tier=row.tier))
            if all(key in labels for key in missing):
                break
        orphans = [(labels.get(key, key), _said(curations[key])) for key in sorted(missing)]
    since_previous = changes_lines(info.changes, _("since version {number}",
                                                   number=info.number - 1)) \
        if info.changes else ("", [])
    headline, detail, mark = library.library.since_board(case_id)
    state, problem = library.library.case_state(case_id)
    versions = store.versions(case_id)
    return VersionView(
        case_id=case_id, number=info.number, newest=opened.newest,
        created=datetime_text(info.created_at), reason=info.reason,
        knowledge_base=info.kb_release, approvals=info.approvals, build=info.build,
        mtb_version=info.mtb_version,
        files=tuple((str(f.get("path", "")), str(f.get("sha256", ""))) for f in info.files),
        pinned=opened.pinned,
        changes=(since_previous[0], *since_previous[1]) if since_previous[0] else (),
        board=(headline, *detail) if headline else (),
        board_met=(_("{status} {date}, version {number}", status=term(mark.status),
                     date=date_text(mark.at), number=mark.version_number)
                   if mark is not None and headline else ""),
        state=state if state.startswith(("annotating", "queued")) else "",
        problem=problem,
        versions=tuple((v.number, datetime_text(v.created_at), v.reason) for v in versions),
        orphans=tuple(orphans),
    )
