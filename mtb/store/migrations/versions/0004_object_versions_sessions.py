"""Versions per edited object, server-side sessions and sign-in throttling (issue 12).

- case_record: the summary gets its own version (`summary_version`) and every change to a case
  raises `revision`; `version` stays the status's and meeting's. A summary save is no longer
  refused because a colleague curated another finding; "final" is still refused when anything
  changed since the chair looked (it is made on `revision`). Existing rows start with both
  equal to their version: what the pages loaded before the upgrade stays valid for "final".
- web_session: opaque sessions (the cookie holds a random token, the table its hash).
- sign_in_throttle: failed sign-ins per account-and-address and per address, shared by every
  server process.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_record") as table:
        table.add_column(sa.Column("summary_version", sa.Integer, nullable=False,
                                   server_default="0"))
        table.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="0"))
    op.execute("UPDATE case_record SET summary_version = version, revision = version")
    op.create_table(
        "web_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(80), nullable=False, index=True),
        sa.Column("epoch", sa.Integer, nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
