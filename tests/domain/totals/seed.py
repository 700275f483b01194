"""Random pledge sets for the totals' tests, and their totals computed apart, in Python.

`expected_*` add up the generated pledges one by one, independently of the SQL: the tests
compare the repository's aggregates with these sums.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.appeals.models import Appeal, AppealStatus, Need, Recipient
from domain.kernel.standing import Role, RoleName
from domain.kernel.tree import subtree_ids
from domain.network.models import Organisation
from domain.network.ports import UnitOfWorkFactory
from domain.pledges.models import Fulfilment, FulfilmentState, Pledge, PledgeKind, Visibility
from domain.totals.models import NO_ORGANISATION
from storage.uow import SqlUnitOfWorkFactory

AT = datetime(2020, 2, 19, 9, 0, tzinfo=UTC)
TODAY = date(2020, 2, 19)
#: The tree: 区工商联 with two enterprises (one with a workshop), and 民主党派 alone.
TREE = (("区工商联", None), ("宣武集团", "区工商联"), ("华星制药", "区工商联"),
        ("宣武一厂", "宣武集团"), ("民主党派", None))


@dataclass
class Seeded:
    """What was stored: the appeal, the tree, each person's organisations, the pledges."""

    appeal: Appeal
    organisations: dict[str, Organisation]
    homes: dict[int, set[int]]
    pledges: list[Pledge] = field(default_factory=list)


async def tree(uow_factory: UnitOfWorkFactory) -> dict[str, Organisation]:
    """Store the organisation tree once (or read it back); by name."""
    async with uow_factory() as uow:
        known = {o.name: o for o in await uow.organisations.all()}
        for name, parent in TREE:
            if name not in known:
                parent_id = known[parent].id if parent else None
                known[name] = await uow.organisations.add(name, parent_id)
        await uow.commit()
    return known


async def seed_random(uow_factory: SqlUnitOfWorkFactory, rng: random.Random) -> Seeded:
    """A new appeal with a random mix of pledges, deliveries, confirmations, cancellations."""
    organisations = await tree(uow_factory)
    org_ids = [o.id for o in organisations.values()]
    base = rng.randrange(10**6) * 100
    people = [base + i for i in range(1, rng.randint(2, 9))]
    homes: dict[int, set[int]] = {}
    async with uow_factory() as uow:
        for person in people:
            mine = set(rng.sample(org_ids, rng.choice((0, 1, 1, 1, 2))))
            homes[person] = mine
            for org in mine:
                await uow.roles.add(Role(person, RoleName.MEMBER, org))
        appeal = await uow.appeals.add(Appeal(
            0, f"appeal {base}", "body", AppealStatus.OPEN, None, "CNY", 100_000_000, None, 1,
            AT,
            needs=[Need(0, 0, "消毒液", "消毒液", "kg", Decimal(3000)),
                   Need(0, 0, "志愿者", "志愿者", "person", Decimal(8))],
            recipients=[Recipient(0, f"医院{base}"), Recipient(0, f"街道{base}")],
        ))
        seeded = Seeded(appeal, organisations, homes)
        for index in range(rng.randint(0, 25)):
            pledge = await uow.pledges.add(_pledge(rng, appeal, people, org_ids, f"{base}-{index}"))
            for _ in range(rng.choice((0, 0, 1, 2, 3))):
                pledge.fulfilments.append(await uow.pledges.add_fulfilment(Fulfilment(
                    0, pledge.id, Decimal(rng.randint(1, 3000)), False, pledge.person_id, AT,
                    None, rng.choice(list(FulfilmentState)),
                )))
            seeded.pledges.append(pledge)
        await uow.commit()
    return seeded


