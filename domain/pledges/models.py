"""Pledges and their fulfilments: every promise recorded, tracked to the last batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.outbox.models import MediaKind


class PledgeKind(StrEnum):
    """What is promised."""

    MONEY = "money"
    GOODS = "goods"
    SERVICE = "service"
    VOLUNTEER = "volunteer"


class Visibility(StrEnum):
    """How a pledge may be shown to others."""

    NAMED = "named"
    ORGANISATION = "organisation"
    ANONYMOUS = "anonymous"


class PledgeStatus(StrEnum):
    """Where a pledge stands, derived from its fulfilments."""

    PLEDGED = "pledged"
    PARTIAL = "partial"
    DELIVERED = "delivered"
    RECEIVED = "received"
    CANCELLED = "cancelled"
    #: closed by a coordinator after the reminders and escalation went unanswered; counted
    #: like a cancelled pledge, no longer chased; a new date from a coordinator re-opens it
    LAPSED = "lapsed"


#: Where nothing more can be reported or withdrawn.
CLOSED_STATUSES = frozenset({PledgeStatus.CANCELLED, PledgeStatus.LAPSED, PledgeStatus.RECEIVED})


class FulfilmentState(StrEnum):
    """What a coordinator made of a delivery report."""

    REPORTED = "reported"
    CONFIRMED = "confirmed"
    QUESTIONED = "questioned"


@dataclass
class Pledge:
    """A promise of money (minor units + currency) or of a quantity in a unit."""

    id: int
    token: str
    person_id: int
    kind: PledgeKind
    appeal_id: int | None
    need_id: int | None
    item: str
    amount_minor: int | None
    currency: str
    quantity: Decimal | None
    unit: str
    estimated_minor: int | None
    approximate: bool
    description: str
    on_behalf_of: int | None
    earmark_recipient_id: int | None
    due_date: date | None
    visibility: Visibility
    #: Withdrawn from the count: cancelled by the pledger, or lapsed (then `lapsed_at`).
    cancelled: bool
    cancel_reason: str | None
    source_chat_id: int | None
    source_update_id: int | None
    created_at: datetime
    fulfilments: list[Fulfilment] = field(default_factory=list)
    estimated_approximate: bool = False  # the estimated value's own "about" (价值2万余元)
    #: When a coordinator marked it lapsed (its status is then LAPSED, not CANCELLED).
    lapsed_at: datetime | None = None

    @property
    def value_only(self) -> bool:
        """Goods known by their estimated value alone: the quantity may follow with a delivery."""
        return self.kind is PledgeKind.GOODS and self.quantity is None

    @property
    def measure(self) -> Decimal:
        """How much was promised, in the pledge's own measure (minor units for money).

        A service, or goods known by their value alone, is one lot: delivered all at once.
        """
        if self.kind is PledgeKind.MONEY:
            return Decimal(self.amount_minor or 0)
        return self.quantity if self.quantity is not None else Decimal(1)

    @property
    def delivered(self) -> Decimal:
        """Sum of the deliveries reported and not questioned."""
        return sum(
            (f.quantity for f in self.fulfilments if f.state is not FulfilmentState.QUESTIONED),
            Decimal(0),
        )

    @property
    def open_measure(self) -> Decimal:
        """What is still to be delivered (never negative)."""
        return max(self.measure - self.delivered, Decimal(0))

    @property
    def over_delivered(self) -> bool:
        """True when more was reported than promised."""
        return self.delivered > self.measure

    @property
    def status(self) -> PledgeStatus:
        """Status derived from the fulfilments."""
        return derive_status(self)

    def overdue(self, today: date) -> bool:
        """A flag, not a state: the due date passed and something is still open."""
        return (
            self.due_date is not None
            and self.due_date < today
            and self.status in (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL)
        )


@dataclass
class Fulfilment:
    """One delivery (a batch) of a pledge, reported by someone, confirmed by a coordinator."""

    id: int
    pledge_id: int
    quantity: Decimal
    over: bool
    reported_by: int
    reported_at: datetime
    proof_file_id: str | None
    state: FulfilmentState = FulfilmentState.REPORTED
    confirmed_by: int | None = None
    confirmed_at: datetime | None = None
    proof_kind: MediaKind | None = None


def derive_status(pledge: Pledge) -> PledgeStatus:
    """pledged → partially delivered → delivered → received; cancelled or lapsed stays so."""
    if pledge.cancelled:
        return PledgeStatus.LAPSED if pledge.lapsed_at is not None else PledgeStatus.CANCELLED
    delivered = pledge.delivered
    if delivered <= 0:
        return PledgeStatus.PLEDGED
    if delivered < pledge.measure:
        return PledgeStatus.PARTIAL
    counted = [f for f in pledge.fulfilments if f.state is not FulfilmentState.QUESTIONED]
    if counted and all(f.state is FulfilmentState.CONFIRMED for f in counted):
        return PledgeStatus.RECEIVED
    return PledgeStatus.DELIVERED
