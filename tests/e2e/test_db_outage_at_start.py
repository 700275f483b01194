"""Starting while PostgreSQL is down: the process waits, alive and not ready, then starts.

The bot is started with the TCP proxy to its database already cut (tests/tcpproxy.py): it
must not exit, must say why it waits, answer /healthz and refuse /readyz, take no update
from Telegram meanwhile; and start by itself, answering what waited, once the line is back.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.front import free_port
from tests.harness import BotProcess, eventually, settings_for
from tests.tcpproxy import TcpProxy

pytestmark = pytest.mark.e2e

#: The bound on each wait below (seconds).
STEP = 30.0


async def _probe(url: str) -> tuple[int, Any]:
    """A probe's status and body (0 when nothing listens yet)."""
    try:
        async with aiohttp.ClientSession() as http, http.get(
            url, timeout=aiohttp.ClientTimeout(total=10)
        ) as answer:
            body = await answer.json() if answer.content_type == "application/json" \
                else await answer.text()
            return answer.status, body
    except aiohttp.ClientConnectionError:
        return 0, None


async def test_a_bot_started_while_the_database_is_down_waits_and_starts_when_it_returns(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, tmp_path: Path
) -> None:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a database outage is cut on PostgreSQL's TCP line; SQLite has none")
    async with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        await proxy.cut("refuse")
        through = proxy.through(database_url)
        health = f"http://127.0.0.1:{free_port()}"
        bot = BotProcess(settings_for(through, sandbox), tmp_path / "bot.log",
                         extra_env={"HEALTH_PORT": health.rsplit(":", 1)[1]},
                         ready_method="deleteWebhook")
        starting = asyncio.create_task(bot.start(client))
        try:
            async def retried() -> bool:
                return bot.log().count("unreachable at start") >= 2

            await eventually(retried, "two start-up attempts logged")
            assert bot.process is not None and bot.process.returncode is None, bot.log()
            assert await _probe(f"{health}/healthz") == (200, "ok\n")
            status, body = await _probe(f"{health}/readyz")
            assert status == 503 and body["checks"]["database"] != "ok", body
            user = (await client.create_user("Ann", language_code="en"))["id"]
            await client.send_text(user, "/help")
            # Nothing was taken from Telegram: the update waits there, unanswered.
            assert [c for c in await client.calls() if c["method"] == "getUpdates"] == []
            assert len(await client.pending_updates()) == 1
            assert not starting.done()

            await proxy.restore()
            await asyncio.wait_for(starting, STEP)
            [answer] = await client.wait_for_bot_messages(user, count=1, timeout=STEP)
            assert "/start" in answer["text"], answer["text"]

            async def ready() -> bool:
                return (await _probe(f"{health}/readyz"))[0] == 200

            await eventually(ready, "/readyz 200 after the database returned")
            assert "reachable after" in bot.log(), bot.log()
            assert bot.process.returncode is None
        finally:
            starting.cancel()
            await bot.kill()
