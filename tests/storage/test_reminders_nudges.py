"""Deadline nudges on SQLite and PostgreSQL: to the appeal's groups, totals only, once a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from domain.appeals.models import Appeal, AppealStatus, Need, broadcast_subject
from domain.clock import FakeClock
from domain.kernel.origin import Origin
from domain.kernel.standing import Role, RoleName
from domain.network.models import Chat, ChatStatus, Language
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from domain.reminders.appeal_policy import AppealRemindersService, Change
from domain.reminders.nudges import NudgeService
from domain.reminders.scheduled import ReminderSettings
from handlers.i18n import Translations
from handlers.reminders.nudges import NudgeTexts
from storage.models.outbox import DeliveryRow
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.reminders_seed import goods

GROUP = -1001234567890
QUIET_GROUP = -1009876543210
COORDINATOR = 9_000_000_020
MADE = datetime(2026, 2, 1, 2, 0, tzinfo=UTC)


def shanghai(day: int, hour: int) -> datetime:
    """A Shanghai wall-clock hour in February 2026, in UTC."""
    return datetime(2026, 2, day, hour, tzinfo=UTC) - timedelta(hours=8)


async def appeal_sent(uow_factory: SqlUnitOfWorkFactory, deadline: date, title: str) -> Appeal:
    """An open appeal for 5000 masks and ¥100,000, sent to GROUP (and queued, unsent, to
    QUIET_GROUP); 1800 masks are pledged."""
    async with uow_factory() as uow:
        for chat_id in (GROUP, QUIET_GROUP):
            if await uow.chats.get(chat_id) is None:
                await uow.chats.save(Chat(chat_id, "群", "supergroup", ChatStatus.APPROVED,
                                          None, None, MADE))
        appeal = await uow.appeals.add(Appeal(
            0, title, "请支援", AppealStatus.OPEN, deadline, "CNY", 10_000_000, None,
            COORDINATOR, MADE, needs=[Need(0, 0, "N95口罩", "mask", "piece", Decimal(5000))],
        ))
        for chat_id in (GROUP, QUIET_GROUP):
            await uow.outbox.enqueue(
                NewDelivery(Purpose.APPEAL, broadcast_subject(appeal.id), chat_id, "倡议"), MADE
            )
        [sent] = [d for d in await uow.outbox.for_subject(
            Purpose.APPEAL, broadcast_subject(appeal.id)) if d.chat_id == GROUP]
        await uow.outbox.mark_sent(sent.id, 1, MADE)
        pledge = goods(f"n{appeal.id}")
        pledge.appeal_id, pledge.need_id = appeal.id, appeal.needs[0].id
        pledge.item, pledge.quantity, pledge.unit = "N95口罩", Decimal(1800), "piece"
        await uow.pledges.add(pledge)
        await uow.roles.add(Role(COORDINATOR, RoleName.COORDINATOR, None))
        await uow.commit()
    return appeal


async def nudges(uow_factory: SqlUnitOfWorkFactory) -> list[tuple[int, str, str]]:
    """(chat, subject, text) of every nudge queued."""
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            select(DeliveryRow.chat_id, DeliveryRow.subject, DeliveryRow.text)
            .where(DeliveryRow.subject.like("nudge:%")).order_by(DeliveryRow.id)
        )
        return [(r[0], r[1], r[2]) for r in rows]


def service(uow_factory: SqlUnitOfWorkFactory, clock: FakeClock) -> NudgeService:
    """The nudges in Simplified Chinese."""
    return NudgeService(uow_factory, clock, NudgeTexts(Translations.load()), ReminderSettings(),
                        Language.ZH_HANS)


async def test_two_days_before_and_on_the_day_the_groups_hear_what_is_still_needed(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await appeal_sent(uow_factory, date(2026, 2, 20), "抗疫倡议")
    clock = FakeClock(shanghai(18, 9))
    assert await service(uow_factory, clock).tick() == 0  # before 10:00 there
    clock.set(shanghai(18, 10))
    nudging = service(uow_factory, clock)
    assert await nudging.tick() == 1
    assert await nudges(uow_factory) == [(
        GROUP, "nudge:2026-02-18",
        "倡议 #1 抗疫倡议 还有 2 天截止。还差 3200个N95口罩、10万元。\n"
        "可以用倡议下方的按钮认捐，或私信我。",
    )]
    clock.advance(timedelta(hours=3))
    assert await nudging.tick() == 0  # one a day
    clock.set(shanghai(19, 12))
    assert await service(uow_factory, clock).tick() == 0  # not a nudge day
    clock.set(shanghai(20, 10))
    assert await service(uow_factory, clock).tick() == 1
    assert (await nudges(uow_factory))[-1][2].startswith("倡议 #1 抗疫倡议 今天截止。")


async def test_two_appeals_make_one_message_and_an_appeal_can_be_turned_off(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    first = await appeal_sent(uow_factory, date(2026, 2, 20), "抗疫倡议")
    await appeal_sent(uow_factory, date(2026, 2, 20), "防汛倡议")
    clock = FakeClock(shanghai(18, 10))
    assert await service(uow_factory, clock).tick() == 1
    [(_chat, _subject, text)] = await nudges(uow_factory)
    assert text.count("还有 2 天截止") == 2
    switches = AppealRemindersService(uow_factory, clock, ReminderSettings())
    await switches.change(Origin(COORDINATOR, 1), first.id, Change.NUDGES_OFF)
    clock.set(shanghai(20, 10))
    assert await service(uow_factory, clock).tick() == 1
    latest = (await nudges(uow_factory))[-1][2]
    assert "防汛倡议" in latest and "抗疫倡议" not in latest
