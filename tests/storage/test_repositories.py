"""What only the SQL repositories do: database errors, and how datetimes are stored.

The round trips of every network entity run on the fakes too, in
`tests/storage/contract/test_network_contract.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from domain.network.models import Chat, ChatStatus, Role, RoleName
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.contract.builders import BIG_USER, chat, person


async def test_organisation_names_are_unique_ignoring_case(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.organisations.add("Ärzte Hilfe", None)
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(IntegrityError):
            await uow.organisations.add("ÄRZTE HILFE", None)


async def test_references_count_children_chats_and_roles(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        org = await uow.organisations.add("Root", None)
        await uow.organisations.add("Child", org.id)
        await uow.chats.save(chat(organisation_id=org.id))
        await uow.people.save(person())
        await uow.roles.add(Role(BIG_USER, RoleName.COORDINATOR, org.id))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.organisations.references(org.id) == 3
        with pytest.raises(IntegrityError):
            await uow.organisations.remove(org.id)


async def test_datetimes_come_back_aware_utc(uow_factory: SqlUnitOfWorkFactory) -> None:
    beijing = timezone(timedelta(hours=8))
    moment = datetime(2020, 2, 19, 17, 30, 15, 123456, tzinfo=beijing)
    async with uow_factory() as uow:
        await uow.chats.save(Chat(1, "t", "group", ChatStatus.PENDING, None, None, moment))
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.chats.get(1)
    assert loaded is not None
    assert loaded.updated_at == moment
    assert loaded.updated_at.utcoffset() == timedelta(0)
    assert loaded.updated_at.tzinfo is not None


async def test_naive_datetimes_are_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    naive = datetime(2020, 2, 19, 9, 0)  # noqa: DTZ001 - the point of the test
    async with uow_factory() as uow:
        with pytest.raises(Exception, match="naive"):
            await uow.chats.save(Chat(1, "t", "group", ChatStatus.PENDING, None, None, naive))
