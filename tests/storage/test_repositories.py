"""What only the SQL repositories do: database errors, and refusing a naive datetime at once.

The round trips of every network entity run on the fakes too, in
`tests/storage/contract/test_network_contract.py`.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.exc import IntegrityError

from domain.kernel.standing import Role, RoleName
from domain.network.models import Chat, ChatStatus
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


async def test_naive_datetimes_are_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    naive = datetime(2020, 2, 19, 9, 0)  # noqa: DTZ001 - the point of the test
    async with uow_factory() as uow:
        with pytest.raises(Exception, match="naive"):
            await uow.chats.save(Chat(1, "t", "group", ChatStatus.PENDING, None, None, naive))
