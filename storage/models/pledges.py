"""Tables of pledges and their fulfilments (delivery reports)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime
from storage.models.network import BigId


class PledgeRow(Base):
    """A pledge; `token` (the confirming dialog's) is unique, so a double confirm stores one."""

    __tablename__ = "pledge"
    __table_args__ = (
        CheckConstraint("amount_minor IS NULL OR amount_minor > 0", name="amount_positive"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    appeal_id: Mapped[int | None] = mapped_column(
        ForeignKey("appeal.id", ondelete="RESTRICT"), index=True
    )
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("need.id", ondelete="SET NULL"), index=True
    )
    item: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(24, 6))
    unit: Mapped[str] = mapped_column(String(32))
    estimated_minor: Mapped[int | None] = mapped_column(BigInteger)
    approximate: Mapped[bool] = mapped_column(default=False)
    estimated_approximate: Mapped[bool] = mapped_column(default=False, server_default=false())
    description: Mapped[str] = mapped_column(Text)
    on_behalf_of: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    earmark_recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipient.id", ondelete="RESTRICT"), index=True
    )
    due_date: Mapped[date | None] = mapped_column(Date)
    visibility: Mapped[str] = mapped_column(String(16))
    #: Withdrawn from the count: cancelled by the pledger, or lapsed (`lapsed_at` set).
    cancelled: Mapped[bool] = mapped_column(default=False)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    lapsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    source_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    source_update_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FulfilmentRow(Base):
    """One delivery report of a pledge (a batch), and what a coordinator made of it."""

    __tablename__ = "fulfilment"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    over: Mapped[bool] = mapped_column(default=False)
    reported_by: Mapped[int] = mapped_column(BigInteger)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    proof_file_id: Mapped[str | None] = mapped_column(String(255))
    #: "photo" or "document": how the proof is sent on to coordinators.
    proof_kind: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    confirmed_by: Mapped[int | None] = mapped_column(BigInteger)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
