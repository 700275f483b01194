"""Operations fixtures: a running bot whose health server listens on a free local port."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.runtime import Runtime
from bot.settings import Settings
from domain.clock import FakeClock
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.harness import settings_for


@contextlib.asynccontextmanager
async def running_runtime(settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    """Run the bot in this process until the block ends; yield its runtime."""
    runtime = Runtime(settings, clock)
    app = runtime.build()
    stop = asyncio.Event()
    serving = asyncio.create_task(runtime.serve(app, stop))
    ready = asyncio.create_task(runtime.serving.wait())
    done, _ = await asyncio.wait({serving, ready}, return_when=asyncio.FIRST_COMPLETED)
    if serving in done:
        ready.cancel()
        serving.result()
    try:
        yield runtime
    finally:
        stop.set()
        await serving


@pytest.fixture
def clock() -> FakeClock:
    """The bot's clock, moved only by the test."""
    return FakeClock()


@pytest.fixture
async def runtime(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock
) -> AsyncIterator[Runtime]:
    """The bot with long polling, health server on 127.0.0.1 and a port the OS picks."""
    settings = settings_for(database_url, sandbox, health_listen="127.0.0.1", health_port=0)
    async with running_runtime(settings, clock) as running:
        yield running


class Probe:
    """Real HTTP requests to a runtime's health server."""

    def __init__(self, session: aiohttp.ClientSession, port: int) -> None:
        self._session = session
        self.base = f"http://127.0.0.1:{port}"

    async def get(self, path: str) -> tuple[int, str]:
        """GET `path`; return the status and the body."""
        async with self._session.get(self.base + path) as response:
            return response.status, await response.text()

    async def json(self, path: str) -> tuple[int, Any]:
        """GET `path`; return the status and the body parsed as JSON."""
        async with self._session.get(self.base + path) as response:
            return response.status, await response.json()


@pytest.fixture
async def probe(runtime: Runtime) -> AsyncIterator[Probe]:
    """HTTP access to the running bot's /healthz, /readyz and /metrics."""
    assert runtime.health is not None
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield Probe(session, runtime.health.port)
