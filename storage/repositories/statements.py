"""SQL helpers every repository uses: insert-if-absent, counted writes, a model's table."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from storage.models import Base


def insert_ignoring_conflicts(session: AsyncSession, table: Table) -> Insert:
    """Return `INSERT ... ON CONFLICT DO NOTHING` for the session's dialect."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"no insert-if-absent for {dialect}")


async def execute_count(session: AsyncSession, statement: Any) -> int:
    """Execute a DML statement and return how many rows it touched."""
    result = cast(CursorResult[Any], await session.execute(statement))
    return int(result.rowcount)


def table_of(row_class: type[Base]) -> Table:
    """The Core table of an ORM row class (repositories on hot paths use Core statements)."""
    return cast(Table, row_class.__table__)
