"""Webhook throughput: the pledge-dialog mix with the bot receiving by webhook.

The same members and six-round-trip pledges as `bench_pledges.py`, but the sandbox pushes
updates to the bot's webhook (one POST at a time, each after the previous got its answer:
the sandbox ignores `max_connections`, real Telegram opens up to 40). Compared in the same
run with a bare PTB webhook echo bot (an aiohttp endpoint feeding PTB's update queue with
`concurrent_updates`, answering 200 at once) and with the webhook of the commit before
this one (`OLD_COMMIT`: each update answered after it was handled, one at a time), taken
from git into a temporary folder. Flood limits off; prints figures; asserts nothing.
Run: `.venv/bin/python bench/bench_webhook.py` (a few minutes).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.modules.setdefault("sniffio", None)  # type: ignore[assignment]  # see bench_sandbox.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pledges import ROUND_TRIPS, Member, _members  # noqa: E402
from domain.appeals.models import Appeal, AppealStatus  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402
from storage.database import create_engine, session_factory, upgrade  # noqa: E402
from storage.uow import SqlUnitOfWorkFactory  # noqa: E402
from tests.dbutil import create_postgres_database, drop_postgres_database  # noqa: E402
from tests.harness import ADMIN_ID, TOKEN, settings_for  # noqa: E402

MEMBERS = 10
PLEDGES_EACH = 15
ECHO_PLEDGES_EACH = 30
TARGET = 0.40
SECRET = "bench-webhook-secret-0123456789"
#: The last commit whose webhook answered after handling, one update at a time.
OLD_COMMIT = os.environ.get("BENCH_OLD_WEBHOOK", "5565c1b")
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

ECHO_BOT = textwrap.dedent(
    """
    import asyncio, html, json, sys
    from aiohttp import web
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.constants import ParseMode
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

    token, base_url, port, secret = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

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

    async def main():
        app = (ApplicationBuilder().token(token).base_url(base_url).updater(None)
               .concurrent_updates(True).build())
        app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, echo))
        app.add_handler(CallbackQueryHandler(press, pattern="^e:"))

        async def receive(request):
            if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != secret:
                return web.Response(status=401)
            await app.update_queue.put(Update.de_json(json.loads(await request.read()), app.bot))
            return web.Response()

        web_app = web.Application()
        web_app.router.add_post("/telegram", receive)
        runner = web.AppRunner(web_app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        async with app:
            await app.start()
            await app.bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token=secret,
                                      max_connections=40)
            await asyncio.Event().wait()

    asyncio.run(main())
    """
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _timed(client: SandboxClient, members: list[Member], each: int,
                 step: str, appeal_id: int = 0) -> float:
    async def one(member: Member) -> None:
        if step == "echo":
            await member.echo_pledge()
        else:
            await member.pledge(appeal_id)

    await asyncio.gather(*(one(m) for m in members[:2]))  # warm-up, not timed
    started = time.perf_counter()

    async def run(member: Member) -> None:
        for _ in range(each):
            await one(member)

    await asyncio.gather(*(run(m) for m in members))
    return time.perf_counter() - started


UNPACED = ROOT / "bench" / "unpaced_bot.py"


async def _bot_rate(database_url: str, label: str, source: Path, lifted: bool = False) -> float:
    port = _free_port()
    async with SandboxServer(flood_limits=False) as sandbox, SandboxClient(sandbox.url) as client:
        await client.create_user("Admin", username="admin", language_code="en", user_id=ADMIN_ID)
        settings = settings_for(database_url, sandbox)
        env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
        env.update({
            "BOT_TOKEN": TOKEN, "DATABASE_URL": database_url,
            "BOT_API_BASE_URL": settings.bot_api_base_url,
            "BOT_API_FILE_URL": settings.bot_api_file_url, "ADMIN_IDS": str(ADMIN_ID),
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_PORT": str(port), "PYTHONPATH": str(source),
        })
        with tempfile.TemporaryDirectory() as logs:
            log = (Path(logs) / "bot.log").open("ab")
            command = [str(UNPACED)] if lifted else ["-m", "bot"]
            process = await asyncio.create_subprocess_exec(
                sys.executable, *command, "run", cwd=str(source), env=env,
                stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL,
            )
            try:
                await client.wait_for_calls("setWebhook", count=1, timeout=60)
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
                for member in members:
                    await member.say("/start")
                elapsed = await _timed(client, members, PLEDGES_EACH, "pledge", appeal.id)
            finally:
                process.kill()
                await process.wait()
                log.close()
    rate = MEMBERS * PLEDGES_EACH / elapsed
    print(f"tongxin webhook ({label}): {MEMBERS * PLEDGES_EACH} pledges in {elapsed:.1f} s = "
          f"{rate:.2f} pledges/s ({rate * ROUND_TRIPS:.1f} updates handled/s)", flush=True)
    return rate


async def _echo_rate() -> float:
    port = _free_port()
    async with SandboxServer(flood_limits=False) as sandbox, SandboxClient(sandbox.url) as client:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", ECHO_BOT, TOKEN, sandbox.base_url, str(port), SECRET,
            cwd=str(ROOT), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await client.wait_for_calls("setWebhook", count=1, timeout=60)
            members = await _members(client, MEMBERS)
            elapsed = await _timed(client, members, ECHO_PLEDGES_EACH, "echo")
        finally:
            process.kill()
            await process.wait()
    rate = MEMBERS * ECHO_PLEDGES_EACH / elapsed
    print(f"bare PTB webhook echo bot: {rate * ROUND_TRIPS:.1f} updates handled/s", flush=True)
    return rate


def _old_source(folder: Path) -> Path | None:
    """The tree of `OLD_COMMIT`, or None when git cannot give it."""
    archive = subprocess.run(["git", "archive", OLD_COMMIT], cwd=ROOT, capture_output=True,
                             check=False)
    if archive.returncode != 0:
        print(f"old webhook skipped: {archive.stderr.decode().strip()}", flush=True)
        return None
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


async def _main() -> int:
    started = time.perf_counter()
    echoes = [await _echo_rate()]
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        rates["SQLite"] = await _bot_rate(f"sqlite+aiosqlite:///{folder}/new.sqlite3",
                                          "SQLite", ROOT)
        rates["SQLite, flood budget lifted"] = await _bot_rate(
            f"sqlite+aiosqlite:///{folder}/lifted.sqlite3", "SQLite, budget lifted", ROOT, True
        )
        old_folder = Path(folder) / "old"
        old_folder.mkdir()
        old = _old_source(old_folder)
        if old is not None:
            rates[f"SQLite, webhook of {OLD_COMMIT} (one at a time)"] = await _bot_rate(
                f"sqlite+aiosqlite:///{folder}/old.sqlite3", f"SQLite, {OLD_COMMIT}", old
            )
    echoes.append(await _echo_rate())
    base = os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)
    try:
        url = await create_postgres_database(base)
    except Exception as error:  # no PostgreSQL here: say so and go on
        print(f"PostgreSQL skipped: {error!r}", flush=True)
    else:
        try:
            rates["PostgreSQL"] = await _bot_rate(url, "PostgreSQL", ROOT)
        finally:
            await drop_postgres_database(url)
        url = await create_postgres_database(base)
        try:
            rates["PostgreSQL, flood budget lifted"] = await _bot_rate(
                url, "PostgreSQL, budget lifted", ROOT, True
            )
        finally:
            await drop_postgres_database(url)
    echo = max(echoes)
    print(f"echo best {echo * ROUND_TRIPS:.1f} updates/s (runs: "
          f"{', '.join(f'{e * ROUND_TRIPS:.1f}' for e in echoes)}); "
          f"bench took {time.perf_counter() - started:.0f} s", flush=True)
    for label, rate in rates.items():
        ratio = rate / echo
        verdict = "met" if ratio >= TARGET else "NOT met"
        print(f"SUMMARY webhook {label}: {rate * ROUND_TRIPS:.1f} updates/s, "
              f"ratio to echo {ratio:.0%} (target ≥ {TARGET:.0%}: {verdict})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main()))
