"""Appeals: what the network is asked for, by whom, until when, and for which recipients."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.parsing.integers import parse_chat_id, parse_id


class AppealStatus(StrEnum):
    """Where an appeal stands; only open appeals take pledges."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


@dataclass
class Need:
    """One line of an appeal: an item with a target quantity in a unit (or money)."""

    id: int
    appeal_id: int
    item: str
    item_key: str
    unit: str
    target: Decimal
    approximate: bool = False
    priority: int = 0


@dataclass
class Recipient:
    """A named beneficiary a pledge may be earmarked for (e.g. 黄山街道办事处)."""

    id: int
    name: str


@dataclass
class Appeal:
    """An initiative letter (倡议书) broadcast to the network's groups."""

    id: int
    title: str
    body: str
    status: AppealStatus
    deadline: date | None
    currency: str
    money_target_minor: int | None
    organisation_id: int | None
    created_by: int
    created_at: datetime
    needs: list[Need] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    draft_key: str | None = None
    revision: int = 0
    progress_message_id: int | None = None
    reported_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """True while the appeal takes pledges."""
        return self.status is AppealStatus.OPEN


DEEP_LINK_PREFIX = "a"


def appeal_deep_link_payload(appeal_id: int, chat_id: int) -> str:
    """The `?start=` payload naming an appeal and the group it came from (≤64 chars)."""
    chat = f"m{-chat_id}" if chat_id < 0 else str(chat_id)
    return f"{DEEP_LINK_PREFIX}{appeal_id}_{chat}"


def parse_appeal_deep_link(payload: str) -> tuple[int, int] | None:
    """Read `(appeal_id, source_chat_id)` from a payload; None when it is not ours."""
    if len(payload) > 64 or not payload.startswith(DEEP_LINK_PREFIX):
        return None
    appeal, sep, chat = payload[1:].partition("_")
    appeal_id = parse_id(appeal) if sep and len(appeal) <= 12 else None
    negative = chat.startswith("m")
    digits = chat[1:] if negative else chat
    chat_id = parse_chat_id(f"-{digits}" if negative else digits)
    if appeal_id is None or chat_id is None or digits.startswith("-"):
        return None
    return appeal_id, chat_id


def broadcast_subject(appeal_id: int) -> str:
    """The outbox subject of an appeal's broadcast (other features find its messages by it)."""
    return f"appeal:{appeal_id}"
