"""Totals read from the counters (`storage/models/totals.py`), kept in the transaction of
every change they count (`totals_counters.py`).

A view reads a few hundred counter rows of one appeal, grouped by line of the breakdown in
SQL; the pledgers are counted from per-organisation counts of people, corrected exactly by
the few people whose pledges count for two organisations. No pledge row is read, except
by the overdue list (a page of pledges) and `counted_for` (one pledge).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.totals.models import Cell, Figures, MoneySums, NeedFigures, ValueSum
from domain.totals.ports import OUTSIDE, Lines, OverduePledge, Scope
from storage.models.network import PersonRow
from storage.models.pledges import PledgeRow
from storage.models.totals import TotalsCellRow, TotalsDueRow, TotalsReachRow, TotalsSpreadRow
from storage.repositories.totals_pledges import (
    ANY_RECIPIENT,
    MICRO,
    MONEY,
    contributions,
    homes,
    pairs,
)

_CELL = TotalsCellRow
#: A counter row's organisation as the domain names it (None: no organisation).
_ORGANISATION = func.nullif(_CELL.organisation_id, 0)


def _in_scope(column: Any, scope: Scope) -> list[Any]:
    """The condition that a counter row's organisation is in scope (none without one)."""
    return [] if scope is None else [column.in_(list(scope))]


def _sums() -> list[Any]:
    """Every counter of `totals_cell`, summed over the rows grouped."""
    return [func.sum(getattr(_CELL, name)) for name in (
        "pledges", "money_pledges", "money_pledged_minor", "money_delivered_micro",
        "money_received_micro", "money_approximate", "value_minor", "value_approximate",
        "quantity_micro", "quantity_delivered_micro", "quantity_received_micro",
        "quantity_approximate", "worth_minor", "hours_micro",
    )]


