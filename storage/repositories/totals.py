"""Totals summed by the database: one per-pledge subquery, grouped as each view needs.

Every figure is a `SUM … GROUP BY` (or `COUNT(DISTINCT …)`) over the appeal's pledges
joined with their deliveries' sums; no pledge row is loaded to be added up in Python.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.network.models import RoleName
from domain.pledges.models import FulfilmentState, PledgeKind
from domain.totals.models import NO_ORGANISATION, Figures, MoneySums, NeedFigures, ValueSum
from domain.totals.ports import OverduePledge, Scope
from storage.models.network import PersonRow, RoleRow
from storage.models.pledges import FulfilmentRow, PledgeRow

MONEY = PledgeKind.MONEY.value
VOLUNTEER = PledgeKind.VOLUNTEER.value
GOODS = PledgeKind.GOODS.value


def deliveries_by_pledge() -> Subquery:
    """Per pledge: delivered (reports not questioned) and received (confirmed) sums."""
    counted = FulfilmentRow.state != FulfilmentState.QUESTIONED.value
    confirmed = FulfilmentRow.state == FulfilmentState.CONFIRMED.value
    return (
        select(
            FulfilmentRow.pledge_id.label("pledge_id"),
            func.sum(case((counted, FulfilmentRow.quantity), else_=0)).label("delivered"),
            func.sum(case((confirmed, FulfilmentRow.quantity), else_=0)).label("received"),
        )
        .group_by(FulfilmentRow.pledge_id)
        .subquery("deliveries")
    )


def homes() -> Subquery:
    """Per person: their organisation, when they belong to exactly one."""
    return (
        select(
            RoleRow.person_id.label("person_id"),
            func.min(RoleRow.organisation_id).label("organisation_id"),
        )
        .where(RoleRow.role != RoleName.ADMIN.value, RoleRow.organisation_id.is_not(None))
        .group_by(RoleRow.person_id)
        .having(func.count(func.distinct(RoleRow.organisation_id)) == 1)
        .subquery("homes")
    )


def _flag(condition: ColumnElement[bool] | InstrumentedAttribute[bool]) -> ColumnElement[int]:
    """A condition as 0/1, so that MAX works on both databases (PostgreSQL has no MAX(bool))."""
    return case((condition, 1), else_=0)


def _pledges(
    appeal_ids: Collection[int], scope: Scope, line: Any = None, today: date | None = None
) -> Subquery:
    """One row per counted pledge of the appeals, with what the aggregates need.

    `line` is an expression of the pledge's organisation (`organisation`) giving the key
    it is summed under; without it, the appeal is the key.
    """
    deliveries = deliveries_by_pledge()
    home = homes()
    organisation = func.coalesce(PledgeRow.on_behalf_of, home.c.organisation_id)
    delivered = func.coalesce(deliveries.c.delivered, 0)
    measure = case(
        (PledgeRow.kind == MONEY, PledgeRow.amount_minor),
        else_=func.coalesce(PledgeRow.quantity, 1),
    )
    columns: list[Any] = [
        (line(organisation) if line is not None else PledgeRow.appeal_id).label("line"),
        PledgeRow.id.label("pledge_id"),
        PledgeRow.person_id,
        PledgeRow.kind,
        PledgeRow.need_id,
        PledgeRow.currency,
        PledgeRow.amount_minor,
        PledgeRow.quantity,
        PledgeRow.estimated_minor,
        PledgeRow.earmark_recipient_id,
        _flag(PledgeRow.approximate).label("approximate"),
        _flag(PledgeRow.estimated_approximate).label("estimated_approximate"),
        delivered.label("delivered"),
        func.coalesce(deliveries.c.received, 0).label("received"),
    ]
    if today is not None:
        late = PledgeRow.due_date.is_not(None) & (PledgeRow.due_date < today)
        columns.append(_flag(late & (delivered < measure)).label("overdue"))
    query = (
        select(*columns)
        .outerjoin(deliveries, deliveries.c.pledge_id == PledgeRow.id)
        .outerjoin(home, home.c.person_id == PledgeRow.person_id)
        .where(PledgeRow.appeal_id.in_(list(appeal_ids)), PledgeRow.cancelled.is_(False))
    )
    if scope is not None:
        query = query.where(organisation.in_(list(scope)))
    return query.subquery("counted")


def _money_and_value(rows: Subquery) -> Select[Any]:
    """Sums per line and currency: money pledged, delivered, received; in-kind value."""
    money = rows.c.kind == MONEY
    return select(
        rows.c.line,
        rows.c.currency,
        func.sum(case((money, rows.c.amount_minor), else_=0)),
        func.sum(case((money, rows.c.delivered), else_=0)),
        func.sum(case((money, rows.c.received), else_=0)),
        func.max(case((money, rows.c.approximate), else_=0)),
        func.sum(case((~money, func.coalesce(rows.c.estimated_minor, 0)), else_=0)),
        func.max(case((~money, rows.c.estimated_approximate), else_=0)),
        func.sum(_flag(money)),
    ).group_by(rows.c.line, rows.c.currency)


class SqlTotalsRepository:
    """Implements `domain.totals.ports.TotalsRepository`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _figures(self, rows: Subquery) -> dict[Any, Figures]:
        """Figures per line key of the per-pledge subquery."""
        money: dict[Any, list[MoneySums]] = {}
        values: dict[Any, list[ValueSum]] = {}
        for line, currency, pledged, done, got, approx, value, v_approx, count in (
            await self._session.execute(_money_and_value(rows))
        ):
            if count:
                money.setdefault(line, []).append(
                    MoneySums(currency, _int(pledged), _int(done), _int(got), bool(approx))
                )
            if value:
                values.setdefault(line, []).append(ValueSum(currency, _int(value), bool(v_approx)))
        found: dict[Any, Figures] = {}
        for line, pledgers, pledges in await self._session.execute(
            select(rows.c.line, func.count(func.distinct(rows.c.person_id)), func.count())
            .group_by(rows.c.line)
        ):
            found[line] = Figures(
                tuple(money.get(line, ())), tuple(values.get(line, ())), pledgers, pledges
            )
        return found

    async def by_appeal(self, appeal_ids: Collection[int], scope: Scope) -> dict[int, Figures]:
        """Each appeal's figures (appeals without pledges are left out)."""
        return await self._figures(_pledges(appeal_ids, scope))

    async def by_organisation(
        self, appeal_id: int, scope: Scope, lines: Mapping[int, int], unattached: bool
    ) -> dict[int, Figures]:
        """Figures per line: `lines` maps an organisation to its line's key (0: none)."""
        if not lines and not unattached:
            return {}

        def line(organisation: Any) -> Any:
            whens: list[Any] = [(organisation.is_(None), literal(NO_ORGANISATION))]
            if lines:
                whens.append((organisation.in_(list(lines)), case(dict(lines), value=organisation)))
            return case(*whens, else_=None)

        found = await self._figures(_pledges([appeal_id], scope, line))
        found.pop(None, None)
        if not unattached:
            found.pop(NO_ORGANISATION, None)
        return found

    async def by_recipient(self, appeal_id: int, scope: Scope) -> dict[int | None, Figures]:
        """Figures per earmarked recipient (None: no earmark)."""
        return await self._figures(
            _pledges([appeal_id], scope, lambda _: PledgeRow.earmark_recipient_id)
        )

    async def needs(self, appeal_id: int, scope: Scope) -> dict[int, NeedFigures]:
        """Each need's pledged, delivered and received quantity (as the closing totals count)."""
        rows = _pledges([appeal_id], scope)
        volunteer = rows.c.kind == VOLUNTEER
        by_value = (rows.c.kind == GOODS) & rows.c.quantity.is_(None)
        counts = ~volunteer & rows.c.quantity.is_not(None)
        query = (
            select(
                rows.c.need_id,
                func.sum(case((counts, rows.c.quantity), (volunteer, 1), else_=0)),
                func.sum(case((counts, rows.c.delivered), (volunteer & (rows.c.delivered > 0), 1),
                              else_=0)),
                func.sum(case((counts, rows.c.received), (volunteer & (rows.c.received > 0), 1),
                              else_=0)),
                func.max(case((counts, rows.c.approximate), else_=0)),
                func.sum(case((by_value, rows.c.estimated_minor), else_=0)),
                func.sum(case((volunteer, rows.c.quantity), else_=0)),
            )
            .where(rows.c.need_id.is_not(None), rows.c.kind != MONEY)
            .group_by(rows.c.need_id)
        )
        return {
            int(need_id): NeedFigures(
                int(need_id), _decimal(pledged), _decimal(done), _decimal(got), bool(approx),
                _int(value), _decimal(hours),
            )
            for need_id, pledged, done, got, approx, value, hours in (
                await self._session.execute(query)
            )
        }

    async def overdue_count(self, appeal_id: int, scope: Scope, today: date) -> int:
        """How many pledges are past their due date with something still to deliver."""
        rows = _pledges([appeal_id], scope, today=today)
        found = await self._session.scalar(select(func.coalesce(func.sum(rows.c.overdue), 0)))
        return _int(found)

    async def overdue(
        self, appeal_id: int, scope: Scope, today: date, offset: int, limit: int
    ) -> list[OverduePledge]:
        """The overdue pledges, oldest due date first (then oldest pledge), one page."""
        rows = _pledges([appeal_id], scope, lambda organisation: organisation, today)
        query = (
            select(
                rows.c.pledge_id, rows.c.person_id, func.coalesce(PersonRow.name, ""),
                rows.c.line, PledgeRow.item, rows.c.kind, rows.c.amount_minor, rows.c.quantity,
                rows.c.delivered, PledgeRow.unit, rows.c.currency, PledgeRow.due_date,
            )
            .join(PledgeRow, PledgeRow.id == rows.c.pledge_id)
            .outerjoin(PersonRow, PersonRow.id == rows.c.person_id)
            .where(rows.c.overdue == 1)
            .order_by(PledgeRow.due_date, rows.c.pledge_id)
            .offset(offset)
            .limit(limit)
        )
        found = []
        for pid, person, name, org, item, kind, amount, qty, done, unit, currency, due in (
            await self._session.execute(query)
        ):
            measure = Decimal(amount) if kind == MONEY else _decimal(qty if qty is not None else 1)
            found.append(OverduePledge(
                int(pid), int(person), name, org, item, kind, measure, _decimal(done), unit,
                currency, due,
            ))
        return found

    async def counted_for(self, pledge_id: int) -> int | None:
        """The organisation a pledge counts for (on behalf of, else its pledger's only one)."""
        home = homes()
        found = await self._session.scalar(
            select(func.coalesce(PledgeRow.on_behalf_of, home.c.organisation_id))
            .outerjoin(home, home.c.person_id == PledgeRow.person_id)
            .where(PledgeRow.id == pledge_id)
        )
        return None if found is None else int(found)


def _int(value: object) -> int:
    """A summed column as an int (NULL is zero; SQLite may answer a float)."""
    return int(Decimal(str(value or 0)))


def _decimal(value: object) -> Decimal:
    """A summed column as a Decimal (NULL is zero; SQLite may answer int or float)."""
    return Decimal(str(value or 0)).normalize()
