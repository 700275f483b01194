"""Tables of supply offers and of their matches with appeals' needs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime
from storage.models.network import BigId


class OfferRow(Base):
    """A supply offer; its `token` (the confirming dialog's) is unique: one offer per confirm."""

    __tablename__ = "offer"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("remaining >= 0", name="remaining_not_negative"),
        CheckConstraint("price_minor IS NULL OR price_minor > 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(BigInteger, index=True)
    item: Mapped[str] = mapped_column(String(200))
    item_key: Mapped[str] = mapped_column(String(200), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    remaining: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    unit: Mapped[str] = mapped_column(String(32))
    approximate: Mapped[bool] = mapped_column(default=False)
    terms: Mapped[str] = mapped_column(String(16))
    price_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    location: Mapped[str] = mapped_column(String(200))
    available_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OfferMatchRow(Base):
    """A coordinator accepted an offer for a need; unique per offer and need."""

    __tablename__ = "offer_match"
    __table_args__ = (
        UniqueConstraint("offer_id", "need_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    appeal_id: Mapped[int] = mapped_column(
        ForeignKey("appeal.id", ondelete="CASCADE"), index=True
    )
    pledge_id: Mapped[int] = mapped_column(
        ForeignKey("pledge.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    accepted_by: Mapped[int] = mapped_column(BigInteger)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
