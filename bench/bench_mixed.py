"""Mixed-load benchmark: a broadcast and a reminder backlog while members talk to the bot.

In one run against the strict sandbox (flood limits on), with the bot as a process
(`python -m bot run`, `CLOCK=sandbox`, production pacing and its one flood budget):
a 1,000-group broadcast and 10,000 reminders are due at once (the reminders by moving the
sandbox's clock past their time, the broadcast queued in the outbox), and at the same
moment 50 members each go through the pledge dialog (`/pledge 1` → money → `500元` → no
date → anonymous → confirm; six round trips) twice, thinking `THINK` seconds (default 5,
jittered) before each answer, as people do. Measured while the members talk:

- 429s Telegram answered (target 0);
- the latency of each dialog answer, from the member's message or press to the bot's next
  message: p50 / p95 (target p95 ≤ 1.5 s);
- bulk sending (broadcast and reminders) against what the interactive answers leave of
  30/s (target ≥ 0.85).

Run: `.venv/bin/python bench/bench_mixed.py` (a few minutes), `DATABASE=postgresql` for
PostgreSQL; `BROADCAST_GROUPS`, `REMINDERS`, `MEMBERS`, `PLEDGES_EACH`, `THINK` for other
sizes. Prints figures; asserts nothing.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

sys.modules.setdefault("sniffio", None)  # type: ignore[assignment]  # see bench_sandbox.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pledges import Member  # noqa: E402
from bench.bench_reminders import PG_DEFAULT, SHANGHAI, chat_of, planned, seed  # noqa: E402
from domain.outbox.models import Purpose  # noqa: E402
from domain.outbox.ports import NewDelivery  # noqa: E402
from domain.outbox.service import OutboxService  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402
from storage.database import create_engine, session_factory  # noqa: E402
from storage.uow import SqlUnitOfWorkFactory  # noqa: E402
from tests.dbutil import create_postgres_database, drop_postgres_database  # noqa: E402
from tests.harness import ADMIN_ID, TOKEN, BotProcess, settings_for  # noqa: E402

GROUPS = int(os.environ.get("BROADCAST_GROUPS", "1000"))
REMINDERS = int(os.environ.get("REMINDERS", "10000"))
MEMBERS = int(os.environ.get("MEMBERS", "50"))
PLEDGES_EACH = int(os.environ.get("PLEDGES_EACH", "2"))
THINK = float(os.environ.get("THINK", "5"))
CEILING = 30.0
#: Methods Telegram's 30 messages a second count (what the sandbox's flood limits count).
SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "editMessageText",
                   "editMessageCaption", "editMessageReplyMarkup"})
LOOK = 0.5


class TimedMember(Member):
    """A member who thinks before each answer and notes how long the bot took to answer."""

    def __init__(self, client: SandboxClient, user_id: int, rng: random.Random) -> None:
        super().__init__(client, user_id)
        self.rng = rng
        self.latencies: list[float] = []
        #: answers the bot did not give within the wait (30 s)
        self.unanswered = 0
        #: dialogs that went wrong (the bot answered something else)
        self.failures: list[str] = []

    async def _think(self) -> None:
        await asyncio.sleep(self.rng.uniform(0.5, 1.5) * THINK)  # a person reading, typing

    async def say(self, text: str) -> dict[str, Any]:
        await self._think()
        started = time.monotonic()
        answer = await super().say(text)
        self.latencies.append(time.monotonic() - started)
        return answer

    async def press(self, message: dict[str, Any], prefix: str) -> dict[str, Any]:
        await self._think()
        started = time.monotonic()
        answer = await super().press(message, prefix)
        self.latencies.append(time.monotonic() - started)
        return answer


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def run(database_url: str) -> None:
    """One mixed run; prints its figures."""
    async with SandboxServer(flood_limits=True) as sandbox, SandboxClient(sandbox.url) as client:
        world = sandbox.world
        bot_user = world.bind(TOKEN)
        world.create_user("Admin", username="admin", language_code="en", user_id=ADMIN_ID)
        reminded = [world.create_user(f"人{i}", language_code="zh-hans",
                                      user_id=500_000_001 + i) for i in range(REMINDERS)]
        for user in reminded:  # each has started the bot: it may write to them
            user.started = True
            world.private_chat(user)
        groups = [world.create_group(f"群{i}", members=[ADMIN_ID, bot_user.id]).id
                  for i in range(GROUPS)]
        now = world.clock.now()
        deadline = now.astimezone(SHANGHAI).date() + timedelta(days=10)
        await seed(database_url, REMINDERS, deadline, now - timedelta(days=1))
        rng = random.Random(12)
        members = [TimedMember(client, int((await client.create_user(
            f"M{i}", language_code="zh-hans"))["id"]), rng) for i in range(MEMBERS)]
        member_ids = {m.user_id for m in members}
        with tempfile.TemporaryDirectory() as scratch:
            bot = BotProcess(settings_for(database_url, sandbox, clock="sandbox"),
                             Path(scratch) / "bot.log", ready_method="deleteWebhook")
            await bot.start(client)
            engine = create_engine(database_url)
            try:
                for member in members:  # they have started the bot (not timed)
                    await Member.say(member, "/start")
                while await planned(database_url) < REMINDERS:  # noqa: ASYNC110
                    await asyncio.sleep(LOOK)  # the bot plans 500 pledges a tick; look again
                since = world.last_call_seq
                first_slot = datetime.combine(deadline - timedelta(days=2), clock_time(10, 1),
                                              SHANGHAI)
                world.clock.advance((first_slot - world.clock.now()).total_seconds())
                await OutboxService(SqlUnitOfWorkFactory(session_factory(engine))).enqueue(
                    [NewDelivery(Purpose.APPEAL, "mixed-bench", g, f"📣 抗疫倡议 {g}")
                     for g in groups], world.clock.now(),
                )
                started = time.monotonic()

                async def talk(member: TimedMember) -> None:
                    for _ in range(PLEDGES_EACH):
                        try:
                            await member.pledge(1)
                        except TimeoutError:  # no answer within 30 s: noted, the member stops
                            member.unanswered += 1
                            return
                        except RuntimeError as error:  # an answer other than the dialog's
                            member.failures.append(str(error))

                await asyncio.gather(*(talk(m) for m in members))
                ended = time.monotonic()
            finally:
                await engine.dispose()
                try:
                    await bot.terminate()
                except TimeoutError:  # noted, not hidden: a clean stop should take seconds
                    print("  (the bot did not stop within 30 s of SIGTERM; killed)", flush=True)
                    await bot.kill()
        window = [c for c in world.calls if c["seq"] > since
                  and started <= c["monotonic"] <= ended]
        http_429 = sum(1 for c in world.calls if c["seq"] > since and c.get("error_code") == 429)
    sends = [c for c in window if c["method"] in SENDS and c["ok"]]
    interactive = sum(1 for c in sends if chat_of(c) in member_ids)
    bulk = len(sends) - interactive
    seconds = ended - started
    left = CEILING - interactive / seconds
    latencies = [t for m in members for t in m.latencies]
    print(f"{GROUPS} groups + {REMINDERS} reminders due while {MEMBERS} members pledge "
          f"{PLEDGES_EACH}x each (think {THINK:g} s): {seconds:.1f} s of talk", flush=True)
    print(f"  429s: {http_429} (target 0); members left without an answer for 30 s: "
          f"{sum(m.unanswered for m in members)}; dialogs that went wrong: "
          f"{sum(len(m.failures) for m in members)} "
          f"{sorted({f for m in members for f in m.failures})[:3]}")
    print(f"  dialog answers: {len(latencies)}, latency p50 {_percentile(latencies, 0.5):.2f} s, "
          f"p95 {_percentile(latencies, 0.95):.2f} s (target p95 <= 1.5 s), "
          f"max {max(latencies, default=float('nan')):.2f} s, "
          f"mean {statistics.fmean(latencies) if latencies else float('nan'):.2f} s")
    print(f"  sends in the window: interactive {interactive / seconds:.1f}/s, bulk "
          f"{bulk / seconds:.1f}/s = {bulk / seconds / left:.3f} of the {left:.1f}/s the "
          f"answers leave of 30/s (target >= 0.85)", flush=True)


async def main() -> int:
    """Run once on a fresh database: SQLite, or PostgreSQL with DATABASE=postgresql."""
    with tempfile.TemporaryDirectory() as scratch:
        if os.environ.get("DATABASE") == "postgresql":
            url = await create_postgres_database(os.environ.get("TEST_DATABASE_URL", PG_DEFAULT))
        else:
            url = f"sqlite+aiosqlite:///{scratch}/mixed.db"
        print(f"database: {url.split(':', 1)[0]}", flush=True)
        try:
            await run(url)
        finally:
            if url.startswith("postgresql"):
                await drop_postgres_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
