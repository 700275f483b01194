"""Members in groups: the appeal's number, private links, replies, and 我捐500元 in private."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.runtime import TongxinApplication
from domain.appeals.models import appeal_deep_link_payload, broadcast_subject
from domain.clock import FakeClock
from domain.network.models import ChatStatus
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.words import WORDS
from tests.harness import ADMIN_ID, Conversation
from tests.talk import (
    all_pledges,
    appeal_in_group,
    approved_groups,
    button,
    buttons,
    last_id,
    make_appeal,
    member,
    organisation,
    pledges_of,
    press_and_read,
)

Json = dict[str, Any]
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PRIVATE = {
    "zh-hans": "认捐在与我的私聊中进行，这里不会显示你的任何信息。请点按钮到私聊中继续。",
    "en": (
        "Pledges are made in a private chat with me, so nothing about you is shown here. "
        "Tap the button to continue there."
    ),
}


def link_payload(message: Json, username: str) -> str:
    """The start payload of a message's one URL button (checked against Telegram's rules)."""
    [key] = buttons(message)
    prefix = f"https://t.me/{username}?start="
    assert str(key["url"]).startswith(prefix), key
    payload = str(key["url"])[len(prefix):]
    assert PAYLOAD.match(payload), payload
    return payload


async def group_with(client: SandboxClient, title: str, *people: int) -> int:
    """A group with the bot in it."""
    group = await client.create_group(title, kind="supergroup", members=list(people))
    await client.add_bot(group["id"], by_user_id=people[0])
    await client.wait_for_updates_consumed(timeout=10)
    return int(group["id"])


async def test_the_group_message_shows_the_appeal_number_for_pledge_n(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    [group] = await approved_groups(client, chat, store, 1)
    await chat.say(ADMIN_ID, "/appeal")
    await chat.say(ADMIN_ID, "武汉急需口罩")
    [needs_q] = await chat.say(ADMIN_ID, "请大家支援武汉。")
    await chat.say(ADMIN_ID, "口罩 10000个")
    rcp_q = await press_and_read(chat, ADMIN_ID, needs_q, "ap:needs_done")
    deadline_q = await press_and_read(chat, ADMIN_ID, rcp_q, "ap:rcp_done")
    [audience_q] = await chat.say(ADMIN_ID, "2月29日")
    step = await press_and_read(chat, ADMIN_ID, audience_q, "ap:all")
    while not any(b.get("callback_data") == "ap:send" for b in buttons(step)):
        [step] = await chat.next_messages(ADMIN_ID, 1, int(step["message_id"]))
    assert deadline_q["text"]
    seen = await last_id(client, group)
    await chat.press(ADMIN_ID, ADMIN_ID, step, data="ap:send")
    [posted] = await chat.next_messages(group, 1, seen)
    async with store() as uow:
        [appeal] = await uow.appeals.open()
    assert f"倡议 #{appeal.id}：" in posted["text"], posted["text"]
    assert f"/pledge {appeal.id} 5万元" in posted["text"]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
async def test_pledge_and_mypledges_in_a_group_answer_with_a_link_to_the_private_chat(
    app: TongxinApplication, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, clock: FakeClock, lang: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Lilian", lang)
    group = await group_with(client, "工商联群", li)
    username = str(app.bot.username)
    [answer] = await chat.say(li, "/pledge", chat_id=group)
    assert answer["text"] == PRIVATE[lang] and "Lilian" not in answer["text"]
    assert link_payload(answer, username) == "pledge"
    [mine] = await chat.say(li, "/mypledges", chat_id=group)
    assert link_payload(mine, username) == "mypledges" and "Lilian" not in mine["text"]
    [prefilled] = await chat.say(li, f"/pledge {appeal.id} 5万元", chat_id=group)
    payload = link_payload(prefilled, username)
    assert payload.startswith(f"a{appeal.id}_") and payload.endswith("_y5000000")
    await client.wait_for_updates_consumed(timeout=10)
    assert len(await client.bot_messages(group, int(answer["message_id"]) - 1)) == 3
    assert await all_pledges(store) == 0
    # following the links: the list, the dialog, and the prefilled dialog
    [listing] = await chat.say(li, "/start mypledges")
    empty = ("你还没有认捐。发送 /pledge。", "You have no pledges yet. Send /pledge.")
    assert listing["text"] in empty, listing["text"]
    [which] = await chat.say(li, "/start pledge")
    assert WORDS[lang]["which"] in which["text"]
    [due] = await chat.say(li, f"/start {payload}")
    step = await press_and_read(chat, li, due, button(due, "pd:due:")["callback_data"])
    summary = await press_and_read(chat, li, step, "pd:visibility:anonymous")
    assert "5万元" in summary["text"] or "¥50,000" in summary["text"], summary["text"]


async def test_replies_to_the_appeal_that_speak_of_giving_get_one_link_each(
    app: TongxinApplication, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, clock: FakeClock,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    ann = await member(client, chat, "Ann", "en")
    group = await group_with(client, "民建群", li, ann)
    broadcast = await appeal_in_group(app, client, chat, group, appeal.id)
    username = str(app.bot.username)
    [unit] = await chat.say(li, "我们单位捐5万元", chat_id=group, reply_to=broadcast)
    assert link_payload(unit, username).endswith("_y5000000")
    [english] = await chat.say(ann, "I'll give 2000 yuan", chat_id=group, reply_to=broadcast)
    assert link_payload(english, username).endswith("_y200000")
    assert "Thank you" in english["text"]
    [how] = await chat.say(li, "我想捐点东西，怎么弄？", chat_id=group, reply_to=broadcast)
    plain = link_payload(how, username)
    assert plain.startswith(f"a{appeal.id}_") and "_y" not in plain and "_n" not in plain
    await chat.say(li, "加油！", chat_id=group, reply_to=broadcast, expect=0)
    await chat.say(ann, "Well done everyone", chat_id=group, reply_to=broadcast, expect=0)
    assert len(await client.bot_messages(group, broadcast)) == 3
    assert await all_pledges(store) == 0


@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant"])
async def test_words_of_giving_in_private_start_a_pledge(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [which] = await chat.say(li, "我捐500元")
    assert WORDS[lang]["which"] in which["text"]
    summary = await press_and_read(chat, li, which, f"pd:appeal:{appeal.id}")
    assert "500元" in summary["text"], summary["text"]
    await chat.say(li, "/cancel")
    [start] = await chat.say(li, "我想捐点东西")
    assert "/cancel" in start["text"] and buttons(start)
    [other] = await chat.say(li, "/cancel")
    [unknown] = await chat.say(li, "你好")
    assert "/help" in unknown["text"], unknown["text"]
    assert await all_pledges(store) == 0 and other["text"]


async def test_hostile_deep_links_are_refused_and_store_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    org = await organisation(chat, store, "民建")
    hidden = await make_appeal(store, clock, organisation_id=org)
    wu = await member(client, chat, "Wu", "en")
    group = await group_with(client, "民建群", wu)
    need = appeal.needs[0].id
    invalid = "This link is not valid."
    base = appeal_deep_link_payload(appeal.id, group)
    [fine] = await chat.say(wu, f"/start {base}_y50000")  # the form a group reply makes
    assert "When will it be delivered?" in fine["text"], fine["text"]
    async with store() as uow:
        dialog = await uow.dialogs.get(wu)
    assert dialog is not None and dialog.data["amount_minor"] == 50_000
    await chat.say(wu, "/cancel")
    for payload in (
        f"{base}_y0",  # zero
        f"{base}_y100000000000001",  # beyond the largest amount
        f"{base}_n{need}q5ubox",  # a unit the need is not counted in
        f"{base}_n{need}q0ukg",  # zero
        f"{base}_n999q5ukg",  # no such need
        f"{base}_" + "y1" * 40,  # too long
        f"{base}_<script>",
    ):
        [answer] = await chat.say(wu, f"/start {payload}")
        assert answer["text"] == invalid, (payload, answer["text"])
    # an appeal Wu may not see, through a group it was never sent to
    [answer] = await chat.say(wu, f"/start {appeal_deep_link_payload(hidden.id, group)}")
    assert answer["text"] == f"There is no appeal number {hidden.id}."
    assert await all_pledges(store) == 0
    async with store() as uow:
        assert await uow.dialogs.get(wu) is None
    # an approved group of the organisation, the appeal sent to it, leads its members to it
    async with store() as uow:
        await uow.outbox.enqueue(
            NewDelivery(Purpose.APPEAL, broadcast_subject(hidden.id), group, "x"), clock.now()
        )
        record = await uow.chats.get(group)
        assert record is not None
        record.status, record.organisation_id = ChatStatus.APPROVED, org
        await uow.chats.save(record)
        await uow.commit()
    [question] = await chat.say(wu, f"/start {appeal_deep_link_payload(hidden.id, group)}")
    assert question["text"].startswith("抗疫倡议\n"), question["text"]
    await press_and_read(chat, wu, question, "pd:kind:money")
    [_due] = await chat.say(wu, "500元")
    async with store() as uow:
        dialog = await uow.dialogs.get(wu)
    assert dialog is not None and dialog.data["appeal_id"] == hidden.id
    assert await pledges_of(store, wu) == []
