"""Pledges and their fulfilments.

Revision ID: 0003_pledges
Revises: 0002_appeals
Create Date: 2024-01-03 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_pledges"
down_revision: str | None = "0002_appeals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the pledge and fulfilment tables."""
    op.create_table(
        "pledge",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("appeal_id", BigId, nullable=True),
        sa.Column("need_id", BigId, nullable=True),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quantity", sa.Numeric(24, 6), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("estimated_minor", sa.BigInteger(), nullable=True),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("on_behalf_of", sa.Integer(), nullable=True),
        sa.Column("earmark_recipient_id", BigId, nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("source_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("source_update_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.CheckConstraint(
            "amount_minor IS NULL OR amount_minor > 0", name=op.f("ck_pledge_amount_positive")
        ),
        sa.CheckConstraint(
            "quantity IS NULL OR quantity > 0", name=op.f("ck_pledge_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"], name=op.f("fk_pledge_appeal_id_appeal"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["need_id"], ["need.id"], name=op.f("fk_pledge_need_id_need"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["on_behalf_of"], ["organisation.id"],
            name=op.f("fk_pledge_on_behalf_of_organisation"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["earmark_recipient_id"], ["recipient.id"],
            name=op.f("fk_pledge_earmark_recipient_id_recipient"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge")),
        sa.UniqueConstraint("token", name=op.f("uq_pledge_token")),
    )
    for column in ("person_id", "appeal_id", "need_id", "on_behalf_of", "earmark_recipient_id"):
        op.create_index(op.f(f"ix_pledge_{column}"), "pledge", [column])

    op.create_table(
        "fulfilment",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("pledge_id", BigId, nullable=False),
        sa.Column("quantity", sa.Numeric(24, 6), nullable=False),
        sa.Column("over", sa.Boolean(), nullable=False),
        sa.Column("reported_by", sa.BigInteger(), nullable=False),
        sa.Column("reported_at", Moment, nullable=False),
        sa.Column("proof_file_id", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("confirmed_by", sa.BigInteger(), nullable=True),
        sa.Column("confirmed_at", Moment, nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_fulfilment_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledge.id"], name=op.f("fk_fulfilment_pledge_id_pledge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfilment")),
    )
    op.create_index(op.f("ix_fulfilment_pledge_id"), "fulfilment", ["pledge_id"])
    op.create_index(op.f("ix_fulfilment_state"), "fulfilment", ["state"])


def downgrade() -> None:
    """Drop the pledge tables."""
    op.drop_table("fulfilment")
    op.drop_table("pledge")
