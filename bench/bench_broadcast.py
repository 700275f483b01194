"""Broadcast benchmark: 1,000 groups through the paced sender against the strict sandbox.

The sandbox is as strict as Telegram (30 messages and edits in any sliding second, a chat's
burst of three then one a second, 20 a minute per group). The sender runs as in the bot: a
loop that is idle when Send is pressed and woken by it, drawing from the one flood budget
that the bot's own calls (here: the coordinator's progress edits every 3 s) draw from too.

Run as `python bench/bench_broadcast.py`; prints figures, asserts nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Bot
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.pace import FloodBudget, Lane, in_lane
from bot.rate_limiter import BudgetRateLimiter
from bot.sender import ChatEvents, PacedSender
from domain.clock import SystemClock
from domain.outbox.models import DeliveryStatus, Purpose, progress_of
from domain.outbox.ports import NewDelivery
from domain.outbox.service import OutboxService
from sandbox.server import SandboxServer
from sandbox.world import DEFAULT_TOKEN, Fault
from storage.database import create_engine, session_factory, upgrade
from storage.uow import SqlUnitOfWorkFactory

GROUPS = 1000
CEILING = 30.0
READ_TIMEOUT = 2.0
RATE = 28.0
PROGRESS_EVERY = 3.0
#: How long the sender has been idle when Send is pressed (its idle look is every second).
IDLE_BEFORE_SEND = 0.6


@dataclass
class Figures:
    """What one run measured."""

    seconds: float
    delivered: int
    rate: float
    http_429: int
    groups_once: int
    groups_twice: int
    groups_none: int
    report: Counter[str]
    #: Seconds from Send (rows committed, sender woken) to the first group's message.
    first_message: float = 0.0
    #: Progress edits made while the broadcast ran, and the 429s that Telegram answered
    #: beyond those the benchmark injected.
    edits: int = 0
    provoked_429: int = 0
    #: The largest number of sends and edits Telegram saw in any one-second window.
    busiest_second: int = 0
    #: When (seconds after the start) the last send that timed out was made, if any.
    last_timeout_at: float | None = None
    #: Pairs of consecutive sends and edits Telegram saw less than 5 ms apart (bunching),
    #: and the 1st percentile of the gaps between them.
    bunched: int = 0
    gap_p1: float = 0.0


class Recorder(ChatEvents):
    """Counts what the sender learnt about chats."""

    def __init__(self) -> None:
        self.gone: list[int] = []
        self.moved: dict[int, int] = {}

    async def left(self, chat_id: int) -> None:
        """Remember the chat that removed the bot."""
        self.gone.append(chat_id)

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        """Remember the move."""
        self.moved[old_chat_id] = new_chat_id


async def run(faults: bool, workdir: Path) -> Figures:
    """Broadcast to GROUPS groups, optionally with faults, and measure."""
    rng = random.Random(4)
    async with SandboxServer(flood_limits=True, timeout_fault_delay=4.0) as sb:
        world = sb.world
        world.bind(DEFAULT_TOKEN)
        admin = world.create_user("Coordinator", "coord")
        groups = []
        for number in range(GROUPS):
            chat = world.create_group(f"Group {number}", members=[admin.id])
            world.add_bot(chat.id, admin.id)
            groups.append(chat.id)
        removed: set[int] = set()
        migrated: dict[int, int] = {}
        timeouts: set[int] = set()
        if faults:
            shuffled = groups[:]
            rng.shuffle(shuffled)
            removed = set(shuffled[:50])
            for chat_id in shuffled[50:70]:
                migrated[chat_id] = world.migrate_group(chat_id)
            timeouts = set(shuffled[70:80])
            for chat_id in removed:
                world.remove_bot(chat_id, admin.id)
            for chat_id in timeouts:
                world.faults.append(
                    Fault(
                        count=1, kind="timeout", method="sendmessage", chat_ids={chat_id}, delay=4.0
                    )
                )
        url = f"sqlite+aiosqlite:///{workdir / ('faults.db' if faults else 'clean.db')}"
        await upgrade(url)
        engine = create_engine(url)
        outbox = OutboxService(SqlUnitOfWorkFactory(session_factory(engine)))
        clock = SystemClock()
        request = HTTPXRequest(
            connection_pool_size=128, read_timeout=READ_TIMEOUT, pool_timeout=10.0
        )
        budget = FloodBudget(RATE)
        bot = ExtBot(DEFAULT_TOKEN, base_url=sb.base_url, request=request,
                     rate_limiter=BudgetRateLimiter(budget))
        await bot.initialize()
        world.send_text(admin.id, "/start")
        progress_message = await bot.send_message(admin.id, "Sent 0")
        recorder = Recorder()
        sender = PacedSender(bot, outbox, clock, chats=recorder, rate=RATE,
                             monotonic=time.monotonic, budget=budget)
        stop = asyncio.Event()
        sending = asyncio.create_task(sender.run(stop, idle=1.0))
        await asyncio.sleep(IDLE_BEFORE_SEND)  # the sender is idle when Send is pressed
        calls_before = world.last_call_seq
        edits = 0

        async def bursts() -> None:
            for at in (6.0, 14.0, 22.0):
                await asyncio.sleep(at - (time.monotonic() - started))
                # A paced sender has one request in flight, so a burst reaches it as one 429.
                world.faults.append(Fault(count=1, kind="429", retry_after=3, method="sendmessage"))

        async def show_progress() -> None:
            nonlocal edits
            shown = ""
            with in_lane(Lane.BULK):  # as the bot's broadcast reporter does
                while not stop.is_set():
                    await asyncio.sleep(PROGRESS_EVERY)
                    done = (await outbox.progress(Purpose.APPEAL, "appeal:1")).done
                    text = f"Sent {done}/{GROUPS}"
                    if text != shown:
                        await bot.edit_message_text(
                            text, chat_id=admin.id, message_id=progress_message.message_id
                        )
                        shown, edits = text, edits + 1

        await outbox.enqueue(
            [
                NewDelivery(Purpose.APPEAL, "appeal:1", chat_id, f"Appeal 1 to group {chat_id}")
                for chat_id in groups
            ],
            clock.now(),
        )
        started = time.monotonic()
        sender.wake()  # what the bot does once the Send press is handled
        burst_task = asyncio.create_task(bursts()) if faults else None
        progress_task = asyncio.create_task(show_progress())
        # The outbox announces nothing. Reading a broadcast's progress loads all its rows,
        # which on the loop the sender shares costs it slots, so
        # the bench watches the sender's own counters and asks the outbox only to confirm.
        while True:
            while sender.stats.sent + sender.stats.failed < GROUPS:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            if (await outbox.progress(Purpose.APPEAL, "appeal:1")).finished:
                break
            await asyncio.sleep(0.5)
        stop.set()
        await sending
        progress_task.cancel()
        if burst_task is not None:
            burst_task.cancel()
        await asyncio.gather(progress_task, *([burst_task] if burst_task else []),
                             return_exceptions=True)
        await bot.shutdown()
        sends = [c for c in world.calls if c["seq"] > calls_before
                 and c["method"] == "sendMessage" and c["ok"]]
        elapsed = max(c["monotonic"] for c in sends) - started
        first_message = min(c["monotonic"] for c in sends) - started
        accepted = sorted(c["monotonic"] for c in world.calls if c["seq"] > calls_before
                          and c["ok"] and c["method"] in ("sendMessage", "editMessageText"))
        busiest, low = 0, 0
        for high, moment in enumerate(accepted):
            while accepted[low] <= moment - 1.0:
                low += 1
            busiest = max(busiest, high - low + 1)
        gaps = sorted(b - a for a, b in itertools.pairwise(accepted))
        http_429 = sum(1 for c in world.calls if c["seq"] > calls_before and c["error_code"] == 429)
        injected = 3 if faults else 0
        timed_out = [
            c["monotonic"] - started
            for c in world.calls
            if c["seq"] > calls_before and c["description"] == "timeout (fault)"
        ]
        per_group = Counter[int]()
        for chat_id in groups:
            target = migrated.get(chat_id, chat_id)
            per_group[chat_id] = len(world.bot_messages(target))
        reachable = [g for g in groups if g not in removed]
        async with SqlUnitOfWorkFactory(session_factory(engine))() as uow:
            deliveries = await uow.outbox.for_subject(Purpose.APPEAL, "appeal:1")
        await engine.dispose()
        progress = progress_of(deliveries)
        report = Counter[str]({"sent": progress.sent})
        for reason, chats in progress.failed.items():
            report[reason.value] = len(chats)
        assert all(d.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED) for d in deliveries)
        delivered = sum(1 for g in reachable if per_group[g] >= 1)
        return Figures(
            seconds=elapsed,
            delivered=delivered,
            rate=progress.sent / elapsed,
            http_429=http_429,
            groups_once=sum(1 for g in reachable if per_group[g] == 1),
            groups_twice=sum(1 for g in groups if per_group[g] > 1),
            groups_none=sum(1 for g in reachable if per_group[g] == 0),
            report=report,
            first_message=first_message,
            edits=edits,
            provoked_429=max(0, http_429 - injected),
            busiest_second=busiest,
            last_timeout_at=max(timed_out, default=None),
            bunched=sum(1 for gap in gaps if gap < 0.005),
            gap_p1=gaps[len(gaps) // 100],
        )


async def child(base_url: str, database_url: str) -> None:
    """The sender as its own process (the one the parent kills with SIGKILL)."""
    engine = create_engine(database_url)
    outbox = OutboxService(SqlUnitOfWorkFactory(session_factory(engine)))
    request = HTTPXRequest(connection_pool_size=128, read_timeout=READ_TIMEOUT, pool_timeout=10.0)
    bot = Bot(DEFAULT_TOKEN, base_url=base_url, request=request)
    await bot.initialize()
    sender = PacedSender(bot, outbox, SystemClock(), rate=28.0, monotonic=time.monotonic)
    await sender.recover()
    await sender.run_until_idle()
    await bot.shutdown()
    await engine.dispose()


async def run_killed(workdir: Path, kill_after: int = 300) -> None:
    """Kill -9 the sending process after `kill_after` messages, restart it, count duplicates."""
    async with SandboxServer(flood_limits=True) as sb:
        world = sb.world
        world.bind(DEFAULT_TOKEN)
        admin = world.create_user("Coordinator", "coord")
        groups = []
        for number in range(GROUPS):
            chat = world.create_group(f"Group {number}", members=[admin.id])
            world.add_bot(chat.id, admin.id)
            groups.append(chat.id)
        url = f"sqlite+aiosqlite:///{workdir / 'killed.db'}"
        await upgrade(url)
        engine = create_engine(url)
        outbox = OutboxService(SqlUnitOfWorkFactory(session_factory(engine)))
        await outbox.enqueue(
            [NewDelivery(Purpose.APPEAL, "appeal:1", c, f"Appeal 1 to {c}") for c in groups],
            SystemClock().now(),
        )
        await engine.dispose()

        def delivered() -> int:
            return sum(len(world.bot_messages(c)) for c in groups)

        async def spawn() -> asyncio.subprocess.Process:
            return await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--child", sb.base_url, url
            )

        started = time.monotonic()
        first = await spawn()
        # The sandbox has no event for "n messages delivered": poll it closely.
        while delivered() < kill_after and first.returncode is None:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        first.kill()
        await first.wait()
        at_kill = delivered()
        second = await spawn()
        await second.wait()
        elapsed = time.monotonic() - started
        counts = [len(world.bot_messages(c)) for c in groups]
        print("== kill -9 after ~300 of 1000, then restart")
        print(f"  killed with {at_kill} delivered; total time {elapsed:.1f} s (incl. restart)")
        print(
            f"  groups reached: {sum(1 for n in counts if n >= 1)} / {GROUPS}, "
            f"duplicates: {sum(n - 1 for n in counts if n > 1)}"
        )


def show(name: str, figures: Figures) -> None:
    """Print one run's figures."""
    print(f"== {name}")
    print(
        f"  time {figures.seconds:.1f} s, sent {figures.report['sent']}, "
        f"rate {figures.rate:.2f}/s = {figures.rate / CEILING:.1%} of 30/s"
    )
    print(f"  HTTP 429 answers: {figures.http_429} ({figures.provoked_429} provoked by the bot)")
    print(f"  first group's message {figures.first_message * 1000:.0f} ms after Send; "
          f"{figures.edits} progress edits from the same budget; busiest sliding second at "
          f"Telegram: {figures.busiest_second} sends and edits")
    print(f"  sends and edits less than 5 ms apart at Telegram: {figures.bunched}; "
          f"1st percentile of the gaps: {figures.gap_p1 * 1000:.1f} ms")
    print(
        f"  reachable groups with exactly one message: {figures.groups_once}, "
        f"with none: {figures.groups_none}, any group with more than one: "
        f"{figures.groups_twice}"
    )
    print(f"  report: {dict(figures.report)}")


