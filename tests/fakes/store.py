"""The one in-memory store every fake repository works on."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from domain.appeals.models import Appeal
from domain.dialogs import Dialog
from domain.kernel.audit import AuditEvent
from domain.kernel.standing import Role
from domain.network.models import Chat, Organisation, Person
from domain.notices.models import CoordinatorNotice
from domain.offers.models import Match, Offer
from domain.outbox.models import Delivery
from domain.pledges.models import Pledge


@dataclass
class FakeStore:
    """Everything the fakes hold; deep-copied per unit of work."""

    organisations: dict[int, Organisation] = field(default_factory=dict)
    next_organisation_id: int = 1
    chats: dict[int, Chat] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)
    roles: list[Role] = field(default_factory=list)
    dialogs: dict[int, Dialog] = field(default_factory=dict)
    updates: dict[int, datetime] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)
    appeals: dict[int, Appeal] = field(default_factory=dict)
    next_appeal_id: int = 1
    recipient_ids: dict[str, int] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    next_delivery_id: int = 1
    pledges: dict[int, Pledge] = field(default_factory=dict)
    next_pledge_id: int = 1
    next_fulfilment_id: int = 1
    offers: dict[int, Offer] = field(default_factory=dict)
    next_offer_id: int = 1
    matches: dict[int, Match] = field(default_factory=dict)
    next_match_id: int = 1
    notices: list[CoordinatorNotice] = field(default_factory=list)
    next_notice_id: int = 1


#: The scale of the SQL quantity columns (`Numeric(24, 6)`).
QUANTITY_SCALE = Decimal("0.000001")


def as_stored(quantity: Decimal) -> Decimal:
    """A quantity as the SQL repositories read it back: six decimals at most, normalised."""
    return quantity.quantize(QUANTITY_SCALE).normalize()


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("UTCDateTime refuses naive datetimes; pass a timezone-aware one")
    return moment.astimezone(UTC)


def in_utc(value: Any) -> Any:
    """Turn every datetime inside `value` (in place where it can) to UTC; refuse naive ones."""
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = in_utc(item)
    elif isinstance(value, list):
        value[:] = [in_utc(item) for item in value]
    elif is_dataclass(value) and not isinstance(value, type):
        for each in fields(value):
            item = getattr(value, each.name)
            converted = in_utc(item)
            if converted is not item:
                object.__setattr__(value, each.name, converted)
    return value
