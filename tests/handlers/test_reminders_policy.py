"""An appeal's reminders from /appeals: the panel under its Reminders button, pause and
resume, nudges off and on, new numbers through a dialog with bad numbers refused in the
reader's language; only the appeal's coordinators; every change re-plans its pledges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.clock import FakeClock
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation, Json
from tests.talk import (
    button,
    buttons,
    member,
    pledged_to_appeal_of_coordinator,
    press_and_read,
    press_and_read_edit,
)

PANEL = {
    "en": "Appeal #1 抗疫倡议: reminders 2 days before the due date, on the day, then every 3 "
    "days, at most 3 after it.\nThis is the network's policy.\n"
    "Deadline nudges to its groups: on.",
    "zh-hans": "倡议 #1 抗疫倡议：送达日期前 2 天提醒一次，当天提醒一次，之后每 3 天提醒一次，"
    "逾期后最多 3 次。\n这是网络的默认设置。\n给群组的截止提醒：开启。",
    "zh-hant": "倡議 #1 抗疫倡议：送達日期前 2 天提醒一次，當天提醒一次，之後每 3 天提醒一次，"
    "逾期後最多 3 次。\n這是網絡的預設設定。\n給群組的截止提醒：開啟。",
}
#: The refusal of a number outside 1..30 (days between reminders) in each language.
NOT_IN_RANGE = {
    "en": "Please write a whole number from 1 to 30.",
    "zh-hans": "请写一个 1 到 30 之间的整数。",
    "zh-hant": "請寫一個 1 到 30 之間的整數。",
}


async def panel_of(chat: Conversation, co: int) -> Json:
    """The panel the Reminders button of the coordinator's appeal in /appeals opens."""
    [listed] = await chat.say(co, "/appeals")
    return await press_and_read(chat, co, listed, button(listed, "ar:show:")["callback_data"])


async def next_due(store: SqlUnitOfWorkFactory, pledge_id: int = 1) -> datetime | None:
    """When the pledge's next reminder is planned."""
    async with store() as uow:
        track = await uow.reminders.get(pledge_id)
    return None if track is None else track.due_at


@pytest.mark.parametrize("lang", ["en", "zh-hans", "zh-hant"])
async def test_new_numbers_from_the_appeals_panel_bad_ones_refused_in_the_readers_language(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    co, _li, appeal = await pledged_to_appeal_of_coordinator(client, chat, store, clock, lang)
    [listed] = await chat.say(co, "/appeals")
    assert [b["callback_data"] for b in buttons(listed)][-1] == "ar:show:1"
    panel = await press_and_read(chat, co, listed, "ar:show:1")
    assert panel["text"] == PANEL[lang], panel["text"]
    question = await press_and_read(chat, co, panel, "ar:change:1")
    assert [b["callback_data"] for b in buttons(question)] == [
        "aq:before:0", "aq:before:1", "aq:before:2", "aq:before:3", "aq:before:7"
    ]
    assert buttons(await message_now(client, co, panel)), "the panel keeps its buttons"
    [every] = await chat.say(co, "5")
    for bad in ("0", "-1", "31", "99999999999999999999", "three", "２", "3.5", "三"):
        [refused] = await chat.say(co, bad)
        assert refused["text"] == NOT_IN_RANGE[lang], (bad, refused["text"])
    forged = await chat.press(co, co, every, data="aq:every:99", forged=True)
    assert forged["text"] == NOT_IN_RANGE[lang], forged
    async with store() as uow:
        assert (await uow.reminders.appeal_policy(appeal.id)).policy is None  # nothing kept
    most = await press_and_read(chat, co, every, "aq:every:1")
    shown = await press_and_read(chat, co, most, "aq:most:3")
    assert shown["text"].startswith({
        "en": "Appeal #1 抗疫倡议: reminders 5 days before the due date, on the day, then "
        "every 1 days, at most 3 after it.\nDeadline nudges",
        "zh-hans": "倡议 #1 抗疫倡议：送达日期前 5 天提醒一次，当天提醒一次，之后每 1 天提醒一次，"
        "逾期后最多 3 次。\n给群组",
        "zh-hant": "倡議 #1 抗疫倡议：送達日期前 5 天提醒一次，當天提醒一次，之後每 1 天提醒一次，"
        "逾期後最多 3 次。\n給群組",
    }[lang]), shown["text"]
    # re-planned in the same transaction: five days before the 29th, 10:00 in Shanghai
    assert await next_due(store) == datetime(2020, 2, 24, 2, 0, tzinfo=UTC)
    assert "ar:default:1" in [b["callback_data"] for b in buttons(shown)]


async def test_pause_resume_and_nudges_from_the_panel_and_only_by_its_coordinators(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, li, appeal = await pledged_to_appeal_of_coordinator(client, chat, store, clock, "zh-hans")
    panel = await panel_of(chat, co)
    planned = datetime(2020, 2, 27, 2, 0, tzinfo=UTC)  # two days before, 10:00 in Shanghai
    paused = await press_and_read_edit(chat, client, co, panel, "ar:pause:1")
    assert paused["text"].startswith(
        "倡议 #1 抗疫倡议：提醒已暂停。\n恢复后：送达日期前 2 天提醒一次"
    ), paused["text"]
    assert await next_due(store) is None  # re-planned with the pause
    assert [b["callback_data"] for b in buttons(paused)] == [
        "ar:resume:1", "ar:change:1", "ar:nudgesoff:1"
    ]
    off = await press_and_read_edit(chat, client, co, paused, "ar:nudgesoff:1")
    assert off["text"].endswith("给群组的截止提醒：关闭。"), off["text"]
    async with store() as uow:
        assert await uow.nudges.nudges_off(appeal.id)
    resumed = await press_and_read_edit(chat, client, co, off, "ar:resume:1")
    assert resumed["text"].startswith("倡议 #1 抗疫倡议：送达日期前 2 天"), resumed["text"]
    assert await next_due(store) == planned
    # a member, and a coordinator of another organisation, are refused and change nothing
    await chat.say(ADMIN_ID, "/org add 工商联")
    other = await member(client, chat, "Other", "en")
    await chat.say(ADMIN_ID, "/grant @other coordinator 工商联")
    for stranger, refusal in (
        (li, "只有倡议 #1 的协调员才能更改这项设置。"),
        (other, "Only a coordinator of appeal #1 can change this."),
    ):
        [own] = await chat.say(stranger, "/reminders")
        for data in ("ar:show:1", "ar:pause:1", "ar:change:1", "ar:nudgesoff:1"):
            refused = await chat.press(stranger, stranger, own, data=data, forged=True)
            assert refused["text"] == refusal, (data, refused)
    for data in ("ar:pause:0", "ar:pause:99999999999999999999", "ar:explode:1", "ar:pause:x"):
        stale = await chat.press(co, co, resumed, data=data, forged=True)
        assert stale["text"] == "此按钮已失效。", (data, stale)
    async with store() as uow:
        own_policy = await uow.reminders.appeal_policy(appeal.id)
        assert not own_policy.paused and own_policy.policy is None
        assert await uow.nudges.nudges_off(appeal.id)
    assert await next_due(store) == planned
    [unknown] = await chat.say(co, "/appealreminders 42")
    assert unknown["text"] == "没有编号为 42 的倡议。", unknown["text"]


async def message_now(client: SandboxClient, person: int, message: Json) -> Json:
    """The message as the person's chat shows it now (after edits)."""
    [now] = [m for m in await client.messages(person) if m["message_id"] == message["message_id"]]
    return now
