"""AppealService use cases on the in-memory fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from domain.appeals.draft import (
    AppealDraft,
    AudienceKind,
    add_need,
    clean_body,
    clean_title,
    set_deadline,
)
from domain.appeals.models import Appeal, AppealStatus
from domain.appeals.service import AppealService
from domain.clock import FakeClock
from domain.errors import Conflict, InvalidInput, PermissionDenied
from domain.kernel.origin import Origin
from domain.network.models import Language
from domain.network.service import NetworkService, SeenUser
from domain.outbox.models import DeliveryStatus, Purpose
from tests.domain.appeals.hubei import (
    ADMIN,
    COORD,
    HUBEI_GROUPS,
    MEMBER,
    complete_draft,
    render,
)
from tests.fakes import FakeUnitOfWorkFactory


def test_need_lines_parse_items_and_money() -> None:
    draft = AppealDraft(currency="CNY", key="k")
    add_need(draft, "消毒液 3000公斤")
    add_need(draft, "volunteers 8")
    add_need(draft, "资金 50万元")
    assert [(n.item, n.unit, str(n.target)) for n in draft.needs] == [
        ("消毒液", "kg", "3000"),
        ("volunteers", "person", "8"),
    ]
    assert draft.money_target_minor == 50_000_000


@pytest.mark.parametrize("line", ["口罩", "口罩 0个", "口罩 -5个", "口罩 10000000000000个"])
def test_bad_need_lines_are_refused_and_nothing_added(line: str) -> None:
    draft = AppealDraft(currency="CNY", key="k")
    with pytest.raises(InvalidInput):
        add_need(draft, line)
    assert draft.needs == [] and draft.money_target_minor is None


def test_bad_title_body_deadline() -> None:
    with pytest.raises(InvalidInput):
        clean_title("   ")
    with pytest.raises(InvalidInput) as error:
        clean_body("字" * 5000)
    assert error.value.params["limit"] == 4096
    draft = AppealDraft(currency="CNY", key="k")
    with pytest.raises(InvalidInput):
        set_deadline(draft, "2020-02-01", date(2020, 2, 19))
    assert draft.deadline is None
    assert set_deadline(draft, "5天后", date(2020, 2, 19)) == date(2020, 2, 24)
    assert set_deadline(draft, "in 5 days", date(2020, 2, 19)) == date(2020, 2, 24)


def test_draft_survives_a_round_trip_through_the_dialog_row() -> None:
    draft = complete_draft()
    assert AppealDraft.from_data(draft.to_data()) == draft
    assert draft.next_step() is None
    assert AppealDraft(currency="CNY", key="k").next_step() == "title"


async def test_publish_queues_one_delivery_per_approved_chat_in_scope(
    service: AppealService, fake_uow_factory: FakeUnitOfWorkFactory
) -> None:
    published = await service.publish(Origin(COORD, 10), complete_draft(), render)
    assert published.new and published.targets == 3
    deliveries = list(fake_uow_factory.store.deliveries.values())
    assert sorted(d.chat_id for d in deliveries) == sorted(HUBEI_GROUPS)
    assert {d.subject for d in deliveries} == {f"appeal:{published.appeal.id}"}


async def test_double_tap_publishes_once(
    service: AppealService, fake_uow_factory: FakeUnitOfWorkFactory
) -> None:
    first = await service.publish(Origin(COORD, 10), complete_draft(), render)
    second = await service.publish(Origin(COORD, 11), complete_draft(), render)
    assert not second.new and second.appeal.id == first.appeal.id
    assert len(fake_uow_factory.store.deliveries) == 3
    assert len(fake_uow_factory.store.appeals) == 1


async def test_admin_reaches_everyone_and_organisation_audience(service: AppealService) -> None:
    everyone = await service.publish(Origin(ADMIN), complete_draft("a"), render)
    assert everyone.targets == 4
    draft = complete_draft("b")
    draft.audience = AudienceKind.ORGANISATION
    orgs, _chats = await service.audience_options(ADMIN)
    draft.audience_organisation = dict((name, oid) for oid, name in orgs)["Beijing"]
    assert (await service.publish(Origin(ADMIN), draft, render)).targets == 1


async def test_member_and_out_of_scope_are_refused(
    service: AppealService, fake_uow_factory: FakeUnitOfWorkFactory
) -> None:
    with pytest.raises(PermissionDenied):
        await service.require_coordinator(MEMBER)
    with pytest.raises(PermissionDenied):
        await service.publish(Origin(MEMBER), complete_draft(), render)
    draft = complete_draft()
    draft.audience = AudienceKind.ORGANISATION
    orgs, _ = await service.audience_options(ADMIN)
    draft.audience_organisation = dict((name, oid) for oid, name in orgs)["Beijing"]
    with pytest.raises(PermissionDenied):
        await service.publish(Origin(COORD), draft, render)
    assert fake_uow_factory.store.deliveries == {}


async def test_audience_without_approved_chats_is_refused(
    service: AppealService, fake_uow_factory: FakeUnitOfWorkFactory
) -> None:
    draft = complete_draft()
    draft.audience = AudienceKind.PICKED
    draft.audience_chats = [-3001]
    with pytest.raises(InvalidInput):
        await service.publish(Origin(COORD), draft, render)
    assert fake_uow_factory.store.appeals == {}


async def test_too_long_group_message_is_refused(service: AppealService) -> None:
    draft = complete_draft()
    draft.body = "长" * 4100
    with pytest.raises(InvalidInput) as error:
        await service.publish(Origin(COORD), draft, render)
    assert error.value.params["limit"] == 4096


async def test_edit_and_close_requeue_sent_messages_as_edits(
    service: AppealService, fake_uow_factory: FakeUnitOfWorkFactory, clock: FakeClock
) -> None:
    published = await service.publish(Origin(COORD), complete_draft(), render)
    for number, delivery in enumerate(fake_uow_factory.store.deliveries.values(), start=100):
        delivery.status, delivery.message_id = DeliveryStatus.SENT, number
    assert await service.edit_text(Origin(COORD), published.appeal.id, "新的文字", render) == 3
    edits = [
        d for d in fake_uow_factory.store.deliveries.values() if d.purpose is Purpose.APPEAL_EDIT
    ]
    assert {d.edit_message_id for d in edits} == {100, 101, 102}
    assert all("新的文字" in d.text for d in edits)
    extended, edited = await service.extend_deadline(
        Origin(COORD), published.appeal.id, "2020-03-01", render
    )
    assert extended.deadline == date(2020, 3, 1) and edited == 3  # the groups see it too
    with pytest.raises(PermissionDenied):
        await service.close(Origin(MEMBER), published.appeal.id, render)
    closed = await service.close(Origin(ADMIN), published.appeal.id, render)
    assert closed.status is AppealStatus.CLOSED
    closing = [d for d in fake_uow_factory.store.deliveries.values() if "(closed)" in d.text]
    assert len(closing) == 3
    with pytest.raises(Conflict):
        await service.close(Origin(ADMIN), published.appeal.id, render)
    assert await service.open_appeals() == []
    _ = datetime


async def test_appeals_are_shown_to_the_members_of_their_organisations(
    service: AppealService, fake_uow_factory: FakeUnitOfWorkFactory, clock: FakeClock
) -> None:
    network = NetworkService(fake_uow_factory, clock, Language.ZH_HANS, "Asia/Shanghai")
    outsider = MEMBER + 1
    await network.seen(SeenUser(outsider, "Outsider", "outsider", "en"))
    await network.add_organisation(Origin(ADMIN), "Wuhan branch", "Hubei")
    await network.grant(Origin(ADMIN), MEMBER, "member", "Wuhan branch")
    await network.grant(Origin(ADMIN), outsider, "member", "Beijing")
    orgs, _chats = await service.audience_options(ADMIN)
    hubei_id = dict((name, oid) for oid, name in orgs)["Hubei"]
    to_hubei = complete_draft("hubei")
    to_hubei.audience = AudienceKind.ORGANISATION
    to_hubei.audience_organisation = hubei_id
    await service.publish(Origin(ADMIN), to_hubei, render)
    await service.publish(Origin(ADMIN), complete_draft("everyone"), render)

    def titles(appeals: list[Appeal]) -> list[int | None]:
        return sorted((a.organisation_id or 0) for a in appeals)

    # A member of a branch under Hubei sees Hubei's appeal and the network-wide one.
    assert titles(await service.visible_appeals(MEMBER)) == [0, hubei_id]
    # A member in Beijing sees only the network-wide one; the admin sees both.
    assert titles(await service.visible_appeals(outsider)) == [0]
    assert titles(await service.visible_appeals(ADMIN)) == [0, hubei_id]
    assert titles(await service.visible_appeals(COORD)) == [0, hubei_id]


async def test_membership_needs_an_organisation(
    service: AppealService, fake_uow_factory: FakeUnitOfWorkFactory, clock: FakeClock
) -> None:
    network = NetworkService(fake_uow_factory, clock, Language.ZH_HANS, "Asia/Shanghai")
    with pytest.raises(InvalidInput):
        await network.grant(Origin(ADMIN), MEMBER, "member", None)


# -- the writer's local day ------------------------------------------------------------------

LATE = datetime(2020, 2, 19, 23, 30, tzinfo=UTC)  # 07:30 on 20 February in China


async def test_deadlines_are_judged_in_the_writers_day_not_in_utcs(
    service: AppealService, fake_uow_factory: FakeUnitOfWorkFactory, clock: FakeClock
) -> None:
    store = fake_uow_factory.store
    store.people[COORD] = replace(store.people[COORD], timezone="America/Los_Angeles")
    clock.set(LATE)
    appeals = AppealService(fake_uow_factory, clock, "CNY", timezone="Asia/Shanghai")
    assert appeals.today() == date(2020, 2, 20)
    assert appeals.today("America/Los_Angeles") == date(2020, 2, 19)
    draft = complete_draft()
    draft.deadline = date(2020, 2, 19)  # still today in UTC and in Los Angeles
    with pytest.raises(InvalidInput):  # but yesterday for the admin in China
        await appeals.publish(Origin(ADMIN, 1), draft, render)
    assert store.appeals == {}
    published = await appeals.publish(Origin(COORD, 2), draft, render)
    assert published.appeal.deadline == date(2020, 2, 19)
    with pytest.raises(InvalidInput):
        await appeals.extend_deadline(Origin(ADMIN, 3), published.appeal.id, "2020-02-19", render)
    moved, _ = await appeals.extend_deadline(Origin(ADMIN, 4), published.appeal.id, "明天", render)
    assert moved.deadline == date(2020, 2, 21)
    moved, _ = await appeals.extend_deadline(Origin(COORD, 5), published.appeal.id, "today", render)
    assert moved.deadline == date(2020, 2, 19)
