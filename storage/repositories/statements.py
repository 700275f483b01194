"""SQL helpers every repository uses: insert-if-absent, counted writes, a model's table."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from storage.models import Base


def insert_ignoring_conflicts(session: AsyncSession, table: Table) -> Insert:
    """Return `INSERT ... ON CONFLICT DO NOTHING` for the session's dialect.

    Built once per dialect and table (statements are immutable; `.values` makes a copy):
    building a statement and its cache key costs about as much as SQLite running it.
    """
    return _insert_ignoring_conflicts(session.get_bind().dialect.name, table)


@cache
def _insert_ignoring_conflicts(dialect: str, table: Table) -> Insert:
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"no insert-if-absent for {dialect}")


async def execute_count(
    session: AsyncSession, statement: Any, parameters: dict[str, Any] | None = None
) -> int:
    """Execute a DML statement (with these parameters) and return how many rows it touched."""
    result = cast(CursorResult[Any], await session.execute(statement, parameters))
    return int(result.rowcount)


def table_of(row_class: type[Base]) -> Table:
    """The Core table of an ORM row class (repositories on hot paths use Core statements)."""
    return cast(Table, row_class.__table__)
