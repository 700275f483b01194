"""Two bot replicas on one PostgreSQL behind a front that spreads webhook deliveries.

The front (`tests/front.py`) is a tiny HTTP forwarder: it sends each delivery to the other
replica than the last one (as a round-robin reverse proxy does), so consecutive updates of
one person reach different processes.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.front import RefusalCountingFront, free_port
from tests.harness import BotProcess, settings_for

SECRET = "replica-secret-for-tests-0123456789"


@dataclass
class Replicas:
    """The two bot processes, their front, and each one's health port."""

    front: RefusalCountingFront
    bots: list[BotProcess]
    health: list[str]

    @property
    def metrics(self) -> list[str]:
        """Each replica's /metrics URL."""
        return [f"{url}/metrics" for url in self.health]

    async def leading(self) -> list[int]:
        """Which replicas say they run the sender (their /metrics `tongxin_leader`)."""
        leading = []
        async with aiohttp.ClientSession() as http:
            for index, url in enumerate(self.metrics):
                async with http.get(url) as answer:
                    if "\ntongxin_leader 1.0" in await answer.text():
                        leading.append(index)
        return leading

    async def leader(self) -> int:
        """Which replica runs the sender; exactly one must."""
        leading = await self.leading()
        assert len(leading) == 1, f"one leader expected, got {leading}"
        return leading[0]

    async def readyz(self, index: int) -> tuple[int, Any]:
        """One replica's /readyz status and body."""
        async with aiohttp.ClientSession() as http, http.get(
            f"{self.health[index]}/readyz", timeout=aiohttp.ClientTimeout(total=15)
        ) as answer:
            return answer.status, await answer.json()


@contextlib.asynccontextmanager
async def running_replicas(
    url: str, sandbox: SandboxServer, client: SandboxClient, tmp_path: Path
) -> AsyncIterator[Replicas]:
    """Two replicas on the database at `url`, started one after the other; killed after."""
    ports = [free_port(), free_port()]
    health = [free_port(), free_port()]
    front = RefusalCountingFront([f"http://127.0.0.1:{port}/telegram" for port in ports])
    await front.start()
    bots = [
        BotProcess(
            settings_for(url, sandbox), tmp_path / f"bot{n}.log",
            extra_env={"WEBHOOK_URL": front.url, "WEBHOOK_SECRET": SECRET,
                       "WEBHOOK_PORT": str(ports[n]), "HEALTH_PORT": str(health[n])},
            ready_method="setWebhook",
        )
        for n in range(2)
    ]
    try:
        for bot in bots:  # one at a time: the first migrates the database
            await bot.start(client)
        yield Replicas(front, bots, [f"http://127.0.0.1:{port}" for port in health])
    finally:
        for bot in bots:
            await bot.kill()
        await front.stop()

