"""Repositories round-trip every entity on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from domain.dialogs import Dialog
from domain.errors import Conflict
from domain.network.models import (
    Chat,
    ChatStatus,
    Language,
    Person,
    Role,
    RoleName,
)
from storage.uow import SqlUnitOfWorkFactory

T0 = datetime(2020, 2, 19, 9, 0, tzinfo=UTC)
BIG_CHAT = -1001234567890123
BIG_USER = 9_000_000_000


def person(person_id: int = BIG_USER, username: str | None = "Alice_W") -> Person:
    return Person(
        id=person_id,
        name="Alice 王",
        username=username,
        language=Language.ZH_HANS,
        language_chosen=False,
        timezone="Asia/Shanghai",
        reachable=True,
        created_at=T0,
    )


def chat(chat_id: int = BIG_CHAT, organisation_id: int | None = None) -> Chat:
    return Chat(
        chat_id, "武汉志愿者群", "supergroup", ChatStatus.PENDING, organisation_id, None, T0
    )


async def test_organisations_round_trip(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        root = await uow.organisations.add("Red Cross", None)
        child = await uow.organisations.add("Red Cross Wuhan", root.id)
        await uow.commit()
    assert root.id != child.id

    async with uow_factory() as uow:
        assert await uow.organisations.get(child.id) == child
        assert await uow.organisations.by_name("red   CROSS") == root
        assert await uow.organisations.by_name("Nobody") is None
        assert await uow.organisations.all() == [root, child]
        child.name = "Red Cross Hubei"
        await uow.organisations.save(child)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.organisations.by_name("red cross hubei") == child
        assert await uow.organisations.by_name("Red Cross Wuhan") is None
        assert await uow.organisations.references(root.id) == 1
        assert await uow.organisations.references(child.id) == 0
        await uow.organisations.remove(child.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.organisations.get(child.id) is None
        assert await uow.organisations.references(root.id) == 0


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


async def test_chats_round_trip_with_64_bit_ids(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        org = await uow.organisations.add("Org", None)
        await uow.chats.save(chat())
        await uow.chats.save(chat(-1002000000000001, org.id))
        await uow.commit()

    async with uow_factory() as uow:
        loaded = await uow.chats.get(BIG_CHAT)
        assert loaded == chat()
        assert loaded is not None
        loaded.status = ChatStatus.APPROVED
        loaded.organisation_id = org.id
        loaded.updated_at = T0 + timedelta(hours=1)
        await uow.chats.save(loaded)
        await uow.commit()

    async with uow_factory() as uow:
        approved = await uow.chats.by_status(ChatStatus.APPROVED)
        assert [c.id for c in approved] == [BIG_CHAT]
        assert approved[0].updated_at == T0 + timedelta(hours=1)
        assert [c.id for c in await uow.chats.by_status()] == [-1002000000000001, BIG_CHAT]
        assert await uow.chats.by_status(ChatStatus.LEFT) == []


async def test_chat_replace_id_moves_the_row(uow_factory: SqlUnitOfWorkFactory) -> None:
    old_id, new_id = -4001234567, -1009876543210987
    async with uow_factory() as uow:
        org = await uow.organisations.add("Org", None)
        await uow.chats.save(chat(old_id, org.id))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.chats.get(old_id) is not None
        await uow.chats.replace_id(old_id, new_id)
        assert await uow.chats.get(old_id) is None
        moved = await uow.chats.get(new_id)
        assert moved is not None
        moved.kind = "supergroup"
        await uow.chats.save(moved)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.chats.get(old_id) is None
        moved = await uow.chats.get(new_id)
        assert moved == Chat(new_id, "武汉志愿者群", "supergroup", ChatStatus.PENDING, org.id,
                             None, T0)
        assert [c.id for c in await uow.chats.by_status()] == [new_id]


async def test_people_round_trip(uow_factory: SqlUnitOfWorkFactory) -> None:
    alice = person()
    async with uow_factory() as uow:
        await uow.people.save(alice)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.people.get(BIG_USER) == alice
        assert await uow.people.by_username("alice_w") == alice
        assert await uow.people.by_username("@ALICE_W") == alice
        assert await uow.people.by_username("bob") is None
        alice.language = Language.EN
        alice.language_chosen = True
        alice.reachable = False
        alice.username = None
        await uow.people.save(alice)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.people.get(BIG_USER) == alice
        assert await uow.people.by_username("alice_w") is None


async def test_a_username_belongs_to_the_person_who_last_had_it(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.people.save(person(1, "shared"))
        await uow.people.save(person(2, "SHARED"))
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.people.by_username("shared")
        assert found is not None and found.id == 2
        first = await uow.people.get(1)
        assert first is not None and first.username is None


async def test_roles_round_trip(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        org = await uow.organisations.add("Org", None)
        admin = Role(BIG_USER, RoleName.ADMIN, None)
        coordinator = Role(BIG_USER, RoleName.COORDINATOR, org.id)
        assert await uow.roles.add(admin)
        assert await uow.roles.add(coordinator)
        assert not await uow.roles.add(Role(BIG_USER, RoleName.ADMIN, None))
        assert not await uow.roles.add(coordinator)
        assert await uow.roles.add(Role(7, RoleName.COORDINATOR, None))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.roles.of(BIG_USER) == [admin, coordinator]
        assert len(await uow.roles.all()) == 3
        assert not await uow.roles.remove(BIG_USER, org.id, "admin")
        assert await uow.roles.remove(BIG_USER, None, RoleName.ADMIN)
        assert not await uow.roles.remove(BIG_USER, None, RoleName.ADMIN)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.roles.of(BIG_USER) == [coordinator]


async def test_dialogs_round_trip_and_expire(uow_factory: SqlUnitOfWorkFactory) -> None:
    dialog = Dialog(BIG_USER, "pledge", {"amount": 1500, "items": ["口罩", "N95"]})
    dialog.touch(T0)
    async with uow_factory() as uow:
        await uow.dialogs.save(dialog)
        assert dialog.version == 1
        other = Dialog(2, "offer")
        other.touch(T0 + timedelta(hours=2))
        await uow.dialogs.save(other)
        await uow.dialogs.save(Dialog(3, "never expires"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.dialogs.get(BIG_USER) == dialog
        assert await uow.dialogs.get(4) is None
        later = T0 + timedelta(hours=25)
        assert [d.person_id for d in await uow.dialogs.expired(later, 10)] == [BIG_USER]
        much_later = T0 + timedelta(days=3)
        assert [d.person_id for d in await uow.dialogs.expired(much_later, 10)] == [BIG_USER, 2]
        assert [d.person_id for d in await uow.dialogs.expired(much_later, 1)] == [BIG_USER]
        await uow.dialogs.delete(BIG_USER)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.dialogs.get(BIG_USER) is None


async def test_dialog_optimistic_concurrency(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.dialogs.save(Dialog(BIG_USER, "pledge", {"step": 1}))
        await uow.commit()

    async with uow_factory() as first_uow:
        first = await first_uow.dialogs.get(BIG_USER)
    async with uow_factory() as second_uow:
        second = await second_uow.dialogs.get(BIG_USER)
    assert first is not None and second is not None and first.version == second.version == 1

    async with uow_factory() as uow:
        first.data["step"] = 2
        await uow.dialogs.save(first)
        await uow.commit()
    assert first.version == 2

    async with uow_factory() as uow:
        second.data["step"] = 99
        with pytest.raises(Conflict):
            await uow.dialogs.save(second)
        assert second.version == 1
        # the transaction is still usable after the refusal
        await uow.dialogs.save(Dialog(5, "other"))
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.dialogs.get(BIG_USER)
        assert stored is not None and stored.data == {"step": 2} and stored.version == 2
        assert await uow.dialogs.get(5) is not None
        with pytest.raises(Conflict):  # a second "new" dialog for the same person
            await uow.dialogs.save(Dialog(BIG_USER, "pledge"))


async def test_processed_update_marked_twice(uow_factory: SqlUnitOfWorkFactory) -> None:
    update_id = 9_123_456_789
    async with uow_factory() as uow:
        assert not await uow.updates.seen(update_id)
        assert await uow.updates.mark(update_id)
        assert not await uow.updates.mark(update_id)
        await uow.people.save(person())  # the transaction is intact after the duplicate
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.updates.seen(update_id)
        assert not await uow.updates.mark(update_id)
        await uow.roles.add(Role(BIG_USER, RoleName.ADMIN, None))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.people.get(BIG_USER) is not None
        assert await uow.roles.of(BIG_USER) != []


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
