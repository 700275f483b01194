"""Reminders with the bot as a process, across days of the sandbox's clock, with kill -9.

The bot runs as `python -m bot run` with `CLOCK=sandbox`: its clock is the real one plus
the sandbox's offset, so moving the sandbox's time moves the bot's day without a restart.
A member pledges through the bot; the time moves to two days before the deadline and the
first reminder arrives in the private chat; "delivered part" is answered; the next reminder
is planned for the rest, on the deadline, and arrives when the time moves there. Again with
the bot killed (`kill -9`) and restarted between every step: each reminder comes once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.clock import FakeClock
from domain.outbox.models import DeliveryStatus, Purpose
from domain.pledges.models import PledgeStatus
from domain.reminders.scheduled import reminder_subject
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import BotProcess, Conversation, Json, settings_for
from tests.talk import button, confirm, last_id, make_appeal, member, pledges_of

pytestmark = pytest.mark.e2e

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Reminders go at 10:00 in the pledger's zone (the network's: Shanghai); a minute after.
SEND_TIME = time(10, 1)
#: How long one step may take: a restarted process needs a few seconds on a busy machine.
STEP = 30.0
#: How often a bounded wait for the database looks again (the bot records asynchronously).
LOOK_AGAIN = 0.05


@pytest.fixture
async def bot(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """`python -m bot run` following the sandbox's clock; killed at the end whatever happened."""
    process = BotProcess(settings_for(database_url, sandbox, clock="sandbox"),
                         tmp_path / "bot.log")
    # Ready once it cleared the webhook, right before polling (as in test_pledge_flow).
    process.ready_method = "deleteWebhook"
    await process.start(client)
    try:
        yield process
    finally:
        await process.kill()


def _day(when: date) -> str:
    return f"{when.month}月{when.day}日"


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait, at most one step, until the database shows `check`."""
    async def looking() -> None:
        # Another process writes the database, which has no event to wait on: look again
        # until it shows the state, bounded by the step's timeout below.
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(LOOK_AGAIN)

    try:
        await asyncio.wait_for(looking(), STEP)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


class Days:
    """The steps of the story; with `crash`, the bot is killed and restarted after each."""

    def __init__(self, bot: BotProcess, client: SandboxClient, chat: Conversation,
                 store: SqlUnitOfWorkFactory, crash: bool) -> None:
        self.bot, self.client, self.chat, self.store, self.crash = bot, client, chat, store, crash
        self.kills = 0

    async def between(self) -> None:
        if self.crash:
            await self.bot.kill()
            self.kills += 1
            await self.bot.start(self.client)

    async def move_to(self, day: date) -> None:
        """Move the sandbox's time to `day`, a minute after reminders go."""
        target = datetime.combine(day, SEND_TIME, SHANGHAI)
        now = datetime.fromisoformat((await self.client.clock())["now"])
        await self.client.advance_clock(seconds=(target - now).total_seconds())
        await self.between()

    async def reminder(self, person: int, seen: int, pledge_id: int, number: int) -> Json:
        """The `number`-th reminder in the person's chat, once Telegram has acknowledged it."""
        [message] = await self.client.wait_for_bot_messages(
            person, count=1, timeout=STEP, after_message_id=seen
        )
        await _until(lambda: self.reminder_sent(pledge_id, number), f"reminder {number} sent")
        await self.between()
        return message

    async def reminder_sent(self, pledge_id: int, number: int) -> bool:
        """Whether the outbox recorded the reminder as sent (a kill now cannot resend it)."""
        async with self.store() as uow:
            queued = await uow.outbox.for_subject(
                Purpose.REMINDER, reminder_subject(pledge_id, number)
            )
        return [d.status for d in queued] == [DeliveryStatus.SENT]

    async def press(self, person: int, message: Json, prefix: str) -> Json:
        after = await last_id(self.client, person)
        await self.chat.press(person, person, message,
                              data=button(message, prefix)["callback_data"])
        [answer] = await self.chat.next_messages(person, 1, after)
        await self.between()
        return answer

    async def say(self, person: int, text: str) -> Json:
        [answer] = await self.chat.say(person, text)
        await self.between()
        return answer


@pytest.mark.timeout(300)  # nine restarts of a process, each a few seconds on a busy machine
@pytest.mark.parametrize("crash", [False, True], ids=["calm", "kill-9-between-steps"])
async def test_a_pledge_is_reminded_across_days_and_again_for_the_rest(
    bot: BotProcess, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, crash: bool,
) -> None:
    days = Days(bot, client, chat, store, crash)
    start = datetime.fromisoformat((await client.clock())["now"])
    deadline = start.astimezone(SHANGHAI).date() + timedelta(days=10)
    appeal = await make_appeal(store, FakeClock(start.astimezone(UTC)), deadline=deadline)
    li = await member(client, chat, "Li", "zh-hans")

    summary = await days.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    thanks = await confirm(chat, li, summary)
    assert "#1" in thanks["text"], thanks["text"]
    await days.between()
    [pledge] = await pledges_of(store, li)
    assert pledge.due_date == deadline

    seen = await last_id(client, li)
    await days.move_to(deadline - timedelta(days=2))
    first = await days.reminder(li, seen, pledge.id, 1)
    assert first["text"].startswith(
        f"认捐 #1 提醒：还差 3000公斤消毒液，原定 {_day(deadline)}送达。"
    ), first["text"]

    question = await days.press(li, first, "rm:part:")
    assert question["text"].startswith("送达了多少？"), question["text"]
    recorded = await days.say(li, "1000公斤")
    assert recorded["text"] == (
        "已记录：认捐 #1 送达 1000公斤。状态：部分送达。\n"
        "尚未送达：2000公斤消毒液\n"
        f"我会在 {_day(deadline)}再提醒你。"
    ), recorded["text"]

    seen = await last_id(client, li)
    await days.move_to(deadline)
    second = await days.reminder(li, seen, pledge.id, 2)
    assert second["text"].startswith(
        f"认捐 #1 提醒：还差 2000公斤消毒液，原定 {_day(deadline)}送达。"
    ), second["text"]

    # The bot is alive and has ticked since the last step: nothing more was sent.
    [listing] = await chat.say(li, "/mypledges")
    assert "#1" in listing["text"], listing["text"]
    reminders = [m for m in await client.bot_messages(li) if "提醒：" in m.get("text", "")]
    assert [m["message_id"] for m in reminders] == [first["message_id"], second["message_id"]]
    async with store() as uow:
        track = await uow.reminders.get(pledge.id)
        [stored] = await uow.pledges.of_person(li)
        later = await uow.outbox.for_subject(Purpose.REMINDER, reminder_subject(pledge.id, 3))
    assert track is not None and track.sent_count == 2
    assert track.last_sent_at is not None
    assert track.last_sent_at.astimezone(SHANGHAI).date() == deadline
    assert stored.status is PledgeStatus.PARTIAL
    assert [f.quantity for f in stored.fulfilments] == [Decimal(1000)]
    assert later == []
    if crash:
        assert days.kills >= 8
