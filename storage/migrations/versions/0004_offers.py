"""Supply offers and their matches with needs.

Revision ID: 0004_offers
Revises: 0003_pledges
Create Date: 2024-01-04 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_offers"
down_revision: str | None = "0003_pledges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the offer and offer_match tables."""
    op.create_table(
        "offer",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("item_key", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Numeric(24, 6), nullable=False),
        sa.Column("remaining", sa.Numeric(24, 6), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("terms", sa.String(length=16), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("available_until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_offer_quantity_positive")),
        sa.CheckConstraint("remaining >= 0", name=op.f("ck_offer_remaining_not_negative")),
        sa.CheckConstraint(
            "price_minor IS NULL OR price_minor > 0", name=op.f("ck_offer_price_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer")),
        sa.UniqueConstraint("token", name=op.f("uq_offer_token")),
    )
    for column in ("person_id", "item_key", "status"):
        op.create_index(op.f(f"ix_offer_{column}"), "offer", [column])

    op.create_table(
        "offer_match",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("offer_id", BigId, nullable=False),
        sa.Column("need_id", BigId, nullable=False),
        sa.Column("appeal_id", BigId, nullable=False),
        sa.Column("pledge_id", BigId, nullable=False),
        sa.Column("quantity", sa.Numeric(24, 6), nullable=False),
        sa.Column("accepted_by", sa.BigInteger(), nullable=False),
        sa.Column("accepted_at", Moment, nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_offer_match_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offer.id"], name=op.f("fk_offer_match_offer_id_offer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["need_id"], ["need.id"], name=op.f("fk_offer_match_need_id_need"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"], name=op.f("fk_offer_match_appeal_id_appeal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledge.id"], name=op.f("fk_offer_match_pledge_id_pledge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_match")),
        sa.UniqueConstraint("offer_id", "need_id", name=op.f("uq_offer_match_offer_id_need_id")),
    )
    for column in ("offer_id", "need_id", "appeal_id", "pledge_id"):
        op.create_index(op.f(f"ix_offer_match_{column}"), "offer_match", [column])


def downgrade() -> None:
    """Drop the offer tables."""
    op.drop_table("offer_match")
    op.drop_table("offer")
