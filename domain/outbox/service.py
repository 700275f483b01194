"""Use cases of the outbox: the paced sender claims, records and reschedules messages."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.outbox.models import (
    BroadcastProgress,
    Delivery,
    FailureReason,
    Purpose,
    progress_of,
)
from domain.outbox.ports import NewDelivery, OutboxUnitOfWorkFactory

#: How long a claimed message stays reserved for the sender that claimed it.
LEASE = timedelta(seconds=60)


class OutboxService:
    """Queue, claim and record outgoing messages; each call is one unit of work."""

    def __init__(self, uow: OutboxUnitOfWorkFactory) -> None:
        self._uow = uow

    async def enqueue(self, deliveries: list[NewDelivery], now: datetime) -> int:
        """Queue messages; return how many were new."""
        async with self._uow() as uow:
            added = 0
            for delivery in deliveries:
                added += await uow.outbox.enqueue(delivery, now)
            await uow.commit()
            return added

    async def claim(self, now: datetime, limit: int, lease: timedelta = LEASE) -> list[Delivery]:
        """Lease up to `limit` due messages to this sender."""
        async with self._uow() as uow:
            claimed = await uow.outbox.claim_due(now, now + lease, limit)
            await uow.commit()
            return claimed

    async def sent(self, delivery_id: int, message_id: int | None, at: datetime) -> None:
        """Record Telegram's acknowledgement of one message."""
        async with self._uow() as uow:
            await uow.outbox.mark_sent(delivery_id, message_id, at)
            await uow.commit()

    async def failed(
        self, delivery_id: int, reason: FailureReason, error: str, at: datetime
    ) -> None:
        """Record that a message cannot be delivered."""
        async with self._uow() as uow:
            await uow.outbox.mark_failed(delivery_id, reason, error[:500], at)
            await uow.commit()

    async def retry_later(self, delivery_id: int, not_before: datetime, error: str) -> None:
        """Try a message again later (an attempt was spent)."""
        async with self._uow() as uow:
            await uow.outbox.retry_later(delivery_id, not_before, error[:500])
            await uow.commit()

    async def release(self, delivery_id: int, not_before: datetime) -> None:
        """Hand a claimed message back without spending an attempt."""
        async with self._uow() as uow:
            await uow.outbox.release(delivery_id, not_before)
            await uow.commit()

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Send what waits for a migrated group to its new id."""
        async with self._uow() as uow:
            await uow.outbox.move_chat(old_chat_id, new_chat_id)
            await uow.commit()

    async def recover(self) -> int:
        """After a restart, hand back what the dead sender had leased; return how many."""
        async with self._uow() as uow:
            recovered = await uow.outbox.recover_leases()
            await uow.commit()
            return recovered

    async def next_due(self, include_leases: bool = False) -> datetime | None:
        """When the next message can be claimed; None when nothing waits."""
        # Leases count only when asked: a sender with sends in flight holds leases of its own,
        # which end when those sends are recorded, not when the lease runs out.
        async with self._uow() as uow:
            return await uow.outbox.next_due(include_leases)

    async def progress(self, purpose: Purpose, subject: str) -> BroadcastProgress:
        """How far one broadcast has come."""
        async with self._uow() as uow:
            return progress_of(await uow.outbox.for_subject(purpose, subject))
