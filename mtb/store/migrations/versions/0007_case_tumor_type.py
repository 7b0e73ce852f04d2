"""The tumor type a curator chose for a case (issue 11): every tier depends on it, so when the
diagnosis text maps weakly, ambiguously or wrongly, a curator picks the Disease Ontology term;
the case is annotated again with it. Who chose it, when and why is kept beside it (and in the
audit log).

And the outcome a version's timeline records (its newest response assessment, 'PD 2024-11-02'),
for "seen before" (issue 14) without opening an earlier case's document. Versions stored before
this migration have none until they are annotated again.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stored_case", sa.Column("tumor_type", sa.String(40), nullable=False,
                                           server_default=""))
    op.add_column("stored_case", sa.Column("tumor_type_by", sa.String(80), nullable=False,
                                           server_default=""))
    op.add_column("stored_case", sa.Column("tumor_type_reason", sa.Text, nullable=False,
                                           server_default=""))
    op.add_column("stored_case", sa.Column("tumor_type_at", sa.DateTime(timezone=True),
                                           nullable=True))
    # plain ADD COLUMN (no table rebuild): the append-only triggers of case_version stay
    op.add_column("case_version", sa.Column("outcome", sa.String(40), nullable=False,
                                            server_default=""))


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
