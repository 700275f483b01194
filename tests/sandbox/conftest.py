"""Fixtures: an in-process sandbox, its control client and a PTB Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer

TOKEN = "123456789:AAtest-token-for-the-sandbox_00"
BOT_ID = 123456789


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    """A sandbox with flood limits off and quick webhook retries."""
    async with SandboxServer(flood_limits=False, token=TOKEN, webhook_retry_delay=0.05) as sb:
        yield sb


@pytest.fixture
async def control(sandbox: SandboxServer) -> AsyncIterator[SandboxClient]:
    """The control API client."""
    async with SandboxClient(sandbox.url) as client:
        yield client


@pytest.fixture
async def bot(sandbox: SandboxServer) -> AsyncIterator[Bot]:
    """A PTB Bot talking to the sandbox."""
    b = Bot(TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.file_url)
    async with b:
        yield b


@pytest.fixture
async def alice(control: SandboxClient) -> dict[str, object]:
    """A user who has started the bot."""
    user = await control.create_user("Alice", username="alice")
    await control.send_text(int(str(user["id"])), "/start")
    return user
