"""Totals summed by the database: one per-pledge subquery, grouped as each view needs.

Every figure is a `SUM … GROUP BY` (or `COUNT(DISTINCT …)`) over the appeal's pledges
joined with their deliveries' sums; no pledge row is loaded to be added up in Python.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, case, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.network.models import RoleName
from domain.pledges.models import FulfilmentState, PledgeKind
from domain.totals.models import (
    Cell,
    Figures,
    MoneySums,
    NeedFigures,
    ValueSum,
)
from domain.totals.ports import OUTSIDE, Lines, OverduePledge, Scope
from storage.models.network import PersonRow, RoleRow
from storage.models.pledges import FulfilmentRow, PledgeRow

MONEY = PledgeKind.MONEY.value
VOLUNTEER = PledgeKind.VOLUNTEER.value
GOODS = PledgeKind.GOODS.value


def _of_appeals(appeal_ids: Collection[int]) -> Select[Any]:
    """The ids of the appeals' pledges (so the sums below read only those)."""
    return select(PledgeRow.id).where(PledgeRow.appeal_id.in_(list(appeal_ids))).correlate(None)


def deliveries_by_pledge(appeal_ids: Collection[int]) -> Subquery:
    """Per pledge of the appeals: delivered (reports not questioned) and received sums."""
    counted = FulfilmentRow.state != FulfilmentState.QUESTIONED.value
    confirmed = FulfilmentRow.state == FulfilmentState.CONFIRMED.value
    return (
        select(
            FulfilmentRow.pledge_id.label("pledge_id"),
            func.sum(case((counted, FulfilmentRow.quantity), else_=0)).label("delivered"),
            func.sum(case((confirmed, FulfilmentRow.quantity), else_=0)).label("received"),
        )
        .where(FulfilmentRow.pledge_id.in_(_of_appeals(appeal_ids)))
        .group_by(FulfilmentRow.pledge_id)
        .subquery("deliveries")
    )


def homes() -> Subquery:
    """Per person: their organisation, when they belong to exactly one.

    Every role is read: the role table (one row per membership) costs less to group than
    finding an appeal's pledgers first, which would be a second pass over its pledges.
    """
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
    appeal_ids: Collection[int],
    scope: Scope,
    *,
    line: Any = None,
    today: date | None = None,
    sums: bool = True,
    shared: bool = False,
    lookups: bool = False,
) -> Any:
    """One row per counted pledge of the appeals, with what the aggregates need.

    The row's `line` (the key it is summed under) is `line(organisation)` of the pledge's
    organisation, else its appeal. Without `sums` (a count of
    pledgers) the deliveries are not joined; the pledgers' organisations only when a line
    or the scope needs them.
    """
    with_deliveries = sums or today is not None
    deliveries = deliveries_by_pledge(appeal_ids)
    home = homes()
    organisation = func.coalesce(PledgeRow.on_behalf_of, home.c.organisation_id)
    if lookups:  # SQLite: one index lookup per pledge beats joining the grouped deliveries
        found = _looked_up()
        delivered = func.coalesce(found["delivered"], 0)
        received = func.coalesce(found["received"], 0)
    else:
        delivered = func.coalesce(deliveries.c.delivered, 0)
        received = func.coalesce(deliveries.c.received, 0)
    columns: list[Any] = [
        (line(organisation) if line is not None else PledgeRow.appeal_id).label("line"),
        PledgeRow.id.label("pledge_id"),
        PledgeRow.person_id,
        PledgeRow.earmark_recipient_id.label("recipient"),
    ]
    if sums:
        columns += [
            PledgeRow.kind,
            PledgeRow.need_id,
            PledgeRow.currency,
            PledgeRow.amount_minor,
            PledgeRow.quantity,
            PledgeRow.estimated_minor,
            _flag(PledgeRow.approximate).label("approximate"),
            _flag(PledgeRow.estimated_approximate).label("estimated_approximate"),
            delivered.label("delivered"),
            received.label("received"),
        ]
    if today is not None:
        measure = case(
            (PledgeRow.kind == MONEY, PledgeRow.amount_minor),
            else_=func.coalesce(PledgeRow.quantity, 1),
        )
        late = PledgeRow.due_date.is_not(None) & (PledgeRow.due_date < today)
        columns.append(_flag(late & (delivered < measure)).label("overdue"))
    query = select(*columns)
    if with_deliveries and not lookups:
        query = query.outerjoin(deliveries, deliveries.c.pledge_id == PledgeRow.id)
    if line is not None or scope is not None:
        query = query.outerjoin(home, home.c.person_id == PledgeRow.person_id)
    query = query.where(
        PledgeRow.appeal_id.in_(list(appeal_ids)), PledgeRow.cancelled.is_(False)
    )
    if scope is not None:
        query = query.where(organisation.in_(list(scope)))
    # `shared`: read by several selects of one statement, so computed once (a CTE)
    return query.cte("counted") if shared else query.subquery("counted")


