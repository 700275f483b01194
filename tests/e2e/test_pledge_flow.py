"""A pledge from an appeal's group button to the coordinator's confirmation, with kill -9."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.appeals.models import Appeal, AppealStatus, Need, appeal_deep_link_payload
from domain.pledges.models import FulfilmentState, PledgeStatus
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, BotProcess, Conversation

pytestmark = pytest.mark.e2e

Json = dict[str, Any]


def _data(message: Json, prefix: str) -> str:
    markup = message.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for key in row:
            if str(key.get("callback_data", "")).startswith(prefix):
                return str(key["callback_data"])
    raise AssertionError(f"no {prefix} button in {message}")


class Steps:
    """Each step waits for the bot's answer; with `crash`, the bot is killed and restarted."""

    def __init__(self, bot: BotProcess, client: SandboxClient, chat: Conversation,
                 crash: bool) -> None:
        self.bot, self.client, self.chat, self.crash = bot, client, chat, crash
        self.kills = 0

    async def between(self) -> None:
        if self.crash:
            await self.bot.kill()
            self.kills += 1
            await self.bot.start(self.client)

    async def say(self, user: int, text: str) -> Json:
        [answer] = await self.chat.say(user, text)
        await self.between()
        return answer

    async def press(self, user: int, message: Json, prefix: str) -> Json:
        after = max(int(m["message_id"]) for m in await self.client.messages(user))
        await self.chat.press(user, user, message, data=_data(message, prefix))
        [answer] = await self.chat.next_messages(user, 1, after)
        await self.between()
        return answer

    async def report(self, user: int, coordinator: int, amount: str) -> Json:
        """Report a part delivery; the step ends when the coordinator has the notice."""
        seen = max(int(m["message_id"]) for m in await self.client.messages(coordinator))
        [listing] = await self.chat.say(user, "/mypledges")
        question = await self.press(user, listing, "pm:part:")
        assert "1000公斤" in question["text"]
        [recorded] = await self.chat.say(user, amount)
        assert amount in recorded["text"], recorded["text"]
        [notice] = await self.chat.next_messages(coordinator, 1, seen)
        await self.between()
        return notice


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
    now = datetime.now(UTC)
    async with store() as uow:
        [org] = await uow.organisations.all()
        appeal = await uow.appeals.add(Appeal(
            id=0, title="抗疫倡议", body="请支援消毒液", status=AppealStatus.OPEN,
            deadline=(now + timedelta(days=10)).date(), currency="CNY",
            money_target_minor=None, organisation_id=org.id, created_by=ADMIN_ID,
            created_at=now, needs=[Need(0, 0, "消毒液", "消毒液", "kg", Decimal(5000))],
        ))
        await uow.commit()
    steps = Steps(bot_process, client, chat, crash)

    # the button under the broadcast is a t.me deep link: it sends /start PAYLOAD in private
    payload = appeal_deep_link_payload(appeal.id, group["id"])
    [kind] = await chat.say(li, f"/start {payload}")
    await steps.between()
    need = await steps.press(li, kind, "pd:kind:goods")
    await steps.press(li, need, f"pd:need:{appeal.needs[0].id}")
    due = await steps.say(li, "3000公斤")
    visibility = await steps.press(li, due, "pd:due:deadline")
    summary = await steps.press(li, visibility, "pd:visibility:named")
    assert "消毒液 3000公斤" in summary["text"]
    thanks = await steps.press(li, summary, "pd:ok:")
    assert "#1" in thanks["text"]

    first = await steps.report(li, co, "1000公斤")
    assert [b["text"] for b in first["reply_markup"]["inline_keyboard"][0]] == [
        "確認收到", "提出疑問",
    ]
    await steps.press(co, first, "pf:ok:")
    second = await steps.report(li, co, "2000公斤")
    done = await steps.press(co, second, "pf:ok:")
    assert done["text"] == "認捐 #1 現在：已確認收到。" or "#1" in done["text"], done["text"]
    await client.wait_for_updates_consumed(timeout=20)

    async with store() as uow:
        [pledge] = await uow.pledges.of_person(li)
        notices = [d for d in await uow.outbox.for_subject(*_notice_key(pledge)) if
                   d.chat_id == co]
    assert pledge.status is PledgeStatus.RECEIVED
    assert pledge.source_chat_id == group["id"] and pledge.appeal_id == appeal.id
    assert [f.quantity for f in pledge.fulfilments] == [Decimal(1000), Decimal(2000)]
    assert all(f.state is FulfilmentState.CONFIRMED and f.confirmed_by == co
               for f in pledge.fulfilments)
    assert len(notices) == 1
    co_notices = [m["text"] for m in await client.bot_messages(co) if "請確認" in m["text"]]
    assert len(set(co_notices)) == 2, co_notices
    if crash:
        assert steps.kills >= 12


def _notice_key(pledge: Any) -> tuple[Any, str]:
    from domain.outbox.models import Purpose

    return Purpose.NOTICE, f"fulfilment:{pledge.fulfilments[0].id}"
