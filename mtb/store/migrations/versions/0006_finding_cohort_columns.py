"""Cohort queries (issue 14): the findings' index learns what a query by exon, fusion partner
or copy-number call needs, and an index for "these versions, this tier".

Rows stored before this migration keep empty values (the index is append-only, so they are
never filled in): the cohort query then reads partners and copy-number calls from the row's
label (mtb.cohort.variants), but a query by a fusion's 5' partner gene or by exon cannot
find them until the case is annotated again (`mtb kb build` re-queues every case; a new
version is indexed with these columns).

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild): the append-only triggers of case_finding stay
    op.add_column("case_finding", sa.Column("exon", sa.Integer, nullable=True))
    op.add_column("case_finding", sa.Column("partner5", sa.String(64), nullable=False,
                                            server_default=""))
    op.add_column("case_finding", sa.Column("partner3", sa.String(64), nullable=False,
                                            server_default=""))
    op.add_column("case_finding", sa.Column("cnv_call", sa.String(24), nullable=False,
                                            server_default=""))
    op.create_index("ix_case_finding_version_tier", "case_finding", ["version_id", "tier"])
    op.create_index("ix_case_finding_partner5", "case_finding", ["partner5"])


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
