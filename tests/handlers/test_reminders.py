"""Reminders through the bot: a pledge made in chat is reminded on its day, in the pledger's
language, with buttons that work; nobody else can press them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.clock import FakeClock
from domain.pledges.models import PledgeStatus
from domain.reminders.models import Pause
from domain.reminders.ports import ReminderTrack
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation, Json
from tests.talk import (
    button,
    buttons,
    confirm,
    coordinator_of,
    join,
    last_id,
    make_appeal,
    member,
    pledged_to_appeal_of_coordinator,
    pledges_of,
    press_and_read_edit,
    review_notice,
    volunteer_pledge,
)

#: Two days before the appeal's deadline (29 February 2020), 10:00 in Shanghai.
BEFORE = datetime(2020, 2, 27, 2, 0, tzinfo=UTC)
#: The deadline itself, 10:00 in Shanghai.
ON_THE_DAY = datetime(2020, 2, 29, 2, 0, tzinfo=UTC)
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
RECORDED_ALL = {
    "zh-hans": "已记录：认捐 #1 送达 3000公斤。状态：已送达。",
    "zh-hant": "已記錄：認捐 #1 送達 3000公斤。狀態：已送達。",
    "en": "Recorded: 3,000 kg delivered for pledge #1. Status: delivered.",
}
USAGE = (
    "发送 /reminders 查看接下来的提醒，/reminders off 或 /reminders on 关闭或开启提醒，"
    "/reminders 3 暂停全部提醒 3 天。"
)
LABELS = {
    "zh-hans": ["已全部送达", "已送达部分", "需要更多时间", "取消认捐"],
    "zh-hant": ["已全部送達", "已送達部分", "需要更多時間", "取消認捐"],
    "en": ["Delivered all", "Delivered part", "Need more time", "Cancel pledge"],
}


async def reminder_after(chat: Conversation, person: int, seen: int) -> Json:
    """The next message the person gets (a reminder, with its buttons)."""
    [message] = await chat.next_messages(person, 1, seen)
    return message


async def reminded(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str = "zh-hans", organisation_id: int | None = None,
) -> tuple[int, Json]:
    """A member's pledge and its first reminder, two days before the deadline."""
    appeal = await make_appeal(store, clock, organisation_id=organisation_id)
    li = await member(client, chat, "Li", lang)
    if organisation_id is not None:
        await join(store, li, organisation_id)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, li, summary)
    seen = await last_id(client, li)
    clock.set(BEFORE)
    return li, await reminder_after(chat, li, seen)


async def press(chat: Conversation, person: int, message: Json, prefix: str) -> Json:
    """Press the button of `message` whose data starts with `prefix`; the bot's next message."""
    after = await last_id(chat.client, person)
    await chat.press(person, person, message, data=button(message, prefix)["callback_data"])
    [answer] = await chat.next_messages(person, 1, after)
    return answer


async def row(store: SqlUnitOfWorkFactory, pledge_id: int = 1) -> ReminderTrack:
    """The pledge's reminder row."""
    async with store() as uow:
        found = await uow.reminders.get(pledge_id)
    assert found is not None
    return found


