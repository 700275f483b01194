"""A pledge's estimated value carries its own approximate flag (300箱 价值2万余元).

Revision ID: 0009_amounts
Revises: 0006_privacy
Create Date: 2026-12-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_amounts"
down_revision: str | None = "0006_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add pledge.estimated_approximate (false for every pledge made before)."""
    with op.batch_alter_table("pledge") as batch:
        batch.add_column(
            sa.Column(
                "estimated_approximate", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    """Drop pledge.estimated_approximate."""
    with op.batch_alter_table("pledge") as batch:
        batch.drop_column("estimated_approximate")
