"""The rows of an appeal's report, streamed from the database in batches (`yield_per`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.pledges.models import PledgeKind, Visibility
from domain.totals.ports import Scope
from domain.totals.report import DeliveryLine, OfferLine, PledgeLine
from storage.models.appeals import NeedRow, RecipientRow
from storage.models.network import OrganisationRow, PersonRow
from storage.models.offers import OfferMatchRow, OfferRow
from storage.models.pledges import FulfilmentRow, PledgeRow
from storage.repositories.totals_pledges import deliveries_by_pledge, homes

#: Rows fetched from the database at a time while a report is written.
BATCH = 2000


def _of_appeal(query: Any, appeal_id: int, scope: Scope, joined: Any = None) -> Any:
    """Restrict a query over pledges to one appeal and, given a scope, its organisations.

    `joined` is the pledgers' homes subquery when the query has it joined already.
    """
    found = query.where(PledgeRow.appeal_id == appeal_id)
    if scope is None:
        return found
    home = joined if joined is not None else homes()
    if joined is None:
        found = found.outerjoin(home, home.c.person_id == PledgeRow.person_id)
    organisation = func.coalesce(PledgeRow.on_behalf_of, home.c.organisation_id)
    return found.where(organisation.in_(list(scope)))


class SqlReportRows:
    """Implements `domain.totals.ports.ReportRows`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _stream(self, query: Any) -> AsyncIterator[Any]:
        result = await self._session.stream(query.execution_options(yield_per=BATCH))
        async for row in result:
            yield row

    async def pledges(self, appeal_id: int, scope: Scope) -> AsyncIterator[PledgeLine]:
        """Every pledge of the appeal in scope, cancelled ones too, oldest first."""
        done = deliveries_by_pledge(select(PledgeRow.id).where(PledgeRow.appeal_id == appeal_id))
        home = homes()
        counted_for = aliased(OrganisationRow)
        query = (
            select(
                PledgeRow, func.coalesce(PersonRow.name, ""), func.coalesce(counted_for.name, ""),
                func.coalesce(RecipientRow.name, ""), func.coalesce(done.c.delivered, 0),
                func.coalesce(done.c.received, 0),
            )
            .outerjoin(done, done.c.pledge_id == PledgeRow.id)
            .outerjoin(PersonRow, PersonRow.id == PledgeRow.person_id)
            .outerjoin(home, home.c.person_id == PledgeRow.person_id)
            .outerjoin(counted_for, counted_for.id == func.coalesce(
                PledgeRow.on_behalf_of, home.c.organisation_id
            ))
            .outerjoin(RecipientRow, RecipientRow.id == PledgeRow.earmark_recipient_id)
            .order_by(PledgeRow.id)
        )
        async for row, person, organisation, recipient, delivered, received in self._stream(
            _of_appeal(query, appeal_id, scope, home)
        ):
            yield PledgeLine(
                row.id, row.created_at, person, Visibility(row.visibility), organisation,
                PledgeKind(row.kind), row.item or row.description, row.amount_minor,
                row.currency, row.quantity, row.unit, row.estimated_minor, row.approximate,
                _decimal(delivered), _decimal(received), row.due_date, recipient, row.cancelled,
                row.lapsed_at is not None,
            )

    async def deliveries(self, appeal_id: int, scope: Scope) -> AsyncIterator[DeliveryLine]:
        """Every delivery report of those pledges, oldest first."""
        query = (
            select(FulfilmentRow, PledgeRow.item, PledgeRow.description, PledgeRow.kind,
                   PledgeRow.unit, PledgeRow.currency, func.coalesce(PersonRow.name, ""))
            .join(PledgeRow, PledgeRow.id == FulfilmentRow.pledge_id)
            .outerjoin(PersonRow, PersonRow.id == FulfilmentRow.reported_by)
            .order_by(FulfilmentRow.reported_at, FulfilmentRow.id)
        )
        async for row, item, description, kind, unit, currency, name in self._stream(
            _of_appeal(query, appeal_id, scope)
        ):
            yield DeliveryLine(
                row.pledge_id, item or description, PledgeKind(kind), _decimal(row.quantity),
                unit, currency, name, row.reported_at, row.state, row.confirmed_at,
            )

    async def offers(self, appeal_id: int) -> AsyncIterator[OfferLine]:
        """The supply offers matched to the appeal's needs, oldest first."""
        query = (
            select(OfferRow, NeedRow.item, OfferMatchRow.quantity,
                   func.coalesce(PersonRow.name, ""))
            .join(OfferMatchRow, OfferMatchRow.offer_id == OfferRow.id)
            .join(NeedRow, NeedRow.id == OfferMatchRow.need_id)
            .outerjoin(PersonRow, PersonRow.id == OfferRow.person_id)
            .where(OfferMatchRow.appeal_id == appeal_id)
            .order_by(OfferRow.created_at, OfferRow.id)
        )
        async for row, need, matched, name in self._stream(query):
            yield OfferLine(
                row.id, row.item, _decimal(row.quantity), row.unit, need, _decimal(matched),
                name, row.status, row.created_at,
            )


def _decimal(value: object) -> Decimal:
    """A column as a Decimal (SQLite may answer int or float)."""
    return Decimal(str(value or 0)).normalize()