@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
async def test_a_reminder_two_days_before_says_what_is_open_in_the_pledgers_language(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    li, reminder = await reminded(client, chat, store, clock, lang)
    assert reminder["text"] == REMINDERS[lang], reminder["text"]
    assert [b["text"] for b in buttons(reminder)] == LABELS[lang]
    # "Delivered all" days later: the pledge is delivered and no reminder is planned any more
    clock.set(DAYS_LATER)
    recorded = await press(chat, li, reminder, "rm:all:")
    assert recorded["text"] == RECORDED_ALL[lang], recorded["text"]
    [pledge] = await pledges_of(store, li)
    assert pledge.status is PledgeStatus.DELIVERED
    planned = await row(store)
    assert (planned.sent_count, planned.due_at) == (1, None)
    assert "reply_markup" not in next(
        m for m in await chat.client.messages(li) if m["message_id"] == reminder["message_id"]
    ), "the answered reminder lost its buttons"


async def test_delivered_part_asks_how_much_tells_the_coordinator_and_plans_the_rest(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="en")
    li, reminder = await reminded(client, chat, store, clock, organisation_id=org)
    question = await press(chat, li, reminder, "rm:part:")
    assert question["text"].startswith("送达了多少？"), question["text"]
    seen = await last_id(client, co)
    [refused] = await chat.say(li, "很多")
    assert refused["text"] == "请写明送达了多少，例如 1000公斤。", refused["text"]
    [recorded] = await chat.say(li, "1000公斤")
    assert recorded["text"] == (
        "已记录：认捐 #1 送达 1000公斤。状态：部分送达。\n"
        "尚未送达：2000公斤消毒液\n"
        "我会在 2月29日再提醒你。"
    ), recorded["text"]
    planned = await row(store)
    assert (planned.slot, planned.due_at) == ("due", ON_THE_DAY)
    notice = await review_notice(chat, co, seen)
    assert "1,000 kg" in notice["text"], notice["text"]
    # the reminder's buttons still work: the rest, delivered
    recorded = await press(chat, li, reminder, "rm:all:")
    assert recorded["text"].startswith("已记录：认捐 #1 送达 2000公斤。"), recorded["text"]
    assert (await row(store)).due_at is None


async def test_need_more_time_moves_the_date_by_a_button_or_a_typed_date(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li, reminder = await reminded(client, chat, store, clock, "en")
    question = await press(chat, li, reminder, "rm:more:")
    assert [b["text"] for b in buttons(question)] == ["+1 day", "+3 days", "+1 week"]
    moved = await press(chat, li, question, "ra:date:3")
    assert moved["text"] == (
        "Pledge #1 will now be delivered by 2020-03-03.\nI will remind you again on 2020-03-01."
    ), moved["text"]
    [pledge] = await pledges_of(store, li)
    assert pledge.due_date == date(2020, 3, 3)
    assert (await row(store)).slot == "before"
    # the old "+3 days" again: its question is closed, nothing changes
    stale = await chat.press(li, li, question, data="ra:date:3", forged=True)
    assert stale["text"] == "This button is no longer valid."
    [pledge] = await pledges_of(store, li)
    assert pledge.due_date == date(2020, 3, 3)
    # a typed date, after refusals that change nothing
    await press(chat, li, reminder, "rm:more:")
    for text, refusal in (
        ("someday", "I could not read that date. Write it like 2026-02-25, 2月25日 or 明天."),
        ("2020-02-01", "That date has passed. Please give today or a later date."),
    ):
        [refused] = await chat.say(li, text)
        assert refused["text"] == refusal, refused["text"]
    [moved] = await chat.say(li, "2020-03-10")
    assert moved["text"].startswith("Pledge #1 will now be delivered by 2020-03-10."), moved
    [pledge] = await pledges_of(store, li)
    assert pledge.due_date == date(2020, 3, 10)


async def test_cancel_asks_why_and_ends_the_reminders(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li, reminder = await reminded(client, chat, store, clock, "zh-hant")
    question = await press(chat, li, reminder, "rm:cancel:")
    assert question["text"] == "為什麼取消？一句話即可。", question["text"]
    [refused] = await chat.say(li, "为" * 1001)
    assert "1000" in refused["text"], refused["text"]
    [cancelled] = await chat.say(li, "资金另有安排")
    assert cancelled["text"] == "認捐 #1 已取消。", cancelled["text"]
    [pledge] = await pledges_of(store, li)
    assert pledge.status is PledgeStatus.CANCELLED and pledge.cancel_reason == "资金另有安排"
    assert (await row(store)).due_at is None
    closed = await chat.press(li, li, reminder, data=button(reminder, "rm:all:")["callback_data"])
    assert closed["text"] == "該認捐已結束，不能再報告送達。", closed["text"]


async def test_someone_elses_reminder_buttons_are_refused_and_change_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li, reminder = await reminded(client, chat, store, clock)
    wang = await member(client, chat, "Wang", "en")
    [own] = await chat.say(wang, "/mypledges")  # a message of Wang's own to press on
    for data in (b["callback_data"] for b in buttons(reminder)):
        answer = await chat.press(wang, wang, own, data=data, forged=True)
        assert answer["text"] == "You have no pledge with that number.", answer
    for data in ("rm:all:99999999999999999999", "rm:nosuch:1", "ra:date:3", "ra:part:1"):
        answer = await chat.press(wang, wang, own, data=data, forged=True)
        assert answer["text"] == "This button is no longer valid.", (data, answer)
    [pledge] = await pledges_of(store, li)
    assert pledge.status is PledgeStatus.PLEDGED and not pledge.fulfilments
    async with store() as uow:
        assert await uow.dialogs.get(wang) is None
    assert (await row(store)).sent_count == 1


# -- /reminders: the coming reminders, snooze, off ------------------------------------------


async def test_reminders_shows_what_is_coming_and_snoozes_turns_off_and_on(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, li, summary)
    [listing] = await chat.say(li, "/reminders")
    assert listing["text"] == "接下来的提醒：\n• #1 3000公斤消毒液: 2月27日 10:00", listing["text"]
    assert [b["text"] for b in buttons(listing)] == [
        "暂停 1 天", "暂停 3 天", "暂停 1 周", "关闭提醒"
    ]
    # ten days of snooze hold the first two slots: one reminder when it ends, at 17:00 there
    [snoozed] = await chat.say(li, "/reminders 10")
    assert snoozed["text"] == (
        "你的提醒已暂停到 2月29日 17:00。\n接下来的提醒：\n• #1 3000公斤消毒液: 2月29日 17:00"
    ), snoozed["text"]
    assert (await row(store)).due_at == datetime(2020, 2, 29, 9, 0, tzinfo=UTC)
    # off by the button: nothing planned; on again: the plan is back
    await chat.press(li, li, snoozed, data=button(snoozed, "rs:on:")["callback_data"])
    [off] = await chat.say(li, "/reminders off")
    assert off["text"] == "你的提醒已关闭：在你重新开启之前不会发送任何提醒。", off["text"]
    assert (await row(store)).due_at is None
    await chat.press(li, li, off, data=button(off, "rs:on:")["callback_data"])
    edited = next(m for m in await client.messages(li) if m["message_id"] == off["message_id"])
    assert edited["text"] == "接下来的提醒：\n• #1 3000公斤消毒液: 2月27日 10:00", edited["text"]
    assert (await row(store)).due_at == BEFORE
    # the pledge's history says it was not being reminded for a while
    async with store() as uow:
        events = [e for e in await uow.audit.recent() if e.action == "reminder.pause"]
    assert [e.after for e in reversed(events)][-2:] == ["off", "on"]
    assert all(e.subject == "pledge:1" for e in events)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("/reminders 0", "暂停提醒可以是 1 到 30 天。"),
        ("/reminders 31", "暂停提醒可以是 1 到 30 天。"),
        ("/reminders -3", "暂停提醒可以是 1 到 30 天。"),
        ("/reminders 99999999999999999999999", USAGE),
        ("/reminders 明天", USAGE),
        ("/reminders " + "x" * 4000, USAGE),
    ],
)
async def test_bad_reminders_arguments_are_answered_and_change_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, text: str,
    answer: str,
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    [refused] = await chat.say(li, text)
    assert refused["text"] == answer, refused["text"]
    async with store() as uow:
        assert await uow.reminders.pause_of(li) == Pause()


async def test_forged_reminders_buttons_change_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    li = await member(client, chat, "Li", "en")
    [listing] = await chat.say(li, "/reminders")
    assert listing["text"] == (
        "No reminder is planned: none of your open pledges has a due date."
    ), listing["text"]
    for data in ("rs:snooze:5", "rs:snooze:99", "rs:nosuch:1", "rs:off:123"):
        answer = await chat.press(li, li, listing, data=data, forged=True)
        assert answer["text"] == "This button is no longer valid.", (data, answer)
    async with store() as uow:
        assert await uow.reminders.pause_of(li) == Pause()


async def test_delivered_part_takes_a_photo_as_proof_with_the_amount_as_its_caption(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="zh-hans")
    li, reminder = await reminded(client, chat, store, clock, "en", organisation_id=org)
    await press(chat, li, reminder, "rm:part:")
    after = await last_id(client, li)
    await client.send_photo(li, caption="", data=b"\x89PNG fake receipt")
    [refused] = await chat.next_messages(li, 1, after)
    assert refused["text"] == "Please add how much was delivered as the caption, e.g. 1000公斤."
    seen = await last_id(client, co)
    after = await last_id(client, li)
    await client.send_photo(li, caption="1000公斤", data=b"\x89PNG fake receipt")
    [recorded] = await chat.next_messages(li, 1, after)
    assert recorded["text"].startswith("Recorded: 1,000 kg delivered for pledge #1."), recorded
    [pledge] = await pledges_of(store, li)
    assert pledge.fulfilments[0].proof_file_id is not None
    notice = await review_notice(chat, co, seen)
    assert notice["photo"][0]["file_id"] == pledge.fulfilments[0].proof_file_id


# -- escalation: the coordinators' daily message ----------------------------------------------

#: The deadline's sequence in Shanghai: two days before, the day, three overdue 3 days apart.
SLOTS = [datetime(2020, month, day, 2, 0, tzinfo=UTC)
         for month, day in ((2, 27), (2, 29), (3, 3), (3, 6), (3, 9))]


async def test_unanswered_reminders_reach_the_coordinator_in_one_message_with_its_buttons(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="zh-hans")
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", "zh-hans")
    await join(store, li, org)
    for text in ("消毒液 3000公斤", "N95口罩 500个"):
        [summary] = await chat.say(li, f"/pledge {appeal.id} {text}")
        await confirm(chat, li, summary)
    for slot in SLOTS:  # every reminder goes, nobody answers
        seen = await last_id(client, li)
        clock.set(slot)
        await chat.next_messages(li, 2, seen)
    notice = await escalation_after(chat, co)
    assert notice["text"] == (
        "这些认捐需要你跟进：提醒没有回应，或无法联系到认捐人。请与他们联系。\n"
        "• #1 Li：3000公斤消毒液，原定 2月29日；5 次提醒没有回应\n"
        "• #2 Li：500个N95口罩，原定 2月29日；5 次提醒没有回应"
    ), notice["text"]
    assert [b["callback_data"] for b in buttons(notice)] == [
        "re:now:1", "re:date:1", "re:lapse:1", "re:now:2", "re:date:2", "re:lapse:2"
    ]
    # nobody else may chase it; the pledger neither
    for stranger in (li, await member(client, chat, "Wang", "en")):
        [own] = await chat.say(stranger, "/reminders")
        refused = await chat.press(stranger, stranger, own, data="re:lapse:1", forged=True)
        assert refused["text"] in ("这个认捐不归你协调。", "This pledge is not one you coordinate.")
    # remind again now: one more reminder to the pledger
    seen = await last_id(client, li)
    told = await press(chat, co, notice, "re:now:1")
    assert told["text"] == "认捐 #1 将在片刻后再次提醒。", told["text"]
    [again] = await chat.next_messages(li, 1, seen)
    assert again["text"].startswith(
        "认捐 #1 提醒：还差 3000公斤消毒液，原定 2月29日送达，已经逾期。"
    ), again["text"]
    # a new date ("I called them"): the reminders start again from it
    question = await press(chat, co, notice, "re:date:1")
    assert question["text"].startswith("认捐 #1 的新日期是？"), question["text"]
    [moved] = await chat.say(co, "3月20日")
    assert moved["text"] == (
        "认捐 #1 的送达日期已改为 3月20日。\n认捐人将在 3月18日再次收到提醒。"
    ), moved["text"]
    # lapsed: its own status, no longer chased
    lapsed = await press(chat, co, notice, "re:lapse:2")
    assert lapsed["text"] == (
        "认捐 #2 已标记为失效，不再跟进。按它的“新日期”按钮可重新开启。"
    ), lapsed["text"]
    first, second = sorted(await pledges_of(store, li), key=lambda p: p.id)
    assert first.due_date == date(2020, 3, 20) and first.status is PledgeStatus.PLEDGED
    assert second.status is PledgeStatus.LAPSED and second.cancel_reason is None
    assert (await row(store, 2)).due_at is None
    [mine] = await chat.say(li, "/mypledges")
    item = button(mine, "ml:it:2:")["callback_data"]
    opened = await press_and_read_edit(chat, client, li, mine, item)
    assert "状态：已失效" in opened["text"] and not buttons(opened)[:-1], opened
    # chasing it is refused; its new date re-opens it
    refused = await chat.press(co, co, notice, data="re:now:2")
    assert refused["text"] == "这个认捐已经结束，无需跟进。", refused
    question = await press(chat, co, notice, "re:date:2")
    assert question["text"].startswith("认捐 #2 的新日期是？"), question["text"]
    [reopened] = await chat.say(co, "3月25日")
    assert reopened["text"] == (
        "认捐 #2 不再是失效状态：重新计入总数并继续跟进。\n"
        "认捐 #2 的送达日期已改为 3月25日。\n认捐人将在 3月23日再次收到提醒。"
    ), reopened["text"]
    [_first, second] = sorted(await pledges_of(store, li), key=lambda p: p.id)
    assert second.status is PledgeStatus.PLEDGED and second.lapsed_at is None


async def escalation_after(chat: Conversation, coordinator: int) -> Json:
    """The coordinator's next message with escalation buttons (news batches may come first)."""
    after = 0
    for _ in range(6):
        [message] = await chat.next_messages(coordinator, 1, after)
        if any(b.get("callback_data", "").startswith("re:") for b in buttons(message)):
            return message
        after = int(message["message_id"])
    raise AssertionError("no escalation message")


# -- the daily digest -------------------------------------------------------------------------


async def test_digest_setting_and_a_digest_at_the_chosen_hour(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="zh-hant")
    [shown] = await chat.say(co, "/digest")
    assert shown["text"] == (
        "你的每日摘要已開啟，時間為 18:00。\n"
        "可以用 /digest off、/digest on 或 /digest HH:MM 更改，例如 /digest 19:30。"
    ), shown["text"]
    for bad in ("25:00", "19", "sometime", "19:30" * 100):
        [refused] = await chat.say(co, f"/digest {bad}")
        assert refused["text"] == "請按 HH:MM 寫一天中的時間，例如 18:00。", (bad, refused)
    [changed] = await chat.say(co, "/digest 19:30")
    assert changed["text"].startswith("你的每日摘要已開啟，時間為 19:30。"), changed["text"]
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", "zh-hans")
    await join(store, li, org)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, li, summary)
    [refused] = await chat.say(li, "/digest off")
    assert refused["text"] == "每日摘要只发给协调员。", refused["text"]
    seen = await last_id(client, co)
    clock.set(datetime(2020, 2, 19, 11, 30, tzinfo=UTC))  # 19:30 in Shanghai, the same day
    digest = await message_starting(chat, co, seen, "你的每日摘要：")
    assert digest["text"] == (
        "你的每日摘要：\n新認捐：1 項\n• #1 消毒液 3000公斤\n"
        "倡議 #1 抗疫倡议：1 位認捐人的 1 項認捐，0 項逾期"
    ), digest["text"]
    [off] = await chat.say(co, "/digest off")
    assert off["text"].startswith("你的每日摘要已關閉。"), off["text"]


