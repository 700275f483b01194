"""The outbox repository: queue, lease and record outgoing messages in `delivery`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.outbox.models import (
    BULK_PURPOSES,
    Delivery,
    DeliveryStatus,
    FailureReason,
    MediaKind,
    Purpose,
)
from domain.outbox.ports import NewDelivery
from storage.models.outbox import DeliveryRow
from storage.repositories.statements import execute_count, insert_ignoring_conflicts

_WAITING = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        purpose=Purpose(row.purpose),
        subject=row.subject,
        chat_id=row.chat_id,
        text=row.text,
        buttons=row.buttons,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        not_before=row.not_before,
        lease_until=row.lease_until,
        message_id=row.message_id,
        failure=None if row.failure is None else FailureReason(row.failure),
        error=row.error,
        edit_message_id=row.edit_message_id,
        created_at=row.created_at,
        sent_at=row.sent_at,
        media_kind=None if row.media_kind is None else MediaKind(row.media_kind),
        media_file_id=row.media_file_id,
    )


class SqlOutboxRepository:
    """Implements `domain.outbox.ports.OutboxRepository` on the `delivery` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(self, delivery: NewDelivery, now: datetime) -> bool:
        """Queue a message; False when the same (purpose, subject, chat) is already queued."""
        statement = insert_ignoring_conflicts(
            self._session, cast(Table, DeliveryRow.__table__)
        ).values(
            purpose=delivery.purpose.value,
            subject=delivery.subject,
            chat_id=delivery.chat_id,
            text=delivery.text,
            buttons=delivery.buttons,
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            not_before=delivery.not_before or now,
            edit_message_id=delivery.edit_message_id,
            media_kind=None if delivery.media_kind is None else delivery.media_kind.value,
            media_file_id=delivery.media_file_id,
            created_at=now,
        )
        return await execute_count(self._session, statement) == 1

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Delivery]:
        """Lease due pending messages and those whose lease ran out (a sender died)."""
        due = or_(
            and_(
                DeliveryRow.status == DeliveryStatus.PENDING.value,
                DeliveryRow.not_before <= now,
            ),
            and_(
                DeliveryRow.status == DeliveryStatus.SENDING.value,
                DeliveryRow.lease_until <= now,
            ),
        )
        # Notices and reminders first, then broadcasts: one queued behind a 1,000-group
        # broadcast is claimed in the next batch, not after the broadcast's rows.
        bulk_last = case((DeliveryRow.purpose.in_([p.value for p in BULK_PURPOSES]), 1), else_=0)
        query: Any = (
            select(DeliveryRow.id).where(due).order_by(bulk_last, DeliveryRow.id).limit(limit)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            # Two replicas claiming at once skip each other's rows instead of waiting.
            query = query.with_for_update(skip_locked=True)
        ids = list(await self._session.scalars(query))
        if not ids:
            return []
        await self._session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(ids))
            .values(status=DeliveryStatus.SENDING.value, lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        rows = await self._session.scalars(
            select(DeliveryRow)
            .where(DeliveryRow.id.in_(ids))
            .order_by(DeliveryRow.id)
            .execution_options(populate_existing=True)
        )
        return [_delivery(r) for r in rows]

    async def mark_sent(self, delivery_id: int, message_id: int | None, at: datetime) -> None:
        """Record Telegram's acknowledgement."""
        await self._session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id)
            .values(
                status=DeliveryStatus.SENT.value,
                message_id=message_id,
                sent_at=at,
                lease_until=None,
                attempts=DeliveryRow.attempts + 1,
                failure=None,
            )
        )

    async def mark_failed(
        self, delivery_id: int, reason: FailureReason, error: str, at: datetime
    ) -> None:
        """Record a final failure."""
        await self._session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id)
            .values(
                status=DeliveryStatus.FAILED.value,
                failure=reason.value,
                error=error,
                sent_at=at,
                lease_until=None,
                attempts=DeliveryRow.attempts + 1,
            )
        )

    async def retry_later(self, delivery_id: int, not_before: datetime, error: str) -> None:
        """Put a message back to pending after a failed attempt."""
        await self._session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id)
            .values(
                status=DeliveryStatus.PENDING.value,
                not_before=not_before,
                error=error,
                lease_until=None,
                attempts=DeliveryRow.attempts + 1,
            )
        )

    async def release(self, delivery_id: int, not_before: datetime) -> None:
        """Give a leased message back without counting an attempt."""
        await self._session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id)
            .values(status=DeliveryStatus.PENDING.value, not_before=not_before, lease_until=None)
        )

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Point waiting messages for a migrated group at its new id."""
        await self._session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.chat_id == old_chat_id, DeliveryRow.status.in_(_WAITING))
            .values(chat_id=new_chat_id)
        )

    async def for_subject(self, purpose: Purpose, subject: str) -> list[Delivery]:
        """All messages of one broadcast, by id."""
        rows = await self._session.scalars(
            select(DeliveryRow)
            .where(DeliveryRow.purpose == purpose.value, DeliveryRow.subject == subject)
            .order_by(DeliveryRow.id)
        )
        return [_delivery(r) for r in rows]

    async def recover_leases(self) -> int:
        """Put every leased message back to pending; return how many."""
        return await execute_count(
            self._session,
            update(DeliveryRow)
            .where(DeliveryRow.status == DeliveryStatus.SENDING.value)
            .values(status=DeliveryStatus.PENDING.value, lease_until=None),
        )

    async def pending_count(self) -> int:
        """How many messages wait (pending or leased)."""
        count = await self._session.scalar(
            select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status.in_(_WAITING))
        )
        return int(count or 0)

    async def next_due(self, include_leases: bool) -> datetime | None:
        """The earliest `not_before` of a pending message (and `lease_until` of a leased one)."""
        # The claim index (status, not_before) answers both: the pending minimum directly,
        # the leased rows (a batch at most) by status.
        earliest: datetime | None = await self._session.scalar(
            select(func.min(DeliveryRow.not_before)).where(
                DeliveryRow.status == DeliveryStatus.PENDING.value
            )
        )
        if include_leases:
            lease: datetime | None = await self._session.scalar(
                select(func.min(DeliveryRow.lease_until)).where(
                    DeliveryRow.status == DeliveryStatus.SENDING.value
                )
            )
            if lease is not None and (earliest is None or lease < earliest):
                earliest = lease
        return earliest
