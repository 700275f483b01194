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
from tests.dbutil import (
    POSTGRES_ENV,
    create_postgres_database,
    drop_postgres_database,
    postgres_base_url,
    postgres_required,
    sqlite_url,
)
from tests.fakes import FakeUnitOfWorkFactory
from tests.harness import ADMIN_ID


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """URL of a fresh, empty database (a file for SQLite, a new database on PostgreSQL)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    base = postgres_base_url()
    if base is None:
        if postgres_required():
            pytest.fail(f"REQUIRE_POSTGRES is set but {POSTGRES_ENV} is not")
        pytest.skip(f"{POSTGRES_ENV} not set")
    try:
        url = await create_postgres_database(base)
    except Exception as error:
        if postgres_required():
            pytest.fail(f"PostgreSQL at {POSTGRES_ENV} is unreachable: {error!r}")
        pytest.skip(f"PostgreSQL unreachable: {error!r}")
    try:
        yield url
    finally:
        await drop_postgres_database(url)


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
