"""A pledge from an appeal's group button to the coordinator's confirmation, with kill -9.

The coordinator writes the appeal with /appeal and the bot broadcasts it to the linked group;
the member's tap is the deep link of the button under the message the bot posted there.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.appeals.models import parse_appeal_deep_link
from domain.pledges.models import FulfilmentState, PledgeStatus
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, BotProcess, Conversation
from tests.talk import buttons, last_call, last_id, press_and_read

pytestmark = pytest.mark.e2e

Json = dict[str, Any]
BOT_USERNAME = "tongxin_bot"


def _data(message: Json, prefix: str, text: str | None = None) -> str:
    for key in buttons(message):
        data = str(key.get("callback_data", ""))
        if data.startswith(prefix) and (text is None or key.get("text") == text):
            return data
    raise AssertionError(f"no {prefix} button in {message}")


class Steps:
    """Each step waits for the bot's answer; with `crash`, the bot is killed and restarted."""

    def __init__(self, bot: BotProcess, client: SandboxClient, chat: Conversation,
                 crash: bool) -> None:
        self.bot, self.client, self.chat, self.crash = bot, client, chat, crash
        self.kills = 0
        # Ready once it cleared the webhook, right before polling: its first getUpdates is
        # logged only when that long poll returns, up to 10 s later with nothing pending.
        bot.ready_method = "deleteWebhook"

    async def between(self) -> None:
        if self.crash:
            await self.bot.kill()
            self.kills += 1
            await self.bot.start(self.client)

    async def say(self, user: int, text: str) -> Json:
        [answer] = await self.chat.say(user, text)
        await self.between()
        return answer

    async def press(self, user: int, message: Json, prefix: str, text: str | None = None
                    ) -> Json:
        after = await last_id(self.client, user)
        await self.chat.press(user, user, message, data=_data(message, prefix, text))
        [answer] = await self.chat.next_messages(user, 1, after)
        await self.between()
        return answer

    async def report(self, user: int, coordinator: int, amount: str) -> Json:
        """Report a part delivery; the step ends when the coordinator has the notice."""
        seen = await last_id(self.client, coordinator)
        [listing] = await self.chat.say(user, "/mypledges")
        # a notice resent after a kill (sent, not yet recorded) may arrive first: skip it
        while "pm:part:" not in str(listing.get("reply_markup")):
            [listing] = await self.chat.next_messages(user, 1, int(listing["message_id"]))
        question = await self.press(user, listing, "pm:part:")
        assert "1000公斤" in question["text"]
        [recorded] = await self.chat.say(user, amount)
        assert amount in recorded["text"], recorded["text"]
        # The coordinator's batched news of the pledge may come first: skip it.
        while True:
            [notice] = await self.chat.next_messages(coordinator, 1, seen)
            if notice.get("reply_markup"):
                break
            seen = int(notice["message_id"])
        await self.between()
        return notice


async def link_group(chat: Conversation, coordinator: int, group_id: int, name: str) -> None:
    """The coordinator adds the bot to the group and links it with /link, as in Telegram."""
    await chat.client.add_bot(group_id, by_user_id=coordinator)
    await chat.next_messages(group_id, 1, None)  # the bot's greeting
    [offer] = await chat.say(coordinator, "/link", chat_id=group_id)
    since = await last_call(chat.client)
    await chat.press(coordinator, group_id, offer, data=_data(offer, "link:", name))
    await chat.client.wait_for_calls("editMessageText", count=1, timeout=10, since=since)
    [linked] = [m for m in await chat.client.bot_messages(group_id)
                if m["message_id"] == offer["message_id"]]
    assert linked["text"] == f"本群組已關聯到「{name}」，將收到網絡的倡議。", linked["text"]


async def appeal_by_dialog(
    chat: Conversation, coordinator: int, organisation: str, groups: list[int]
) -> None:
    """The coordinator writes the appeal with /appeal and sends it to every linked group."""
    [title] = await chat.say(coordinator, "/appeal")
    assert title["text"] == "倡議的標題是什麼？"
    [_body] = await chat.say(coordinator, "抗疫倡议")
    [needs] = await chat.say(coordinator, "请支援消毒液")
    [added] = await chat.say(coordinator, "消毒液 5000公斤")
    assert "消毒液" in added["text"], added["text"]
    recipients = await press_and_read(chat, coordinator, needs, "ap:needs_done")
    await press_and_read(chat, coordinator, recipients, "ap:rcp_done")  # the deadline question
    [audience] = await chat.say(coordinator, "10天后")
    # "one organisation" (test_pledges_kinds covers "all my groups" for the writer)
    organisations = await press_and_read(chat, coordinator, audience, "ap:orgs")
    preview = await press_and_read(
        chat, coordinator, organisations, _data(organisations, "ap:org:", organisation)
    )
    confirm = preview  # one message: the preview carries Send
    assert "消毒液" in preview["text"]
    seen = {group: await last_id(chat.client, group) for group in groups}
    since = await last_call(chat.client)
    await chat.press(coordinator, coordinator, confirm, data="ap:send")
    # The question turns into the progress message (edited in place).
    [edit, *_] = await chat.client.wait_for_calls("editMessageText", since=since, timeout=10)
    assert edit["params"]["text"] == f"已發送 0/{len(groups)}", edit["params"]
    progress = confirm
    for group in groups:  # the paced sender posts it; the test waits for it, server-side
        await chat.next_messages(group, 1, seen[group])
    [report] = await chat.next_messages(coordinator, 1, int(progress["message_id"]))
    assert f"已送達 {len(groups)}/{len(groups)} 個群組。" in report["text"], report["text"]


