"""Lapsed is a pledge's own status: `pledge.lapsed_at`, no longer the reason 'lapsed'.

A lapsed pledge stays withdrawn from the count (`cancelled` true, as before), so the totals
count it like a cancelled one; `lapsed_at` says it lapsed, and when. Pledges a coordinator
marked lapsed before this revision (cancelled with the reason 'lapsed') take the time of
their `pledge.lapse` audit event, else their making, and lose the reason.

Revision ID: 0016_lapsed
Revises: 0014_appeal_reminders
Create Date: 2026-12-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_lapsed"
down_revision: str | None = "0014_appeal_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Moment = sa.DateTime(timezone=True)

#: The reason the escalation's "lapsed" wrote before lapsed was a status.
OLD_REASON = "lapsed"


def upgrade() -> None:
    """Add pledge.lapsed_at and move the old lapsed cancellations to it."""
    with op.batch_alter_table("pledge") as batch:
        batch.add_column(sa.Column("lapsed_at", Moment, nullable=True))
    op.execute(
        sa.text(
            "UPDATE pledge SET lapsed_at = COALESCE("
            " (SELECT MAX(audit_event.at) FROM audit_event"
            "  WHERE audit_event.action = 'pledge.lapse'"
            "  AND audit_event.subject = 'pledge:' || CAST(pledge.id AS VARCHAR(20))),"
            " pledge.created_at), cancel_reason = NULL"
            " WHERE cancelled AND cancel_reason = :reason"
        ).bindparams(reason=OLD_REASON)
    )


def downgrade() -> None:
    """Lapsed pledges become cancellations with the reason 'lapsed' again; drop the column."""
    op.execute(
        sa.text(
            "UPDATE pledge SET cancel_reason = :reason WHERE lapsed_at IS NOT NULL"
        ).bindparams(reason=OLD_REASON)
    )
    with op.batch_alter_table("pledge") as batch:
        batch.drop_column("lapsed_at")
