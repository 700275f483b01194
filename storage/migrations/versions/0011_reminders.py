"""Reminders: one row per pledge with its next reminder, and each person's pause.

Revision ID: 0011_reminders
Revises: 0010_update_claims
Create Date: 2026-12-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_reminders"
down_revision: str | None = "0010_update_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create reminder and reminder_pause (pledges get their rows from the job's next tick)."""
    op.create_table(
        "reminder",
        sa.Column("pledge_id", BigId, nullable=False),
        sa.Column("due_at", Moment, nullable=True),
        sa.Column("slot", sa.String(length=16), nullable=True),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("last_sent_at", Moment, nullable=True),
        sa.Column("lease_until", Moment, nullable=True),
        sa.Column("unreachable_at", Moment, nullable=True),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledge.id"], name=op.f("fk_reminder_pledge_id_pledge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pledge_id", name=op.f("pk_reminder")),
    )
    op.create_index(op.f("ix_reminder_due_at"), "reminder", ["due_at"])
    op.create_table(
        "reminder_pause",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("off", sa.Boolean(), nullable=False),
        sa.Column("snoozed_until", Moment, nullable=True),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_reminder_pause")),
    )


def downgrade() -> None:
    """Drop what upgrade made."""
    op.drop_table("reminder_pause")
    op.drop_index(op.f("ix_reminder_due_at"), table_name="reminder")
    op.drop_table("reminder")
