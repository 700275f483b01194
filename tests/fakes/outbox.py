"""Fake of `storage/repositories/outbox.py`: the outbox of messages to send."""

from __future__ import annotations

import copy
from datetime import datetime

from domain.outbox.models import BULK_PURPOSES, Delivery, DeliveryStatus, FailureReason, Purpose
from domain.outbox.ports import NewDelivery
from tests.fakes.store import FakeStore


class FakeOutboxRepository:
    """The outbox in memory."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def enqueue(self, delivery: NewDelivery, now: datetime) -> bool:
        """Queue a message unless the same (purpose, subject, chat) is queued."""
        for row in self._store.deliveries.values():
            if (row.purpose, row.subject, row.chat_id) == (
                delivery.purpose,
                delivery.subject,
                delivery.chat_id,
            ):
                return False
        number = self._store.next_delivery_id
        self._store.next_delivery_id += 1
        self._store.deliveries[number] = Delivery(
            id=number,
            purpose=delivery.purpose,
            subject=delivery.subject,
            chat_id=delivery.chat_id,
            text=delivery.text,
            buttons=delivery.buttons,
            status=DeliveryStatus.PENDING,
            attempts=0,
            not_before=delivery.not_before or now,
            lease_until=None,
            message_id=None,
            failure=None,
            error=None,
            edit_message_id=delivery.edit_message_id,
            created_at=now,
            sent_at=None,
            media_kind=delivery.media_kind,
            media_file_id=delivery.media_file_id,
        )
        return True

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Delivery]:
        """Lease due messages, notices before broadcasts; returned in id order, as in SQL."""
        claimed: list[Delivery] = []
        rows = self._store.deliveries.values()
        for row in sorted(rows, key=lambda d: (d.purpose in BULK_PURPOSES, d.id)):
            if len(claimed) >= limit:
                break
            due = (row.status is DeliveryStatus.PENDING and row.not_before <= now) or (
                row.status is DeliveryStatus.SENDING
                and row.lease_until is not None
                and row.lease_until <= now
            )
            if due:
                row.status = DeliveryStatus.SENDING
                row.lease_until = lease_until
                claimed.append(copy.deepcopy(row))
        return sorted(claimed, key=lambda d: d.id)

    async def mark_sent(self, delivery_id: int, message_id: int | None, at: datetime) -> None:
        """Record an acknowledgement."""
        row = self._store.deliveries[delivery_id]
        row.status, row.message_id, row.sent_at, row.lease_until, row.failure = (
            DeliveryStatus.SENT, message_id, at, None, None
        )
        row.attempts += 1

    async def mark_failed(
        self, delivery_id: int, reason: FailureReason, error: str, at: datetime
    ) -> None:
        """Record a final failure."""
        row = self._store.deliveries[delivery_id]
        row.status, row.failure, row.error, row.sent_at, row.lease_until = (
            DeliveryStatus.FAILED, reason, error, at, None
        )
        row.attempts += 1

    async def retry_later(self, delivery_id: int, not_before: datetime, error: str) -> None:
        """Back to pending after a failed attempt."""
        row = self._store.deliveries[delivery_id]
        row.status, row.not_before, row.error, row.lease_until = (
            DeliveryStatus.PENDING, not_before, error, None
        )
        row.attempts += 1

    async def release(self, delivery_id: int, not_before: datetime) -> None:
        """Back to pending, no attempt spent."""
        row = self._store.deliveries[delivery_id]
        row.status, row.not_before, row.lease_until = DeliveryStatus.PENDING, not_before, None

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Re-address waiting messages of a migrated group."""
        for row in self._store.deliveries.values():
            waiting = row.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
            if row.chat_id == old_chat_id and waiting:
                row.chat_id = new_chat_id

    async def for_subject(self, purpose: Purpose, subject: str) -> list[Delivery]:
        """Messages of one broadcast."""
        return copy.deepcopy(
            [
                d
                for d in sorted(self._store.deliveries.values(), key=lambda d: d.id)
                if d.purpose is purpose and d.subject == subject
            ]
        )

    async def recover_leases(self) -> int:
        """Leased messages back to pending."""
        leased = [
            d for d in self._store.deliveries.values() if d.status is DeliveryStatus.SENDING
        ]
        for row in leased:
            row.status, row.lease_until = DeliveryStatus.PENDING, None
        return len(leased)

    async def pending_count(self) -> int:
        """Messages still waiting."""
        return sum(
            d.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
            for d in self._store.deliveries.values()
        )

    async def next_due(self, include_leases: bool) -> datetime | None:
        """The earliest due time of a pending message (or end of a lease)."""
        times = [
            d.not_before
            for d in self._store.deliveries.values()
            if d.status is DeliveryStatus.PENDING
        ]
        if include_leases:
            times += [
                d.lease_until
                for d in self._store.deliveries.values()
                if d.status is DeliveryStatus.SENDING and d.lease_until is not None
            ]
        return min(times, default=None)