async def message_starting(chat: Conversation, person: int, after: int, start: str) -> Json:
    """The person's next message that starts with `start` (others may come first)."""
    for _ in range(6):
        [message] = await chat.next_messages(person, 1, after)
        if message.get("text", "").startswith(start):
            return message
        after = int(message["message_id"])
    raise AssertionError(f"no message starting {start!r}")


# -- /nudges ------------------------------------------------------------------------------------


async def test_nudges_are_switched_by_the_appeals_coordinator_only(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="en")
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", "zh-hans")
    await join(store, li, org)
    [refused] = await chat.say(li, f"/nudges {appeal.id} off")
    assert refused["text"] == "只有倡议 #1 的协调员才能更改这项设置。", refused["text"]
    for bad in ("", "1", "off", "1 maybe", "-1 off", "99999999999999999999 off"):
        [usage] = await chat.say(co, f"/nudges {bad}".strip())
        assert usage["text"] == (
            "Write /nudges APPEAL off or /nudges APPEAL on, e.g. /nudges 12 off."
        ), (bad, usage)
    [unknown] = await chat.say(co, "/nudges 42 off")
    assert unknown["text"] == "There is no appeal number 42.", unknown["text"]
    [off] = await chat.say(co, f"/nudges {appeal.id} off")
    assert off["text"] == "Appeal #1's groups get no more deadline nudges.", off["text"]
    async with store() as uow:
        assert await uow.nudges.nudges_off(appeal.id)
    [on] = await chat.say(co, f"/nudges #{appeal.id} on")
    assert on["text"] == "Appeal #1's groups get deadline nudges again.", on["text"]


