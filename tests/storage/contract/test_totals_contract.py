"""The totals repository answers alike on the fake (sums of the store's pledges) and in
SQL (the counters kept with every change)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.kernel.standing import Role, RoleName
from domain.pledges.models import Fulfilment, FulfilmentState, PledgeKind
from domain.totals.models import NeedFigures, ValueSum, figures_of, need_figures
from tests.storage.contract.builders import ALICE, BIG_USER, BOB, T0, Units, appeal, pledge

TODAY = date(2020, 3, 2)  # the builders' pledges are due on 2020-03-01


async def _drive(units: Units) -> dict[str, int]:
    """Two organisations (B under A), three pledgers, four pledges (one cancelled)."""
    async with units() as uow:
        top = await uow.organisations.add("区工商联", None)
        below = await uow.organisations.add("宣武集团", top.id)
        await uow.roles.add(Role(ALICE, RoleName.MEMBER, below.id))
        await uow.roles.add(Role(ALICE, RoleName.ADMIN, None))  # an admin role is no home
        stored = await uow.appeals.add(appeal())
        goods = await uow.pledges.add(pledge("t-goods", ALICE, stored))
        money = await uow.pledges.add(replace(
            pledge("t-money", BOB, stored), kind=PledgeKind.MONEY, need_id=None, item="",
            amount_minor=1_000_000, quantity=None, unit="", estimated_minor=None,
            on_behalf_of=top.id, earmark_recipient_id=stored.recipients[0].id,
        ))
        await uow.pledges.add(pledge("t-gone", ALICE, stored, cancelled=True))
        by_value = await uow.pledges.add(replace(pledge("t-value", BIG_USER, stored),
                                                 quantity=None, approximate=False))
        for pledge_id, quantity, state in ((goods.id, "1000.25", FulfilmentState.REPORTED),
                                           (goods.id, "500", FulfilmentState.CONFIRMED),
                                           (goods.id, "9", FulfilmentState.QUESTIONED),
                                           (money.id, "1000000", FulfilmentState.CONFIRMED)):
            await uow.pledges.add_fulfilment(Fulfilment(
                0, pledge_id, Decimal(quantity), False, ALICE, T0, None, state))
        await uow.commit()
    return {"appeal": stored.id, "top": top.id, "below": below.id, "goods": goods.id,
            "money": money.id, "value": by_value.id, "recipient": stored.recipients[0].id,
            "need": stored.needs[1].id}


async def test_totals_by_line_need_recipient_and_the_pledgers(units: Units) -> None:
    ids = await _drive(units)
    lines = {ids["top"]: ids["top"], ids["below"]: ids["top"], None: 0}
    async with units() as uow:
        cells = await uow.totals.cells(ids["appeal"], None, TODAY, lines)
        earmarked = await uow.totals.recipient_cells(ids["appeal"], None, lines)
        pledgers = await uow.totals.pledgers(ids["appeal"], None, lines, [ids["top"], 0],
                                             [ids["recipient"], None])
        by_appeal = await uow.totals.by_appeal([ids["appeal"]], None)
        scoped = await uow.totals.cells(ids["appeal"], [ids["below"]], TODAY)
        overdue = await uow.totals.overdue_count(ids["appeal"], None, TODAY, lines)
        late = await uow.totals.overdue(ids["appeal"], None, TODAY, 0, 10)
        homes = [await uow.totals.counted_for(ids[k]) for k in ("goods", "money", "value")]
    total = figures_of(cells, pledgers[0])
    cny = total.money_in("CNY")
    assert (cny.pledged_minor, cny.delivered_minor, cny.received_minor) == (1_000_000,) * 3
    assert cny.approximate  # the builders' pledges are approximate (≈)
    assert total.in_kind_in("CNY") == ValueSum("CNY", 10_000_000, False)
    assert (total.pledges, total.pledgers) == (3, 3)
    assert need_figures(cells)[ids["need"]] == NeedFigures(
        ids["need"], Decimal("3000.5"), Decimal("1500.25"), Decimal(500), True, 5_000_000)
    top_line = figures_of([c for c in cells if c.line == ids["top"]], pledgers[1][ids["top"]])
    assert (top_line.pledges, top_line.pledgers, pledgers[1][0]) == (2, 2, 1)
    assert {c.recipient_id: c.pledges for c in earmarked} == {ids["recipient"]: 1, None: 2}
    assert pledgers[2] == {ids["recipient"]: 1, None: 2}
    assert by_appeal[ids["appeal"]].pledgers == 3
    assert by_appeal[ids["appeal"]].money_in("CNY").pledged_minor == 1_000_000
    assert {c.line for c in scoped} == {ids["below"]} and sum(c.pledges for c in scoped) == 1
    # the goods still wait for 1500.25 kg, the goods known by value for their one lot; the
    # money arrived: two overdue, and none the day they were due
    assert overdue == 2 and [p.pledge_id for p in late] == [ids["goods"], ids["value"]]
    assert late[0].delivered == Decimal("1500.25") and late[0].organisation_id == ids["below"]
    assert await _overdue_on(units, ids, date(2020, 3, 1)) == 0
    assert homes == [ids["below"], ids["top"], None]


async def _overdue_on(units: Units, ids: dict[str, int], today: date) -> int:
    async with units() as uow:
        return await uow.totals.overdue_count(ids["appeal"], None, today)


async def test_a_role_or_a_cancellation_moves_the_totals(units: Units) -> None:
    ids = await _drive(units)
    async with units() as uow:
        await uow.roles.add(Role(BIG_USER, RoleName.MEMBER, ids["top"]))
        goods = await uow.pledges.get(ids["goods"])
        assert goods is not None
        await uow.pledges.save(replace(goods, cancelled=True))
        await uow.commit()
    async with units() as uow:
        cells = await uow.totals.cells(ids["appeal"], [ids["top"]], TODAY)
        total, by_line, _ = await uow.totals.pledgers(ids["appeal"], [ids["top"]], None,
                                                      [ids["top"]], [])
        assert await uow.totals.overdue_count(ids["appeal"], None, TODAY) == 1
    assert sum(c.pledges for c in cells) == 2 and total == by_line[ids["top"]] == 2
