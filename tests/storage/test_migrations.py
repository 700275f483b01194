"""The schema comes from Alembic alone, and the models agree with the migrations."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import alembic_config, current_revision, downgrade, upgrade
from storage.models import Base

FOUNDATION_TABLES = {
    "organisation", "chat", "person", "role", "dialog", "processed_update", "audit_event",
}


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": False}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_from_empty_to_head(database_url: str, engine: AsyncEngine) -> None:
    assert await current_revision(database_url) is None
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) == set()

    await upgrade(database_url)

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert await current_revision(database_url) == head
    async with engine.connect() as connection:
        assert FOUNDATION_TABLES | {"alembic_version"} <= await connection.run_sync(_tables)


async def test_upgrade_twice_is_harmless(database_url: str) -> None:
    await upgrade(database_url)
    await upgrade(database_url)
    assert await current_revision(database_url) is not None


async def test_models_and_migrations_agree(database_url: str, engine: AsyncEngine) -> None:
    await upgrade(database_url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(_diff)
    assert diff == []


def test_revisions_form_one_line() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    heads = script.get_heads()
    assert len(heads) == 1
    assert script.get_revision("0001_foundation") is not None


async def test_downgrade_to_base_and_up_again(database_url: str, engine: AsyncEngine) -> None:
    await upgrade(database_url)
    await downgrade(database_url, "base")
    assert await current_revision(database_url) is None
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) <= {"alembic_version"}
    await upgrade(database_url)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert await current_revision(database_url) == head
