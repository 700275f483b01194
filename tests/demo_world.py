"""The demo network of `make run`, seeded into a fresh sandbox and database for a test."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.demo import seed
from bot.demo_network import ADMIN, SeededGroup
from bot.settings import Settings
from sandbox.server import SandboxServer
from storage.database import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import TOKEN, settings_for


@dataclass(frozen=True)
class DemoWorld:
    """A sandbox as strict as Telegram (flood limits on), the bot's settings and database,
    and the demo's groups as the sandbox numbered them."""

    sandbox: SandboxServer
    store: SqlUnitOfWorkFactory
    settings: Settings
    groups: list[SeededGroup]


@contextlib.asynccontextmanager
async def demo_world(database_url: str) -> AsyncIterator[DemoWorld]:
    """Seed the demo as `make run` does (the bot not started yet)."""
    async with SandboxServer(token=TOKEN) as sandbox:
        engine = create_engine(database_url)
        try:
            settings = settings_for(database_url, sandbox, admin_ids=frozenset({ADMIN.user_id}))
            groups = await seed(settings, sandbox.url)
            yield DemoWorld(sandbox, SqlUnitOfWorkFactory(session_factory(engine)), settings,
                            groups)
        finally:
            await engine.dispose()
