"""The totals against sums computed apart, over random pledge sets (a property test), on
SQLite and PostgreSQL: what the database summed, as the service puts it together."""

from __future__ import annotations

import os
import random

from domain.clock import FakeClock
from domain.kernel.standing import Role, RoleName
from domain.totals.models import Figures, LineKind
from domain.totals.service import TotalsService
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.totals.seed import (
    AT,
    counted,
    expected_by_top,
    expected_money,
    expected_need,
    expected_overdue,
    organisation_of,
    seed_random,
)

#: How many random pledge sets one run checks (`TOTALS_SETS=n` for more).
SETS = int(os.environ.get("TOTALS_SETS", "12"))
SEED = int(os.environ.get("TOTALS_SEED", "13"))
ADMIN, COORDINATOR = 1, 2


async def test_totals_equal_the_sums_of_random_pledge_sets(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    rng = random.Random(SEED)
    service = TotalsService(uow_factory, FakeClock(AT), "UTC")
    for _ in range(SETS):
        seeded = await seed_random(uow_factory, rng)
        appeal = seeded.appeal
        orgs = seeded.organisations
        async with uow_factory() as uow:
            await uow.roles.add(Role(ADMIN, RoleName.ADMIN, None))
            await uow.roles.add(Role(COORDINATOR, RoleName.COORDINATOR, orgs["宣武集团"].id))
            await uow.commit()
        part = {orgs["宣武集团"].id, orgs["宣武一厂"].id}
        for reader, scope in ((ADMIN, None), (COORDINATOR, part)):
            view = await service.appeal(reader, appeal.id)
            pledges = counted(seeded, scope)
            assert _sums(view.total) == expected_money(pledges), (scope, pledges)
            lines = {
                (line.organisation_id if line.kind is LineKind.SUBTREE else 0): _sums(line.figures)
                for line in view.organisations
            }
            tops = (expected_by_top(seeded) if scope is None
                    else {orgs["宣武集团"].id: pledges} if pledges else {})
            assert lines == {k: expected_money(v) for k, v in tops.items()}
            earmarks = {p.earmark_recipient_id for p in pledges}
            assert {r.recipient_id: _sums(r.figures) for r in view.recipients} == {
                r: expected_money([p for p in pledges if p.earmark_recipient_id == r])
                for r in earmarks
            }
            for need, found in view.needs:
                got = (found.pledged, found.delivered, found.received)
                assert got == expected_need(pledges, need.id), need.item
            assert view.overdue == expected_overdue(pledges)
            page, more = [], True
            while more:
                _, late, more = await service.overdue(reader, appeal.id, len(page) // 8)
                page += late
            assert len(page) == expected_overdue(pledges)
            assert [p.due_date for p in page] == sorted(p.due_date for p in page)
            by_id = {p.id: p for p in pledges}
            assert all(organisation_of(seeded, by_id[p.pledge_id]) == p.organisation_id
                       for p in page)
        # the drill-down: the biggest root's children and its own pledges add up to it
        fic = orgs["区工商联"].id
        drilled = await service.appeal(ADMIN, appeal.id, fic)
        below = {o.id for o in orgs.values() if o.name in ("区工商联", "宣武集团", "华星制药",
                                                          "宣武一厂")}
        assert _sums(drilled.total) == expected_money(counted(seeded, below))
        assert sum(_sums(line.figures)[0] for line in drilled.organisations) == _sums(
            drilled.total)[0]


def _sums(figures: Figures) -> tuple[int, int, int, int, int]:
    """Money pledged, delivered, received, in-kind value (CNY) and pledgers of a line."""
    money = figures.money_in("CNY")
    value = figures.in_kind_in("CNY")
    return (money.pledged_minor, money.delivered_minor, money.received_minor, value.value_minor,
            figures.pledgers)
