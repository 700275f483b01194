"""What the outbox needs from storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.kernel.units import MakesUnits
from domain.network.ports import UnitOfWork
from domain.outbox.models import Delivery, FailureReason, MediaKind, Purpose


@dataclass(frozen=True)
class NewDelivery:
    """A message to queue; (purpose, subject, chat_id) is unique, so queuing twice is a no-op."""

    purpose: Purpose
    subject: str
    chat_id: int
    text: str
    buttons: str | None = None
    edit_message_id: int | None = None
    not_before: datetime | None = None
    #: With a file, `text` is its caption (at most 1,024 characters).
    media_kind: MediaKind | None = None
    media_file_id: str | None = None


class OutboxRepository(Protocol):
    """Outgoing messages, claimed with a lease by the one paced sender."""

    async def enqueue(self, delivery: NewDelivery, now: datetime) -> bool:
        """Queue a message; False when the same (purpose, subject, chat) is already queued."""
        ...

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Delivery]:
        """Lease up to `limit` due pending messages (PostgreSQL: FOR UPDATE SKIP LOCKED)."""
        ...

    async def mark_sent(self, delivery_id: int, message_id: int | None, at: datetime) -> None:
        """Record Telegram's acknowledgement."""
        ...

    async def mark_failed(
        self, delivery_id: int, reason: FailureReason, error: str, at: datetime
    ) -> None:
        """Record a final failure."""
        ...

    async def retry_later(self, delivery_id: int, not_before: datetime, error: str) -> None:
        """Put a message back to pending, to be tried again after `not_before`."""
        ...

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Point pending messages for a migrated group at its new id."""
        ...

    async def for_subject(self, purpose: Purpose, subject: str) -> list[Delivery]:
        """All messages of one broadcast, for its progress and report."""
        ...

    async def release(self, delivery_id: int, not_before: datetime) -> None:
        """Give a leased message back untouched (no attempt counted), due at `not_before`."""
        ...

    async def recover_leases(self) -> int:
        """Put every leased message back to pending (the only sender restarted); count them."""
        ...

    async def pending_count(self) -> int:
        """How many messages wait to be sent (pending or leased)."""
        ...

    async def next_due(self, include_leases: bool) -> datetime | None:
        """When a pending message falls due (with `include_leases`, or a lease ends), else None."""
        ...


class OutboxUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also holds the outbox."""

    outbox: OutboxRepository


#: Makes units of work with an outbox.
OutboxUnitOfWorkFactory = MakesUnits[OutboxUnitOfWork]
