"""A clinical-trial recommendation names its trial: the ClinicalTrials.gov id (NCT01234567)
beside the text, for the report and the FHIR export (issue 14).

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recommendation") as table:
        table.add_column(sa.Column("nct_id", sa.String(11), nullable=False, server_default=""))


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
