"""An appeal's own reminder policy, or its reminders paused.

Revision ID: 0014_appeal_reminders
Revises: 0013_nudges
Create Date: 2026-12-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_appeal_reminders"
down_revision: str | None = "0013_nudges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create appeal_reminder_policy (an appeal without a row follows the network's)."""
    op.create_table(
        "appeal_reminder_policy",
        sa.Column("appeal_id", BigId, nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("before_days", sa.Integer(), nullable=True),
        sa.Column("every_days", sa.Integer(), nullable=True),
        sa.Column("max_overdue", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"],
            name=op.f("fk_appeal_reminder_policy_appeal_id_appeal"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("appeal_id", name=op.f("pk_appeal_reminder_policy")),
    )


def downgrade() -> None:
    """Drop appeal_reminder_policy."""
    op.drop_table("appeal_reminder_policy")
