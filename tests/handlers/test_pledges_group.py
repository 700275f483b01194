"""A member's reply to the appeal in a group is not recorded there: a link opens the dialog."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.runtime import TongxinApplication
from domain.clock import FakeClock
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation
from tests.talk import (
    all_pledges,
    appeal_in_group,
    button,
    buttons,
    confirm,
    make_appeal,
    member,
    pledges_of,
)

PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


async def _start_payload(message: dict[str, object], username: str) -> str:
    [key] = buttons(message)  # type: ignore[arg-type]
    prefix = f"https://t.me/{username}?start="
    assert key["url"].startswith(prefix)
    payload = str(key["url"])[len(prefix):]
    assert PAYLOAD.match(payload), payload
    return payload


async def test_group_reply_with_money_gets_a_link_and_nothing_is_recorded_until_confirm(
    app: TongxinApplication, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, clock: FakeClock,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    group = await client.create_group("工商联群", kind="supergroup", members=[li])
    await client.add_bot(group["id"], by_user_id=li)
    await client.wait_for_updates_consumed(timeout=10)
    broadcast = await appeal_in_group(app, client, chat, group["id"], appeal.id)
    [answer] = await chat.say(li, "我捐500元", chat_id=group["id"], reply_to=broadcast)
    assert "私聊" in answer["text"] or "私下" in answer["text"], answer["text"]
    assert await all_pledges(store) == 0
    payload = await _start_payload(answer, str(app.bot.username))
    # following the link opens the same dialog, prefilled: only what is missing is asked
    [question] = await chat.say(li, f"/start {payload}")
    assert question["text"].startswith("抗疫倡议\n")
    assert "什么时候送达" in question["text"]
    step = question
    while not any(b["callback_data"].startswith("pd:ok:") for b in buttons(step)):
        after = int(step["message_id"])
        await chat.press(li, li, step, data=buttons(step)[0]["callback_data"])
        [step] = await chat.next_messages(li, 1, after)
    assert "500元" in step["text"]
    assert await all_pledges(store) == 0
    await confirm(chat, li, step)
    [pledge] = await pledges_of(store, li)
    assert pledge.amount_minor == 50_000 and pledge.source_chat_id == group["id"]
    assert pledge.appeal_id == appeal.id


async def test_group_reply_with_goods_is_prefilled_and_chatter_is_ignored(
    app: TongxinApplication, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, clock: FakeClock,
) -> None:
    appeal = await make_appeal(store, clock)
    wang = await member(client, chat, "Wang", "zh-hant")
    group = await client.create_group("民建群", members=[wang])
    await client.add_bot(group["id"], by_user_id=wang)
    await client.wait_for_updates_consumed(timeout=10)
    broadcast = await appeal_in_group(app, client, chat, group["id"], appeal.id)
    await chat.say(wang, "加油！", chat_id=group["id"], reply_to=broadcast, expect=0)
    [answer] = await chat.say(wang, "我捐3000公斤消毒液", chat_id=group["id"], reply_to=broadcast)
    assert "私聊" in answer["text"] or "私下" in answer["text"], answer["text"]
    payload = await _start_payload(answer, str(app.bot.username))
    assert len(payload) <= 64
    [question] = await chat.say(wang, f"/start {payload}")
    due = button(question, "pd:due:deadline")["callback_data"]
    await chat.press(wang, wang, question, data=due)
    [visibility] = await chat.next_messages(wang, 1, int(question["message_id"]))
    await chat.press(wang, wang, visibility, data="pd:visibility:anonymous")
    [summary] = await chat.next_messages(wang, 1, int(visibility["message_id"]))
    assert "消毒液 3000公斤" in summary["text"]
    assert await all_pledges(store) == 0
    await confirm(chat, wang, summary)
    [pledge] = await pledges_of(store, wang)
    assert (pledge.need_id, pledge.quantity) == (appeal.needs[0].id, Decimal(3000))
    # a forged payload with an absurd amount is ignored, not trusted
    [bad] = await chat.say(wang, f"/start a{appeal.id}_m1_zz9")
    assert bad["text"] == "此連結無效。" or "無效" in bad["text"], bad["text"]
