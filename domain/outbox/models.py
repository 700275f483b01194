"""The outbox: every message the bot sends in bulk is a row, sent once by the paced sender."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class DeliveryStatus(StrEnum):
    """Where one outgoing message stands."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class FailureReason(StrEnum):
    """Why a message could not be delivered, as the report groups them."""

    BLOCKED = "blocked"
    NOT_FOUND = "not_found"
    OTHER = "other"


class MediaKind(StrEnum):
    """A file sent with the message's text as its caption (Telegram file id)."""

    PHOTO = "photo"
    DOCUMENT = "document"


class Purpose(StrEnum):
    """What an outgoing message is for; with `subject` and the chat it is unique."""

    APPEAL = "appeal"
    APPEAL_EDIT = "appeal_edit"
    NOTICE = "notice"
    REMINDER = "reminder"
    DIGEST = "digest"


#: Broadcasts and their edits: the bulk lane, which yields to every other message.
BULK_PURPOSES = frozenset({Purpose.APPEAL, Purpose.APPEAL_EDIT})


@dataclass
class Delivery:
    """One message to one chat: an appeal broadcast, a reminder, a notice, an edit."""

    id: int
    purpose: Purpose
    subject: str
    chat_id: int
    text: str
    buttons: str | None
    status: DeliveryStatus
    attempts: int
    not_before: datetime
    lease_until: datetime | None
    message_id: int | None
    failure: FailureReason | None
    error: str | None
    edit_message_id: int | None
    created_at: datetime
    sent_at: datetime | None
    media_kind: MediaKind | None = None
    media_file_id: str | None = None


@dataclass(frozen=True)
class BroadcastProgress:
    """How far one broadcast has come, and why some of it failed."""

    total: int
    sent: int
    failed: dict[FailureReason, list[int]] = field(default_factory=dict)

    @property
    def done(self) -> int:
        """Messages with a final outcome."""
        return self.sent + sum(len(chats) for chats in self.failed.values())

    @property
    def finished(self) -> bool:
        """True when every message has a final outcome."""
        return self.done >= self.total


def progress_of(deliveries: list[Delivery]) -> BroadcastProgress:
    """Summarise a broadcast's deliveries."""
    counts = Counter(d.status for d in deliveries)
    failed: dict[FailureReason, list[int]] = {}
    for delivery in deliveries:
        if delivery.status is DeliveryStatus.FAILED:
            failed.setdefault(delivery.failure or FailureReason.OTHER, []).append(delivery.chat_id)
    return BroadcastProgress(len(deliveries), counts[DeliveryStatus.SENT], failed)
