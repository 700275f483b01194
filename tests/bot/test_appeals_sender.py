"""The paced sender against the in-process sandbox: pacing, faults, restarts, the report."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from telegram import Bot
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.broadcast import BroadcastReporter
from bot.pace import FloodBudget
from bot.rate_limiter import BudgetRateLimiter
from bot.sender import CHAT_GAP, ChatEvents, PacedSender
from domain.appeals.models import Appeal, AppealStatus, broadcast_subject
from domain.appeals.service import AppealService, report_subject
from domain.clock import FakeClock
from domain.network.models import Language
from domain.network.service import NetworkService
from domain.outbox.models import DeliveryStatus, FailureReason, Purpose
from domain.outbox.ports import NewDelivery
from domain.outbox.service import OutboxService
from handlers.i18n import Translations
from sandbox.server import SandboxServer
from sandbox.world import Fault, World
from storage.uow import SqlUnitOfWorkFactory

TOKEN = "123456789:AAtest-token-for-the-sandbox_00"
SUBJECT = "appeal:1"


class Events(ChatEvents):
    """Records what the sender reported about chats."""

    def __init__(self) -> None:
        self.gone: list[int] = []
        self.moved: list[tuple[int, int]] = []

    async def left(self, chat_id: int) -> None:
        """Remember a chat that removed the bot."""
        self.gone.append(chat_id)

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        """Remember a migration."""
        self.moved.append((old_chat_id, new_chat_id))


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    # Limits off, with a reason: these tests pace the sender on a fake clock (its sleeps take
    # no real time), while the sandbox counts real time. Pacing against the strict sandbox
    # is measured by bench/bench_broadcast.py and tests/sandbox/test_flood.py.
    async with SandboxServer(flood_limits=False, token=TOKEN, timeout_fault_delay=1.0) as sb:
        yield sb


@pytest.fixture
async def bot(sandbox: SandboxServer) -> AsyncIterator[Bot]:
    request = HTTPXRequest(connection_pool_size=16, read_timeout=0.3)
    async with Bot(TOKEN, base_url=sandbox.base_url, request=request) as b:
        yield b


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def groups(world: World, count: int) -> list[int]:
    admin = world.create_user("Coord", "coord")
    made = []
    for number in range(count):
        chat = world.create_group(f"Group {number}", members=[admin.id])
        world.add_bot(chat.id, admin.id)
        made.append(chat.id)
    return made


def make_sender(
    bot: Bot, outbox: OutboxService, clock: FakeClock, events: ChatEvents | None = None
) -> tuple[PacedSender, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        # No test waits for real: time moves on the fake clock.
        slept.append(seconds)
        clock.advance(timedelta(seconds=max(0.0, seconds)))
        await asyncio.sleep(0)

    sender = PacedSender(bot, outbox, clock, chats=events, rate=28.0, sleep=sleep)
    return sender, slept


async def queue(outbox: OutboxService, clock: FakeClock, chats: list[int]) -> None:
    await outbox.enqueue(
        [NewDelivery(Purpose.APPEAL, SUBJECT, c, f"<b>Appeal</b> to {c}") for c in chats],
        clock.now(),
    )


async def test_each_group_gets_one_message_and_a_restart_resends_nothing(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    chats = groups(sandbox.world, 12)
    outbox = OutboxService(uow_factory)
    await queue(outbox, clock, chats)
    sender, slept = make_sender(bot, outbox, clock)
    started = clock.now()
    await sender.run_until_idle()
    assert all(len(sandbox.world.bot_messages(c)) == 1 for c in chats)
    progress = await outbox.progress(Purpose.APPEAL, SUBJECT)
    assert progress.sent == 12 and progress.finished
    # 12 messages at 28/s take at least 11 intervals.
    assert (clock.now() - started).total_seconds() >= 11 / 28 - 1e-6
    restarted, _ = make_sender(bot, outbox, clock)
    clock.advance(timedelta(minutes=5))
    assert await restarted.drain_once() == 0
    assert all(len(sandbox.world.bot_messages(c)) == 1 for c in chats)
    async with uow_factory() as uow:
        rows = await uow.outbox.for_subject(Purpose.APPEAL, SUBJECT)
    assert all(r.message_id is not None for r in rows)
    assert slept


async def test_same_chat_waits_a_second_between_messages(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    [chat] = groups(sandbox.world, 1)
    outbox = OutboxService(uow_factory)
    await outbox.enqueue(
        [NewDelivery(Purpose.NOTICE, f"n{i}", chat, f"notice {i}") for i in range(3)],
        clock.now(),
    )
    sender, _ = make_sender(bot, outbox, clock)
    started = clock.now()
    await sender.run_until_idle()
    assert len(sandbox.world.bot_messages(chat)) == 3
    assert (clock.now() - started).total_seconds() >= 2.0


async def test_faults_blocked_migrated_not_found_timeout_and_429(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    world = sandbox.world
    chats = groups(world, 6)
    removed, migrated, timing_out, limited, fine = chats[0], chats[1], chats[2], chats[3], chats[4]
    admin = next(iter(world.users))
    world.remove_bot(removed, admin)
    new_id = world.migrate_group(migrated)
    world.faults.append(
        Fault(count=1, kind="timeout", method="sendmessage", chat_ids={timing_out}, delay=1.0)
    )
    world.faults.append(
        Fault(count=1, kind="429", retry_after=7, method="sendmessage", chat_ids={limited})
    )
    missing = -999_999
    outbox = OutboxService(uow_factory)
    await queue(outbox, clock, [*chats, missing])
    events = Events()
    sender, _ = make_sender(bot, outbox, clock, events)
    started = clock.now()
    await sender.run_until_idle()

    async with uow_factory() as uow:
        rows = {r.chat_id: r for r in await uow.outbox.for_subject(Purpose.APPEAL, SUBJECT)}
    assert rows[removed].failure is FailureReason.BLOCKED and events.gone == [removed]
    assert rows[missing].failure is FailureReason.NOT_FOUND
    assert events.moved == [(migrated, new_id)]
    assert rows[new_id].status is DeliveryStatus.SENT
    assert len(world.bot_messages(new_id)) == 1
    for chat in (timing_out, limited, fine, chats[5]):
        assert rows[chat].status is DeliveryStatus.SENT
        assert len(world.bot_messages(chat)) == 1
    # The 429 paused the whole bot for retry_after.
    assert (clock.now() - started).total_seconds() >= 7
    assert sender.stats.rate_limited == 1


async def test_a_timeout_is_retried_at_most_once(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    [chat] = groups(sandbox.world, 1)
    sandbox.world.faults.append(
        Fault(count=5, kind="timeout", method="sendmessage", chat_ids={chat}, delay=1.0)
    )
    outbox = OutboxService(uow_factory)
    await queue(outbox, clock, [chat])
    sender, _ = make_sender(bot, outbox, clock)
    await sender.run_until_idle()
    progress = await outbox.progress(Purpose.APPEAL, SUBJECT)
    assert progress.failed == {FailureReason.OTHER: [chat]}
    sendmessage_calls = [c for c in sandbox.world.calls if c["method"] == "sendMessage"]
    assert len(sendmessage_calls) == 2


async def test_a_sender_killed_after_claiming_is_resumed_after_the_lease(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    chats = groups(sandbox.world, 3)
    outbox = OutboxService(uow_factory)
    await queue(outbox, clock, chats)
    assert len(await outbox.claim(clock.now(), 10)) == 3  # ...and then the process died
    sender, _ = make_sender(bot, outbox, clock)
    assert await sender.drain_once() == 0
    clock.advance(timedelta(seconds=61))
    await sender.run_until_idle()
    assert all(len(sandbox.world.bot_messages(c)) == 1 for c in chats)


async def test_a_restarted_sender_takes_back_leases_at_once(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    chats = groups(sandbox.world, 3)
    outbox = OutboxService(uow_factory)
    await queue(outbox, clock, chats)
    await outbox.claim(clock.now(), 2)  # ...and then the process was killed
    sender, _ = make_sender(bot, outbox, clock)
    assert await sender.recover() == 2
    await sender.run_until_idle()
    assert all(len(sandbox.world.bot_messages(c)) == 1 for c in chats)


async def test_a_timed_out_send_is_retried_as_soon_as_its_chat_may_receive_again(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    [chat] = groups(sandbox.world, 1)
    sandbox.world.faults.append(
        Fault(count=1, kind="timeout", method="sendmessage", chat_ids={chat}, delay=1.0)
    )
    outbox = OutboxService(uow_factory)
    await queue(outbox, clock, [chat])
    sender, _ = make_sender(bot, outbox, clock)
    started = clock.now()
    await sender.run_until_idle()
    assert len(sandbox.world.bot_messages(chat)) == 1
    assert len([c for c in sandbox.world.calls if c["method"] == "sendMessage"]) == 2
    # The read timeout already waited; the retry waits only for the one-second chat gap,
    # not for the 2 s back-off of other transient errors.
    elapsed = (clock.now() - started).total_seconds()
    assert CHAT_GAP <= elapsed < 2.0
    assert sender.stats.retried == 1


async def test_run_until_idle_sleeps_until_the_next_message_falls_due(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    first, second = groups(sandbox.world, 2)
    outbox = OutboxService(uow_factory)
    due = clock.now() + timedelta(seconds=5.5)
    await outbox.enqueue(
        [
            NewDelivery(Purpose.NOTICE, "later", first, "later", not_before=due),
            NewDelivery(Purpose.NOTICE, "leased", second, "leased"),
        ],
        clock.now(),
    )
    [leased] = await outbox.claim(clock.now(), 1)  # ...by a sender that then died
    assert leased.chat_id == second and leased.lease_until is not None
    # The lease runs for a minute: the pending message is due first either way.
    assert await outbox.next_due() == due
    assert await outbox.next_due(include_leases=True) == due
    sender, slept = make_sender(bot, outbox, clock)
    assert await sender.recover() == 1
    started = clock.now()
    await sender.run_until_idle()
    # One sleep until the message falls due, not a poll every second.
    assert slept == [pytest.approx(5.5)]
    assert [len(sandbox.world.bot_messages(c)) for c in (first, second)] == [1, 1]
    assert await outbox.next_due(include_leases=True) is None
    async with uow_factory() as uow:
        [row] = await uow.outbox.for_subject(Purpose.NOTICE, "later")
    assert row.sent_at is not None and (row.sent_at - started).total_seconds() >= 5.5


async def test_run_until_idle_waits_out_a_dead_senders_lease_in_one_sleep(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    [chat] = groups(sandbox.world, 1)
    outbox = OutboxService(uow_factory)
    await queue(outbox, clock, [chat])
    [leased] = await outbox.claim(clock.now(), 1)  # ...and then the process died
    assert leased.lease_until is not None
    assert await outbox.next_due() is None
    assert await outbox.next_due(include_leases=True) == leased.lease_until
    sender, slept = make_sender(bot, outbox, clock)
    await sender.run_until_idle()
    assert slept == [pytest.approx(60.0)]
    assert len(sandbox.world.bot_messages(chat)) == 1


async def test_run_wakes_when_a_message_falls_due_rather_than_at_the_next_look(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    [chat] = groups(sandbox.world, 1)
    outbox = OutboxService(uow_factory)
    started = clock.now()
    await outbox.enqueue(
        [
            NewDelivery(
                Purpose.NOTICE, "soon", chat, "soon", not_before=started + timedelta(seconds=2.5)
            )
        ],
        started,
    )
    stop = asyncio.Event()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if seconds >= 10:
            stop.set()  # the first idle look: the message has been dispatched by now
        else:
            clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)

    sender = PacedSender(bot, outbox, clock, rate=28.0, sleep=sleep)
    await asyncio.wait_for(sender.run(stop, idle=10.0), timeout=10)
    assert slept[0] == pytest.approx(2.5)
    assert len(sandbox.world.bot_messages(chat)) == 1
    async with uow_factory() as uow:
        [row] = await uow.outbox.for_subject(Purpose.NOTICE, "soon")
    assert row.status is DeliveryStatus.SENT and row.sent_at is not None
    assert 2.5 <= (row.sent_at - started).total_seconds() < 10


class Killed(BaseException):
    """The process died (kill -9) at this point: nothing after it runs."""


class DiesAfterSending:
    """A bot whose process dies right after Telegram acknowledged a message it sent."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send_message(self, *args: Any, **kwargs: Any) -> Any:
        """Send, then die before anything is recorded."""
        await self._bot.send_message(*args, **kwargs)
        raise Killed

    async def edit_message_text(self, *args: Any, **kwargs: Any) -> Any:
        """Edits are idempotent: they go through."""
        return await self._bot.edit_message_text(*args, **kwargs)


