"""Replicas on PostgreSQL: the pledge-dialog mix on one and on two replicas, and failover.

Each bot is a real process receiving by webhook from the sandbox through a round-robin front
(`tests/front.py`, what nginx does in `deploy/compose.yaml`); with two replicas a person's
consecutive updates reach different processes, ordered through the kept-updates table
(`storage/claims.py`). Figures: pledges per second, and each round trip's latency (an
update sent until the bot's answer arrived: median and p95), one replica beside two. The
sandbox pushes one update at a time (as `bench_webhook.py` says), and this machine has two
cores shared by the sandbox, the bots and PostgreSQL, so a second replica adds no CPU:
read the figures as "what the cross-replica rule costs", not as scaling. Each mix runs
paced as in production (Telegram's one message a second per chat bounds each person's round
trips) and with the flood budget lifted (`bench/unpaced_bot.py`), which shows the handling.

Failover: the leader is killed (`kill -9`) and a message queued at that moment; timed are
the standby's `tongxin_leader` gauge turning 1 and that message reaching the sandbox.
Flood limits off; prints figures; asserts nothing. Run: `.venv/bin/python bench/bench_replicas.py`.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.modules.setdefault("sniffio", None)  # type: ignore[assignment]  # see bench_sandbox.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench.bench_pledges import ROUND_TRIPS, Member  # noqa: E402
from domain.appeals.models import Appeal, AppealStatus  # noqa: E402
from domain.outbox.models import Purpose  # noqa: E402
from domain.outbox.ports import NewDelivery  # noqa: E402
from domain.outbox.service import OutboxService  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402
from storage.database import create_engine, session_factory, upgrade  # noqa: E402
from storage.uow import SqlUnitOfWorkFactory  # noqa: E402
from tests.dbutil import create_postgres_database, drop_postgres_database  # noqa: E402
from tests.front import Front, free_port  # noqa: E402
from tests.harness import ADMIN_ID, BotProcess, settings_for  # noqa: E402

MEMBERS = 10
#: Paced (as in production), a person gets about one answer a second: fewer pledges do.
PACED_EACH = 4
LIFTED_EACH = 15
FAILOVERS = 3
SECRET = "bench-replicas-secret-0123456789"
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

Json = dict[str, Any]


class TimedMember(Member):
    """A member who notes how long each round trip took."""

    def __init__(self, client: SandboxClient, user_id: int, latencies: list[float]) -> None:
        super().__init__(client, user_id)
        self.latencies = latencies

    async def say(self, text: str) -> Json:
        started = time.perf_counter()
        answer = await super().say(text)
        self.latencies.append(time.perf_counter() - started)
        return answer

    async def press(self, message: Json, prefix: str) -> Json:
        started = time.perf_counter()
        answer = await super().press(message, prefix)
        self.latencies.append(time.perf_counter() - started)
        return answer


UNPACED = ROOT / "bench" / "unpaced_bot.py"


class LaunchedBot(BotProcess):
    """A bot process started as `python -m bot run`, or through `bench/unpaced_bot.py`."""

    lifted = False

    async def start(self, client: SandboxClient) -> None:
        """Start the process and wait until it set its webhook."""
        since = max((c["seq"] for c in await client.calls()), default=0)
        command = [str(UNPACED)] if self.lifted else ["-m", "bot"]
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *command, "run", cwd=str(ROOT), env=self._env(),
                stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL,
            )
        await client.wait_for_calls(self.ready_method, count=1, timeout=60, since=since)


class Cluster:
    """N replicas of the bot behind one front, on one database, against one sandbox."""

    def __init__(self, database_url: str, sandbox: SandboxServer, count: int, logs: Path,
                 lifted: bool = False) -> None:
        ports = [free_port() for _ in range(count)]
        self.health = [free_port() for _ in range(count)]
        self.front = Front([f"http://127.0.0.1:{port}/telegram" for port in ports])
        self.bots = [
            LaunchedBot(
                settings_for(database_url, sandbox), logs / f"bot{n}.log",
                extra_env={"WEBHOOK_URL": self.front.url, "WEBHOOK_SECRET": SECRET,
                           "WEBHOOK_PORT": str(ports[n]), "HEALTH_PORT": str(self.health[n])},
                ready_method="setWebhook",
            )
            for n in range(count)
        ]
        for bot in self.bots:
            bot.lifted = lifted

    async def start(self, client: SandboxClient) -> None:
        """Start the front, then the replicas one after the other (the first migrates)."""
        await self.front.start()
        for bot in self.bots:
            await bot.start(client)

    async def stop(self) -> None:
        """Kill every replica; stop the front."""
        for bot in self.bots:
            await bot.kill()
        await self.front.stop()

    async def leading(self, http: aiohttp.ClientSession) -> list[int]:
        """The replicas whose /metrics say they lead (a dead one counts as not leading)."""
        found = []
        for index, port in enumerate(self.health):
            try:
                async with http.get(f"http://127.0.0.1:{port}/metrics") as answer:
                    if "\ntongxin_leader 1.0" in await answer.text():
                        found.append(index)
            except aiohttp.ClientError:
                continue
        return found

    async def wait_for_lead(self, http: aiohttp.ClientSession) -> list[int]:
        """Ask every 20 ms until exactly one replica leads (60 s at most)."""
        for _ in range(3000):
            found = await self.leading(http)
            if len(found) == 1:
                return found
            await asyncio.sleep(0.02)
        raise RuntimeError("no single leader within 60 s")


async def _appeal(database_url: str) -> int:
    await upgrade(database_url)
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    try:
        async with SqlUnitOfWorkFactory(session_factory(engine))() as uow:
            appeal = await uow.appeals.add(Appeal(
                id=0, title="bench", body="bench", status=AppealStatus.OPEN,
                deadline=(now + timedelta(days=30)).date(), currency="CNY",
                money_target_minor=None, organisation_id=None, created_by=ADMIN_ID,
                created_at=now,
            ))
            await uow.commit()
    finally:
        await engine.dispose()
    return appeal.id


async def _mix(base_url: str, count: int, each: int, lifted: bool
               ) -> tuple[float, list[float]]:
    """Pledges per second and the round trips' latencies on `count` replicas."""
    url = await create_postgres_database(base_url)
    latencies: list[float] = []
    try:
        async with SandboxServer(flood_limits=False) as sandbox, \
                SandboxClient(sandbox.url) as client:
            await client.create_user("Admin", username="admin", language_code="en",
                                     user_id=ADMIN_ID)
            with tempfile.TemporaryDirectory() as logs:
                cluster = Cluster(url, sandbox, count, Path(logs), lifted)
                await cluster.start(client)
                try:
                    appeal_id = await _appeal(url)
                    warm: list[float] = []
                    members = []
                    for index in range(MEMBERS):
                        user = await client.create_user(f"M{index}", language_code="zh-hans")
                        members.append(TimedMember(client, int(user["id"]), warm))
                    for member in members:
                        await member.say("/start")
                    await asyncio.gather(*(m.pledge(appeal_id) for m in members[:2]))
                    for member in members:
                        member.latencies = latencies
                    started = time.perf_counter()

                    async def run(member: Member) -> None:
                        for _ in range(each):
                            await member.pledge(appeal_id)

                    await asyncio.gather(*(run(m) for m in members))
                    elapsed = time.perf_counter() - started
                finally:
                    await cluster.stop()
    finally:
        await drop_postgres_database(url)
    return MEMBERS * each / elapsed, latencies


