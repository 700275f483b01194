"""Database fixtures: every storage test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import create_engine, session_factory, upgrade
from storage.uow import SqlUnitOfWorkFactory
from tests.dbutil import fresh_database_url
from tests.fakes import FakeUnitOfWorkFactory
from tests.harness import ADMIN_ID


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """URL of a fresh, empty database (a file for SQLite, a new database on PostgreSQL)."""
    async with fresh_database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the fresh database, disposed after the test."""
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def uow_factory(database_url: str, engine: AsyncEngine) -> SqlUnitOfWorkFactory:
    """Units of work on the database upgraded to the newest schema."""
    await upgrade(database_url)
    return SqlUnitOfWorkFactory(session_factory(engine))


@pytest.fixture
def fake_uow_factory() -> FakeUnitOfWorkFactory:
    """Units of work on one shared in-memory store."""
    return FakeUnitOfWorkFactory()


@pytest.fixture
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[SandboxServer]:
    """A fresh sandbox Bot API as strict as Telegram, flood limits included.

    A test about something else may opt out with `@pytest.mark.no_flood_limits("why")`.
    """
    opt_out = request.node.get_closest_marker("no_flood_limits")
    if opt_out is not None and not opt_out.args:
        raise pytest.UsageError("no_flood_limits needs a reason")
    async with SandboxServer(flood_limits=opt_out is None) as server:
        yield server


@pytest.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[SandboxClient]:
    """The sandbox's control client, with the admin already known to the sandbox."""
    async with SandboxClient(sandbox.url) as control:
        await control.create_user("Admin", username="admin", language_code="en",
                                  user_id=ADMIN_ID)
        yield control
