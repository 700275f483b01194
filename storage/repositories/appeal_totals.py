"""An appeal's totals, summed by the database (GROUP BY), never by loading pledges."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.appeals.ports import ClosingTotals, MoneyTotal, NeedTotal
from domain.pledges.models import FulfilmentState, PledgeKind
from storage.models.pledges import FulfilmentRow, PledgeRow


class SqlAppealTotals:
    """Implements `domain.appeals.ports.AppealTotals`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def closing(self, appeal_id: int) -> ClosingTotals:
        """Money per currency and each need, pledged (not cancelled) and delivered."""
        counted = (PledgeRow.appeal_id == appeal_id, PledgeRow.cancelled.is_(False))
        delivered = (
            select(
                FulfilmentRow.pledge_id.label("pledge_id"),
                func.sum(FulfilmentRow.quantity).label("delivered"),
            )
            .where(FulfilmentRow.state != FulfilmentState.QUESTIONED.value)
            .group_by(FulfilmentRow.pledge_id)
            .subquery()
        )
        money_rows = await self._session.execute(
            select(
                PledgeRow.currency,
                func.coalesce(func.sum(PledgeRow.amount_minor), 0),
                func.coalesce(func.sum(delivered.c.delivered), 0),
            )
            .outerjoin(delivered, delivered.c.pledge_id == PledgeRow.id)
            .where(*counted, PledgeRow.kind == PledgeKind.MONEY.value)
            .group_by(PledgeRow.currency)
            .order_by(PledgeRow.currency)
        )
        need_rows = await self._session.execute(
            select(
                PledgeRow.need_id,
                func.coalesce(func.sum(PledgeRow.quantity), 0),
                func.coalesce(func.sum(delivered.c.delivered), 0),
            )
            .outerjoin(delivered, delivered.c.pledge_id == PledgeRow.id)
            .where(
                *counted,
                PledgeRow.need_id.is_not(None),
                PledgeRow.kind != PledgeKind.MONEY.value,
            )
            .group_by(PledgeRow.need_id)
        )
        return ClosingTotals(
            money=[
                MoneyTotal(currency, int(pledged), int(Decimal(done)))
                for currency, pledged, done in money_rows
            ],
            needs=[
                NeedTotal(int(need_id), Decimal(pledged).normalize(), Decimal(done).normalize())
                for need_id, pledged, done in need_rows
            ],
        )
