"""What health checks and metrics read from the database: cheap, read-only, one statement."""

from __future__ import annotations

from typing import cast

from alembic.script import ScriptDirectory
from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import alembic_config
from storage.models.outbox import DeliveryRow

_DELIVERY = cast(Table, DeliveryRow.__table__)
#: Outbox rows still to be sent (waiting, or leased by a sender right now).
WAITING_STATUSES = ("pending", "sending")


def schema_heads() -> frozenset[str]:
    """The newest revisions the code knows (one, when the chain is linear)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> frozenset[str]:
    """Every revision the code has a migration for."""
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(revision.revision for revision in script.walk_revisions())


async def schema_revisions(engine: AsyncEngine) -> frozenset[str]:
    """The revisions the database is at (empty when it was never migrated)."""
    async with engine.connect() as connection:
        try:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except Exception:
            await connection.rollback()
            return frozenset()
        return frozenset(str(row[0]) for row in rows)


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers a trivial query."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def outbox_depth(engine: AsyncEngine) -> dict[tuple[str, str], int]:
    """How many outbox messages wait or are in flight, by (purpose, status)."""
    query = (
        select(_DELIVERY.c.purpose, _DELIVERY.c.status, func.count())
        .where(_DELIVERY.c.status.in_(WAITING_STATUSES))
        .group_by(_DELIVERY.c.purpose, _DELIVERY.c.status)
    )
    async with engine.connect() as connection:
        rows = await connection.execute(query)
        return {(str(purpose), str(status)): int(count) for purpose, status, count in rows}


def pool_in_use(engine: AsyncEngine) -> int:
    """Connections checked out of the engine's pool now (0 for pools that do not count)."""
    checked_out = getattr(engine.sync_engine.pool, "checkedout", None)
    return int(checked_out()) if callable(checked_out) else 0
