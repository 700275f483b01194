"""Deadline nudges to groups can be turned off per appeal.

Revision ID: 0013_nudges
Revises: 0012_digests
Create Date: 2026-12-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_nudges"
down_revision: str | None = "0012_digests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create appeal_nudge (an appeal without a row has its nudges on)."""
    op.create_table(
        "appeal_nudge",
        sa.Column("appeal_id", BigId, nullable=False),
        sa.Column("off", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"], name=op.f("fk_appeal_nudge_appeal_id_appeal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("appeal_id", name=op.f("pk_appeal_nudge")),
    )


def downgrade() -> None:
    """Drop appeal_nudge."""
    op.drop_table("appeal_nudge")
