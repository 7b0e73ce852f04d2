"""The store's rows -> the board's plain records (mtb.board), the only things mtb.store hands
out: a caller never holds a SQLAlchemy object bound to a session it cannot see, and nothing
outside mtb/store/ depends on the database's shape."""

from __future__ import annotations

from mtb import board
from mtb.store import schema


def case_record(row: schema.CaseRecord) -> board.CaseRecord:
    return board.CaseRecord(
        case_id=row.case_id, status=row.status, meeting_id=row.meeting_id, summary=row.summary,
        updated_at=row.updated_at, updated_by=row.updated_by, version=row.version,
        summary_version=row.summary_version, revision=row.revision,
    )


def curation(row: schema.Curation, case_revision: int | None = None) -> board.Curation:
    return board.Curation(
        id=row.id, case_id=row.case_id, finding_key=row.finding_key,
        oncogenicity=row.oncogenicity, tier_override=row.tier_override,
        override_reason=row.override_reason, comment=row.comment, in_report=row.in_report,
        updated_at=row.updated_at, updated_by=row.updated_by, version=row.version,
        case_revision=case_revision,
    )


def recommendation(
    row: schema.Recommendation, case_revision: int | None = None
) -> board.Recommendation:
    return board.Recommendation(
        id=row.id, case_id=row.case_id, kind=row.kind, text=row.text,
        evidence_grade=row.evidence_grade, amp_tier=row.amp_tier, rationale=row.rationale,
        finding_keys=row.finding_keys, withdrawn=row.withdrawn, created_at=row.created_at,
        nct_id=row.nct_id or "",
        created_by=row.created_by, updated_at=row.updated_at, updated_by=row.updated_by,
        version=row.version, case_revision=case_revision,
    )


def meeting(row: schema.Meeting) -> board.Meeting:
    return board.Meeting(id=row.id, day=row.day, title=row.title,
                         participants=row.participants, version=row.version)


def audit_entry(row: schema.AuditEntry) -> board.AuditEntry:
    return board.AuditEntry(
        id=row.id, at=row.at, user_name=row.user_name, action=row.action, entity=row.entity,
        entity_key=row.entity_key, case_id=row.case_id, before=row.before, after=row.after,
    )
