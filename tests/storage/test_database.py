"""Engines are made on demand, with the settings each database needs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.pool import StaticPool

from storage.database import create_engine, session_factory, upgrade


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
