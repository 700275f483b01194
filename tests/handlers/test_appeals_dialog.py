"""The /appeal dialog and broadcast through the sandbox: bad input, buttons, double taps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.appeals.models import Appeal, AppealStatus, parse_appeal_deep_link
from domain.clock import FakeClock
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import (
    approved_groups,
    button,
    coordinator_of,
    last_call,
    make_appeal,
    press_and_read_many,
)

Json = dict[str, Any]


async def press_and_see_progress(chat: Conversation, confirm: Json) -> Json:
    """Press Send; return the first edit of the question into the progress message."""
    client = chat.client
    since = await last_call(client)
    await chat.press(ADMIN_ID, ADMIN_ID, confirm, data="ap:send")
    [edit, *_] = await client.wait_for_calls("editMessageText", count=1, since=since, timeout=10)
    assert int(edit["params"]["message_id"]) == int(confirm["message_id"])
    shown = next(
        m for m in await client.messages(ADMIN_ID) if m["message_id"] == confirm["message_id"]
    )
    assert "reply_markup" not in shown  # Send, Cancel and Fix are gone with the question
    return {**shown, "text": str(edit["params"]["text"])}


async def test_coordinator_writes_previews_and_broadcasts_once(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    groups = await approved_groups(client, chat, store, 2)
    [title_q] = await chat.say(ADMIN_ID, "/appeal")
    assert title_q["text"] == "What is the appeal's title?"
    [body_q] = await chat.say(ADMIN_ID, "武汉急需口罩")
    assert "text" in body_q["text"]
    [needs_q] = await chat.say(ADMIN_ID, "请大家支援武汉。")
    [added] = await chat.say(ADMIN_ID, "口罩 10000个")
    assert added["text"] == "Added: 口罩: 10,000 pieces"
    [money] = await chat.say(ADMIN_ID, "资金 50万元")
    assert "¥500,000" in money["text"]
    [bad] = await chat.say(ADMIN_ID, "口罩")
    assert "口罩" in bad["text"] and "Write" in bad["text"]
    _, [rcp_q] = await press_and_read_many(chat, ADMIN_ID, needs_q, "ap:needs_done", 1)
    assert "recipients" in rcp_q["text"]
    await chat.say(ADMIN_ID, "黄山街道办事处")
    _, [deadline_q] = await press_and_read_many(chat, ADMIN_ID, rcp_q, "ap:rcp_done", 1)
    assert "Until when?" in deadline_q["text"]
    [past] = await chat.say(ADMIN_ID, "2019-01-01")
    assert "in the past" in past["text"]
    [audience_q] = await chat.say(ADMIN_ID, "2月20日")
    assert audience_q["reply_markup"]["inline_keyboard"]
    _, [preview] = await press_and_read_many(chat, ADMIN_ID, audience_q, "ap:all", 1)
    confirm = preview  # one message: the preview carries Send
    assert "武汉急需口罩" in preview["text"] and "口罩：10000个" in preview["text"]
    assert "50万元" in preview["text"] and "2020-02-20" in preview["text"]

    # The question becomes the progress message: its id is stored with the appeal.
    progress = await press_and_see_progress(chat, confirm)
    assert progress["text"] == "Sent 0/2"
    again = await chat.press(ADMIN_ID, ADMIN_ID, confirm, data="ap:send", forged=True)
    assert again["text"] == "This button is no longer valid."

    for group_id in groups:
        posted = (await chat.next_messages(group_id, 2, None))[-1]
        [[button]] = posted["reply_markup"]["inline_keyboard"]
        payload = button["url"].split("?start=")[1]
        parsed = parse_appeal_deep_link(payload)
        assert parsed is not None and parsed[1] == group_id
    report = await client.wait_for_bot_messages(
        ADMIN_ID, count=1, timeout=10, after_message_id=int(progress["message_id"])
    )
    assert "Delivered to 2 of 2 groups." in report[-1]["text"]
    for group_id in groups:
        sent = await client.bot_messages(group_id)
        assert len([m for m in sent if "武汉急需口罩" in m.get("text", "")]) == 1
    async with store() as uow:
        [appeal] = await uow.appeals.open()
    assert appeal.status is AppealStatus.OPEN and len(appeal.needs) == 1


async def test_a_member_cannot_appeal_or_press_a_coordinator_button(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    member = await client.create_user("Mo", language_code="en")
    [refused] = await chat.say(member["id"], "/appeal")
    assert refused["text"] == "Only coordinators and admins can write appeals."
    # a press forged for a question answered by typing is no button of the dialog
    [title_q] = await chat.say(ADMIN_ID, "/appeal")
    for data, said in (
        ("ap:title", "This button is no longer valid."),
        ("ap:title:x", "This button is no longer valid."),
        ("ap:deadline:1", "This question is already answered."),  # another step's
        ("ap:nosuch", "This question is already answered."),
    ):
        forged = await chat.press(ADMIN_ID, ADMIN_ID, title_q, data=data, forged=True)
        assert forged["text"] == said, data
    [body_q] = await chat.say(ADMIN_ID, "口罩")
    assert body_q["text"] == "Write the appeal's text, as the groups should read it."
    async with store() as uow:
        assert await uow.dialogs.get(member["id"]) is None
    [listing] = await chat.say(member["id"], "/appeals")
    assert listing["text"] == "There are no open appeals."
    answer = await chat.press(member["id"], member["id"], listing, data="am:close:99", forged=True)
    assert answer["text"] == "There is no appeal number 99."
    async with store() as uow:
        appeal = await uow.appeals.add(
            Appeal(
                0,
                "口罩",
                "请支援",
                AppealStatus.OPEN,
                None,
                "CNY",
                None,
                None,
                ADMIN_ID,
                datetime(2020, 2, 19, tzinfo=UTC),
            )
        )
        await uow.commit()
    [listing] = await chat.say(member["id"], "/appeals")
    assert "口罩" in listing["text"] and "reply_markup" not in listing
    # A forged press of a close button for an appeal that is not theirs changes nothing.
    answer = await chat.press(
        member["id"], member["id"], listing, data=f"am:close:{appeal.id}", forged=True
    )
    assert answer["text"] == "This button is no longer valid."
    async with store() as uow:
        assert [a.id for a in await uow.appeals.open()] == [appeal.id]
    answer = await chat.press(member["id"], member["id"], listing, data="ap:send", forged=True)
    assert answer["text"] == "This button is no longer valid."


async def _to_the_deadline_question(chat: Conversation) -> None:
    """Answer the appeal dialog up to its deadline question."""
    await chat.say(ADMIN_ID, "/appeal")
    await chat.say(ADMIN_ID, "武汉急需口罩")
    [needs_q] = await chat.say(ADMIN_ID, "请大家支援武汉。")
    await chat.say(ADMIN_ID, "口罩 10000个")
    _, [rcp_q] = await press_and_read_many(chat, ADMIN_ID, needs_q, "ap:needs_done", 1)
    await chat.say(ADMIN_ID, "黄山街道办事处")
    _, [deadline_q] = await press_and_read_many(chat, ADMIN_ID, rcp_q, "ap:rcp_done", 1)
    assert "Until when?" in deadline_q["text"]


async def test_the_deadline_is_read_in_the_writers_day_not_the_utc_one(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    clock.set(datetime(2020, 2, 19, 23, 30, tzinfo=UTC))  # 07:30 on 20 February in China
    await approved_groups(client, chat, store, 1)
    await _to_the_deadline_question(chat)
    [past] = await chat.say(ADMIN_ID, "2020-02-19")  # still today in UTC, yesterday there
    assert past["text"] == "2020-02-19 is in the past; give a deadline from today on."
    [audience_q] = await chat.say(ADMIN_ID, "明天")
    _, [preview] = await press_and_read_many(chat, ADMIN_ID, audience_q, "ap:all", 1)
    assert "2020-02-21" in preview["text"], preview["text"]


async def test_a_deadline_that_passed_there_overnight_is_refused_at_send(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    clock.set(datetime(2020, 2, 19, 15, 0, tzinfo=UTC))  # 23:00 on 19 February in China
    await approved_groups(client, chat, store, 1)
    await _to_the_deadline_question(chat)
    [audience_q] = await chat.say(ADMIN_ID, "today")
    _, [preview] = await press_and_read_many(chat, ADMIN_ID, audience_q, "ap:all", 1)
    confirm = preview  # one message: the preview carries Send
    assert "2020-02-19" in preview["text"], preview["text"]
    clock.advance(timedelta(hours=8, minutes=30))  # 07:30 on the 20th there, the 19th in UTC
    refused = await chat.press(ADMIN_ID, ADMIN_ID, confirm, data="ap:send")
    assert refused["text"] == "2020-02-19 is in the past; give a deadline from today on."
    async with store() as uow:
        assert await uow.appeals.open() == []


async def test_extending_a_deadline_reads_the_date_in_the_writers_day(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    clock.set(datetime(2020, 2, 19, 23, 30, tzinfo=UTC))  # 07:30 on 20 February in China
    appeal = await make_appeal(store, clock, deadline=date(2020, 2, 20))
    [listing] = await chat.say(ADMIN_ID, "/appeals")
    extend = button(listing, f"am:extend:{appeal.id}")["callback_data"]
    _, [question] = await press_and_read_many(chat, ADMIN_ID, listing, extend, 1)
    assert question["text"].startswith("Until when?")
    [past] = await chat.say(ADMIN_ID, "2020-02-19")
    assert past["text"] == "2020-02-19 is in the past; give a deadline from today on."
    [moved] = await chat.say(ADMIN_ID, "明天")
    assert moved["text"] == "Deadline: 2020-02-21; 0 group messages will be edited."
    async with store() as uow:
        stored = await uow.appeals.get(appeal.id)
    assert stored is not None and stored.deadline == date(2020, 2, 21)


# -- a pasted list of needs -------------------------------------------------------------------

PASTED = (
    "口罩 5000只\n消毒液 2000公斤\n\n帐篷 若干顶\n志愿者 8人\n1. 棉被 300床\n（2）救护车 2辆\n"
    "- 冲锋舟 5艘\n• 发电机 3台"
)
LIST_TEXTS = {
    "zh-hans": {
        "head": "已添加 7 项需求：",
        "unread": "第4行读不懂：帐篷 若干顶",
        "needs": ["• 口罩：5000只", "• 消毒液：2000公斤", "• 志愿者：8人", "• 棉被：300床",
                  "• 救护车：2辆", "• 冲锋舟：5艘", "• 发电机：3台"],
        "empty": "这张清单是空的。请每行写一项需求，例如 口罩 5000只。",
        "too_many": "这张清单有 51 行，一次最多能读 50 行。什么也没有添加：请分几次发送。",
        "long": "第2行读不懂：",
    },
    "en": {
        "head": "Added 7 needs:",
        "unread": "Line 4 could not be read: 帐篷 若干顶",
        "needs": ["• 口罩: 5,000 pieces", "• 消毒液: 2,000 kg", "• 志愿者: 8 people"],
        "empty": "That list is empty. Send one need per line, e.g. 口罩 5000只.",
        "too_many": "That list has 51 lines; at most 50 can be read at once. Nothing was added: "
        "please send it in parts.",
        "long": "Line 2 could not be read: ",
    },
}


async def _to_the_needs_question(chat: Conversation, person: int) -> Json:
    """Answer the appeal dialog up to its needs question."""
    await chat.say(person, "/appeal")
    await chat.say(person, "武汉急需物资")
    [needs_q] = await chat.say(person, "请大家支援武汉。")
    return needs_q


async def _draft_needs(store: SqlUnitOfWorkFactory, person: int) -> list[tuple[str, str, str]]:
    async with store() as uow:
        dialog = await uow.dialogs.get(person)
    assert dialog is not None
    return [(n["item"], n["unit"], n["target"]) for n in dialog.data["needs"]]


@pytest.mark.parametrize("lang", ["zh-hans", "en"], ids=["zh-Hans", "en"])
async def test_a_pasted_list_of_needs_keeps_each_readable_line_and_names_the_others(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, lang: str
) -> None:
    texts = LIST_TEXTS[lang]
    co, _ = await coordinator_of(client, chat, store, lang)
    needs_q = await _to_the_needs_question(chat, co)
    [answer] = await chat.say(co, PASTED)
    lines = answer["text"].splitlines()
    assert lines[0] == texts["head"], answer["text"]
    for line in texts["needs"]:
        assert line in lines, answer["text"]
    assert texts["unread"] in lines, answer["text"]
    assert await _draft_needs(store, co) == [
        ("口罩", "zhi", "5000"), ("消毒液", "kg", "2000"), ("志愿者", "person", "8"),
        ("棉被", "chuang", "300"), ("救护车", "liang", "2"), ("冲锋舟", "sou", "5"),
        ("发电机", "tai", "3"),
    ]
    # the unreadable line, corrected and sent again, joins the others
    await chat.say(co, "帐篷 200顶")
    assert len(await _draft_needs(store, co)) == 8
    # bad pastes: nothing is added
    [empty] = await chat.say(co, "1.\n-\n•")
    assert empty["text"] == texts["empty"]
    [too_many] = await chat.say(co, "\n".join(f"手套 {n + 1}双" for n in range(51)))
    assert too_many["text"] == texts["too_many"]
    assert len(await _draft_needs(store, co)) == 8
    # a paste of Telegram's whole 4,096 characters: the readable line is kept, the other named
    long = "手套 300双\n" + "很" * (4096 - len("手套 300双\n"))
    assert len(long) == 4096
    [answer] = await chat.say(co, long)
    assert texts["long"] in answer["text"] and len(answer["text"]) < 500, answer["text"]
    assert (await _draft_needs(store, co))[-1] == ("手套", "pair", "300")
    # the needs question, with Done, still finishes the list: the preview shows every need
    _, [rcp_q] = await press_and_read_as(chat, co, needs_q, "ap:needs_done")
    assert rcp_q["text"]


async def press_and_read_as(
    chat: Conversation, person: int, message: Json, data: str
) -> tuple[Json, list[Json]]:
    """Press a button of `person`'s dialog; the answer and the bot's next message."""
    return await press_and_read_many(chat, person, message, data, 1)


# -- answered questions lose their buttons -----------------------------------------------------

ANSWERED = {"zh-hans": "这个问题已经回答过了。", "en": "This question is already answered."}


async def shown(client: SandboxClient, chat_id: int, message: Json) -> Json:
    """A bot message as the chat shows it now (after edits)."""
    return next(
        m for m in await client.messages(chat_id) if m["message_id"] == message["message_id"]
    )


@pytest.mark.parametrize("lang", ["zh-hans", "en"], ids=["zh-Hans", "en"])
async def test_each_answered_appeal_question_loses_its_buttons_and_an_old_one_is_answered(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, lang: str
) -> None:
    co, _ = await coordinator_of(client, chat, store, lang)
    needs_q = await _to_the_needs_question(chat, co)
    await chat.say(co, "口罩 5000只")
    assert "reply_markup" in await shown(client, co, needs_q)  # the list goes on until Done
    _, [rcp_q] = await press_and_read_as(chat, co, needs_q, "ap:needs_done")
    assert "reply_markup" not in await shown(client, co, needs_q)
    await chat.say(co, "黄山街道办事处")
    _, [_deadline_q] = await press_and_read_as(chat, co, rcp_q, "ap:rcp_done")
    assert "reply_markup" not in await shown(client, co, rcp_q)
    [audience_q] = await chat.say(co, "2020-02-29")
    _, [preview] = await press_and_read_as(chat, co, audience_q, "ap:all")
    assert "reply_markup" not in await shown(client, co, audience_q)
    _, [_title_q] = await press_and_read_as(chat, co, preview, "ap:fix:title")
    assert "reply_markup" not in await shown(client, co, preview)  # Send, Fix … are gone
    [again] = await chat.say(co, "武汉急需口罩")
    assert "reply_markup" in again  # the new preview is the live one
    # an old keyboard pressed anyway (a client that kept it) is told, and changes nothing
    before = await _draft_needs(store, co)
    for old, data in ((needs_q, "ap:needs_done"), (audience_q, "ap:orgs"), (preview, "ap:send")):
        answer = await chat.press(co, co, old, data=data, forged=True)
        assert answer["text"] == ANSWERED[lang], answer
    assert await _draft_needs(store, co) == before
    async with store() as uow:
        assert await uow.appeals.open() == []
    # the coordinator's own Cancel under the live preview still works
    answer, _ = await press_and_read_as(chat, co, again, "ap:cancel")
    assert "reply_markup" not in await shown(client, co, again)


async def test_closing_and_reopening_take_the_used_buttons_away(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    await chat.say(ADMIN_ID, "/start")
    appeal = await make_appeal(store, clock)
    [listing] = await chat.say(ADMIN_ID, "/appeals")
    _, [ask] = await press_and_read_many(chat, ADMIN_ID, listing, f"am:close:{appeal.id}", 1)
    await chat.press(ADMIN_ID, ADMIN_ID, ask, data=f"am:closeok:{appeal.id}")
    closed = await shown(client, ADMIN_ID, ask)
    assert [b["callback_data"] for b in closed["reply_markup"]["inline_keyboard"][0]] == [
        f"am:reopen:{appeal.id}"
    ]
    old = await chat.press(ADMIN_ID, ADMIN_ID, ask, data=f"am:keep:{appeal.id}", forged=True)
    assert old["text"] == f"Appeal #{appeal.id} is already closed."
    _, [reopened] = await press_and_read_many(chat, ADMIN_ID, closed, f"am:reopen:{appeal.id}", 1)
    assert reopened["text"].startswith(f"Appeal #{appeal.id} is open again")
    assert "reply_markup" not in await shown(client, ADMIN_ID, ask)


# -- picking groups, words at a button question, expiry ----------------------------------------


async def test_picking_groups_keeps_the_list_until_done_and_sends_to_those_alone(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    first, second = await approved_groups(client, chat, store, 2)
    await _to_the_deadline_question(chat)
    [audience_q] = await chat.say(ADMIN_ID, "2020-02-29")
    # words typed at a button question ask it again
    [again] = await chat.say(ADMIN_ID, "all of them")
    assert again["text"] == audience_q["text"] and again["reply_markup"]
    _, [picks] = await press_and_read_many(chat, ADMIN_ID, again, "ap:picks", 1)
    assert "reply_markup" not in await shown(client, ADMIN_ID, again)
    *groups, done = [row[0]["callback_data"] for row in picks["reply_markup"]["inline_keyboard"]]
    assert sorted(groups) == sorted([f"ap:chat:{first}", f"ap:chat:{second}"])
    assert done == "ap:picked"
    none = await chat.press(ADMIN_ID, ADMIN_ID, picks, data="ap:picked")
    assert none["text"] == "Pick at least one group."
    added = await chat.press(ADMIN_ID, ADMIN_ID, picks, data=f"ap:chat:{second}")
    assert added["text"] == "Added."
    assert (await shown(client, ADMIN_ID, picks))["reply_markup"] == picks["reply_markup"]
    forged = await chat.press(ADMIN_ID, ADMIN_ID, picks, data="ap:chat:0", forged=True)
    assert forged["text"] == "This button is no longer valid."
    _, [preview] = await press_and_read_many(chat, ADMIN_ID, picks, "ap:picked", 1)
    assert "reply_markup" not in await shown(client, ADMIN_ID, picks)
    progress = await press_and_see_progress(chat, preview)
    assert progress["text"] == "Sent 0/1"
    [_hello, post] = await chat.next_messages(second, 2, None)
    assert "武汉急需口罩" in post.get("text", "")
    assert not [m for m in await client.bot_messages(first) if "武汉急需口罩" in m.get("text", "")]


async def test_an_abandoned_appeal_is_discarded_with_a_note_and_an_abandoned_edit_silently(
    app: Any, client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory,
    clock: FakeClock,
) -> None:
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name("dialogs")
    job.enabled = False  # only the test sweeps
    appeal = await make_appeal(store, clock)
    co, _ = await coordinator_of(client, chat, store, "zh-hans")
    [title_q] = await chat.say(co, "/appeal")
    [listing] = await chat.say(ADMIN_ID, "/appeals")
    _, [question] = await press_and_read_many(chat, ADMIN_ID, listing, f"am:edit:{appeal.id}", 1)
    assert question["text"] == "Send the new text of the appeal."
    forged = await chat.press(ADMIN_ID, ADMIN_ID, question, data="ae:edit:", forged=True)
    assert forged["text"] == "This button is no longer valid."
    clock.advance(timedelta(hours=24, minutes=1))
    await job.run(app)
    [note] = await chat.next_messages(co, 1, int(title_q["message_id"]))
    assert note["text"] == "你未完成的倡议草稿已在 24 小时后放弃。", note["text"]
    async with store() as uow:
        assert await uow.dialogs.get(co) is None and await uow.dialogs.get(ADMIN_ID) is None
    assert [m for m in await client.bot_messages(ADMIN_ID)
            if int(m["message_id"]) > int(question["message_id"])] == []
    [answer] = await chat.say(ADMIN_ID, "新的文字")  # the question is gone: nothing changes
    assert answer["text"] != "The text was changed; 0 group messages will be edited."
    async with store() as uow:
        stored = await uow.appeals.get(appeal.id)
    assert stored is not None and stored.body == appeal.body
