"""Appeals and the outbox: appeal, need, recipient, appeal_recipient, delivery.

Revision ID: 0002_appeals
Revises: 0001_foundation
Create Date: 2024-01-02 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_appeals"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types the models use: a migration must not change when models do.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the appeal and outbox tables."""
    op.create_table(
        "appeal",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("money_target_minor", sa.BigInteger(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("draft_key", sa.String(length=64), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("progress_message_id", sa.BigInteger(), nullable=True),
        sa.Column("reported_at", Moment, nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_appeal_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal")),
        sa.UniqueConstraint("draft_key", name=op.f("uq_appeal_draft_key")),
    )
    op.create_index(op.f("ix_appeal_status"), "appeal", ["status"])
    op.create_index(op.f("ix_appeal_organisation_id"), "appeal", ["organisation_id"])
    op.create_index(op.f("ix_appeal_created_by"), "appeal", ["created_by"])

    op.create_table(
        "need",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("appeal_id", BigId, nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("item_key", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Numeric(24, 6), nullable=False),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeal.id"],
            name=op.f("fk_need_appeal_id_appeal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need")),
    )
    op.create_index(op.f("ix_need_appeal_id"), "need", ["appeal_id"])
    op.create_index(op.f("ix_need_item_key"), "need", ["item_key"])

    op.create_table(
        "recipient",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient")),
        sa.UniqueConstraint("name", name=op.f("uq_recipient_name")),
    )

    op.create_table(
        "appeal_recipient",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("appeal_id", BigId, nullable=False),
        sa.Column("recipient_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeal.id"],
            name=op.f("fk_appeal_recipient_appeal_id_appeal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["recipient.id"],
            name=op.f("fk_appeal_recipient_recipient_id_recipient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_recipient")),
        sa.UniqueConstraint(
            "appeal_id", "recipient_id", name=op.f("uq_appeal_recipient_appeal_id_recipient_id")
        ),
    )
    op.create_index(op.f("ix_appeal_recipient_appeal_id"), "appeal_recipient", ["appeal_id"])
    op.create_index(op.f("ix_appeal_recipient_recipient_id"), "appeal_recipient", ["recipient_id"])

    op.create_table(
        "delivery",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", Moment, nullable=False),
        sa.Column("lease_until", Moment, nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("failure", sa.String(length=16), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("edit_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("sent_at", Moment, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint(
            "purpose", "subject", "chat_id", name=op.f("uq_delivery_purpose_subject_chat_id")
        ),
    )
    op.create_index("ix_delivery_claim", "delivery", ["status", "not_before"])
    op.create_index(op.f("ix_delivery_subject"), "delivery", ["subject"])
    op.create_index(op.f("ix_delivery_chat_id"), "delivery", ["chat_id"])


def downgrade() -> None:
    """Drop the appeal and outbox tables."""
    op.drop_table("delivery")
    op.drop_table("appeal_recipient")
    op.drop_table("recipient")
    op.drop_table("need")
    op.drop_table("appeal")
