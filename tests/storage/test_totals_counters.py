"""The totals' counters against the same sums made from the rows, after random sequences of
pledges, deliveries, confirmations, cancellations, role changes and erasures (some units
rolled back), on SQLite and PostgreSQL; and the migration's backfill of existing rows."""

from __future__ import annotations

import os
import random
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from domain.kernel.standing import Role, RoleName
from domain.network.models import Language, Person
from domain.pledges.models import Fulfilment, FulfilmentState
from storage.models.totals import TotalsCellRow, TotalsDueRow, TotalsReachRow, TotalsSpreadRow
from storage.repositories.totals_counters import backfill, recount_reach
from storage.repositories.totals_pledges import cell_sums, contributions, due_sums
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.totals.seed import AT, TODAY, _pledge, seed_random

#: Random sequences one run checks, and steps in each (`TOTALS_SEQUENCES=n` for more).
SEQUENCES = int(os.environ.get("TOTALS_SEQUENCES", "4"))
STEPS = 30
SEED = int(os.environ.get("TOTALS_SEED", "13"))
TABLES = (TotalsCellRow, TotalsDueRow, TotalsReachRow, TotalsSpreadRow)


async def _stored(uow_factory: SqlUnitOfWorkFactory) -> dict[str, set[tuple[Any, ...]]]:
    """The counters as stored (rows that count nothing left out)."""
    found: dict[str, set[tuple[Any, ...]]] = {}
    async with uow_factory() as uow:
        session = uow.session
        for table in TABLES:
            rows = (await session.execute(select(table.__table__))).all()
            found[table.__tablename__] = {
                tuple(row) for row in rows
                if table is TotalsSpreadRow or any(row[-1 - i] for i in range(_sums(table)))
            }
    return found


def _sums(table: type) -> int:
    """How many columns at the end of the table's rows are counts."""
    return {TotalsCellRow: 14, TotalsDueRow: 1, TotalsReachRow: 1}.get(table, 0)


async def _from_rows(uow_factory: SqlUnitOfWorkFactory) -> dict[str, set[tuple[Any, ...]]]:
    """The same counters summed from the pledge and delivery rows now."""
    async with uow_factory() as uow:
        session = uow.session
        rows = contributions(whole=True)
        cells = {tuple(r) for r in await session.execute(cell_sums(rows))}
        due = {tuple(r) for r in await session.execute(due_sums(rows))}
        reach = {tuple(r) for q in recount_reach(rows) for r in await session.execute(q)}
        places = {(a, p, o) for p, a, o, _ in await session.execute(
            select(rows.c.person_id, rows.c.appeal_id, rows.c.organisation_id,
                   rows.c.recipient_id).distinct())}
        spread: dict[tuple[int, int], set[int]] = {}
        for appeal, person, org in places:
            spread.setdefault((appeal, person), set()).add(org)
    return {
        "totals_cell": {tuple(int(v) if isinstance(v, int | Decimal) else v for v in r)
                        for r in cells},
        "totals_due": {tuple(r) for r in due},
        "totals_reach": {tuple(r) for r in reach},
        "totals_spread": {key for key, orgs in spread.items() if len(orgs) > 1},
    }


async def _step(uow_factory: SqlUnitOfWorkFactory, rng: random.Random, seeded: Any) -> None:
    """One random change in one unit of work; one in eight is rolled back instead."""
    appeal, people = seeded.appeal, sorted(seeded.homes)
    org_ids = [o.id for o in seeded.organisations.values()]
    async with uow_factory() as uow:
        action = rng.choice(("pledge", "deliver", "deliver", "confirm", "cancel", "due",
                             "role", "unrole", "erase", "detach"))
        pledges = [p for person in people for p in await uow.pledges.of_person(person)]
        if action == "pledge" or not pledges:
            token = f"step-{rng.randrange(10**9)}"
            await uow.pledges.add(_pledge(rng, appeal, people, org_ids, token))
        elif action == "deliver":
            pledge = rng.choice(pledges)
            await uow.pledges.add_fulfilment(Fulfilment(
                0, pledge.id, Decimal(rng.randint(1, 3000)) / rng.choice((1, 4)), False,
                pledge.person_id, AT, None, rng.choice(list(FulfilmentState)),
            ))
        elif action == "confirm":
            reports = [f for p in pledges for f in p.fulfilments]
            if reports:
                report = rng.choice(reports)
                state = rng.choice((FulfilmentState.CONFIRMED, FulfilmentState.QUESTIONED))
                await uow.pledges.save_fulfilment(replace(report, state=state, confirmed_by=1,
                                                          confirmed_at=AT))
        elif action == "cancel":
            await uow.pledges.save(replace(rng.choice(pledges), cancelled=True))
        elif action == "due":
            await uow.pledges.save(replace(rng.choice(pledges), due_date=TODAY + timedelta(
                days=rng.randint(-3, 3))))
        elif action == "role":
            await uow.roles.add(Role(rng.choice(people), RoleName.MEMBER, rng.choice(org_ids)))
        elif action == "unrole":
            person = rng.choice(people)
            for role in await uow.roles.of(person):
                await uow.roles.remove(person, role.organisation_id, role.role)
        elif action == "erase":
            person = rng.choice(people)
            await uow.people.save(Person(person, "某人", None, Language.ZH_HANS, True, "UTC",
                                         True, AT))
            await uow.privacy.forget(person, Language.ZH_HANS, "UTC")
        else:
            pledge = rng.choice(pledges)
            await uow.people.save(Person(pledge.person_id, "某人", None, Language.ZH_HANS, True,
                                         "UTC", True, AT))
            await uow.privacy.detach(pledge.person_id, [pledge.id], Language.ZH_HANS, "UTC", AT)
        if rng.random() < 0.875:
            await uow.commit()


async def test_counters_equal_the_rows_after_random_changes(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    rng = random.Random(SEED)
    for _ in range(SEQUENCES):
        seeded = await seed_random(uow_factory, rng)
        for step in range(STEPS):
            await _step(uow_factory, rng, seeded)
            if step % 10 == 9:
                assert await _stored(uow_factory) == await _from_rows(uow_factory), step
        assert await _stored(uow_factory) == await _from_rows(uow_factory)


async def test_the_backfill_counts_the_rows_stored_before_the_counters(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    rng = random.Random(SEED + 1)
    for _ in range(3):
        await seed_random(uow_factory, rng)
    expected = await _from_rows(uow_factory)
    async with uow_factory() as uow:
        for table in TABLES:
            await uow.session.execute(delete(table.__table__))
        await uow.session.commit()
    async with uow_factory() as uow:
        await uow.session.run_sync(lambda session: backfill(session.connection()))
        await uow.session.commit()
    assert await _stored(uow_factory) == expected
    assert expected["totals_cell"]
