"""Fetched updates kept before they are confirmed to Telegram.

Revision ID: 0005_received_updates
Revises: 0004_offers
Create Date: 2024-01-05 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_received_updates"
down_revision: str | None = "0004_offers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the received_update table."""
    op.create_table(
        "received_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_received_update")),
    )
    op.create_index(op.f("ix_received_update_received_at"), "received_update", ["received_at"])


def downgrade() -> None:
    """Drop the received_update table."""
    op.drop_index(op.f("ix_received_update_received_at"), table_name="received_update")
    op.drop_table("received_update")