# -- volunteer time: still coming? / the morning of / did it happen? ------------------------


async def test_volunteer_time_is_asked_the_day_before_reminded_the_morning_and_asked_after(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    ann = await member(client, chat, "Ann", "en")
    await volunteer_pledge(chat, ann, "Sorting donations at the Hankou warehouse", "8 hours",
                           "2020-02-25")
    steps = (
        (datetime(2020, 2, 24, 2, 0, tzinfo=UTC),  # the day before, 10:00 in Shanghai
         "Pledge #1: tomorrow (2020-02-25) you volunteer: Sorting donations at the Hankou "
         "warehouse. Are you still coming?", ["Yes, I am coming", "I cannot come"]),
        (datetime(2020, 2, 25, 0, 0, tzinfo=UTC),  # the morning of, 08:00 there
         "Pledge #1: today you volunteer: Sorting donations at the Hankou warehouse. Thank you!",
         ["I cannot come"]),
        (datetime(2020, 2, 26, 2, 0, tzinfo=UTC),  # the day after
         "Pledge #1: did your volunteering on 2020-02-25 happen?",
         ["Yes, 8 hours", "Yes, other hours", "No, it did not"]),
    )
    for moment, text, labels in steps:
        seen = await last_id(client, ann)
        clock.set(moment)
        message = await reminder_after(chat, ann, seen)
        assert message["text"] == text, message["text"]
        assert [b["text"] for b in buttons(message)] == labels
        if labels[0] == "Yes, I am coming":
            coming = await press(chat, ann, message, "rm:coming:")
            assert coming["text"] == "Thank you! See you there."
    recorded = await press(chat, ann, message, "rm:all:")
    assert recorded["text"] == (
        "Recorded: 8 hours delivered for pledge #1. Status: delivered."
    ), recorded["text"]
    [pledge] = await pledges_of(store, ann)
    assert pledge.status is PledgeStatus.DELIVERED



# -- an appeal's own reminders ----------------------------------------------------------------


async def test_an_appeals_reminders_are_paused_changed_and_resumed_by_its_coordinator(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, li, appeal = await pledged_to_appeal_of_coordinator(client, chat, store, clock)
    [shown] = await chat.say(co, f"/appealreminders {appeal.id}")
    assert shown["text"] == (
        "Appeal #1 抗疫倡议: reminders 2 days before the due date, on the day, then every 3 "
        "days, at most 3 after it.\nThis is the network's policy.\n"
        "Deadline nudges to its groups: on."
    ), shown["text"]
    [refused] = await chat.say(li, f"/appealreminders {appeal.id} pause")
    assert refused["text"] == "只有倡议 #1 的协调员才能更改这项设置。", refused["text"]
    for bad, answer in (
        ("", "Write /appealreminders APPEAL"), (f"{appeal.id} sometimes", "Write /appeal"),
        (f"{appeal.id} 2 3", "Write /appealreminders"), (f"{appeal.id} 2 0 3", "Days before"),
        (f"{appeal.id} 31 3 3", "Days before"), (f"{appeal.id} -1 3 3", "Days before"),
    ):
        [reply_] = await chat.say(co, f"/appealreminders {bad}".strip())
        assert reply_["text"].startswith(answer), (bad, reply_["text"])
    [paused] = await chat.say(co, f"/appealreminders {appeal.id} pause")
    assert paused["text"] == (
        "Appeal #1 抗疫倡议: its reminders are paused.\nOnce resumed: 2 days before the due "
        "date, on the day, then every 3 days, at most 3 after it.\nThis is the network's "
        "policy.\nDeadline nudges to its groups: on."
    ), paused["text"]
    assert (await row(store)).due_at is None  # re-planned in the same transaction
    [own] = await chat.say(co, f"/appealreminders {appeal.id} 5 1 2")
    assert own["text"].startswith("Appeal #1 抗疫倡议: its reminders are paused."), own["text"]
    [resumed] = await chat.say(co, f"/appealreminders {appeal.id} resume")
    assert resumed["text"] == (
        "Appeal #1 抗疫倡议: reminders 5 days before the due date, on the day, then every 1 "
        "days, at most 2 after it.\nDeadline nudges to its groups: on."
    ), resumed["text"]
    # five days before the 29th, at 10:00 in Shanghai
    assert (await row(store)).due_at == datetime(2020, 2, 24, 2, 0, tzinfo=UTC)
