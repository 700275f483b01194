"""The totals' counters, changed in the unit of work of every change they count.

A repository about to change a pledge, its deliveries or what decides its organisation (a
role, an erasure) first `touch`es it: the ledger reads, from the rows, what those pledges
add to the counters now. `settle` (run by the unit of work just before it commits) reads
it again and writes the difference: one upsert per changed counter row. So the counters are
always the rows' sums, kept by the same definition (`totals_pledges`) the backfill and the
tests use, and a rolled-back unit of work leaves them as they were.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, literal, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.pledges import PledgeRow
from storage.models.totals import TotalsCellRow, TotalsDueRow, TotalsReachRow, TotalsSpreadRow
from storage.repositories.statements import table_of
from storage.repositories.totals_pledges import (
    ANY_RECIPIENT,
    CELL_KEYS,
    CELL_SUMS,
    DUE_KEYS,
    cell_sums,
    contributions,
    due_sums,
    pairs,
)

#: A pledger's place in an appeal: (appeal, organisation, recipient).
Pair = tuple[int, int, int]
_LEDGER = "totals_ledger"


def ledger_of(session: AsyncSession) -> TotalsLedger:
    """The session's ledger (one per session, so every repository of a unit shares it)."""
    found = session.info.get(_LEDGER)
    if found is None:
        found = session.info[_LEDGER] = TotalsLedger(session)
    return found


class TotalsLedger:
    """What the touched pledges added before their change, to be settled at commit."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._reset()

    def _reset(self) -> None:
        self._pledges: set[int] = set()
        self._people: dict[int, set[Pair]] = {}
        self._cells: dict[tuple[Any, ...], list[int]] = {}
        self._due: Counter[tuple[Any, ...]] = Counter()

    async def touch(self, pledge_ids: Collection[int]) -> None:
        """Note these pledges (and their pledgers) before they change."""
        fresh = [p for p in pledge_ids if p not in self._pledges]
        if not fresh:
            return
        people = await self._session.scalars(
            select(PledgeRow.person_id).where(PledgeRow.id.in_(fresh)).distinct()
        )
        await self.touch_people(list(people))
        await self._add(fresh, -1)
        self._pledges.update(fresh)

    async def touch_people(self, person_ids: Collection[int]) -> None:
        """Note these people's places in appeals before their pledges or roles change."""
        fresh = [p for p in person_ids if p not in self._people]
        if not fresh:
            return
        for person in fresh:
            self._people[person] = set()
        for person, *pair in await self._session.execute(
            pairs(contributions(PledgeRow.person_id.in_(fresh), people=fresh))
        ):
            self._people[person].add((pair[0], pair[1], pair[2]))

    async def touch_person(self, person_id: int) -> None:
        """Note every pledge of one person (their organisation is about to change)."""
        await self.touch_people([person_id])
        await self.touch(list(await self._session.scalars(
            select(PledgeRow.id).where(PledgeRow.person_id == person_id)
        )))

    async def created(self, person_id: int) -> None:
        """Before a pledge is inserted: note its pledger (the pledge adds nothing yet)."""
        await self.touch_people([person_id])

    def inserted(self, pledge_id: int) -> None:
        """After a pledge was inserted: count it at commit."""
        self._pledges.add(pledge_id)

    async def _add(self, pledge_ids: list[int], sign: int) -> None:
        where = PledgeRow.id.in_(pledge_ids)
        people = select(PledgeRow.person_id).where(where)
        rows = contributions(where, people=people)
        width = len(CELL_KEYS)
        for row in await self._session.execute(cell_sums(rows)):
            sums = self._cells.setdefault(tuple(row[:width]), [0] * len(CELL_SUMS))
            for index, value in enumerate(row[width:]):
                sums[index] += sign * int(value)
        for *key, count in await self._session.execute(due_sums(rows)):
            self._due[tuple(key)] += sign * int(count)

    async def settle(self) -> None:
        """Write the difference the touched pledges made (before the unit commits)."""
        if not self._pledges and not self._people:
            return
        try:
            if self._pledges:
                await self._add(sorted(self._pledges), +1)
            before = self._people
            after: dict[int, set[Pair]] = {person: set() for person in before}
            for person, *pair in await self._session.execute(
                pairs(contributions(PledgeRow.person_id.in_(list(before)), people=list(before)))
            ):
                after[person].add((pair[0], pair[1], pair[2]))
            await self._write_cells()
            await self._write_due()
            await self._write_reach(before, after)
        finally:
            self._reset()

    def discard(self) -> None:
        """Forget what was noted (the unit rolled back)."""
        self._reset()

    async def _write_cells(self) -> None:
        changed = [
            dict(zip(CELL_KEYS, key, strict=True)) | dict(zip(CELL_SUMS, sums, strict=True))
            for key, sums in sorted(self._cells.items(), key=_order)
            if any(sums)
        ]
        await _upsert(self._session, table_of(TotalsCellRow), CELL_KEYS, CELL_SUMS, changed)

    async def _write_due(self) -> None:
        changed = [
            dict(zip(DUE_KEYS, key, strict=True)) | {"open": count}
            for key, count in sorted(self._due.items(), key=_order)
            if count
        ]
        await _upsert(self._session, table_of(TotalsDueRow), DUE_KEYS, ("open",), changed)

    async def _write_reach(
        self, before: dict[int, set[Pair]], after: dict[int, set[Pair]]
    ) -> None:
        """People per (appeal, organisation, recipient) and per (appeal, organisation), and
        who counts for two organisations of an appeal, from each touched person's places."""
        change: Counter[Pair] = Counter()
        spread_gone: list[tuple[int, int]] = []
        spread_new: list[dict[str, int]] = []
        for person in sorted(before):
            old, new = before[person], after[person]
            if old == new:
                continue
            for pair in old - new:
                change[pair] -= 1
            for pair in new - old:
                change[pair] += 1
            old_orgs, new_orgs = _organisations(old), _organisations(new)
            for appeal, org in old_orgs - new_orgs:
                change[(appeal, org, ANY_RECIPIENT)] -= 1
            for appeal, org in new_orgs - old_orgs:
                change[(appeal, org, ANY_RECIPIENT)] += 1
            was, now = _spread(old_orgs), _spread(new_orgs)
            spread_gone += [(appeal, person) for appeal in was - now]
            spread_new += [{"appeal_id": a, "person_id": person} for a in sorted(now - was)]
        rows = [
            {"appeal_id": a, "organisation_id": o, "recipient_id": r, "people": n}
            for (a, o, r), n in sorted(change.items()) if n
        ]
        keys = ("appeal_id", "organisation_id", "recipient_id")
        await _upsert(self._session, table_of(TotalsReachRow), keys, ("people",), rows)
        spread = table_of(TotalsSpreadRow)
        if spread_gone:
            await self._session.execute(delete(spread).where(
                tuple_(spread.c.appeal_id, spread.c.person_id).in_(spread_gone)
            ))
        if spread_new:
            await self._session.execute(insert(spread), spread_new)


