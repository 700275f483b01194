"""What pledges need from storage and from the amount parser, as protocols."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from domain.appeals.models import Appeal
from domain.kernel.origin import Origin
from domain.kernel.units import MakesUnits
from domain.network.models import Language
from domain.network.ports import UnitOfWork
from domain.notices.ports import NoticeRepository
from domain.outbox.models import MediaKind
from domain.outbox.ports import OutboxRepository
from domain.pledges.models import Fulfilment, Pledge


@dataclass(frozen=True)
class ReadAmount:
    """What a person wrote, read: a number with its unit or currency, maybe an item."""

    value: Decimal
    unit: str
    currency: str | None
    item: str | None = None
    estimated_value: Decimal | None = None
    approximate: bool = False
    estimated_currency: str | None = None  # the currency `estimated_value` was written in
    value_approximate: bool = False  # `approximate` is the value's or quantity's; this the value's
    # an estimated value with no quantity (`N95口罩 价值2200元`): `value` and `currency` are it
    value_only: bool = False


class AmountReader(Protocol):
    """Reads amounts, quantities and dates as people write them (domain.parsing behind it)."""

    def read(self, text: str, default_currency: str) -> ReadAmount | None:
        """Read `5万元`, `3000公斤消毒液`, `N95口罩 500个 价值2200元`; None when unreadable."""
        ...

    def read_bare(self, text: str, unit: str) -> ReadAmount | None:
        """Read text that is only a number (`8`, `500余`) as a quantity in `unit`.

        None when the text is more than a number; refuses a number the unit cannot take.
        """
        ...

    def units_compatible(self, unit: str, other: str) -> bool:
        """True when a quantity in `unit` can count towards a need in `other`."""
        ...

    def convert(self, value: Decimal, unit: str, to_unit: str) -> Decimal:
        """`value` in `unit` expressed in `to_unit` (unchanged when it cannot be converted)."""
        ...

    def read_date(self, text: str, today: date) -> date | None:
        """Read a date as people write it; None when unreadable."""
        ...


@dataclass(frozen=True)
class DeliveryParties:
    """Who delivered, for which appeal, on whose behalf: read with every delivery report."""

    who: str
    appeal: Appeal | None = None
    behalf: str | None = None


class DeliveryNotices(Protocol):
    """Writes the messages of the delivery review (HTML), each in its reader's language."""

    def delivery_reported(
        self,
        language: Language,
        pledge: Pledge,
        fulfilment: Fulfilment,
        parties: DeliveryParties,
    ) -> str:
        """The coordinator's notice of a report (fits a caption: at most 1,024 characters)."""
        ...

    def review_labels(self, language: Language) -> tuple[str, str]:
        """The labels of the notice's two buttons: confirm receipt, question it."""
        ...

    def receipt_confirmed(self, language: Language, pledge: Pledge, fulfilment: Fulfilment) -> str:
        """The member's notice that a coordinator confirmed receipt of a delivery."""
        ...

    def delivery_questioned(
        self, language: Language, pledge: Pledge, fulfilment: Fulfilment, question: str
    ) -> str:
        """The member's notice of a coordinator's question about a delivery."""
        ...

    def answer_label(self, language: Language) -> str:
        """The label of the member's button to answer a question."""
        ...

    def question_answered(
        self, language: Language, pledge: Pledge, fulfilment: Fulfilment, who: str, answer: str
    ) -> str:
        """The coordinator's notice of the member's answer."""
        ...


class AppealLookup(Protocol):
    """Read access to appeals (owned by the appeals feature)."""

    async def get(self, appeal_id: int) -> Appeal | None:
        """Return one appeal with its needs and recipients."""
        ...

    async def open_appeals(self) -> list[Appeal]:
        """Return appeals that take pledges, newest first."""
        ...


class PledgeRepository(Protocol):
    """Pledges with their fulfilments."""

    async def add(self, pledge: Pledge) -> Pledge:
        """Insert a pledge; when its token exists already, return the stored one unchanged."""
        ...

    async def get(self, pledge_id: int) -> Pledge | None:
        """Return one pledge with its fulfilments."""
        ...

    async def by_token(self, token: str) -> Pledge | None:
        """Return the pledge a dialog confirmed, if any."""
        ...

    async def of_person(self, person_id: int) -> list[Pledge]:
        """Return a person's pledges, newest first, with fulfilments."""
        ...

    async def save(self, pledge: Pledge) -> None:
        """Write a changed pledge back (due date, cancellation)."""
        ...

    async def add_fulfilment(self, fulfilment: Fulfilment) -> Fulfilment:
        """Insert a delivery report and return it with its id."""
        ...

    async def fulfilment(self, fulfilment_id: int) -> Fulfilment | None:
        """Return one delivery report."""
        ...

    async def save_fulfilment(self, fulfilment: Fulfilment) -> None:
        """Write back a confirmed or questioned delivery report."""
        ...

    async def awaiting_confirmation(self, limit: int) -> list[Pledge]:
        """Pledges with reported, unconfirmed deliveries (oldest first)."""
        ...


class PledgeUnitOfWork(UnitOfWork, Protocol):
    """The unit of work with the repositories pledges use."""

    pledges: PledgeRepository
    appeal_lookup: AppealLookup
    outbox: OutboxRepository
    notices: NoticeRepository


#: Makes a fresh unit of work for each pledge use case.
PledgeUnitOfWorkFactory = MakesUnits[PledgeUnitOfWork]


class PledgeChanges(Protocol):
    """The pledges' own use cases a reminder's answer reuses (`PledgeService` has them)."""

    async def report_delivery(
        self,
        origin: Origin,
        pledge_id: int,
        quantity: Decimal | None,
        proof_file_id: str | None = None,
        proof_kind: MediaKind | None = None,
        unit: str | None = None,
    ) -> object:
        """Record a batch (None: everything still open) and tell the coordinators."""
        ...

    async def change_due(self, origin: Origin, pledge_id: int, due: date) -> object:
        """Move the delivery date (today or later)."""
        ...

    async def cancel(self, origin: Origin, pledge_id: int, reason: str) -> object:
        """Withdraw the pledge, with a reason."""
        ...


#: The pledges' use cases running in a given (lent) unit of work.
PledgeChangesIn = Callable[[PledgeUnitOfWork], PledgeChanges]
