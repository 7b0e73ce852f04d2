"""Cases that last: registered cases, their annotation versions (the case document and an index
row per finding), jobs, what the board saw, frozen final reports and the library's state.
Versions, findings, what the board saw and frozen reports are append-only (triggers).

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("case_version", "case_finding", "board_seen", "frozen_report")
_NO_CHANGE = "is append-only: what mtb said about a case is never rewritten"


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "stored_case",
        sa.Column("case_id", sa.String(120), primary_key=True),
        sa.Column("folder", sa.Text, nullable=False),
        sa.Column("origin", sa.String(40), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("diagnosis", sa.Text, nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("synthetic_parts", sa.Text, nullable=False),
        _when("registered_at"),
        sa.Column("registered_by", sa.String(80), nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("input_key", sa.String(64), nullable=False),
        sa.Column("current_version", sa.Integer, nullable=True),
        sa.Column("job_id", sa.Integer, nullable=True),
        sa.Column("problem", sa.Text, nullable=False),
        _when("checked_at"),
    )
    op.create_table(
        "case_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(120), nullable=False, index=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("input_key", sa.String(64), nullable=False),
        _when("created_at"),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("job_id", sa.Integer, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("mtb_version", sa.String(40), nullable=False),
        sa.Column("document_schema", sa.Integer, nullable=False),
        sa.Column("kb_signature", sa.String(64), nullable=False),
        sa.Column("kb_release", sa.String(200), nullable=False),
        sa.Column("approvals", sa.String(200), nullable=False),
        sa.Column("build", sa.String(16), nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("diagnosis", sa.Text, nullable=False),
        sa.Column("diagnosis_name", sa.Text, nullable=False),
        sa.Column("doid", sa.String(40), nullable=False, index=True),
        sa.Column("oncotree", sa.String(40), nullable=False, index=True),
        sa.Column("findings", sa.Integer, nullable=False),
        sa.Column("tier_one", sa.Integer, nullable=False),
        sa.Column("tier_two", sa.Integer, nullable=False),
        sa.Column("tmb", sa.Float, nullable=True),
        sa.Column("biomarkers", sa.Text, nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("board_changes", sa.Text, nullable=False),
        sa.Column("document", sa.LargeBinary, nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.Column("document_bytes", sa.Integer, nullable=False),
        sa.UniqueConstraint("case_id", "number"),
    )
    op.create_table(
        "case_finding",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("case_version.id"), nullable=False),
        sa.Column("case_id", sa.String(120), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("finding_key", sa.String(300), nullable=False),
        sa.Column("gene", sa.String(64), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("variant_class", sa.String(40), nullable=False),
        sa.Column("protein", sa.String(120), nullable=False),
        sa.Column("tier", sa.String(8), nullable=False),
        sa.Column("level", sa.String(4), nullable=False),
        sa.Column("key_finding", sa.Boolean, nullable=False),
    )
    op.create_index("ix_case_finding_version_key", "case_finding", ["version_id", "finding_key"])
    op.create_index("ix_case_finding_version_key_finding", "case_finding",
                    ["version_id", "key_finding"])
    op.create_index("ix_case_finding_gene_tier", "case_finding", ["gene", "tier"])
    op.create_table(
        "job",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(120), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("input_key", sa.String(64), nullable=False),
        sa.Column("after_version", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("state", sa.String(12), nullable=False, index=True),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("step", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(120), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        _when("created_at"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("version_number", sa.Integer, nullable=True),
        sa.UniqueConstraint("case_id", "kind", "input_key", "after_version"),
    )
    op.create_table(
        "board_seen",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(120), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version_number", sa.Integer, nullable=True),
        _when("at"),
        sa.Column("by", sa.String(80), nullable=False),
    )
    op.create_table(
        "frozen_report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(120), nullable=False, index=True),
        sa.Column("version_number", sa.Integer, nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        _when("created_at"),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.UniqueConstraint("case_id", "format"),
    )
    op.create_table(
        "library_state",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} {_NO_CHANGE}'); END"
                )
        elif dialect == "postgresql":
            op.execute(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ BEGIN "
                f"RAISE EXCEPTION '{table} {_NO_CHANGE}'; END; $$ LANGUAGE plpgsql"
            )
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            )


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