async def _failover(base_url: str) -> list[tuple[float, float]]:
    """(lead taken, first message sent) after `kill -9` of the leader, in seconds, per try."""
    url = await create_postgres_database(base_url)
    results: list[tuple[float, float]] = []
    try:
        async with SandboxServer(flood_limits=False) as sandbox, \
                SandboxClient(sandbox.url) as client, aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=2)) as http:
            await client.create_user("Admin", username="admin", language_code="en",
                                     user_id=ADMIN_ID)
            with tempfile.TemporaryDirectory() as logs:
                cluster = Cluster(url, sandbox, 2, Path(logs))
                await cluster.start(client)
                await upgrade(url)
                engine = create_engine(url)
                outbox = OutboxService(SqlUnitOfWorkFactory(session_factory(engine)))
                try:
                    for attempt in range(FAILOVERS):
                        [leader] = await cluster.wait_for_lead(http)
                        since = max(c["seq"] for c in await client.calls())
                        await cluster.bots[leader].kill()
                        killed = time.perf_counter()
                        await outbox.enqueue([NewDelivery(
                            Purpose.NOTICE, f"failover-{attempt}", ADMIN_ID, f"failover {attempt}",
                        )], datetime.now(UTC))
                        await cluster.wait_for_lead(http)
                        led = time.perf_counter() - killed
                        await client.wait_for_calls("sendMessage", count=1, since=since,
                                                    timeout=60)
                        results.append((led, time.perf_counter() - killed))
                        await cluster.bots[leader].start(client)  # back as the standby
                finally:
                    await engine.dispose()
                    await cluster.stop()
    finally:
        await drop_postgres_database(url)
    return results


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def _main() -> int:
    base = os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)
    started = time.perf_counter()
    try:
        await drop_postgres_database(await create_postgres_database(base))
    except Exception as error:  # no PostgreSQL here: say so
        print(f"replicas skipped (they need PostgreSQL): {error!r}", flush=True)
        return 0
    for lifted, each, how in ((False, PACED_EACH, "paced as in production"),
                              (True, LIFTED_EACH, "flood budget lifted")):
        figures = {}
        for count in (1, 2):
            rate, latencies = await _mix(base, count, each, lifted)
            figures[count] = rate
            print(f"SUMMARY replicas {count} on PostgreSQL ({how}): {rate:.2f} pledges/s "
                  f"({rate * ROUND_TRIPS:.1f} updates handled/s); round trip median "
                  f"{statistics.median(latencies) * 1000:.0f} ms, "
                  f"p95 {_p95(latencies) * 1000:.0f} ms ({len(latencies)} round trips)",
                  flush=True)
        print(f"SUMMARY two replicas / one ({how}): {figures[2] / figures[1]:.2f}× throughput "
              f"(2 cores for sandbox, bots and PostgreSQL)", flush=True)
    tries = await _failover(base)
    for led, sent in tries:
        print(f"failover: standby led after {led:.2f} s, first message sent after {sent:.2f} s",
              flush=True)
    print(f"SUMMARY leader failover: standby leads within {max(t[0] for t in tries):.2f} s, "
          f"sends within {max(t[1] for t in tries):.2f} s of the kill (worst of {len(tries)}; "
          f"target ≤ 10 s); bench took {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main()))
