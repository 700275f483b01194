"""Fresh test databases, usable from any test folder (storage, handlers, end-to-end).

PostgreSQL isolation: one fresh *database* per test (`CREATE DATABASE`), so the whole
state, including Alembic's version table, is expressed by the URL alone and a bot started
as a subprocess can be pointed at it. (A per-test schema cannot be put in a SQLAlchemy
asyncpg URL: its query parameters become `asyncpg.connect` keywords, not server settings.)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

POSTGRES_ENV = "TEST_DATABASE_URL"
REQUIRE_ENV = "REQUIRE_POSTGRES"


def sqlite_url(directory: Path, name: str = "tongxin.sqlite3") -> str:
    """Return the URL of a (not yet existing) SQLite file database in `directory`."""
    return f"sqlite+aiosqlite:///{directory / name}"


def postgres_base_url() -> str | None:
    """Return the PostgreSQL server URL from `TEST_DATABASE_URL`, or None."""
    return os.environ.get(POSTGRES_ENV) or None


def postgres_required() -> bool:
    """True when `REQUIRE_POSTGRES=1`: missing or unreachable PostgreSQL must fail tests."""
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def _admin_url(base_url: str) -> str:
    return make_url(base_url).set(database="postgres").render_as_string(hide_password=False)


async def create_postgres_database(base_url: str) -> str:
    """Create an empty, uniquely named database on the server; return its URL."""
    name = f"tongxin_test_{uuid.uuid4().hex[:16]}"
    engine = create_async_engine(_admin_url(base_url), isolation_level="AUTOCOMMIT",
                                 poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    finally:
        await engine.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    """Drop a database made by `create_postgres_database`, closing its connections."""
    name = make_url(url).database
    if not name or not name.startswith("tongxin_test_"):
        raise ValueError(f"refusing to drop {name!r}: not a test database")
    engine = create_async_engine(_admin_url(url), isolation_level="AUTOCOMMIT",
                                 poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


@asynccontextmanager
async def fresh_database_url(kind: str, directory: Path) -> AsyncIterator[str]:
    """URL of a fresh, empty database of `kind` ("sqlite" or "postgresql"), dropped after.

    PostgreSQL skips the test when `TEST_DATABASE_URL` is unset or unreachable (fails it
    under `REQUIRE_POSTGRES=1`).
    """
    if kind == "sqlite":
        yield sqlite_url(directory)
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
