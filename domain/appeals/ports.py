"""What appeals need from storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from domain.appeals.models import Appeal
from domain.kernel.units import MakesUnits
from domain.outbox.ports import OutboxUnitOfWork


class AppealRepository(Protocol):
    """Appeals with their needs and recipients."""

    async def add(self, appeal: Appeal) -> Appeal:
        """Insert an appeal with its needs and recipients; return it with ids filled in."""
        ...

    async def get(self, appeal_id: int) -> Appeal | None:
        """Return one appeal with its needs and recipients."""
        ...

    async def by_draft_key(self, draft_key: str) -> Appeal | None:
        """Return the appeal published from one draft, if any."""
        ...

    async def save(self, appeal: Appeal) -> None:
        """Write back an appeal's own fields (title, body, status, deadline, progress)."""
        ...

    async def open(self) -> list[Appeal]:
        """Return every open appeal, newest first."""
        ...

    async def unreported(self) -> list[Appeal]:
        """Return appeals whose broadcast report has not been sent yet."""
        ...


@dataclass(frozen=True)
class MoneyTotal:
    """Money pledged (not cancelled) and delivered (not questioned) in one currency."""

    currency: str
    pledged_minor: int
    delivered_minor: int


@dataclass(frozen=True)
class NeedTotal:
    """One need's pledged and delivered quantity (in the pledges' units) against its target.

    Goods pledged by their value alone (`N95口罩 价值2200元`, no quantity yet) add nothing to
    the quantities: their estimated value is summed apart (`value_minor`, in the appeal's
    currency; `value_delivered_minor` for those reported delivered). For a need counted in
    people, each volunteer-time pledge counts as one person in `pledged` (one delivered once
    a delivery of it is reported) and its hours are summed beside (`hours`, `hours_delivered`).
    """

    need_id: int
    pledged: Decimal
    delivered: Decimal
    value_minor: int = 0
    value_delivered_minor: int = 0
    hours: Decimal = Decimal(0)
    hours_delivered: Decimal = Decimal(0)


@dataclass(frozen=True)
class ClosingTotals:
    """An appeal's final figures: money per currency, each need; no names."""

    money: list[MoneyTotal] = field(default_factory=list)
    needs: list[NeedTotal] = field(default_factory=list)


class AppealTotals(Protocol):
    """Totals computed by the database (aggregate queries), never by loading pledges."""

    async def closing(self, appeal_id: int) -> ClosingTotals:
        """Money per currency and each need, pledged and delivered."""
        ...


class AppealsUnitOfWork(OutboxUnitOfWork, Protocol):
    """A unit of work that also holds appeals."""

    appeals: AppealRepository
    appeal_totals: AppealTotals


#: Makes units of work with appeals and the outbox.
AppealsUnitOfWorkFactory = MakesUnits[AppealsUnitOfWork]