def _pledge(
    rng: random.Random, appeal: Appeal, people: list[int], org_ids: list[int], token: str
) -> Pledge:
    kind = rng.choice(list(PledgeKind))
    disinfectant, volunteers = appeal.needs
    need_id = None
    quantity: Decimal | None = None
    amount = None
    unit = ""
    if kind is PledgeKind.MONEY:
        amount = rng.randint(1, 10**9)
    elif kind is PledgeKind.GOODS:
        need_id = rng.choice((disinfectant.id, None))
        quantity = rng.choice((None, Decimal(rng.randint(1, 4000))))
        unit = "kg"
    elif kind is PledgeKind.VOLUNTEER:
        need_id = rng.choice((volunteers.id, None))
        quantity = Decimal(rng.randint(1, 40))
        unit = "hour"
    estimated = rng.choice((None, rng.randint(1, 10**8))) if kind is not PledgeKind.MONEY else None
    if kind is PledgeKind.GOODS and quantity is None:
        estimated = rng.randint(1, 10**8)
    recipient = rng.choice((None, *[r.id for r in appeal.recipients]))
    return Pledge(
        0, token, rng.choice(people), kind, appeal.id, need_id, "item", amount, "CNY", quantity,
        unit, estimated, rng.random() < 0.3, "", rng.choice((None, *org_ids)), recipient,
        TODAY + timedelta(days=rng.randint(-5, 5)) if rng.random() < 0.7 else None,
        rng.choice(list(Visibility)), rng.random() < 0.2, None, None, None, AT,
        estimated_approximate=rng.random() < 0.3,
    )


def organisation_of(seeded: Seeded, pledge: Pledge) -> int | None:
    """The organisation a pledge counts for: on behalf of, else the pledger's only one."""
    if pledge.on_behalf_of is not None:
        return pledge.on_behalf_of
    mine = seeded.homes.get(pledge.person_id, set())
    return next(iter(mine)) if len(mine) == 1 else None


def counted(seeded: Seeded, scope: set[int] | None = None) -> list[Pledge]:
    """The pledges that count: not cancelled, and in the scope's organisations if given."""
    return [
        p for p in seeded.pledges
        if not p.cancelled and (scope is None or organisation_of(seeded, p) in scope)
    ]


def received(pledge: Pledge) -> Decimal:
    """What coordinators confirmed of a pledge."""
    return sum(
        (f.quantity for f in pledge.fulfilments if f.state is FulfilmentState.CONFIRMED),
        Decimal(0),
    )


def expected_money(pledges: list[Pledge]) -> tuple[int, int, int, int, int]:
    """Money pledged, delivered, received; in-kind value; pledgers: added one by one."""
    pledged = delivered = got = value = 0
    for p in pledges:
        if p.kind is PledgeKind.MONEY:
            pledged += p.amount_minor or 0
            delivered += int(p.delivered)
            got += int(received(p))
        else:
            value += p.estimated_minor or 0
    return pledged, delivered, got, value, len({p.person_id for p in pledges})


def expected_by_top(seeded: Seeded, scope: set[int] | None = None) -> dict[int, list[Pledge]]:
    """The pledges under each root organisation's subtree (0: no organisation)."""
    roots = [o for o in seeded.organisations.values() if o.parent_id is None]
    everything = list(seeded.organisations.values())
    lines: dict[int, list[Pledge]] = defaultdict(list)
    for p in counted(seeded, scope):
        org = organisation_of(seeded, p)
        key = next((r.id for r in roots if org in subtree_ids(everything, r.id)), NO_ORGANISATION)
        lines[key].append(p)
    return dict(lines)


def expected_need(pledges: list[Pledge], need_id: int) -> tuple[Decimal, Decimal, Decimal]:
    """A need's pledged, delivered and received quantity (volunteer time: one person)."""
    pledged = done = got = Decimal(0)
    for p in pledges:
        if p.need_id != need_id or p.kind is PledgeKind.MONEY:
            continue
        if p.kind is PledgeKind.VOLUNTEER:
            pledged += 1
            done += 1 if p.delivered > 0 else 0
            got += 1 if received(p) > 0 else 0
        elif p.quantity is not None:
            pledged += p.quantity
            done += p.delivered
            got += received(p)
    return pledged, done, got


def expected_overdue(pledges: list[Pledge], today: date = TODAY) -> int:
    """Pledges past their due date with something still open."""
    return sum(1 for p in pledges if p.due_date is not None and p.due_date < today
               and p.delivered < p.measure)