def _looked_up() -> dict[str, Any]:
    """A pledge's delivered and received sums, each a subquery of that pledge (read through
    the index on `fulfilment.pledge_id`)."""
    counted = FulfilmentRow.state != FulfilmentState.QUESTIONED.value
    confirmed = FulfilmentRow.state == FulfilmentState.CONFIRMED.value
    of_pledge = FulfilmentRow.pledge_id == PledgeRow.id
    return {
        "delivered": select(func.sum(case((counted, FulfilmentRow.quantity), else_=0)))
        .where(of_pledge).scalar_subquery(),
        "received": select(func.sum(case((confirmed, FulfilmentRow.quantity), else_=0)))
        .where(of_pledge).scalar_subquery(),
    }


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
        func.count(),
    ).group_by(rows.c.line, rows.c.currency)


class SqlTotalsRepository:
    """Implements `domain.totals.ports.TotalsRepository`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        bind = session.bind
        self._lookups = bind is not None and bind.dialect.name == "sqlite"

    def _counted(self, appeal_ids: Collection[int], scope: Scope, **options: Any) -> Any:
        """The per-pledge subquery, in the form this database runs fastest."""
        return _pledges(appeal_ids, scope, lookups=self._lookups, **options)

    async def _sums(self, rows: Subquery) -> dict[Any, Figures]:
        """Money and in-kind sums and pledge counts per line (no pledgers yet)."""
        money: dict[Any, list[MoneySums]] = {}
        values: dict[Any, list[ValueSum]] = {}
        counts: dict[Any, int] = {}
        for line, currency, pledged, done, got, approx, value, v_approx, monies, count in (
            await self._session.execute(_money_and_value(rows))
        ):
            if monies:
                money.setdefault(line, []).append(
                    MoneySums(currency, _int(pledged), _int(done), _int(got), bool(approx))
                )
            if value:
                values.setdefault(line, []).append(ValueSum(currency, _int(value), bool(v_approx)))
            counts[line] = counts.get(line, 0) + int(count)
        return {
            line: Figures(tuple(money.get(line, ())), tuple(values.get(line, ())), 0, count)
            for line, count in counts.items()
        }

    async def by_appeal(self, appeal_ids: Collection[int], scope: Scope) -> dict[int, Figures]:
        """Each appeal's figures (appeals without pledges are left out)."""
        found = await self._sums(self._counted(appeal_ids, scope))
        people = self._counted(appeal_ids, scope, sums=False)
        for line, pledgers in await self._session.execute(
            select(people.c.line, func.count(func.distinct(people.c.person_id)))
            .group_by(people.c.line)
        ):
            found[line] = replace(found[line], pledgers=int(pledgers))
        return found

    async def cells(
        self, appeal_id: int, scope: Scope, today: date, lines: Lines = None
    ) -> list[Cell]:
        """The appeal's pledges summed per line, need, recipient and currency."""
        rows = self._counted([appeal_id], scope, line=_keyed(lines), today=today)
        money = rows.c.kind == MONEY
        volunteer = rows.c.kind == VOLUNTEER
        by_value = (rows.c.kind == GOODS) & rows.c.quantity.is_(None)
        # goods and people count by quantity; a volunteer-time pledge is one person
        counts = ~money & ~volunteer & rows.c.quantity.is_not(None)
        query = select(
            rows.c.line, rows.c.need_id, rows.c.recipient, rows.c.currency,
            func.count(),
            func.sum(case((money, rows.c.amount_minor), else_=0)),
            func.sum(case((money, rows.c.delivered), else_=0)),
            func.sum(case((money, rows.c.received), else_=0)),
            func.max(case((money, rows.c.approximate), else_=0)),
            func.sum(case((~money, func.coalesce(rows.c.estimated_minor, 0)), else_=0)),
            func.max(case((~money, rows.c.estimated_approximate), else_=0)),
            func.sum(case((counts, rows.c.quantity), (volunteer, 1), else_=0)),
            func.sum(case((counts, rows.c.delivered), (volunteer & (rows.c.delivered > 0), 1),
                          else_=0)),
            func.sum(case((counts, rows.c.received), (volunteer & (rows.c.received > 0), 1),
                          else_=0)),
            func.max(case((counts, rows.c.approximate), else_=0)),
            # goods known by their value alone count by value, never as a quantity
            func.sum(case((by_value, rows.c.estimated_minor), else_=0)),
            func.sum(case((volunteer, rows.c.quantity), else_=0)),
            func.sum(rows.c.overdue),
        ).group_by(rows.c.line, rows.c.need_id, rows.c.recipient, rows.c.currency)
        found = []
        for (line, need_id, recipient, currency, count, pledged, done, got, approx,
             value, value_approx, quantity, delivered, received, quantity_approx, by_worth,
             hours, overdue) in await self._session.execute(query):
            need = None
            if need_id is not None:
                need = NeedFigures(int(need_id), _decimal(quantity), _decimal(delivered),
                                   _decimal(received), bool(quantity_approx), _int(by_worth),
                                   _decimal(hours))
            found.append(Cell(
                line, need_id, recipient,
                MoneySums(currency, _int(pledged), _int(done), _int(got), bool(approx)),
                ValueSum(currency, _int(value), bool(value_approx)), need, int(count),
                _int(overdue),
            ))
        return found

    async def pledgers(
        self, appeal_id: int, scope: Scope, lines: Lines, keys: Collection[int],
        recipients: Collection[int | None],
    ) -> tuple[int, dict[int, int], dict[int | None, int]]:
        """How many people pledged in all the lines, in each line and for each recipient:
        one statement, its three counts over one pass of the pledges, no deliveries read."""
        rows = self._counted([appeal_id], scope, line=_keyed(lines), sums=False, shared=True)
        people = func.count(func.distinct(rows.c.person_id))
        everyone = select(literal("all"), literal(None), people)
        if lines is not None:
            everyone = everyone.where(rows.c.line != OUTSIDE)
        query = union_all(
            everyone,
            select(literal("line"), rows.c.line, people).group_by(rows.c.line),
            select(literal("recipient"), rows.c.recipient, people).group_by(rows.c.recipient),
        )
        total, by_line, by_recipient = 0, {}, {}
        for kind, key, count in await self._session.execute(query):
            if kind == "all":
                total = int(count)
            elif kind == "line":
                by_line[key] = int(count)
            else:
                by_recipient[key] = int(count)
        return (
            total,
            {key: by_line.get(key, 0) for key in keys},
            {r: by_recipient.get(r, 0) for r in recipients},
        )

    async def overdue_count(self, appeal_id: int, scope: Scope, today: date) -> int:
        """How many pledges are past their due date with something still to deliver."""
        rows = self._counted([appeal_id], scope, today=today, sums=False)
        found = await self._session.scalar(select(func.coalesce(func.sum(rows.c.overdue), 0)))
        return _int(found)

    async def overdue(
        self, appeal_id: int, scope: Scope, today: date, offset: int, limit: int
    ) -> list[OverduePledge]:
        """The overdue pledges, oldest due date first (then oldest pledge), one page."""
        rows = self._counted([appeal_id], scope, line=lambda org: org, today=today)
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
        appeal = await self._session.scalar(
            select(PledgeRow.appeal_id).where(PledgeRow.id == pledge_id)
        )
        if appeal is None:
            return None
        home = homes()
        found = await self._session.scalar(
            select(func.coalesce(PledgeRow.on_behalf_of, home.c.organisation_id))
            .outerjoin(home, home.c.person_id == PledgeRow.person_id)
            .where(PledgeRow.id == pledge_id)
        )
        return None if found is None else int(found)


def _keyed(lines: Lines) -> Any:
    """The line of a pledge's organisation: its key in `lines` (OUTSIDE when it has none),
    or without `lines` the organisation itself. One IN list per line keeps it cheap."""
    if lines is None:
        return lambda organisation: organisation

    def line(organisation: Any) -> Any:
        members: dict[int, list[int]] = {}
        for org, key in lines.items():
            if org is not None:
                members.setdefault(key, []).append(org)
        whens: list[Any] = []
        if None in lines:
            whens.append((organisation.is_(None), literal(lines[None])))
        whens += [(organisation.in_(orgs), literal(key)) for key, orgs in members.items()]
        return case(*whens, else_=literal(OUTSIDE)) if whens else literal(OUTSIDE)

    return line


def _int(value: object) -> int:
    """A summed column as an int (NULL is zero; SQLite may answer a float)."""
    return int(Decimal(str(value or 0)))


def _decimal(value: object) -> Decimal:
    """A summed column as a Decimal (NULL is zero; SQLite may answer int or float)."""
    return Decimal(str(value or 0)).normalize()
