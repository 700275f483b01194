"""Managing a published appeal through the bot: extend, close with totals, reopen, resend."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.network.models import ChatStatus
from sandbox.client import SandboxClient
from storage.models.network import AuditEventRow
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import (
    approved_groups,
    confirm,
    coordinator_of,
    item_buttons,
    last_call,
    last_id,
    member,
    press_and_read_edit,
    press_and_read_many,
)

Json = dict[str, Any]


async def published(chat: Conversation, client: SandboxClient, groups: list[int]) -> Json:
    """The admin writes 抗疫倡议 (消毒液 5000公斤, 资金 10万元) and sends it; the group message."""
    await chat.say(ADMIN_ID, "/appeal")
    await chat.say(ADMIN_ID, "抗疫倡议")
    [needs_q] = await chat.say(ADMIN_ID, "请支援消毒液")
    await chat.say(ADMIN_ID, "消毒液 5000公斤")
    await chat.say(ADMIN_ID, "资金 10万元")
    _, [rcp_q] = await press_and_read_many(chat, ADMIN_ID, needs_q, "ap:needs_done", 1)
    _, [_deadline_q] = await press_and_read_many(chat, ADMIN_ID, rcp_q, "ap:rcp_done", 1)
    [audience] = await chat.say(ADMIN_ID, "2020-02-29")
    after = await last_id(client, ADMIN_ID)
    await chat.press(ADMIN_ID, ADMIN_ID, audience, data="ap:all")
    messages = await chat.next_messages(ADMIN_ID, 1, after)  # the preview carries Send
    send = next(m for m in messages if "ap:send" in str(m.get("reply_markup")))
    seen = {g: await last_id(client, g) for g in groups}
    await chat.press(ADMIN_ID, ADMIN_ID, send, data="ap:send")
    posts = [(await chat.next_messages(g, 1, seen[g]))[0] for g in groups]
    return posts[0]


async def group_message(client: SandboxClient, group: int, message_id: int) -> Json:
    """A group message as it reads now (after edits)."""
    [found] = [m for m in await client.messages(group) if m["message_id"] == message_id]
    return found


async def wait_for_edit(client: SandboxClient, group: int, since: int) -> None:
    """Block until the bot edited a message in `group` after call number `since`."""
    count = 1
    while True:
        calls = await client.wait_for_calls("editMessageText", count=count, since=since,
                                            timeout=10)
        if any(int(c["params"]["chat_id"]) == group for c in calls):
            return
        count = len(calls) + 1


async def manage(chat: Conversation, user: int, action: str) -> tuple[Json, Json]:
    """Press an /appeals button of appeal #1; the press's answer and the listing."""
    [listing] = await chat.say(user, "/appeals")
    answer = await chat.press(user, user, listing, data=f"am:{action}:1")
    return answer, listing


