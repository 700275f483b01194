"""Pledge-dialog throughput through the sandbox with the bot as a real process.

A number of members pledge at once, each through the whole private dialog
(`/pledge APPEAL` → kind button → `500元` → date button → visibility button → confirm),
six round trips per pledge, every answer persisted. The same harness then drives a bare
PTB echo bot (a subprocess that echoes every private text) for the same number of round
trips: the framework's own ceiling. Flood limits are off: this measures the bot.
Prints figures; asserts nothing.
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
from tests.harness import ADMIN_ID, TOKEN, BotProcess, test_settings  # noqa: E402

MEMBERS = 10
PLEDGES_EACH = 4
ROUND_TRIPS = 6
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

ECHO_BOT = textwrap.dedent(
    """
    import sys
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    async def echo(update, context):
        await update.effective_message.reply_text(update.effective_message.text)

    app = ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2]).build()
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, echo))
    app.run_polling(poll_interval=0.0, timeout=10, drop_pending_updates=False)
    """
)

Json = dict[str, Any]


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

    async def echo_round(self) -> None:
        for step in range(ROUND_TRIPS):
            await self.say(f"echo {step}")


async def _members(client: SandboxClient, count: int) -> list[Member]:
    members = []
    for index in range(count):
        user = await client.create_user(f"M{index}", language_code="zh-hans")
        members.append(Member(client, int(user["id"])))
    return members


async def _bot_rate(database_url: str, label: str) -> float:
    async with SandboxServer(flood_limits=False) as sandbox, SandboxClient(sandbox.url) as client:
        await client.create_user("Admin", username="admin", language_code="en", user_id=ADMIN_ID)
        with tempfile.TemporaryDirectory() as logs:
            bot = BotProcess(test_settings(database_url, sandbox), Path(logs) / "bot.log")
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
                started = time.perf_counter()

                async def run(member: Member) -> None:
                    for _ in range(PLEDGES_EACH):
                        await member.pledge(appeal.id)

                await asyncio.gather(*(run(m) for m in members))
                elapsed = time.perf_counter() - started
            finally:
                await bot.kill()
    rate = MEMBERS * PLEDGES_EACH / elapsed
    print(f"tongxin bot ({label}): {MEMBERS * PLEDGES_EACH} pledges in {elapsed:.1f} s "
          f"= {rate:.2f} complete pledges/s ({rate * ROUND_TRIPS:.1f} round trips/s)",
          flush=True)
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
            await asyncio.gather(*(m.echo_round() for m in members[:2]))
            started = time.perf_counter()

            async def run(member: Member) -> None:
                for _ in range(PLEDGES_EACH):
                    await member.echo_round()

            await asyncio.gather(*(run(m) for m in members))
            elapsed = time.perf_counter() - started
        finally:
            process.kill()
            await process.wait()
    rate = MEMBERS * PLEDGES_EACH / elapsed
    print(f"bare PTB echo bot: {MEMBERS * PLEDGES_EACH * ROUND_TRIPS} round trips in "
          f"{elapsed:.1f} s = {rate:.2f} six-round-trip 'pledges'/s "
          f"({rate * ROUND_TRIPS:.1f} round trips/s)", flush=True)
    return rate


async def _main() -> int:
    echo = await _echo_rate()
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await _bot_rate(f"sqlite+aiosqlite:///{folder}/bench.sqlite3", "SQLite")
    print(f"  ratio SQLite / echo: {sqlite / echo:.0%} (target ≥ 40%)", flush=True)
    base = os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)
    try:
        url = await create_postgres_database(base)
    except Exception as error:  # no PostgreSQL here: say so and stop
        print(f"PostgreSQL skipped: {error!r}")
        return 0
    try:
        postgres = await _bot_rate(url, "PostgreSQL")
    finally:
        await drop_postgres_database(url)
    print(f"  ratio PostgreSQL / echo: {postgres / echo:.0%} (target ≥ 40%)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main()))
