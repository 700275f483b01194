"""Reminders through the bot: a pledge made in chat is reminded on its day, in the pledger's
language, with buttons that work; nobody else can press them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.clock import FakeClock
from domain.pledges.models import PledgeStatus
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.test_pledges import (
    button,
    buttons,
    confirm,
    last_id,
    make_appeal,
    member,
    pledges_of,
)
from tests.harness import Conversation, Json

#: Two days before the appeal's deadline (29 February 2020), 10:00 in Shanghai.
BEFORE = datetime(2020, 2, 27, 2, 0, tzinfo=UTC)
#: The day before the deadline, before the due-date reminder (29 February, 10:00 there).
DAYS_LATER = datetime(2020, 2, 28, 23, 0, tzinfo=UTC)

REMINDERS = {
    "zh-hans": "认捐 #1 提醒：还差 3000公斤消毒液，原定 2月29日送达。\n"
    "倡议 #1 抗疫倡议。\n请用下面的按钮告诉我们进展。",
    "zh-hant": "認捐 #1 提醒：還差 3000公斤消毒液，原定 2月29日送達。\n"
    "倡議 #1 抗疫倡议。\n請用下面的按鈕告訴我們進展。",
    "en": "Reminder for pledge #1: 3,000 kg 消毒液 still to deliver, promised by 2020-02-29.\n"
    "For appeal #1 抗疫倡议.\nTell us with a button below how it stands.",
}
LABELS = {
    "zh-hans": ["已全部送达", "已送达部分", "需要更多时间", "取消认捐"],
    "zh-hant": ["已全部送達", "已送達部分", "需要更多時間", "取消認捐"],
    "en": ["Delivered all", "Delivered part", "Need more time", "Cancel pledge"],
}


async def pledged(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> int:
    """A member who pledged 3000 kg of disinfectant to an appeal due on 29 February."""
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, li, summary)
    return li


async def reminder_after(chat: Conversation, person: int, seen: int) -> Json:
    """The next message the person gets (a reminder, with its buttons)."""
    [message] = await chat.next_messages(person, 1, seen)
    return message


@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
async def test_a_reminder_two_days_before_says_what_is_open_in_the_pledgers_language(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    li = await pledged(client, chat, store, clock, lang)
    seen = await last_id(client, li)
    clock.set(BEFORE)
    reminder = await reminder_after(chat, li, seen)
    assert reminder["text"] == REMINDERS[lang], reminder["text"]
    assert [b["text"] for b in buttons(reminder)] == LABELS[lang]
    # "Delivered all" days later: the pledge is delivered (its next reminder is checked then)
    clock.set(DAYS_LATER)
    after = int(reminder["message_id"])
    await chat.press(li, li, reminder, data=button(reminder, "pm:all:")["callback_data"])
    [recorded] = await chat.next_messages(li, 1, after)
    assert "#1" in recorded["text"]
    [pledge] = await pledges_of(store, li)
    assert pledge.status is PledgeStatus.DELIVERED
    async with store() as uow:
        row = await uow.reminders.get(pledge.id)
    assert row is not None and row.sent_count == 1


async def test_someone_elses_reminder_buttons_are_refused_and_change_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li = await pledged(client, chat, store, clock, "zh-hans")
    wang = await member(client, chat, "Wang", "en")
    [own] = await chat.say(wang, "/mypledges")  # a message of Wang's own to press on
    seen = await last_id(client, li)
    clock.set(BEFORE)
    reminder = await reminder_after(chat, li, seen)
    for data in (b["callback_data"] for b in buttons(reminder)):
        answer = await chat.press(wang, wang, own, data=data, forged=True)
        assert answer["text"] == "You have no pledge with that number.", answer
    [pledge] = await pledges_of(store, li)
    assert pledge.status is PledgeStatus.PLEDGED and not pledge.fulfilments
    async with store() as uow:
        assert await uow.dialogs.get(wang) is None
