"""Sessions that end: a per-user session epoch (sign-out, a role change, a new password or a
disabled account end every session of that user).

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as table:
        table.add_column(sa.Column("session_epoch", sa.Integer, nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
