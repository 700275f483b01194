"""An appeal from the coordinator's /appeal dialog to every group in scope, with kill -9."""

from __future__ import annotations

from typing import Any

import pytest

from domain.appeals.models import broadcast_subject, parse_appeal_deep_link
from domain.outbox.models import DeliveryStatus, Purpose
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, BotProcess, Conversation
from tests.talk import last_id, press_and_read

pytestmark = pytest.mark.e2e

Json = dict[str, Any]

GROUPS = 12
TITLE = "武汉急需口罩"
#: Generous: a restart on PostgreSQL waits for the dead process's sender lock to go.
WAIT = 60.0


async def linked_group(
    client: SandboxClient, chat: Conversation, user: int, title: str, organisation: str
) -> int:
    """A group the bot was added to and `user` linked to `organisation` with /link."""
    group = await client.create_group(title, members=[user])
    await client.add_bot(group["id"], by_user_id=user)
    await chat.next_messages(group["id"], 1, None)  # the bot introduces itself
    [offer] = await chat.say(user, "/link", chat_id=group["id"])
    await chat.press(user, group["id"], offer, text=organisation)
    return int(group["id"])


async def appeal_messages(client: SandboxClient, group: int, after: int) -> list[Json]:
    """The appeal messages the bot posted in a group after message `after`."""
    return [m for m in await client.bot_messages(group, after) if TITLE in m.get("text", "")]


@pytest.mark.parametrize(
    "crash", [None, "after-confirm", "mid-broadcast"], ids=["calm", "kill-9-after-confirm",
                                                            "kill-9-mid-broadcast"],
)
async def test_a_coordinators_appeal_reaches_every_group_in_scope_once(
    bot_process: BotProcess, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, crash: str | None,
) -> None:
    await chat.say(ADMIN_ID, "/org add 工商联")
    await chat.say(ADMIN_ID, "/org add 民建")
    co = (await client.create_user("Co", username="co", language_code="en"))["id"]
    await chat.say(co, "/start")
    await chat.say(ADMIN_ID, "/grant @co coordinator 工商联")
    groups = [
        await linked_group(client, chat, co, f"工商联会员群{n}", "工商联") for n in range(GROUPS)
    ]
    # Not the coordinator's: another organisation's group, and one nobody linked yet.
    other = await linked_group(client, chat, ADMIN_ID, "民建支部", "民建")
    pending = await client.create_group("未审核群", members=[co])
    await client.add_bot(pending["id"], by_user_id=co)
    await chat.next_messages(pending["id"], 1, None)
    quiet = [other, int(pending["id"])]
    before = {g: await last_id(client, g) for g in [*groups, *quiet]}

    [title_q] = await chat.say(co, "/appeal")
    assert title_q["text"] == "What is the appeal's title?"
    await chat.say(co, TITLE)
    [needs_q] = await chat.say(co, "请大家支援武汉的医护人员。")
    [added] = await chat.say(co, "口罩 10000个")
    assert added["text"] == "Added: 口罩: 10,000 pieces"
    [gloves] = await chat.say(co, "手套 500双")
    assert "手套" in gloves["text"]
    recipients_q = await press_and_read(chat, co, needs_q, "ap:needs_done")
    deadline_q = await press_and_read(chat, co, recipients_q, "ap:rcp_done")
    assert "Until when?" in deadline_q["text"]
    [audience_q] = await chat.say(co, "5天后")
    preview = await press_and_read(chat, co, audience_q, "ap:all")
    confirm = preview  # one message: the preview carries Send
    assert TITLE in preview["text"] and "口罩" in preview["text"]

    if crash == "mid-broadcast":
        # The first group's message hangs in Telegram: the bot dies with it in flight, after
        # some more were delivered and before the rest were.
        await client.inject_faults(1, kind="timeout", method="sendMessage", chat_ids=groups,
                                   delay=WAIT)
    since = max(c["seq"] for c in await client.calls())
    await chat.press(co, co, confirm, data="ap:send")
    # The question turns into the progress message; its id was stored with the appeal.
    [shown_first, *_] = await client.wait_for_calls(
        "editMessageText", count=1, since=since, timeout=WAIT
    )
    assert int(shown_first["params"]["message_id"]) == int(confirm["message_id"])
    assert shown_first["params"]["text"] == f"Sent 0/{GROUPS}"
    progress = confirm
    if crash == "after-confirm":
        # Killed right after the progress message was shown: the appeal and its outbox rows
        # were committed before; the sender has barely started.
        await bot_process.kill()
        await bot_process.start(client)
    elif crash == "mid-broadcast":
        await client.wait_for_calls("sendMessage", count=GROUPS // 2, since=since, timeout=WAIT)
        await bot_process.kill()
        delivered = sum([len(await appeal_messages(client, g, before[g])) for g in groups])
        assert 0 < delivered < GROUPS, "the kill should fall in the middle of the broadcast"
        await client.clear_faults()
        await bot_process.start(client)

    for group in groups:
        [posted, *_] = await client.wait_for_bot_messages(
            group, count=1, timeout=WAIT, after_message_id=before[group]
        )
        assert TITLE in posted["text"] and "口罩" in posted["text"]
        [[button]] = posted["reply_markup"]["inline_keyboard"]
        parsed = parse_appeal_deep_link(button["url"].split("?start=")[1])
        assert parsed is not None and parsed[1] == group
    [report] = await client.wait_for_bot_messages(
        co, count=1, timeout=WAIT, after_message_id=int(progress["message_id"])
    )
    assert f"Delivered to {GROUPS} of {GROUPS} groups." in report["text"], report["text"]
    # The progress message was edited in place up to the final count, whenever the bot died,
    # and the report came once.
    after_preview = await client.bot_messages(co, int(preview["message_id"]) - 1)
    shown = next(m for m in after_preview if m["message_id"] == progress["message_id"])
    assert shown["text"] == f"Sent {GROUPS}/{GROUPS}"
    assert "reply_markup" not in shown
    assert [m["message_id"] for m in after_preview] == [
        progress["message_id"], report["message_id"]
    ], [m.get("text") for m in after_preview]

    # Everything was sent when the report came: count what each group got.
    counts = [len(await appeal_messages(client, g, before[g])) for g in groups]
    assert all(n >= 1 for n in counts), counts
    duplicates = sum(n - 1 for n in counts)
    if crash is None:
        assert duplicates == 0, counts
    else:
        # Only a message Telegram acknowledged in the instant before the kill, and the bot
        # could not record, is sent again.
        assert duplicates <= 1, counts
    for group in quiet:
        assert await appeal_messages(client, group, before[group]) == []
    async with store() as uow:
        [appeal] = await uow.appeals.open()
        rows = await uow.outbox.for_subject(Purpose.APPEAL, broadcast_subject(appeal.id))
    assert appeal.title == TITLE and appeal.created_by == co
    assert sorted(r.chat_id for r in rows) == sorted(groups)
    assert all(r.status is DeliveryStatus.SENT and r.message_id is not None for r in rows)
