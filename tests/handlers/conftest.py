"""Handler-tier fixtures: a real PTB application in this process against the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime import TongxinApplication
from domain.clock import FakeClock
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation, running_bot, settings_for


@pytest.fixture
def clock() -> FakeClock:
    """The bot's clock, moved only by the test."""
    return FakeClock()


@pytest.fixture
async def app(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock
) -> AsyncIterator[TongxinApplication]:
    """The bot, running with long polling against the sandbox."""
    async with running_bot(settings_for(database_url, sandbox), clock) as application:
        yield application


@pytest.fixture
def chat(client: SandboxClient, app: TongxinApplication) -> Conversation:
    """Talk to the running bot as users do."""
    return Conversation(client)


@pytest.fixture
async def store(database_url: str, app: TongxinApplication) -> AsyncIterator[SqlUnitOfWorkFactory]:
    """Read access to the bot's database, to check what was (not) stored."""
    engine = create_engine(database_url)
    try:
        yield SqlUnitOfWorkFactory(session_factory(engine))
    finally:
        await engine.dispose()
