"""The network repositories (`domain/network/ports.py`) behave alike on the fakes and in SQL.

Round trips of every network entity, then the cases the contract added (where the fakes
had to be fixed to match SQL, the case says so).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.dialogs import Dialog
from domain.errors import Conflict
from domain.kernel.standing import Role, RoleName
from domain.network.models import Chat, ChatStatus, Language
from tests.storage.contract.builders import (
    ALICE,
    BIG_CHAT,
    BIG_USER,
    BOB,
    T0,
    Units,
    appeal,
    chat,
    person,
)


async def test_organisations_round_trip(units: Units) -> None:
    async with units() as uow:
        root = await uow.organisations.add("Red Cross", None)
        child = await uow.organisations.add("Red Cross Wuhan", root.id)
        await uow.commit()
    assert root.id != child.id

    async with units() as uow:
        assert await uow.organisations.get(child.id) == child
        assert await uow.organisations.by_name("red   CROSS") == root
        assert await uow.organisations.by_name("Nobody") is None
        assert await uow.organisations.all() == [root, child]
        child.name = "Red Cross Hubei"
        await uow.organisations.save(child)
        await uow.commit()

    async with units() as uow:
        assert await uow.organisations.by_name("red cross hubei") == child
        assert await uow.organisations.by_name("Red Cross Wuhan") is None
        assert await uow.organisations.references(root.id) == 1
        assert await uow.organisations.references(child.id) == 0
        await uow.organisations.remove(child.id)
        await uow.commit()

    async with units() as uow:
        assert await uow.organisations.get(child.id) is None
        assert await uow.organisations.references(root.id) == 0


async def test_chats_round_trip_with_64_bit_ids(units: Units) -> None:
    async with units() as uow:
        org = await uow.organisations.add("Org", None)
        await uow.chats.save(chat())
        await uow.chats.save(chat(-1002000000000001, org.id))
        await uow.commit()

    async with units() as uow:
        loaded = await uow.chats.get(BIG_CHAT)
        assert loaded == chat()
        assert loaded is not None
        loaded.status = ChatStatus.APPROVED
        loaded.organisation_id = org.id
        loaded.updated_at = T0 + timedelta(hours=1)
        await uow.chats.save(loaded)
        await uow.commit()

    async with units() as uow:
        approved = await uow.chats.by_status(ChatStatus.APPROVED)
        assert [c.id for c in approved] == [BIG_CHAT]
        assert approved[0].updated_at == T0 + timedelta(hours=1)
        assert [c.id for c in await uow.chats.by_status()] == [-1002000000000001, BIG_CHAT]
        assert await uow.chats.by_status(ChatStatus.LEFT) == []


async def test_chat_replace_id_moves_the_row(units: Units) -> None:
    old_id, new_id = -4001234567, -1009876543210987
    async with units() as uow:
        org = await uow.organisations.add("Org", None)
        await uow.chats.save(chat(old_id, org.id))
        await uow.commit()
    async with units() as uow:
        assert await uow.chats.get(old_id) is not None
        await uow.chats.replace_id(old_id, new_id)
        assert await uow.chats.get(old_id) is None
        moved = await uow.chats.get(new_id)
        assert moved is not None
        moved.kind = "supergroup"
        await uow.chats.save(moved)
        await uow.commit()
    async with units() as uow:
        assert await uow.chats.get(old_id) is None
        moved = await uow.chats.get(new_id)
        assert moved == Chat(new_id, "武汉志愿者群", "supergroup", ChatStatus.PENDING, org.id,
                             None, T0)
        assert [c.id for c in await uow.chats.by_status()] == [new_id]


async def test_people_round_trip(units: Units) -> None:
    alice = person()
    async with units() as uow:
        await uow.people.save(alice)
        await uow.commit()
    async with units() as uow:
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
    async with units() as uow:
        assert await uow.people.get(BIG_USER) == alice
        assert await uow.people.by_username("alice_w") is None


async def test_a_username_belongs_to_the_person_who_last_had_it(
    units: Units,
) -> None:
    async with units() as uow:
        await uow.people.save(person(1, "shared"))
        await uow.people.save(person(2, "SHARED"))
        await uow.commit()
    async with units() as uow:
        found = await uow.people.by_username("shared")
        assert found is not None and found.id == 2
        first = await uow.people.get(1)
        assert first is not None and first.username is None


async def test_roles_round_trip(units: Units) -> None:
    async with units() as uow:
        org = await uow.organisations.add("Org", None)
        admin = Role(BIG_USER, RoleName.ADMIN, None)
        coordinator = Role(BIG_USER, RoleName.COORDINATOR, org.id)
        assert await uow.roles.add(admin)
        assert await uow.roles.add(coordinator)
        assert not await uow.roles.add(Role(BIG_USER, RoleName.ADMIN, None))
        assert not await uow.roles.add(coordinator)
        assert await uow.roles.add(Role(7, RoleName.COORDINATOR, None))
        await uow.commit()
    async with units() as uow:
        assert await uow.roles.of(BIG_USER) == [admin, coordinator]
        assert len(await uow.roles.all()) == 3
        assert not await uow.roles.remove(BIG_USER, org.id, "admin")
        assert await uow.roles.remove(BIG_USER, None, RoleName.ADMIN)
        assert not await uow.roles.remove(BIG_USER, None, RoleName.ADMIN)
        await uow.commit()
    async with units() as uow:
        assert await uow.roles.of(BIG_USER) == [coordinator]


async def test_dialogs_round_trip_and_expire(units: Units) -> None:
    dialog = Dialog(BIG_USER, "pledge", {"amount": 1500, "items": ["口罩", "N95"]})
    dialog.touch(T0)
    async with units() as uow:
        await uow.dialogs.save(dialog)
        assert dialog.version == 1
        other = Dialog(2, "offer")
        other.touch(T0 + timedelta(hours=2))
        await uow.dialogs.save(other)
        await uow.dialogs.save(Dialog(3, "never expires"))
        await uow.commit()
    async with units() as uow:
        assert await uow.dialogs.get(BIG_USER) == dialog
        assert await uow.dialogs.get(4) is None
        later = T0 + timedelta(hours=25)
        assert [d.person_id for d in await uow.dialogs.expired(later, 10)] == [BIG_USER]
        much_later = T0 + timedelta(days=3)
        assert [d.person_id for d in await uow.dialogs.expired(much_later, 10)] == [BIG_USER, 2]
        assert [d.person_id for d in await uow.dialogs.expired(much_later, 1)] == [BIG_USER]
        await uow.dialogs.delete(BIG_USER)
        await uow.commit()
    async with units() as uow:
        assert await uow.dialogs.get(BIG_USER) is None


async def test_dialog_optimistic_concurrency(units: Units) -> None:
    async with units() as uow:
        await uow.dialogs.save(Dialog(BIG_USER, "pledge", {"step": 1}))
        await uow.commit()

    async with units() as first_uow:
        first = await first_uow.dialogs.get(BIG_USER)
    async with units() as second_uow:
        second = await second_uow.dialogs.get(BIG_USER)
    assert first is not None and second is not None and first.version == second.version == 1

    async with units() as uow:
        first.data["step"] = 2
        await uow.dialogs.save(first)
        await uow.commit()
    assert first.version == 2

    async with units() as uow:
        second.data["step"] = 99
        with pytest.raises(Conflict):
            await uow.dialogs.save(second)
        assert second.version == 1
        # the transaction is still usable after the refusal
        await uow.dialogs.save(Dialog(5, "other"))
        await uow.commit()

    async with units() as uow:
        stored = await uow.dialogs.get(BIG_USER)
        assert stored is not None and stored.data == {"step": 2} and stored.version == 2
        assert await uow.dialogs.get(5) is not None
        with pytest.raises(Conflict):  # a second "new" dialog for the same person
            await uow.dialogs.save(Dialog(BIG_USER, "pledge"))


async def test_processed_update_marked_twice(units: Units) -> None:
    update_id = 9_123_456_789
    async with units() as uow:
        assert not await uow.updates.seen(update_id)
        assert await uow.updates.mark(update_id)
        assert not await uow.updates.mark(update_id)
        await uow.people.save(person())  # the transaction is intact after the duplicate
        await uow.commit()
    async with units() as uow:
        assert await uow.updates.seen(update_id)
        assert not await uow.updates.mark(update_id)
        await uow.roles.add(Role(BIG_USER, RoleName.ADMIN, None))
        await uow.commit()
    async with units() as uow:
        assert await uow.people.get(BIG_USER) is not None
        assert await uow.roles.of(BIG_USER) != []


async def test_an_organisation_name_is_unique_ignoring_case_and_spaces(units: Units) -> None:
    async with units() as uow:
        await uow.organisations.add("Ärzte Hilfe", None)
        await uow.commit()
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError in SQL, AssertionError fake
        async with units() as uow:
            await uow.organisations.add("ärzte  HILFE", None)
    async with units() as uow:
        assert [o.name for o in await uow.organisations.all()] == ["Ärzte Hilfe"]
        assert await uow.organisations.get(1000) is None


async def test_saving_a_missing_organisation_is_a_lookup_error(units: Units) -> None:
    async with units() as uow:
        org = await uow.organisations.add("Red Cross", None)
        org.id += 1000
        with pytest.raises(LookupError):
            await uow.organisations.save(org)


async def test_references_count_every_foreign_key_appeals_too(units: Units) -> None:
    # The fake counted children, chats and roles only; SQL counts every referring table.
    async with units() as uow:
        root = await uow.organisations.add("Red Cross", None)
        await uow.organisations.add("Red Cross Wuhan", root.id)
        await uow.chats.save(chat(BIG_CHAT, root.id))
        await uow.roles.add(Role(ALICE, RoleName.COORDINATOR, root.id))
        await uow.appeals.add(appeal(organisation_id=root.id))
        await uow.commit()
    async with units() as uow:
        assert await uow.organisations.references(root.id) == 4
        with pytest.raises(Exception):  # noqa: B017 - the foreign keys refuse
            await uow.organisations.remove(root.id)


async def test_an_unreferenced_organisation_is_removed(units: Units) -> None:
    async with units() as uow:
        org = await uow.organisations.add("Red Cross", None)
        await uow.commit()
    async with units() as uow:
        assert await uow.organisations.references(org.id) == 0
        await uow.organisations.remove(org.id)
        await uow.organisations.remove(org.id)  # gone already: nothing to do
        await uow.commit()
    async with units() as uow:
        assert await uow.organisations.get(org.id) is None
        assert await uow.organisations.all() == []


async def test_replace_id_of_a_missing_chat_is_a_lookup_error(units: Units) -> None:
    async with units() as uow:
        with pytest.raises(LookupError):
            await uow.chats.replace_id(-5, -6)


async def test_an_empty_username_finds_nobody(units: Units) -> None:
    async with units() as uow:
        await uow.people.save(person(ALICE, None))
        await uow.commit()
    async with units() as uow:
        assert await uow.people.get(ALICE) == person(ALICE, None)
        for asked in ("", "@"):
            assert await uow.people.by_username(asked) is None


async def test_a_dialog_comes_back_as_json_would_bring_it(units: Units) -> None:
    # The fake kept tuples and number keys; the SQL column is JSON.
    dialog = Dialog(ALICE, "pledge", {"items": (1, 2), "by_number": {3: "x"}, "none": None})
    async with units() as uow:
        await uow.dialogs.save(dialog)
        await uow.commit()
    async with units() as uow:
        found = await uow.dialogs.get(ALICE)
    assert found is not None
    assert found.data == {"items": [1, 2], "by_number": {"3": "x"}, "none": None}


async def test_saving_a_dialog_nobody_has_at_a_version_is_a_conflict(units: Units) -> None:
    async with units() as uow:
        with pytest.raises(Conflict):
            await uow.dialogs.save(Dialog(BOB, "offer", {}, version=4))
    async with units() as uow:
        assert await uow.dialogs.get(BOB) is None


async def test_a_dialog_expires_at_its_expiry_instant(units: Units) -> None:
    dialog = Dialog(ALICE, "pledge", {})
    dialog.touch(T0)
    async with units() as uow:
        await uow.dialogs.save(dialog)
        await uow.commit()
    assert dialog.expires_at is not None
    async with units() as uow:
        assert await uow.dialogs.expired(dialog.expires_at - timedelta(microseconds=1), 10) == []
        assert [d.person_id for d in await uow.dialogs.expired(dialog.expires_at, 10)] == [ALICE]


async def test_an_update_marked_in_a_unit_left_uncommitted_is_not_kept(units: Units) -> None:
    async with units() as uow:
        assert await uow.updates.mark(11) is True
    async with units() as uow:
        assert await uow.updates.seen(11) is False


async def test_datetimes_come_back_aware_utc(units: Units) -> None:
    beijing = timezone(timedelta(hours=8))
    moment = datetime(2020, 2, 19, 17, 30, 15, 123456, tzinfo=beijing)
    async with units() as uow:
        await uow.chats.save(Chat(1, "t", "group", ChatStatus.PENDING, None, None, moment))
        await uow.commit()
    async with units() as uow:
        loaded = await uow.chats.get(1)
    assert loaded is not None
    assert loaded.updated_at == moment
    assert loaded.updated_at.utcoffset() == timedelta(0)
    assert loaded.updated_at.tzinfo is not None


async def test_a_naive_time_is_refused(units: Units) -> None:
    # The fake took naive datetimes; SQL's UTCDateTime refuses them.
    naive = datetime(2020, 2, 19, 9, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(Exception, match="naive"):  # at flush in SQL, at commit in the fake
        async with units() as uow:
            await uow.chats.save(Chat(2, "t", "group", ChatStatus.PENDING, None, None, naive))
            await uow.commit()
