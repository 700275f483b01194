"""Coordinators' daily digest settings.

Revision ID: 0012_digests
Revises: 0011_reminders
Create Date: 2026-12-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_digests"
down_revision: str | None = "0011_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create digest_setting (a coordinator without a row gets the default: on, 18:00)."""
    op.create_table(
        "digest_setting",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("off", sa.Boolean(), nullable=False),
        sa.Column("at_time", sa.String(length=5), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_digest_setting")),
    )


def downgrade() -> None:
    """Drop digest_setting."""
    op.drop_table("digest_setting")