@dataclass
class Scenario:
    """The drive of the report as pledges: who gave what, for whom, delivered how far."""

    appeal: Appeal
    organisations: dict[str, Organisation]
    people: dict[str, int]


#: (pledger, kind, on behalf of, amount in yuan or quantity, approximate, deliveries as
#: (quantity, state), due in days from today, earmark, cancelled, estimated yuan)
SCENARIO = (
    ("宣武", "money", "宣武集团", 1_000_000, False, ((1_000_000, "confirmed"),), None, 0, False, 0),
    ("华星", "money", "华星制药", 500_000, False, ((200_000, "reported"),), -1, None, False, 0),
    ("一厂", "money", "宣武一厂", 82_000, False, ((90_000, "reported"),), None, None, False, 0),
    ("党员甲", "money", None, 10_000, True, ((10_000, "confirmed"),), None, None, False, 0),
    ("党员乙", "money", None, 10_000, False, (), 3, None, False, 0),
    ("党员丙", "money", None, 10_000, False, ((5_000, "questioned"),), -2, None, False, 0),
    ("宣武", "goods", "宣武集团", 3000, False, ((2000, "confirmed"), (1000, "reported")), None,
     1, False, 50_000),
    ("党员甲", "volunteer", None, 8, False, ((8, "reported"),), None, None, False, 0),
    ("华星", "service", "华星制药", 0, False, (), None, None, False, 300_000),
    ("华星", "money", "华星制药", 990_000, False, (), None, None, True, 0),
    ("散户", "money", None, 2_000, False, (), None, 0, False, 0),
)


async def seed_scenario(
    uow_factory: UnitOfWorkFactory, people: dict[str, int], audience: str | None = None
) -> Scenario:
    """Store the scenario's appeal (to `audience`, else everyone) and pledges.

    `people` are the pledgers' Telegram ids.
    """
    organisations = await tree(uow_factory)
    homes = {"党员甲": "民主党派", "党员乙": "民主党派", "党员丙": "民主党派", "宣武": "宣武集团"}
    async with uow_factory() as uow:
        for name, org in homes.items():
            await uow.roles.add(Role(people[name], RoleName.MEMBER, organisations[org].id))
        appeal = await uow.appeals.add(Appeal(
            0, "抗疫倡议", "请支援", AppealStatus.OPEN, None, "CNY", 200_000_000,
            organisations[audience].id if audience else None, 1, AT,
            needs=[Need(0, 0, "消毒液", "消毒液", "kg", Decimal(5000)),
                   Need(0, 0, "志愿者", "志愿者", "person", Decimal(8))],
            recipients=[Recipient(0, "黄山街道办事处"), Recipient(0, "云龙区医院")],
        ))
        disinfectant, volunteers = appeal.needs
        for index, row in enumerate(SCENARIO):
            who, kind, behalf, amount, approx, deliveries, due, earmark, cancelled, worth = row
            money = kind == "money"
            pledge = await uow.pledges.add(Pledge(
                0, f"scenario-{appeal.id}-{index}", people[who], PledgeKind(kind), appeal.id,
                {"goods": disinfectant.id, "volunteer": volunteers.id}.get(kind),
                {"goods": "消毒液", "service": "免除租金"}.get(kind, ""),
                amount * 100 if money else None, "CNY",
                None if money or kind == "service" else Decimal(amount),
                {"goods": "kg", "volunteer": "hour"}.get(kind, ""),
                worth * 100 or None, approx, "", organisations[behalf].id if behalf else None,
                appeal.recipients[earmark].id if earmark is not None else None,
                TODAY + timedelta(days=due) if due is not None else None,
                Visibility.ANONYMOUS if who == "党员乙" else Visibility.NAMED, cancelled, None,
                None, None, AT, estimated_approximate=kind == "goods",
            ))
            for quantity, state in deliveries:
                await uow.pledges.add_fulfilment(Fulfilment(
                    0, pledge.id, Decimal(quantity * 100 if money else quantity), False,
                    pledge.person_id, AT, None, FulfilmentState(state),
                ))
        await uow.commit()
    return Scenario(appeal, organisations, people)
