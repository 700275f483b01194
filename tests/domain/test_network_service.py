"""NetworkService use cases on the in-memory fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.clock import FakeClock
from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.kernel.standing import Role, RoleName
from domain.network.models import ChatStatus, Language
from domain.network.organisations import StillReferenced
from domain.network.service import NetworkService, SeenUser
from tests.fakes import FakeUnitOfWorkFactory

ADMIN = 9_000_000_000
COORD = 9_000_000_001
MEMBER = 9_000_000_002
GROUP = -1001234567890123


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(fake_uow_factory: FakeUnitOfWorkFactory, clock: FakeClock) -> NetworkService:
    return NetworkService(fake_uow_factory, clock, Language.ZH_HANS, "Asia/Shanghai")


@pytest.fixture
async def network(service: NetworkService) -> NetworkService:
    """An admin, a coordinator of "Hubei" (under "China"), a member, and one pending group."""
    await service.ensure_admins(frozenset({ADMIN}))
    for uid, name in ((ADMIN, "Admin"), (COORD, "Coord"), (MEMBER, "Member")):
        await service.seen(SeenUser(uid, name, name.lower(), "zh-CN"))
    admin = Origin(ADMIN)
    await service.add_organisation(admin, "China", None)
    await service.add_organisation(admin, "Hubei", "China")
    await service.add_organisation(admin, "Beijing", "China")
    await service.grant(admin, COORD, "coordinator", "Hubei")
    await service.bot_joined_chat(GROUP, "Wuhan volunteers", "supergroup")
    return service


# -- people -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-hans", Language.ZH_HANS),
        ("zh-CN", Language.ZH_HANS),
        ("zh", Language.ZH_HANS),
        ("zh-TW", Language.ZH_HANT),
        ("zh-hk", Language.ZH_HANT),
        ("zh_Hant", Language.ZH_HANT),
        ("en", Language.EN),
        ("en-GB", Language.EN),
        (None, Language.ZH_HANS),
        ("", Language.ZH_HANS),
        ("de", Language.EN),
    ],
)
async def test_seen_maps_the_client_language(
    service: NetworkService, code: str | None, expected: Language
) -> None:
    person = await service.seen(SeenUser(MEMBER, "M", None, code))
    assert person.language is expected
    assert not person.language_chosen
    assert person.timezone == "Asia/Shanghai"


async def test_seen_refreshes_a_person_but_keeps_a_chosen_language(
    service: NetworkService, fake_uow_factory: FakeUnitOfWorkFactory, clock: FakeClock
) -> None:
    first = await service.seen(SeenUser(MEMBER, "M" * 200, "mem", "en"))
    assert len(first.name) == 128 and first.created_at == clock.now()
    commits = fake_uow_factory.commits
    await service.seen(SeenUser(MEMBER, "M" * 200, "mem", "en"))
    assert fake_uow_factory.commits == commits  # nothing changed, nothing written

    await service.set_language(Origin(MEMBER, update_id=1), Language.ZH_HANT)
    clock.advance(timedelta(days=1))
    again = await service.seen(SeenUser(MEMBER, "New name", None, "en"))
    assert again.language is Language.ZH_HANT and again.language_chosen
    assert again.name == "New name" and again.username is None
    assert again.created_at == first.created_at


async def test_seen_makes_an_unreachable_person_reachable(service: NetworkService) -> None:
    await service.seen(SeenUser(MEMBER, "M", None, "en"))
    await service.mark_unreachable(MEMBER)
    person = await service.person(MEMBER)
    assert person is not None and not person.reachable
    assert (await service.seen(SeenUser(MEMBER, "M", None, "en"))).reachable


async def test_find_person_by_id_or_username(network: NetworkService) -> None:
    assert (await network.find_person(str(COORD))).id == COORD
    assert (await network.find_person("@COORD")).id == COORD
    with pytest.raises(NotFound):
        await network.find_person("@nobody")
    with pytest.raises(NotFound):
        await network.find_person("coord")


# -- organisations ----------------------------------------------------------------------------


async def test_add_rename_remove_organisation(
    network: NetworkService, fake_uow_factory: FakeUnitOfWorkFactory
) -> None:
    admin = Origin(ADMIN)
    org = await network.add_organisation(admin, "  Red   Cross ", None)
    assert org.name == "Red Cross" and org.parent_id is None
    renamed = await network.rename_organisation(admin, "red cross", "Red Cross Society")
    assert renamed.id == org.id and renamed.name == "Red Cross Society"
    # renaming to a different case of the same name is allowed
    await network.rename_organisation(admin, "Red Cross Society", "RED CROSS SOCIETY")
    removed = await network.remove_organisation(admin, "red cross society")
    assert removed.id == org.id
    assert all(o.id != org.id for o in await network.organisations())
    actions = [e.action for e in fake_uow_factory.store.audit]
    assert actions[-4:] == [
        "organisation.add", "organisation.rename", "organisation.rename", "organisation.remove"
    ]


async def test_organisation_tree(network: NetworkService) -> None:
    tree = await network.organisation_tree()
    assert [n.organisation.name for n in tree] == ["China"]
    assert [n.organisation.name for n in tree[0].children] == ["Beijing", "Hubei"]


async def test_duplicate_organisation_names_are_refused(network: NetworkService) -> None:
    admin = Origin(ADMIN)
    with pytest.raises(Conflict):
        await network.add_organisation(admin, "HUBEI", None)
    with pytest.raises(Conflict):
        await network.rename_organisation(admin, "Beijing", "hubei")
    with pytest.raises(NotFound):
        await network.add_organisation(admin, "Wuhan", "Nowhere")
    with pytest.raises(NotFound):
        await network.rename_organisation(admin, "Nowhere", "Somewhere")
    with pytest.raises(NotFound):
        await network.remove_organisation(admin, "Nowhere")


@pytest.mark.parametrize("name", ["", "   ", "x" * 300])
async def test_empty_or_overlong_names_are_refused(network: NetworkService, name: str) -> None:
    with pytest.raises(InvalidInput):
        await network.add_organisation(Origin(ADMIN), name, None)
    with pytest.raises(InvalidInput):
        await network.rename_organisation(Origin(ADMIN), "Hubei", name)


async def test_a_100_character_name_is_accepted(network: NetworkService) -> None:
    org = await network.add_organisation(Origin(ADMIN), "名" * 100, None)
    assert len(org.name) == 100


async def test_referenced_organisations_are_not_removed(network: NetworkService) -> None:
    admin = Origin(ADMIN)
    with pytest.raises(StillReferenced) as parent:
        await network.remove_organisation(admin, "China")  # has children
    assert parent.value.counts == {"organisation": 2}
    with pytest.raises(Conflict):
        await network.remove_organisation(admin, "Hubei")  # a coordinator's role
    await network.link_chat(Origin(ADMIN), GROUP, (await _org(network, "Beijing")))
    with pytest.raises(Conflict):
        await network.remove_organisation(admin, "Beijing")  # a linked chat
    await network.revoke(admin, COORD, "coordinator", "Hubei")
    await network.remove_organisation(admin, "Hubei")


async def test_only_admins_manage_organisations(network: NetworkService) -> None:
    for actor in (COORD, MEMBER, 12345):
        with pytest.raises(PermissionDenied):
            await network.add_organisation(Origin(actor), "New", None)
        with pytest.raises(PermissionDenied):
            await network.rename_organisation(Origin(actor), "Hubei", "New")
        with pytest.raises(PermissionDenied):
            await network.remove_organisation(Origin(actor), "Beijing")
    # jobs and the CLI act without an actor
    assert (await network.add_organisation(Origin(None), "From CLI", None)).name == "From CLI"


# -- chats ------------------------------------------------------------------------------------


async def _org(service: NetworkService, name: str) -> int:
    return next(o.id for o in await service.organisations() if o.name == name)


async def test_coordinator_links_a_chat_in_scope(network: NetworkService) -> None:
    hubei = await _org(network, "Hubei")
    assert [o.name for o in await network.linkable_organisations(COORD)] == ["Hubei"]
    chat = await network.link_chat(Origin(COORD, update_id=10), GROUP, hubei)
    assert chat.status is ChatStatus.APPROVED and chat.organisation_id == hubei
    stored = await network.chat(GROUP)
    assert stored is not None and stored.status is ChatStatus.APPROVED


async def test_coordinator_cannot_link_out_of_scope(network: NetworkService) -> None:
    for name in ("Beijing", "China"):
        with pytest.raises(PermissionDenied):
            await network.link_chat(Origin(COORD), GROUP, await _org(network, name))
    stored = await network.chat(GROUP)
    assert stored is not None and stored.status is ChatStatus.PENDING


async def test_members_cannot_link_chats(network: NetworkService) -> None:
    assert await network.linkable_organisations(MEMBER) == []
    with pytest.raises(PermissionDenied):
        await network.link_chat(Origin(MEMBER), GROUP, await _org(network, "Hubei"))
    with pytest.raises(PermissionDenied):
        await network.link_chat(Origin(None), GROUP, await _org(network, "Hubei"))


async def test_link_chat_refusals(network: NetworkService) -> None:
    with pytest.raises(NotFound):
        await network.link_chat(Origin(ADMIN), GROUP, 999)
    with pytest.raises(NotFound):
        await network.link_chat(Origin(ADMIN), -100999, await _org(network, "Hubei"))
    await network.bot_left_chat(GROUP)
    with pytest.raises(NotFound):
        await network.link_chat(Origin(ADMIN), GROUP, await _org(network, "Hubei"))


async def test_admin_links_anywhere_and_lists_chats(network: NetworkService) -> None:
    await network.link_chat(Origin(ADMIN), GROUP, await _org(network, "China"))
    assert [c.id for c in await network.chats(Origin(ADMIN))] == [GROUP]
    with pytest.raises(PermissionDenied):
        await network.chats(Origin(COORD))


async def test_bot_joined_left_and_rejoined(network: NetworkService, clock: FakeClock) -> None:
    again, fresh = await network.bot_joined_chat(GROUP, "Wuhan volunteers", "supergroup")
    assert not fresh and again.status is ChatStatus.PENDING
    left = await network.bot_left_chat(GROUP)
    assert left is not None and left.status is ChatStatus.LEFT
    assert await network.bot_left_chat(-42) is None
    clock.advance(timedelta(hours=1))
    back, fresh = await network.bot_joined_chat(GROUP, "Renamed", "supergroup")
    assert fresh and back.status is ChatStatus.PENDING and back.title == "Renamed"
    assert back.updated_at == clock.now()


async def test_chat_migrated_keeps_the_record(network: NetworkService) -> None:
    hubei = await _org(network, "Hubei")
    old_id, new_id = -4001234567, -1009876543210987
    await network.bot_joined_chat(old_id, "Small group", "group")
    await network.link_chat(Origin(COORD), old_id, hubei)
    await network.chat_migrated(old_id, new_id, "Big group")
    assert await network.chat(old_id) is None
    moved = await network.chat(new_id)
    assert moved is not None
    assert (moved.kind, moved.title, moved.status, moved.organisation_id) == (
        "supergroup", "Big group", ChatStatus.APPROVED, hubei,
    )
    await network.chat_migrated(old_id, new_id)  # replayed: nothing to do
    assert await network.chat(new_id) == moved


async def test_chat_renamed(network: NetworkService, fake_uow_factory: FakeUnitOfWorkFactory
                            ) -> None:
    await network.chat_renamed(GROUP, "New title")
    chat = await network.chat(GROUP)
    assert chat is not None and chat.title == "New title"
    commits = fake_uow_factory.commits
    await network.chat_renamed(GROUP, "New title")
    await network.chat_renamed(-42, "Unknown")
    assert fake_uow_factory.commits == commits


# -- roles ------------------------------------------------------------------------------------


async def test_grant_and_revoke(network: NetworkService) -> None:
    admin = Origin(ADMIN)
    role = await network.grant(admin, MEMBER, " Coordinator ", "Beijing")
    assert role == Role(MEMBER, RoleName.COORDINATOR, await _org(network, "Beijing"))
    assert (await network.standing(MEMBER)).is_coordinator
    with pytest.raises(Conflict):
        await network.grant(admin, MEMBER, "coordinator", "beijing")
    assert await network.grant(admin, MEMBER, "admin", None) == Role(MEMBER, RoleName.ADMIN,
                                                                     None)
    await network.revoke(admin, MEMBER, "admin", None)
    await network.revoke(admin, MEMBER, "coordinator", "Beijing")
    assert (await network.standing(MEMBER)).roles == ()
    with pytest.raises(NotFound):
        await network.revoke(admin, MEMBER, "coordinator", "Beijing")


async def test_grant_refusals(network: NetworkService) -> None:
    admin = Origin(ADMIN)
    with pytest.raises(NotFound):
        await network.grant(admin, 12345, "coordinator", None)  # unknown user
    with pytest.raises(InvalidInput):
        await network.grant(admin, MEMBER, "overlord", None)  # unknown role
    with pytest.raises(InvalidInput):
        await network.grant(admin, MEMBER, "member", None)
    with pytest.raises(InvalidInput):
        await network.grant(admin, MEMBER, "admin", "Hubei")
    with pytest.raises(NotFound):
        await network.grant(admin, MEMBER, "coordinator", "Nowhere")
    with pytest.raises(PermissionDenied):
        await network.grant(Origin(COORD), MEMBER, "coordinator", "Hubei")
    with pytest.raises(NotFound):
        await network.revoke(admin, 12345, "coordinator", None)
    with pytest.raises(InvalidInput):
        await network.revoke(admin, MEMBER, "overlord", None)
    with pytest.raises(Conflict):
        await network.revoke(admin, ADMIN, "admin", None)


async def test_ensure_admins_is_idempotent(
    service: NetworkService, fake_uow_factory: FakeUnitOfWorkFactory
) -> None:
    await service.ensure_admins(frozenset({ADMIN, COORD}))
    await service.ensure_admins(frozenset({ADMIN}))
    assert sorted(r.person_id for r in fake_uow_factory.store.roles) == [ADMIN, COORD]
    assert len([e for e in fake_uow_factory.store.audit if e.action == "role.grant"]) == 2


# -- idempotent updates -------------------------------------------------------------------------


async def test_a_replayed_update_changes_nothing(
    network: NetworkService, fake_uow_factory: FakeUnitOfWorkFactory
) -> None:
    origin = Origin(ADMIN, update_id=777)
    await network.add_organisation(origin, "Once", None)
    before = (
        await network.organisations(), list(fake_uow_factory.store.audit),
        list(fake_uow_factory.store.roles),
    )
    with pytest.raises(AlreadyProcessed):
        await network.add_organisation(origin, "Twice", None)
    with pytest.raises(AlreadyProcessed):
        await network.grant(origin, MEMBER, "admin", None)
    with pytest.raises(AlreadyProcessed):
        await network.set_language(Origin(MEMBER, update_id=777), Language.EN)
    after = (
        await network.organisations(), list(fake_uow_factory.store.audit),
        list(fake_uow_factory.store.roles),
    )
    assert after == before
    member = await network.person(MEMBER)
    assert member is not None and not member.language_chosen


async def test_a_refused_update_is_not_marked(network: NetworkService) -> None:
    origin = Origin(ADMIN, update_id=778)
    with pytest.raises(Conflict):
        await network.add_organisation(origin, "Hubei", None)
    # the refusal rolled back the mark, so the same update may be handled again
    with pytest.raises(Conflict):
        await network.add_organisation(origin, "Hubei", None)


async def test_set_language(network: NetworkService) -> None:
    person = await network.set_language(Origin(MEMBER, 5), Language.EN)
    assert person.language is Language.EN and person.language_chosen
    with pytest.raises(NotFound):
        await network.set_language(Origin(12345), Language.EN)
    with pytest.raises(PermissionDenied):
        await network.set_language(Origin(None), Language.EN)


# -- the fakes themselves -------------------------------------------------------------------------


async def test_fake_units_discard_uncommitted_work(
    fake_uow_factory: FakeUnitOfWorkFactory,
) -> None:
    async with fake_uow_factory() as uow:
        await uow.organisations.add("Ghost", None)
        assert await uow.updates.mark(1)
    async with fake_uow_factory() as uow:
        assert await uow.organisations.all() == []
        assert not await uow.updates.seen(1)
        await uow.organisations.add("Kept", None)
        await uow.commit()
    async with fake_uow_factory() as uow:
        assert [o.name for o in await uow.organisations.all()] == ["Kept"]
