"""Kept updates carry their person, chat and claim: replicas share one ordering rule.

Revision ID: 0010_update_claims
Revises: 0009_amounts
Create Date: 2026-12-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_update_claims"
down_revision: str | None = "0009_amounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Moment = sa.DateTime(timezone=True)
OPEN = sa.text("done_at IS NULL")


def upgrade() -> None:
    """Add person_key, chat_key, claimant, claimed_at, done_at and the open-row indexes."""
    with op.batch_alter_table("received_update") as batch:
        batch.add_column(sa.Column("person_key", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("chat_key", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("claimant", sa.String(64), nullable=True))
        batch.add_column(sa.Column("claimed_at", Moment, nullable=True))
        batch.add_column(sa.Column("done_at", Moment, nullable=True))
    # Updates handled before are finished; the others are taken over by a webhook replica.
    op.execute(
        "UPDATE received_update SET done_at = received_at WHERE EXISTS "
        "(SELECT 1 FROM processed_update p WHERE p.update_id = received_update.update_id)"
    )
    op.create_index("ix_received_update_open_person", "received_update",
                    ["person_key", "update_id"], postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index("ix_received_update_open_chat", "received_update",
                    ["chat_key", "update_id"], postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index("ix_received_update_open_claim", "received_update",
                    ["claimed_at"], postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade() -> None:
    """Drop the claim columns and their indexes."""
    for name in ("open_claim", "open_chat", "open_person"):
        op.drop_index(f"ix_received_update_{name}", table_name="received_update")
    with op.batch_alter_table("received_update") as batch:
        for column in ("done_at", "claimed_at", "claimant", "chat_key", "person_key"):
            batch.drop_column(column)
