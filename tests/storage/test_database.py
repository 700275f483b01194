"""Engines are made on demand, with the settings each database needs."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.pool import StaticPool

from storage import database
from storage.database import create_engine, session_factory, single_statements, upgrade


async def test_sqlite_file_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "bot.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    assert path.exists()


async def test_in_memory_sqlite_keeps_one_connection() -> None:
    engine = create_engine("sqlite+aiosqlite://")
    try:
        assert isinstance(engine.pool, StaticPool)
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
        async with session_factory(engine)() as session:
            assert (await session.execute(text("SELECT count(*) FROM t"))).scalar() == 0
    finally:
        await engine.dispose()


async def test_upgrade_creates_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    await upgrade(f"sqlite+aiosqlite:///{path}")
    assert path.exists()


def test_importing_storage_creates_no_engine() -> None:
    import storage.database
    import storage.uow

    assert not [v for v in vars(storage.database).values() if type(v).__name__ == "AsyncEngine"]
    assert not [v for v in vars(storage.uow).values() if type(v).__name__ == "AsyncEngine"]


async def test_a_pooled_connection_that_died_while_idle_is_replaced(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite connections do not die on a server restart")
    monkeypatch.setattr(database, "PING_AFTER", 0.0)  # every checkout counts as idle
    engine = create_engine(database_url)
    killer = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            pid = await connection.scalar(text("SELECT pg_backend_pid()"))
        async with killer.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        async with engine.connect() as connection:  # the dead one is pinged and replaced
            assert await connection.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()
        await killer.dispose()


async def test_only_a_connection_idle_for_a_while_is_pinged(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("only PostgreSQL connections are pinged")
    engine = create_engine(database_url)
    dialect = engine.sync_engine.dialect
    pings: list[object] = []
    real_ping = dialect.do_ping

    def counting_ping(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counting_ping)
    try:
        for _ in range(3):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        assert pings == [], "a connection handed back moments ago is used as it is"
        monkeypatch.setattr(database, "PING_AFTER", 0.0)
        for _ in range(2):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        assert len(pings) == 2
    finally:
        await engine.dispose()


async def test_sqlite_file_calls_run_in_the_event_loops_thread(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.sqlite3'}")

    def register(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.create_function("caller_thread", 0, threading.get_ident)

    event.listen(engine.sync_engine, "connect", register)
    try:
        async with engine.connect() as connection:
            ran_in = await connection.scalar(text("SELECT caller_thread()"))
        assert ran_in == threading.get_ident()
    finally:
        await engine.dispose()


async def test_postgresql_single_statements_run_without_a_transaction_block(
    database_url: str,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite keeps its transactions")
    engine = create_engine(database_url)
    transaction_start = text(
        "SELECT xact_start FROM pg_stat_activity WHERE pid = pg_backend_pid()"
    )
    try:
        async with session_factory(single_statements(engine))() as session:
            first = await session.scalar(text("SELECT statement_timestamp()"))
            later = await session.scalar(transaction_start)
            assert later > first, "each statement is its own transaction"
        async with session_factory(engine)() as session:
            first = await session.scalar(text("SELECT statement_timestamp()"))
            later = await session.scalar(transaction_start)
            assert later <= first, "a unit of work is one transaction"
    finally:
        await engine.dispose()