def _order(item: tuple[tuple[Any, ...], Any]) -> tuple[str, ...]:
    """Counter rows in one order in every unit, so two units never wait on each other."""
    return tuple(str(part) for part in item[0])


def _organisations(places: Iterable[Pair]) -> set[tuple[int, int]]:
    return {(appeal, org) for appeal, org, _ in places}


def _spread(organisations: set[tuple[int, int]]) -> set[int]:
    """The appeals in which these places name two organisations or more."""
    seen = Counter(appeal for appeal, _ in organisations)
    return {appeal for appeal, count in seen.items() if count > 1}


async def _upsert(
    session: AsyncSession, table: Table, keys: tuple[str, ...], sums: tuple[str, ...],
    rows: list[dict[str, Any]],
) -> None:
    """Add `rows`' sums to the counter rows with their keys (created at zero when absent)."""
    if not rows:
        return
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in sums},
    )
    await session.execute(statement)


def backfill(connection: Connection) -> None:
    """Fill empty counters from every pledge (the migration that made them runs it)."""
    rows = contributions(whole=True)
    connection.execute(insert(table_of(TotalsCellRow)).from_select(
        [*CELL_KEYS, *CELL_SUMS], cell_sums(rows)
    ))
    connection.execute(insert(table_of(TotalsDueRow)).from_select(
        [*DUE_KEYS, "open"], due_sums(rows)
    ))
    for statement in recount_reach(rows):
        connection.execute(insert(table_of(TotalsReachRow)).from_select(
            ["appeal_id", "organisation_id", "recipient_id", "people"], statement
        ))
    places = select(rows.c.appeal_id, rows.c.person_id, rows.c.organisation_id).distinct()
    places_sq = places.subquery("places")
    connection.execute(insert(table_of(TotalsSpreadRow)).from_select(
        ["appeal_id", "person_id"],
        select(places_sq.c.appeal_id, places_sq.c.person_id)
        .group_by(places_sq.c.appeal_id, places_sq.c.person_id)
        .having(func.count() > 1),
    ))


def recount_reach(rows: Any) -> list[Any]:
    """The people per (appeal, organisation, recipient) and per (appeal, organisation)."""
    people = func.count(func.distinct(rows.c.person_id))
    return [
        select(rows.c.appeal_id, rows.c.organisation_id, rows.c.recipient_id, people)
        .group_by(rows.c.appeal_id, rows.c.organisation_id, rows.c.recipient_id),
        select(rows.c.appeal_id, rows.c.organisation_id, literal(ANY_RECIPIENT), people)
        .group_by(rows.c.appeal_id, rows.c.organisation_id),
    ]

