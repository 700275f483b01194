"""What totals need from storage: sums made by the database, never pledge rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from domain.appeals.ports import AppealRepository
from domain.network.ports import UnitOfWork
from domain.outbox.ports import OutboxRepository
from domain.pledges.ports import PledgeRepository
from domain.privacy.ports import AuditTrail
from domain.totals.models import Cell, Figures
from domain.totals.report import DeliveryLine, OfferLine, PledgeLine

#: Which pledges count: None for all of an appeal's, else those attributed to one of these
#: organisations (a coordinator's subtree).
Scope = Collection[int] | None
#: Lines of a breakdown: an organisation (None: pledges of none) to its line's key.
Lines = Mapping[int | None, int] | None
#: The line of pledges outside every line given.
OUTSIDE = -1


@dataclass(frozen=True)
class OverduePledge:
    """One pledge past its due date with something still open (for the overdue list)."""

    pledge_id: int
    person_id: int
    person_name: str
    organisation_id: int | None
    item: str
    kind: str
    measure: Decimal  # promised, in minor units for money
    delivered: Decimal
    unit: str
    currency: str
    due_date: date


class TotalsRepository(Protocol):
    """An appeal's pledges and their deliveries summed (counters kept with every change).

    A pledge's organisation is the one it was pledged on behalf of, else its pledger's
    organisation when they belong to exactly one, else none.
    """

    async def by_appeal(self, appeal_ids: Collection[int], scope: Scope) -> dict[int, Figures]:
        """Each appeal's figures (appeals without pledges are left out)."""
        ...

    async def cells(
        self, appeal_id: int, scope: Scope, today: date, lines: Lines = None
    ) -> list[Cell]:
        """The appeal's pledges summed per line, need and currency (`recipient_id` None).

        `lines` maps an organisation (None: no organisation) to its line's key; pledges of
        the others are summed under OUTSIDE. Without `lines`, each organisation is a line.
        """
        ...

    async def recipient_cells(self, appeal_id: int, scope: Scope, lines: Lines) -> list[Cell]:
        """The pledges of the organisations in `lines` (not OUTSIDE; all without `lines`)
        summed per earmarked recipient and currency (`Cell.line` and `need_id` None)."""
        ...

    async def pledgers(
        self, appeal_id: int, scope: Scope, lines: Lines, keys: Collection[int],
        recipients: Collection[int | None],
    ) -> tuple[int, dict[int, int], dict[int | None, int]]:
        """How many people pledged in all the lines (not OUTSIDE), in each of `keys`, and
        for each recipient."""
        ...

    async def overdue_count(
        self, appeal_id: int, scope: Scope, today: date, lines: Lines = None
    ) -> int:
        """How many pledges are past their due date with something still to deliver; given
        `lines`, only those of the organisations in a line (not OUTSIDE)."""
        ...

    async def overdue(
        self, appeal_id: int, scope: Scope, today: date, offset: int, limit: int
    ) -> list[OverduePledge]:
        """The overdue pledges, oldest due date first, one page."""
        ...

    async def counted_for(self, pledge_id: int) -> int | None:
        """The organisation a pledge counts for (on behalf of, else its pledger's only one)."""
        ...


class ReportRows(Protocol):
    """The rows of an appeal's report, streamed (a large appeal is never held in memory)."""

    def pledges(self, appeal_id: int, scope: Scope) -> AsyncIterator[PledgeLine]:
        """Every pledge of the appeal in scope, cancelled ones too, oldest first."""
        ...

    def deliveries(self, appeal_id: int, scope: Scope) -> AsyncIterator[DeliveryLine]:
        """Every delivery report of those pledges, oldest first."""
        ...

    def offers(self, appeal_id: int) -> AsyncIterator[OfferLine]:
        """The supply offers matched to the appeal's needs."""
        ...


class TotalsUnitOfWork(UnitOfWork, Protocol):
    """A unit of work with the totals' queries and the appeals."""

    totals: TotalsRepository
    report_rows: ReportRows
    pledges: PledgeRepository  # one overdue pledge opened, with its deliveries
    audit_trail: AuditTrail  # and its history
    outbox: OutboxRepository  # the live boards' edits of the groups' appeal messages
    appeals: AppealRepository


class TotalsUnitOfWorkFactory(Protocol):
    """Makes units of work for totals."""

    def __call__(self) -> TotalsUnitOfWork:
        """Return a new, unopened unit of work."""
        ...