async def test_extending_the_deadline_edits_the_groups_messages(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    [group] = await approved_groups(client, chat, store, 1)
    post = await published(chat, client, [group])
    assert "截止日期：2020-02-29" in post["text"]
    _, listing = await manage(chat, ADMIN_ID, "extend")
    [_question] = await chat.next_messages(ADMIN_ID, 1, int(listing["message_id"]))
    since = await last_call(client)
    [moved] = await chat.say(ADMIN_ID, "2020-03-10")
    assert moved["text"] == "Deadline: 2020-03-10; 1 group messages will be edited."
    await wait_for_edit(client, group, since)
    edited = await group_message(client, group, int(post["message_id"]))
    assert "截止日期：2020-03-10" in edited["text"] and "2020-02-29" not in edited["text"]
    assert edited["reply_markup"] == post["reply_markup"]  # the pledge button stays


async def test_closing_asks_then_posts_the_totals_without_names_and_an_admin_reopens(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    [group] = await approved_groups(client, chat, store, 1)
    post = await published(chat, client, [group])
    li = await member(client, chat, "Li", "zh-hans")
    for line in ("5万元", "消毒液 3000公斤"):  # the goods pledge (#2) is listed first
        [summary] = await chat.say(li, f"/pledge 1 {line}")
        await confirm(chat, li, summary)
    [listing] = await chat.say(li, "/mypledges")  # one message, a button per pledge
    [open_two] = [b for b in item_buttons(listing, "ml:it:2")
                  if b["callback_data"].split(":")[2] == "2"]
    shown = await press_and_read_edit(chat, client, li, listing, open_two["callback_data"])
    [part] = [b["callback_data"] for b in item_buttons(shown, "pm:part:2")]
    await chat.press(li, li, shown, data=part)
    await chat.next_messages(li, 1, int(listing["message_id"]))
    seen = await last_id(client, ADMIN_ID)
    await chat.say(li, "1000公斤")
    [_notice] = await chat.next_messages(ADMIN_ID, 1, seen)  # the admin may confirm it
    # Close asks first; "keep it open" keeps it open.
    _, listing = await manage(chat, ADMIN_ID, "close")
    [ask] = await chat.next_messages(ADMIN_ID, 1, int(listing["message_id"]))
    assert ask["text"] == (
        "Close appeal #1 抗疫倡议? It takes no more pledges and the groups get the final totals."
    )
    await chat.press(ADMIN_ID, ADMIN_ID, ask, data="am:keep:1")
    kept = await group_message(client, ADMIN_ID, int(ask["message_id"]))
    assert kept["text"] == "Appeal #1 stays open."
    async with store() as uow:
        assert [a.id for a in await uow.appeals.open()] == [1]
    _, listing = await manage(chat, ADMIN_ID, "close")
    [ask] = await chat.next_messages(ADMIN_ID, 1, int(listing["message_id"]))
    seen = await last_id(client, group)
    await chat.press(ADMIN_ID, ADMIN_ID, ask, data="am:closeok:1")
    done = await group_message(client, ADMIN_ID, int(ask["message_id"]))
    assert done["text"] == "Appeal #1 is closed; the groups get the final totals."
    assert [b["callback_data"] for b in done["reply_markup"]["inline_keyboard"][0]] == [
        "am:reopen:1"
    ]
    [closing] = await chat.next_messages(group, 1, seen)
    assert closing["text"].splitlines() == [
        "倡议 #1 抗疫倡议 已结束。谢谢！",
        "最终合计：",
        "• 资金：认捐 5万元，已送达 0元（目标 10万元）",
        "• 消毒液：认捐 3000公斤，已送达 1000公斤（目标 5000公斤）",
    ], closing["text"]
    assert "Li" not in closing["text"]
    edited = await group_message(client, group, int(post["message_id"]))
    assert edited["text"].splitlines()[0] == "本倡议已结束，感谢大家！"
    assert "reply_markup" not in edited
    # Closing again, by a replayed or an old button, says it is closed and sends nothing.
    again = await chat.press(ADMIN_ID, ADMIN_ID, ask, data="am:closeok:1", forged=True)
    assert again["text"] == "Appeal #1 is already closed."
    again = await chat.press(ADMIN_ID, ADMIN_ID, ask, data="am:close:1", forged=True)
    assert again["text"] == "Appeal #1 is already closed."
    # Only an admin reopens: a coordinator's forged button and a member's command are refused.
    co, _org = await coordinator_of(client, chat, store, lang="zh-hant")
    [own] = await chat.say(co, "/help")
    refused = await chat.press(co, co, own, data="am:reopen:1", forged=True)
    assert refused["text"] == "只有管理員可以重新開放倡議。"
    [refused] = await chat.say(li, "/reopen 1")
    assert refused["text"] == "只有管理员可以重新开放倡议。"
    [bad] = await chat.say(ADMIN_ID, "/reopen one")
    assert bad["text"] == "Write the appeal's number: /reopen 12"
    async with store() as uow:
        assert await uow.appeals.open() == []
    since = await last_call(client)
    [reopened] = await chat.say(ADMIN_ID, "/reopen 1")
    assert reopened["text"] == "Appeal #1 is open again; the groups' messages will say so."
    await wait_for_edit(client, group, since)
    edited = await group_message(client, group, int(post["message_id"]))
    assert edited["reply_markup"] == post["reply_markup"]
    [again] = await chat.say(ADMIN_ID, "/reopen 1")
    assert again["text"] == "Appeal #1 is open already."
    async with store() as uow:
        actions = list(
            await uow.session.scalars(
                select(AuditEventRow.action).where(AuditEventRow.subject == "appeal:1")
            )
        )
    assert actions.count("appeal.close") == 1 and actions.count("appeal.reopen") == 1


async def test_resending_reaches_a_group_linked_later_once(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    [first] = await approved_groups(client, chat, store, 1)
    await published(chat, client, [first])
    later = await client.create_group("后来的群", members=[ADMIN_ID])
    await client.add_bot(later["id"], by_user_id=ADMIN_ID)
    await chat.next_messages(later["id"], 1, None)
    async with store() as uow:
        record = await uow.chats.get(later["id"])
        assert record is not None
        record.status = ChatStatus.APPROVED
        await uow.chats.save(record)
        await uow.commit()
    seen = await last_id(client, later["id"])
    _, listing = await manage(chat, ADMIN_ID, "resend")
    [told] = await chat.next_messages(ADMIN_ID, 1, int(listing["message_id"]))
    assert told["text"] == "Appeal #1 goes to 1 more groups."
    [post] = await chat.next_messages(later["id"], 1, seen)
    assert "抗疫倡议" in post["text"]
    _, listing = await manage(chat, ADMIN_ID, "resend")
    [told] = await chat.next_messages(ADMIN_ID, 1, int(listing["message_id"]))
    assert told["text"] == "Every group of appeal #1 has it already."
    for group in (first, later["id"]):
        sent = [m for m in await client.bot_messages(group) if "抗疫倡议" in m.get("text", "")]
        assert len(sent) == 1
    # someone who may not manage it is refused, and nothing is sent
    co, _org = await coordinator_of(client, chat, store, lang="en")
    [own] = await chat.say(co, "/help")
    refused = await chat.press(co, co, own, data="am:resend:1", forged=True)
    assert refused["text"] == "This button is no longer valid."


async def test_fixing_the_needs_keeps_them_and_lets_one_be_removed_or_changed(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    await approved_groups(client, chat, store, 1)
    await chat.say(ADMIN_ID, "/appeal")
    await chat.say(ADMIN_ID, "抗疫倡议")
    [needs_q] = await chat.say(ADMIN_ID, "请支援")
    await chat.say(ADMIN_ID, "消毒液 5000公斤")
    await chat.say(ADMIN_ID, "口罩 10000个")
    await chat.say(ADMIN_ID, "资金 10万元")
    _, [rcp_q] = await press_and_read_many(chat, ADMIN_ID, needs_q, "ap:needs_done", 1)
    _, [_deadline_q] = await press_and_read_many(chat, ADMIN_ID, rcp_q, "ap:rcp_done", 1)
    [audience] = await chat.say(ADMIN_ID, "2020-02-29")
    after = await last_id(client, ADMIN_ID)
    await chat.press(ADMIN_ID, ADMIN_ID, audience, data="ap:all")
    messages = await chat.next_messages(ADMIN_ID, 1, after)  # the preview carries Send
    send = next(m for m in messages if "ap:fix:needs" in str(m.get("reply_markup")))
    _, [fix] = await press_and_read_many(chat, ADMIN_ID, send, "ap:fix:needs", 1)
    assert fix["text"].splitlines()[-4:] == [
        "Listed so far (to change one, remove it and send it again):",
        "1. 消毒液: 5,000 kg",
        "2. 口罩: 10,000 pieces",
        "3. Funds: ¥100,000",
    ], fix["text"]
    assert [b["text"] for row in fix["reply_markup"]["inline_keyboard"] for b in row] == [
        "Remove 消毒液", "Remove 口罩", "Remove the funds target", "Done",
    ]
    _, [after_rm] = await press_and_read_many(chat, ADMIN_ID, fix, "ap:rm:1", 1)
    assert after_rm["text"].splitlines()[-2:] == ["1. 消毒液: 5,000 kg", "2. Funds: ¥100,000"]
    # an old Remove button for the need already removed changes nothing
    stale = await chat.press(ADMIN_ID, ADMIN_ID, fix, data="ap:rm:2", forged=True)
    assert stale["text"] == "This button is no longer valid."
    await chat.say(ADMIN_ID, "口罩 20000个")  # changed: sent again with the new amount
    _, [preview] = await press_and_read_many(chat, ADMIN_ID, after_rm, "ap:needs_done", 1)
    assert "消毒液：5000公斤" in preview["text"] and "口罩：20000个" in preview["text"]
    assert "10000个" not in preview["text"] and "10万元" in preview["text"]
