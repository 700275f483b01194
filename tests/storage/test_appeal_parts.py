"""An appeal's needs and recipients are read once per process; only committed ones count."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.appeals.models import Need
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.contract.builders import appeal


def _count_statements(engine: AsyncEngine) -> list[str]:
    statements: list[str] = []
    event.listen(
        engine.sync_engine, "before_cursor_execute",
        lambda _c, _cur, statement, *_rest: statements.append(statement),
    )
    return statements


async def test_a_read_appeal_costs_one_query_and_hands_out_copies(
    uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    async with uow_factory() as uow:
        stored = await uow.appeals.add(appeal())
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.appeals.get(stored.id)
    assert first is not None
    first.needs[0].target = Decimal("1")  # a caller changing its copy changes nothing shared
    statements = _count_statements(engine)
    async with uow_factory() as uow:
        again = await uow.appeals.get(stored.id)
    assert again is not None
    assert [s.split()[0] for s in statements if not s.startswith(("BEGIN", "ROLLBACK"))] == [
        "SELECT"
    ]
    assert again.needs[0].target == Decimal("10000")
    assert [r.name for r in again.recipients] == ["黄山街道办事处"]


async def test_an_appeal_rolled_back_leaves_nothing_for_the_next_one(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        ghost = await uow.appeals.add(appeal("ghost"))
        assert [n.item for n in ghost.needs] == ["口罩", "消毒液"]
        # not committed: rolled back when the unit ends
    other = replace(
        appeal("real"), needs=[Need(0, 0, "手套", "手套", "pair", Decimal("500"), False, 0)]
    )
    async with uow_factory() as uow:
        real = await uow.appeals.add(other)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.appeals.get(real.id)
    assert found is not None and [n.item for n in found.needs] == ["手套"]
