"""End-to-end fixtures: the bot as a real process against the in-process sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import create_engine, session_factory, upgrade
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import BotProcess, Conversation, settings_for


@pytest.fixture
async def bot_process(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """`python -m bot run`, started; killed at the end whatever happened."""
    process = BotProcess(settings_for(database_url, sandbox), tmp_path / "bot.log")
    await process.start(client)
    try:
        yield process
    finally:
        await process.kill()


@pytest.fixture
def chat(client: SandboxClient) -> Conversation:
    """Talk to the bot as users do."""
    return Conversation(client)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlUnitOfWorkFactory]:
    """Read access to the bot's database."""
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        yield SqlUnitOfWorkFactory(session_factory(engine))
    finally:
        await engine.dispose()
