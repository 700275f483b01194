"""The coordinators' notice queue: one row per event and coordinator, sent in batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime
from storage.models.network import BigId


class CoordinatorNoticeRow(Base):
    """Something a coordinator should hear of (a pledge made, changed, cancelled; an offer).

    `batched_at` is set in the transaction that queues the batch message in the outbox, so a
    restart neither loses an event nor sends it twice.
    """

    __tablename__ = "coordinator_notice"
    __table_args__ = (Index("ix_coordinator_notice_pending", "batched_at", "coordinator_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    coordinator_id: Mapped[int] = mapped_column(BigInteger, index=True)
    event: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    batched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