class SqlTotalsRepository:
    """Implements `domain.totals.ports.TotalsRepository`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_appeal(self, appeal_ids: Collection[int], scope: Scope) -> dict[int, Figures]:
        """Each appeal's figures (appeals without pledges are left out)."""
        query = (
            select(_CELL.appeal_id, _CELL.currency, *_sums())
            .where(_CELL.appeal_id.in_(list(appeal_ids)), *_in_scope(_CELL.organisation_id,
                                                                       scope))
            .group_by(_CELL.appeal_id, _CELL.currency)
            .having(func.sum(_CELL.pledges) > 0)
        )
        money: dict[int, list[MoneySums]] = {}
        values: dict[int, list[ValueSum]] = {}
        counts: dict[int, int] = {}
        for appeal, currency, count, monies, pledged, done, got, approx, value, v_approx, *_ in (
            await self._session.execute(query)
        ):
            if monies:
                money.setdefault(appeal, []).append(MoneySums(
                    currency, int(pledged), int(done) // MICRO, int(got) // MICRO, approx > 0
                ))
            if value:
                values.setdefault(appeal, []).append(ValueSum(currency, int(value), v_approx > 0))
            counts[appeal] = counts.get(appeal, 0) + int(count)
        found = {}
        for appeal, count in counts.items():
            reach = await self._reach(appeal, scope)
            found[appeal] = Figures(tuple(money.get(appeal, ())), tuple(values.get(appeal, ())),
                                    reach.people(lambda org, rec: rec == ANY_RECIPIENT), count)
        return found

    async def cells(
        self, appeal_id: int, scope: Scope, today: date, lines: Lines = None
    ) -> list[Cell]:
        """The appeal's counters summed per line, need and currency (recipients apart).

        The database sums per organisation (a few hundred rows); the organisations are put
        in their lines here, which costs less than a `CASE` per counter row.
        """
        need = func.nullif(_CELL.need_id, 0)
        query = (
            select(_CELL.organisation_id, need, _CELL.currency, *_sums())
            .where(_CELL.appeal_id == appeal_id, *_in_scope(_CELL.organisation_id, scope))
            .group_by(_CELL.organisation_id, need, _CELL.currency)
            .having(func.sum(_CELL.pledges) > 0)
        )
        grouped: dict[tuple[Any, ...], list[int]] = {}
        for org, need_id, currency, *sums in await self._session.execute(query):
            key = (_line_of(org, lines), need_id, currency)
            found = grouped.setdefault(key, [0] * len(sums))
            for index, value in enumerate(sums):
                found[index] += int(value)
        return [_cell(line, need_id, None, currency, sums)
                for (line, need_id, currency), sums in grouped.items()]

    async def recipient_cells(self, appeal_id: int, scope: Scope, lines: Lines) -> list[Cell]:
        """The appeal's counters of the organisations in `lines` (all without) summed per
        earmarked recipient and currency."""
        where = [_CELL.appeal_id == appeal_id, *_in_scope(_CELL.organisation_id, scope)]
        if lines is not None:
            where.append(_CELL.organisation_id.in_(
                sorted({org or 0 for org, key in lines.items() if key != OUTSIDE})
            ))
        recipient = func.nullif(_CELL.recipient_id, 0)
        query = (
            select(recipient, _CELL.currency, *_sums())
            .where(*where)
            .group_by(recipient, _CELL.currency)
            .having(func.sum(_CELL.pledges) > 0)
        )
        return [_cell(None, None, earmark, currency, [int(v) for v in sums])
                for earmark, currency, *sums in await self._session.execute(query)]

    async def pledgers(
        self, appeal_id: int, scope: Scope, lines: Lines, keys: Collection[int],
        recipients: Collection[int | None],
    ) -> tuple[int, dict[int, int], dict[int | None, int]]:
        """How many people pledged in all the lines, in each line and for each recipient."""
        reach = await self._reach(appeal_id, scope)
        total = reach.people(lambda org, rec: rec == ANY_RECIPIENT
                             and _line_of(org, lines) != OUTSIDE)
        by_line = reach.per(lambda org, rec: _line_of(org, lines) if rec == ANY_RECIPIENT
                            else _NOWHERE)
        by_recipient = reach.per(lambda org, rec: _NOWHERE if rec == ANY_RECIPIENT
                                 else (rec or None))
        return (total, {key: by_line.get(key, 0) for key in keys},
                {r: by_recipient.get(r, 0) for r in recipients})

    async def _reach(self, appeal_id: int, scope: Scope) -> Reach:
        """The appeal's counts of people and the places of those counted twice in them."""
        reach = TotalsReachRow
        counts = await self._session.execute(
            select(reach.organisation_id, reach.recipient_id, reach.people)
            .where(reach.appeal_id == appeal_id, reach.people > 0,
                   *_in_scope(reach.organisation_id, scope))
        )
        spread = list(await self._session.scalars(
            select(TotalsSpreadRow.person_id).where(TotalsSpreadRow.appeal_id == appeal_id)
        ))
        twice: dict[int, set[tuple[int, int]]] = {}
        if spread:  # their pledges are read by person (the index), the appeal's never
            rows = contributions(PledgeRow.person_id.in_(spread),
                                 PledgeRow.appeal_id == appeal_id, people=spread)
            places = pairs(rows).where(*_in_scope(rows.c.organisation_id, scope))
            for person, _appeal, org, rec in await self._session.execute(places):
                twice.setdefault(person, set()).update({(org, rec), (org, ANY_RECIPIENT)})
        return Reach([(int(o), int(r), int(n)) for o, r, n in counts], list(twice.values()))

    async def overdue_count(
        self, appeal_id: int, scope: Scope, today: date, lines: Lines = None
    ) -> int:
        """How many pledges are past their due date with something still to deliver (in
        the lines given, when given)."""
        due = TotalsDueRow
        where = [due.appeal_id == appeal_id, due.due_date < today,
                 *_in_scope(due.organisation_id, scope)]
        if lines is not None:
            where.append(func.coalesce(due.organisation_id, 0).in_(
                [org or 0 for org, key in lines.items() if key != OUTSIDE]
            ))
        found = await self._session.scalar(select(func.coalesce(func.sum(due.open), 0))
                                           .where(*where))
        return int(found or 0)

    async def overdue(
        self, appeal_id: int, scope: Scope, today: date, offset: int, limit: int
    ) -> list[OverduePledge]:
        """The overdue pledges, oldest due date first (then oldest pledge), one page."""
        rows = contributions(PledgeRow.appeal_id == appeal_id, PledgeRow.due_date < today)
        measure = case((rows.c.kind == MONEY, rows.c.amount_minor * MICRO),
                       else_=func.coalesce(rows.c.quantity, MICRO))
        query = (
            select(
                rows.c.pledge_id, rows.c.person_id, func.coalesce(PersonRow.name, ""),
                rows.c.organisation_id, PledgeRow.item, rows.c.kind, rows.c.amount_minor,
                rows.c.quantity, rows.c.delivered, PledgeRow.unit, rows.c.currency,
                PledgeRow.due_date,
            )
            .join(PledgeRow, PledgeRow.id == rows.c.pledge_id)
            .outerjoin(PersonRow, PersonRow.id == rows.c.person_id)
            .where(rows.c.delivered < measure, *_in_scope(rows.c.organisation_id, scope))
            .order_by(PledgeRow.due_date, rows.c.pledge_id)
            .offset(offset)
            .limit(limit)
        )
        found = []
        for pid, person, name, org, item, kind, amount, qty, done, unit, currency, due in (
            await self._session.execute(query)
        ):
            promised = Decimal(amount) if kind == MONEY else _units(qty if qty is not None
                                                                    else MICRO)
            found.append(OverduePledge(
                int(pid), int(person), name, org or None, item, kind, promised, _units(done),
                unit, currency, due,
            ))
        return found

    async def counted_for(self, pledge_id: int) -> int | None:
        """The organisation a pledge counts for (on behalf of, else its pledger's only one)."""
        people = select(PledgeRow.person_id).where(PledgeRow.id == pledge_id)
        home = homes(people)
        found = await self._session.scalar(
            select(func.coalesce(PledgeRow.on_behalf_of, home.c.organisation_id, 0))
            .outerjoin(home, home.c.person_id == PledgeRow.person_id)
            .where(PledgeRow.id == pledge_id)
        )
        return None if not found else int(found)


