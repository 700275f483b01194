"""An appeal's totals, summed by the database (GROUP BY), never by loading pledges."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import case, func, select
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
        volunteer = PledgeRow.kind == PledgeKind.VOLUNTEER.value
        by_value = (PledgeRow.kind == PledgeKind.GOODS.value) & PledgeRow.quantity.is_(None)
        counts = ~volunteer & PledgeRow.quantity.is_not(None)
        done = func.coalesce(delivered.c.delivered, 0)
        need_rows = await self._session.execute(
            select(
                PledgeRow.need_id,
                # goods and people counted by quantity; a volunteer-time pledge is one person
                func.sum(case((counts, PledgeRow.quantity), (volunteer, 1), else_=0)),
                func.sum(case((counts, done), (volunteer & (done > 0), 1), else_=0)),
                # goods known by their value alone count by value, never as a quantity
                func.sum(case((by_value, PledgeRow.estimated_minor), else_=0)),
                func.sum(case((by_value & (done > 0), PledgeRow.estimated_minor), else_=0)),
                func.sum(case((volunteer, PledgeRow.quantity), else_=0)),
                func.sum(case((volunteer, done), else_=0)),
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
                NeedTotal(
                    int(need_id),
                    _number(pledged),
                    _number(given),
                    int(_number(value)),
                    int(_number(value_given)),
                    _number(hours),
                    _number(hours_given),
                )
                for need_id, pledged, given, value, value_given, hours, hours_given in need_rows
            ],
        )


def _number(value: object) -> Decimal:
    """A summed column as a Decimal (NULL is zero; SQLite may answer int or float)."""
    return Decimal(str(value or 0)).normalize()
