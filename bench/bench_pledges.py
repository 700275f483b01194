"""Pledge-dialog throughput through the sandbox with the bot as a real process.

A number of members pledge at once, each through the whole private dialog
(`/pledge APPEAL` → kind button → `500元` → date button → visibility button → confirm),
six round trips per pledge, every answer persisted. The same harness drives a bare PTB
echo bot (a subprocess) through the same mix: two texts, each answered with an HTML message
carrying a button, and four button presses, each answered with `answerCallbackQuery` and a
new HTML message with a button — the calls the pledge dialog makes, minus the bot's own work:
the framework's ceiling. The echo bot handles updates concurrently, as Tongxin does. It is
measured before, between and after the bot runs (the machine is shared); ratios use the best
echo run, the harder comparison.
Flood limits are off in the sandbox, and the bot runs with its own flood budget lifted
(`bench/unpaced_bot.py`): the echo bot does not pace itself either, and paced, ten people's
six answers are bound by Telegram's one message a second per chat (about 1.2 pledges/s
whatever the bot does), so the ratio would measure the pace, not the bot. `PACED=1` runs the
bot as in production instead. Each run also prints the CPU each side used per round trip
(the bot's process, and this one: the sandbox and the members), a figure the other work on a
shared machine disturbs far less than the rates. Prints figures and one summary line per
database; asserts nothing. Run: `.venv/bin/python bench/bench_pledges.py` (about 2 min).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.modules.setdefault("sniffio", None)  # type: ignore[assignment]  # see bench_sandbox.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain.appeals.models import Appeal, AppealStatus  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402
from storage.database import create_engine, session_factory, upgrade  # noqa: E402
from storage.uow import SqlUnitOfWorkFactory  # noqa: E402
from tests.dbutil import create_postgres_database, drop_postgres_database  # noqa: E402
from tests.harness import ADMIN_ID, TOKEN, BotProcess, settings_for  # noqa: E402

MEMBERS = 10
PLEDGES_EACH = 30
ECHO_PLEDGES_EACH = 60
TARGET = 0.40
ROUND_TRIPS = 6
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
#: `BENCH_ONLY=sqlite` or `BENCH_ONLY=postgresql` measures one database (both by default)
ONLY = os.environ.get("BENCH_ONLY", "").lower()
#: the bot with its flood budget lifted, unless PACED=1 asks for production pacing
LAUNCHER = ("-m", "bot") if os.environ.get("PACED") == "1" else (
    str(ROOT / "bench" / "unpaced_bot.py"),
)
#: `BEFORE=/path/to/another/checkout` also measures that checkout's bot (unpaced), right
#: before this one on each database: a before/after in one run
BEFORE = os.environ.get("BEFORE")

ECHO_BOT = textwrap.dedent(
    """
    import html
    import sys
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.constants import ParseMode
    from telegram.ext import (
        ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters,
    )

    def button(step):
        return InlineKeyboardMarkup([[InlineKeyboardButton("next", callback_data=f"e:{step}")]])

    async def echo(update, context):
        message = update.effective_message
        await message.reply_text(
            f"<b>echo</b> {html.escape(message.text)}", parse_mode=ParseMode.HTML,
            reply_markup=button(0), do_quote=False,
        )

    async def press(update, context):
        query = update.callback_query
        await query.answer()
        step = int(query.data.split(":")[1]) + 1
        await query.message.reply_text(
            f"<b>step</b> {step}", parse_mode=ParseMode.HTML, reply_markup=button(step),
            do_quote=False,
        )

    app = (
        ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2])
        .concurrent_updates(True).build()
    )
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(press, pattern="^e:"))
    app.run_polling(poll_interval=0.0, timeout=10, drop_pending_updates=False)
    """
)

Json = dict[str, Any]
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


class Cpu:
    """CPU used by a bot process and by this process (sandbox and members) over a run."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.bot = -cpu_seconds(pid)
        self.here = -time.process_time()

    def stop(self) -> None:
        """End the measurement."""
        self.bot += cpu_seconds(self.pid)
        self.here += time.process_time()

    def per_round_trip(self, round_trips: int) -> str:
        """Milliseconds of CPU per round trip: the bot's, and the sandbox's with the members'."""
        return (f"CPU per round trip: bot {1000 * self.bot / round_trips:.2f} ms, "
                f"sandbox+members {1000 * self.here / round_trips:.2f} ms")