async def tap_payload(client: SandboxClient, group_id: int) -> str:
    """The deep-link payload of the button under the appeal the bot posted in the group."""
    posted = [m for m in await client.bot_messages(group_id)
              if any(key.get("url") for key in buttons(m))]
    assert len(posted) == 1, posted  # posted once
    [appeal] = posted
    assert appeal["text"].startswith("📣 抗疫倡议"), appeal["text"]
    [key] = buttons(appeal)
    url = str(key["url"])
    prefix = f"https://t.me/{BOT_USERNAME}?start="
    assert url.startswith(prefix), url
    payload = url[len(prefix):]
    parsed = parse_appeal_deep_link(payload)
    assert parsed is not None and parsed[1] == group_id, payload
    return payload


@pytest.mark.parametrize("crash", [False, True], ids=["calm", "kill-9-between-steps"])
async def test_member_pledges_from_the_group_button_and_the_coordinator_confirms(
    bot_process: BotProcess, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, crash: bool,
) -> None:
    await chat.say(ADMIN_ID, "/org add 工商联")
    co = (await client.create_user("Co", username="co", language_code="zh-hant"))["id"]
    li = (await client.create_user("Li", language_code="zh-hans"))["id"]
    await chat.say(co, "/start")
    await chat.say(ADMIN_ID, "/grant @co coordinator 工商联")
    group = await client.create_group("工商联会员群", kind="supergroup", members=[co, li])
    await link_group(chat, co, group["id"], "工商联")
    await appeal_by_dialog(chat, co, "工商联", [group["id"]])
    steps = Steps(bot_process, client, chat, crash)

    # the button under the broadcast is a t.me deep link: opening it sends /start PAYLOAD
    payload = await tap_payload(client, group["id"])
    kind = await steps.say(li, f"/start {payload}")
    assert kind["text"].startswith("抗疫倡议\n你想捐什么？"), kind["text"]
    need = await steps.press(li, kind, "pd:kind:goods")
    await steps.press(li, need, "pd:need:", text="消毒液")
    value = await steps.say(li, "3000公斤")
    due = await steps.press(li, value, "pd:value:skip")
    visibility = await steps.press(li, due, "pd:due:deadline")
    summary = await steps.press(li, visibility, "pd:visibility:named")
    assert "消毒液 3000公斤" in summary["text"]
    thanks = await steps.press(li, summary, "pd:ok:")
    assert "#1" in thanks["text"]

    first = await steps.report(li, co, "1000公斤")
    assert [b["text"] for b in first["reply_markup"]["inline_keyboard"][0]] == [
        "確認收到", "提出疑問",
    ]
    # confirming edits the notice and answers the press (the member is told)
    li_seen = await last_id(client, li)
    await chat.press(co, co, first, data=_data(first, "pf:ok:", None))
    [told] = await chat.next_messages(li, 1, li_seen)
    assert told["text"] == "协调员已确认收到你的认捐 #1 送达的 1000公斤。谢谢！", told["text"]
    await steps.between()
    second = await steps.report(li, co, "2000公斤")
    done = await chat.press(co, co, second, data=_data(second, "pf:ok:", None))
    assert done["text"] == "認捐 #1 現在：已收到。", done["text"]
    await steps.between()
    await client.wait_for_updates_consumed(timeout=20)

    async with store() as uow:
        [appeal] = await uow.appeals.open()
        [organisation] = await uow.organisations.all()
        [pledge] = await uow.pledges.of_person(li)
        notices = [d for d in await uow.outbox.for_subject(*_notice_key(pledge)) if
                   d.chat_id == co]
    assert appeal.created_by == co and appeal.organisation_id == organisation.id
    assert pledge.status is PledgeStatus.RECEIVED
    assert pledge.source_chat_id == group["id"] and pledge.appeal_id == appeal.id
    assert pledge.need_id == appeal.needs[0].id and pledge.due_date == appeal.deadline
    assert [f.quantity for f in pledge.fulfilments] == [Decimal(1000), Decimal(2000)]
    assert all(f.state is FulfilmentState.CONFIRMED and f.confirmed_by == co
               for f in pledge.fulfilments)
    assert len(notices) == 1
    # (a notice resent after a kill is not edited; the confirmed one shows its status below)
    co_notices = [m["text"].split("\n\n")[0] for m in await client.bot_messages(co)
                  if "請確認" in m["text"]]
    assert len(set(co_notices)) == 2, co_notices
    # the group saw the appeal once, and nothing of who gave what
    assert len([m for m in await client.bot_messages(group["id"]) if "抗疫倡议" in m["text"]]) == 1
    if crash:
        assert steps.kills >= 13


def _notice_key(pledge: Any) -> tuple[Any, str]:
    from domain.outbox.models import Purpose

    return Purpose.NOTICE, f"fulfilment:{pledge.fulfilments[0].id}"
