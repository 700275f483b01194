"""The totals' aggregate queries against sums computed apart (a property test), both databases."""

from __future__ import annotations

import os
import random

from domain.totals.models import NO_ORGANISATION
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.totals.seed import (
    TODAY,
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


async def test_totals_equal_the_sums_of_random_pledge_sets(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    rng = random.Random(SEED)
    for _ in range(SETS):
        seeded = await seed_random(uow_factory, rng)
        appeal = seeded.appeal
        orgs = seeded.organisations
        roots = [o for o in orgs.values() if o.parent_id is None]
        lines = {}
        for root in roots:
            lines |= {o.id: root.id for o in orgs.values()
                      if root.id in _ancestry(orgs, o.id)}
        scopes: list[set[int] | None] = [None, {orgs["宣武集团"].id, orgs["宣武一厂"].id}]
        for scope in scopes:
            async with uow_factory() as uow:
                total = (await uow.totals.by_appeal([appeal.id], scope)).get(appeal.id)
                by_top = await uow.totals.by_organisation(
                    appeal.id, scope, lines, unattached=scope is None
                )
                by_recipient = await uow.totals.by_recipient(appeal.id, scope)
                needs = await uow.totals.needs(appeal.id, scope)
                overdue = await uow.totals.overdue_count(appeal.id, scope, TODAY)
                late = await uow.totals.overdue(appeal.id, scope, TODAY, 0, 1000)
            pledges = counted(seeded, scope)
            assert _sums(total) == expected_money(pledges), (scope, pledges)
            expected_lines = expected_by_top(seeded, scope)
            assert {k: _sums(v) for k, v in by_top.items()} == {
                k: expected_money(v) for k, v in expected_lines.items()
            }
            if scope is not None:
                assert NO_ORGANISATION not in by_top
            earmarks = {p.earmark_recipient_id for p in pledges}
            assert {k: _sums(v) for k, v in by_recipient.items()} == {
                r: expected_money([p for p in pledges if p.earmark_recipient_id == r])
                for r in earmarks
            }
            for need in appeal.needs:
                found = needs.get(need.id)
                got = (found.pledged, found.delivered, found.received) if found else (0, 0, 0)
                assert got == expected_need(pledges, need.id), need.item
            assert overdue == expected_overdue(pledges) == len(late)
            assert [p.due_date for p in late] == sorted(p.due_date for p in late)
            assert all(organisation_of(seeded, next(
                q for q in pledges if q.id == p.pledge_id)) == p.organisation_id for p in late)


def _ancestry(orgs: dict[str, object], org_id: int) -> set[int]:
    by_id = {o.id: o for o in orgs.values()}  # type: ignore[attr-defined]
    found: set[int] = set()
    current: int | None = org_id
    while current is not None and current not in found:
        found.add(current)
        current = by_id[current].parent_id
    return found


def _sums(figures: object) -> tuple[int, int, int, int, int]:
    """Money pledged, delivered, received, in-kind value (CNY) and pledgers of a line."""
    if figures is None:
        return 0, 0, 0, 0, 0
    money = figures.money_in("CNY")  # type: ignore[attr-defined]
    value = figures.in_kind_in("CNY")  # type: ignore[attr-defined]
    return (money.pledged_minor, money.delivered_minor, money.received_minor, value.value_minor,
            figures.pledgers)  # type: ignore[attr-defined]