def _data(message: Json, prefix: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for key in row:
            if str(key.get("callback_data", "")).startswith(prefix):
                return str(key["callback_data"])
    raise RuntimeError(f"no {prefix} button in {message.get('text')!r}")


class Member:
    """One sandbox user talking to the bot, waiting for each answer."""

    def __init__(self, client: SandboxClient, user_id: int) -> None:
        self.client = client
        self.user_id = user_id
        self.last = 0

    async def _next(self) -> Json:
        [answer] = (await self.client.wait_for_bot_messages(
            self.user_id, count=1, timeout=30, after_message_id=self.last
        ))[:1]
        self.last = max(self.last, int(answer["message_id"]))
        return answer

    async def say(self, text: str) -> Json:
        sent = await self.client.send_text(self.user_id, text)
        self.last = max(self.last, int(sent.get("message_id", self.last)))
        return await self._next()

    async def press(self, message: Json, prefix: str) -> Json:
        await self.client.press_button(
            self.user_id, self.user_id, int(message["message_id"]),
            callback_data=_data(message, prefix),
        )
        return await self._next()

    async def pledge(self, appeal_id: int) -> None:
        kind = await self.say(f"/pledge {appeal_id}")
        await self.press(kind, "pd:kind:money")
        due = await self.say("500元")
        visibility = await self.press(due, "pd:due:none")
        summary = await self.press(visibility, "pd:visibility:anonymous")
        thanks = await self.press(summary, "pd:ok:")
        if "#" not in thanks["text"]:
            raise RuntimeError(f"unexpected answer {thanks['text']!r}")

    async def echo_pledge(self) -> None:
        """The pledge's six round trips against the echo bot: text, press, text, 3 presses."""
        first = await self.say("/pledge 1")
        await self.press(first, "e:")
        answer = await self.say("500元")
        for _ in range(3):
            answer = await self.press(answer, "e:")


async def _members(client: SandboxClient, count: int) -> list[Member]:
    members = []
    for index in range(count):
        user = await client.create_user(f"M{index}", language_code="zh-hans")
        members.append(Member(client, int(user["id"])))
    return members


async def _bot_rate(
    database_url: str, label: str, launcher: tuple[str, ...] = LAUNCHER
) -> float:
    async with SandboxServer(flood_limits=False) as sandbox, SandboxClient(sandbox.url) as client:
        await client.create_user("Admin", username="admin", language_code="en", user_id=ADMIN_ID)
        with tempfile.TemporaryDirectory() as logs:
            bot = BotProcess(settings_for(database_url, sandbox), Path(logs) / "bot.log",
                             launcher=launcher)
            await bot.start(client)
            try:
                await upgrade(database_url)
                engine = create_engine(database_url)
                now = datetime.now(UTC)
                async with SqlUnitOfWorkFactory(session_factory(engine))() as uow:
                    appeal = await uow.appeals.add(Appeal(
                        id=0, title="bench", body="bench", status=AppealStatus.OPEN,
                        deadline=(now + timedelta(days=30)).date(), currency="CNY",
                        money_target_minor=None, organisation_id=None, created_by=ADMIN_ID,
                        created_at=now,
                    ))
                    await uow.commit()
                await engine.dispose()
                members = await _members(client, MEMBERS)
                for member in members:  # warm-up: one pledge each, not timed
                    await member.say("/start")
                await asyncio.gather(*(m.pledge(appeal.id) for m in members[:2]))
                assert bot.process is not None
                cpu = Cpu(bot.process.pid)
                started = time.perf_counter()

                async def run(member: Member) -> None:
                    for _ in range(PLEDGES_EACH):
                        await member.pledge(appeal.id)

                await asyncio.gather(*(run(m) for m in members))
                elapsed = time.perf_counter() - started
                cpu.stop()
            finally:
                await bot.kill()
    rate = MEMBERS * PLEDGES_EACH / elapsed
    print(f"tongxin bot ({label}): {MEMBERS * PLEDGES_EACH} pledges in {elapsed:.1f} s "
          f"= {rate:.2f} complete pledges/s ({rate * ROUND_TRIPS:.1f} round trips/s); "
          f"{cpu.per_round_trip(MEMBERS * PLEDGES_EACH * ROUND_TRIPS)}", flush=True)
    return rate


async def _echo_rate() -> float:
    async with SandboxServer(flood_limits=False) as sandbox, SandboxClient(sandbox.url) as client:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", ECHO_BOT, TOKEN, sandbox.base_url, cwd=str(ROOT),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            await client.wait_for_calls("getUpdates", count=1, timeout=60)
            members = await _members(client, MEMBERS)
            await asyncio.gather(*(m.echo_pledge() for m in members[:2]))
            cpu = Cpu(process.pid)
            started = time.perf_counter()

            async def run(member: Member) -> None:
                for _ in range(ECHO_PLEDGES_EACH):
                    await member.echo_pledge()

            await asyncio.gather(*(run(m) for m in members))
            elapsed = time.perf_counter() - started
            cpu.stop()
        finally:
            process.kill()
            await process.wait()
    rate = MEMBERS * ECHO_PLEDGES_EACH / elapsed
    print(f"bare PTB echo bot: {MEMBERS * ECHO_PLEDGES_EACH * ROUND_TRIPS} round trips in "
          f"{elapsed:.1f} s = {rate:.2f} six-round-trip 'pledges'/s "
          f"({rate * ROUND_TRIPS:.1f} round trips/s); "
          f"{cpu.per_round_trip(MEMBERS * ECHO_PLEDGES_EACH * ROUND_TRIPS)}", flush=True)
    return rate


def _summary(label: str, bot: float, echo: float) -> str:
    ratio = bot / echo
    verdict = "met" if ratio >= TARGET else "NOT met"
    return (f"SUMMARY {label}: bot {bot * ROUND_TRIPS:.1f} round trips/s, echo "
            f"{echo * ROUND_TRIPS:.1f} round trips/s, ratio {ratio:.0%} "
            f"(target ≥ {TARGET:.0%}: {verdict})")


async def _main() -> int:
    started = time.perf_counter()
    echoes = [await _echo_rate()]
    rates: dict[str, float] = {}
    if ONLY != "postgresql":
        for label, launcher in _versions("SQLite"):
            with tempfile.TemporaryDirectory() as folder:
                rates[label] = await _bot_rate(
                    f"sqlite+aiosqlite:///{folder}/bench.sqlite3", label, launcher
                )
        echoes.append(await _echo_rate())
    if ONLY == "sqlite":
        return _report(started, echoes, rates)
    base = os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)
    try:
        url = await create_postgres_database(base)
    except Exception as error:  # no PostgreSQL here: say so and go on
        print(f"PostgreSQL skipped: {error!r}", flush=True)
    else:
        try:
            for index, (label, launcher) in enumerate(_versions("PostgreSQL")):
                if index:  # each version on a database of its own
                    await drop_postgres_database(url)
                    url = await create_postgres_database(base)
                rates[label] = await _bot_rate(url, label, launcher)
        finally:
            await drop_postgres_database(url)
        echoes.append(await _echo_rate())
    return _report(started, echoes, rates)


def _versions(database: str) -> list[tuple[str, tuple[str, ...]]]:
    """The bots to measure on one database: `BEFORE`'s first when given, then this one."""
    versions: list[tuple[str, tuple[str, ...]]] = [(database, LAUNCHER)]
    if BEFORE:
        before = str(Path(BEFORE) / "bench" / "unpaced_bot.py")
        versions.insert(0, (f"{database}, before", (before,)))
    return versions


def _report(started: float, echoes: list[float], rates: dict[str, float]) -> int:
    echo = max(echoes)
    print(f"echo best {echo * ROUND_TRIPS:.1f} round trips/s (runs: "
          f"{', '.join(f'{e * ROUND_TRIPS:.1f}' for e in echoes)}); "
          f"bench took {time.perf_counter() - started:.0f} s", flush=True)
    for label, rate in rates.items():
        print(_summary(label, rate, echo), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main()))