async def main() -> None:
    """Run the fault-free and the faulty broadcast."""
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        clean = await run(False, Path(tmp))
        show("fault-free", clean)
        faulty = await run(True, Path(tmp))
        show("with faults (5% removed, 2% migrated, 1% timeout once, 3x 429 retry_after 3)", faulty)
        print(f"  faulty rate / fault-free rate: {faulty.rate / clean.rate:.1%}")
        paused = faulty.http_429 * 3.0
        net = faulty.report["sent"] / max(0.1, faulty.seconds - paused)
        print(
            f"  excluding the {paused:.0f} s Telegram ordered us to wait: {net:.2f}/s = "
            f"{net / clean.rate:.1%} of fault-free"
        )
        # Extra lines for reading the figure above; they change none of it.
        ceiling = faulty.report["sent"] / (faulty.report["sent"] / clean.rate + paused)
        print(
            f"  ceiling (every delivery at the fault-free pace, plus the {paused:.0f} s "
            f"ordered waits): {ceiling:.2f}/s = {ceiling / clean.rate:.1%} of fault-free"
        )
        if faulty.last_timeout_at is not None:
            print(
                f"  the last send to time out was made at {faulty.last_timeout_at:.1f} s; "
                f"its one retry cannot start before the {READ_TIMEOUT:.0f} s read timeout "
                f"ends ({faulty.last_timeout_at + READ_TIMEOUT:.1f} s of "
                f"{faulty.seconds:.1f} s)"
            )
        if "--no-kill" not in sys.argv:
            await run_killed(Path(tmp))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        asyncio.run(child(sys.argv[2], sys.argv[3]))
    else:
        asyncio.run(main())
