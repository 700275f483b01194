"""Tables of appeals: the appeal, its needs and its named recipients."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime
from storage.models.network import BigId


class AppealRow(Base):
    """An appeal; `draft_key` is unique so a double-tapped "send" publishes it once."""

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    deadline: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    money_target_minor: Mapped[int | None] = mapped_column(BigInteger)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    created_by: Mapped[int] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    draft_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NeedRow(Base):
    """One line of an appeal: item, unit and target quantity."""

    __tablename__ = "need"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(200))
    item_key: Mapped[str] = mapped_column(String(200), index=True)
    unit: Mapped[str] = mapped_column(String(32))
    target: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    approximate: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)


class RecipientRow(Base):
    """A named beneficiary; names are unique."""

    __tablename__ = "recipient"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class AppealRecipientRow(Base):
    """Which recipients an appeal names."""

    __tablename__ = "appeal_recipient"
    __table_args__ = (UniqueConstraint("appeal_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("recipient.id", ondelete="RESTRICT"), index=True
    )