#: A key of `Reach.per` that counts nowhere.
_NOWHERE = object()


class Reach:
    """An appeal's counts of people per (organisation, recipient), and the places of the
    people who count for two organisations or more (the only ones a sum counts twice)."""

    def __init__(
        self, counts: list[tuple[int, int, int]], twice: list[set[tuple[int, int]]]
    ) -> None:
        self._counts = counts
        self._twice = twice

    def people(self, chosen: Callable[[int, int], bool]) -> int:
        """How many different people have a place `chosen(organisation, recipient)`."""
        return self.per(lambda org, rec: True if chosen(org, rec) else _NOWHERE).get(True, 0)

    def per(self, key: Callable[[int, int], Any]) -> dict[Any, int]:
        """How many different people have a place under each key (`key(organisation,
        recipient)`; `_NOWHERE`: not counted), in one pass over the counts.

        Within one organisation the counts are of different people already; a person in
        `twice` is in a key's sum once per organisation under it, so all but one go.
        """
        found: dict[Any, int] = {}
        for org, rec, people in self._counts:
            under = key(org, rec)
            if under is not _NOWHERE:
                found[under] = found.get(under, 0) + people
        for places in self._twice:
            organisations: dict[Any, set[int]] = {}
            for org, rec in places:
                under = key(org, rec)
                if under is not _NOWHERE:
                    organisations.setdefault(under, set()).add(org)
            for under, orgs in organisations.items():
                found[under] -= len(orgs) - 1
        return found


def _line_of(organisation: int, lines: Lines) -> int | None:
    """The line of a counter row's organisation (0: none): its key in `lines` (OUTSIDE
    when it has none), or without `lines` the organisation itself."""
    named = organisation or None
    return named if lines is None else lines.get(named, OUTSIDE)


def _cell(
    line: int | None, need_id: int | None, recipient: int | None, currency: str,
    sums: list[int],
) -> Cell:
    """A group's counters (in the order of `_sums`) as the domain's figures."""
    (count, _monies, pledged, done, got, approx, value, value_approx, quantity, delivered,
     received, quantity_approx, by_worth, hours) = sums
    figures = None
    if need_id is not None:
        figures = NeedFigures(int(need_id), _units(quantity), _units(delivered),
                              _units(received), quantity_approx > 0, by_worth, _units(hours))
    return Cell(
        line, need_id, recipient,
        MoneySums(currency, pledged, done // MICRO, got // MICRO, approx > 0),
        ValueSum(currency, value, value_approx > 0), figures, count,
    )


def _units(value: Any) -> Decimal:
    """Millionths (a counter, or a pledge's quantity in `contributions`) as a Decimal."""
    return (Decimal(int(value or 0)) / MICRO).normalize()

