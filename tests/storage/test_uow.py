"""The SQL unit of work: one transaction, discarded unless committed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.network.models import Language, Person
from domain.network.ports import UnitOfWorkFactory
from storage.uow import SqlUnitOfWorkFactory

T0 = datetime(2020, 2, 19, 9, 0, tzinfo=UTC)


def someone(person_id: int) -> Person:
    return Person(person_id, "Someone", None, Language.EN, False, "UTC", True, T0)


async def test_uncommitted_work_is_discarded(uow_factory: SqlUnitOfWorkFactory) -> None:
    factory: UnitOfWorkFactory = uow_factory
    async with factory() as uow:
        await uow.people.save(someone(1))
        await uow.organisations.add("Ghost", None)
        await uow.updates.mark(1)
    async with factory() as uow:
        assert await uow.people.get(1) is None
        assert await uow.organisations.all() == []
        assert not await uow.updates.seen(1)


async def test_work_is_discarded_when_the_use_case_fails(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with pytest.raises(RuntimeError):
        async with uow_factory() as uow:
            await uow.people.save(someone(1))
            raise RuntimeError("boom")
    async with uow_factory() as uow:
        assert await uow.people.get(1) is None


async def test_committed_work_stays_and_later_work_can_be_discarded(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.people.save(someone(1))
        await uow.commit()
        await uow.people.save(someone(2))
    async with uow_factory() as uow:
        assert await uow.people.get(1) is not None
        assert await uow.people.get(2) is None


async def test_units_share_no_session(uow_factory: SqlUnitOfWorkFactory) -> None:
    first, second = uow_factory(), uow_factory()
    assert first.session is not second.session


async def test_sqlite_connections_have_the_pragmas(
    database_url: str, engine: AsyncEngine
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    async with engine.connect() as connection:
        pragmas = {
            name: (await connection.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
        }
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1,
                       "synchronous": 1}


async def test_concurrent_units_both_commit(uow_factory: SqlUnitOfWorkFactory) -> None:
    async def use_case(person_id: int) -> None:
        async with uow_factory() as uow:
            await uow.people.get(person_id)
            await asyncio.sleep(0.01)
            assert await uow.updates.mark(person_id)
            await uow.people.save(someone(person_id))
            await uow.commit()

    await asyncio.gather(*(use_case(i) for i in range(1, 6)))
    async with uow_factory() as uow:
        for i in range(1, 6):
            assert await uow.people.get(i) is not None
