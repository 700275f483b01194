"""Coordinators' batched notices; photos or documents sent through the outbox, and the kind
of a delivery's proof (photo or document), so it can be shown to coordinators.

Revision ID: 0007_coordination
Revises: 0005_received_updates
Create Date: 2024-01-07 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_coordination"
down_revision: str | None = "0005_received_updates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create coordinator_notice; add the media columns to delivery and fulfilment."""
    op.create_table(
        "coordinator_notice",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("coordinator_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("batched_at", Moment, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator_notice")),
    )
    op.create_index(
        op.f("ix_coordinator_notice_coordinator_id"), "coordinator_notice", ["coordinator_id"]
    )
    op.create_index(
        "ix_coordinator_notice_pending", "coordinator_notice", ["batched_at", "coordinator_id"]
    )
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("media_kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("media_file_id", sa.String(length=255), nullable=True))
    with op.batch_alter_table("fulfilment") as batch:
        batch.add_column(sa.Column("proof_kind", sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Drop what upgrade made."""
    with op.batch_alter_table("fulfilment") as batch:
        batch.drop_column("proof_kind")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_column("media_file_id")
        batch.drop_column("media_kind")
    op.drop_index("ix_coordinator_notice_pending", table_name="coordinator_notice")
    op.drop_index(op.f("ix_coordinator_notice_coordinator_id"), table_name="coordinator_notice")
    op.drop_table("coordinator_notice")