async def finished_broadcast(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> tuple[int, int, int, PacedSender]:
    """A coordinator's appeal to two groups, delivered: ids of appeal, coordinator, progress."""
    world = sandbox.world
    coordinator = world.create_user("Coord", "coord")
    world.send_text(coordinator.id, "/start")
    chats = []
    for number in range(2):
        chat = world.create_group(f"Group {number}", members=[coordinator.id])
        world.add_bot(chat.id, coordinator.id)
        chats.append(chat.id)
    question = await bot.send_message(coordinator.id, "Send this appeal?")
    async with uow_factory() as uow:
        appeal = await uow.appeals.add(
            Appeal(0, "口罩", "请支援", AppealStatus.OPEN, None, "CNY", None, None,
                   coordinator.id, clock.now(), progress_message_id=question.message_id)
        )
        for chat_id in chats:
            await uow.outbox.enqueue(
                NewDelivery(Purpose.APPEAL, broadcast_subject(appeal.id), chat_id, "口罩"),
                clock.now(),
            )
        await uow.commit()
    sender, _ = make_sender(bot, OutboxService(uow_factory), clock)
    await sender.run_until_idle()
    return appeal.id, coordinator.id, question.message_id, sender


def reporter(bot: Any, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory) -> BroadcastReporter:
    return BroadcastReporter(
        bot,
        AppealService(uow_factory, clock, "CNY"),
        NetworkService(uow_factory, clock, Language.EN, "Asia/Shanghai"),
        Translations.load(),
        Language.EN,
    )


def reports(sandbox: SandboxServer, chat_id: int) -> list[str]:
    texts = [str(m.get("text", "")) for m in sandbox.world.bot_messages(chat_id)]
    return [t for t in texts if "Delivered to 2 of 2 groups." in t]


async def test_the_final_report_is_sent_once_though_the_reporter_dies_or_runs_twice(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    appeal_id, coordinator, progress, sender = await finished_broadcast(
        sandbox, bot, clock, uow_factory
    )
    # The reporter's process dies right after whatever it hands to Telegram...
    with contextlib.suppress(Killed):
        await reporter(DiesAfterSending(bot), clock, uow_factory).tick()
    # ...the restarted bot's reporter runs, and so does another replica's, at the same time.
    restarted = reporter(bot, clock, uow_factory)
    await asyncio.gather(restarted.tick(), reporter(bot, clock, uow_factory).tick())
    await restarted.tick()
    await sender.run_until_idle()
    assert len(reports(sandbox, coordinator)) == 1
    shown = next(m for m in sandbox.world.bot_messages(coordinator) if m["message_id"] == progress)
    assert shown["text"] == "Sent 2/2"
    async with uow_factory() as uow:
        [row] = await uow.outbox.for_subject(Purpose.NOTICE, report_subject(appeal_id))
        appeal = await uow.appeals.get(appeal_id)
    assert row.status is DeliveryStatus.SENT and row.chat_id == coordinator
    assert appeal is not None and appeal.reported_at is not None
    assert await AppealService(uow_factory, clock, "CNY").broadcasts() == []


async def test_a_deleted_progress_message_does_not_hold_up_the_report(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    _, coordinator, progress, sender = await finished_broadcast(sandbox, bot, clock, uow_factory)
    await bot.delete_message(coordinator, progress)
    await reporter(bot, clock, uow_factory).tick()
    await sender.run_until_idle()
    assert len(reports(sandbox, coordinator)) == 1


async def test_the_progress_message_is_never_edited_to_the_text_it_already_shows(
    sandbox: SandboxServer, bot: Bot, clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    world = sandbox.world
    chats = groups(world, 2)
    coordinator = world.create_user("Chair", "chair")
    world.send_text(coordinator.id, "/start")
    # What the Send button leaves: the question edited into the count at zero.
    question = await bot.send_message(coordinator.id, "Sent 0/2")
    async with uow_factory() as uow:
        appeal = await uow.appeals.add(
            Appeal(0, "口罩", "请支援", AppealStatus.OPEN, None, "CNY", None, None,
                   coordinator.id, clock.now(), progress_message_id=question.message_id)
        )
        for chat_id in chats:
            await uow.outbox.enqueue(
                NewDelivery(Purpose.APPEAL, broadcast_subject(appeal.id), chat_id, "口罩"),
                clock.now(),
            )
        await uow.commit()
    watching = reporter(bot, clock, uow_factory)
    await watching.tick()  # nothing sent yet: the message already says so
    sender, _ = make_sender(bot, OutboxService(uow_factory), clock)
    await sender.run_until_idle()
    await watching.tick()
    await watching.tick()
    edits = [c for c in world.calls if c["method"] == "editMessageText"]
    assert [c["params"]["text"] for c in edits] == ["Sent 2/2"]
    assert all(c["ok"] for c in edits)


async def test_a_broadcast_and_answers_beside_it_are_never_refused_by_strict_limits(
    clock: FakeClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    # Limits on and real time: the budget paces on the monotonic clock the sandbox counts.
    # (How near the budget's rate a long run comes is measured by bench/bench_broadcast.py:
    # a rate on a shared machine is not a test's to assert.)
    async with SandboxServer(flood_limits=True, token=TOKEN) as sandbox:
        world = sandbox.world
        chats = groups(world, 90)
        person = world.create_user("Asker", "asker")
        world.send_text(person.id, "/start")
        budget = FloodBudget(28.0)
        request = HTTPXRequest(connection_pool_size=64, read_timeout=5.0)
        bot = ExtBot(TOKEN, base_url=sandbox.base_url, request=request,
                     rate_limiter=BudgetRateLimiter(budget))
        await bot.initialize()
        try:
            outbox = OutboxService(uow_factory)
            await queue(outbox, clock, chats)
            sender = PacedSender(bot, outbox, clock, rate=28.0, monotonic=time.monotonic,
                                 budget=budget)
            since = world.last_call_seq
            # A person talks to the bot while the broadcast runs: five answers in a row.
            answers = [bot.send_message(person.id, f"answer {n}") for n in range(5)]
            await asyncio.gather(sender.run_until_idle(), *answers)
        finally:
            await bot.shutdown()
        calls = [c for c in world.calls if c["seq"] > since]
        assert [c for c in calls if c["error_code"] == 429] == []
        assert all(len(world.bot_messages(c)) == 1 for c in chats)
        assert len(world.bot_messages(person.id)) == 5
        # What Telegram counted: never more than 30 in any sliding second.
        moments = sorted(c["monotonic"] for c in calls if c["method"] == "sendMessage")
        assert len(moments) == 95
        assert max(
            bisect.bisect_right(moments, moment + 1.0) - first
            for first, moment in enumerate(moments)
        ) <= 30
