"""Copy a whole database into an empty one (SQLite to PostgreSQL), table by table.

Tables come from the SQLAlchemy metadata in dependency order, so tables added later are
copied without a change here. Rows keep their ids; PostgreSQL's sequences are then moved past
the copied ids. The target is written in one transaction: a failure leaves it empty.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.database import create_engine, upgrade
from storage.models import Base
from storage.probe import schema_heads, schema_revisions

#: Rows inserted per statement (well under PostgreSQL's 32,767 bind parameters).
BATCH = 500


class TransferError(Exception):
    """The copy cannot be made (target not empty, source not migrated, same database)."""


def tables_in_order() -> list[Table]:
    """Every table of the schema, each after the tables it refers to."""
    return list(Base.metadata.sorted_tables)


async def count_rows(engine: AsyncEngine) -> dict[str, int]:
    """Rows per table of the schema."""
    async with engine.connect() as connection:
        return {
            table.name: int((await connection.execute(
                select(func.count()).select_from(table)
            )).scalar_one())
            for table in tables_in_order()
        }


async def copy_database(source_url: str, target_url: str) -> dict[str, int]:
    """Copy every row of `source_url` into the empty `target_url`; return rows per table."""
    if source_url == target_url:
        raise TransferError("the source and the target are the same database")
    source = create_engine(source_url)
    target = create_engine(target_url)
    try:
        heads = schema_heads()
        if await schema_revisions(source) != heads:
            raise TransferError("the source database is not at the newest schema; "
                                "run `python -m bot migrate` on it first")
        await _refuse_non_empty(target)
        await upgrade(target_url)
        await _refuse_non_empty(target)  # tables existed (migrated, not empty)
        copied: dict[str, int] = {}
        async with source.connect() as reader, target.begin() as writer:
            for table in tables_in_order():
                copied[table.name] = await _copy_table(table, reader, writer)
            if writer.dialect.name == "postgresql":
                await _move_sequences(writer)
        return copied
    finally:
        await source.dispose()
        await target.dispose()


async def _refuse_non_empty(target: AsyncEngine) -> None:
    async with target.connect() as connection:
        existing = set(await connection.run_sync(
            lambda sync: sync.dialect.get_table_names(sync)
        ))
        for table in tables_in_order():
            if table.name not in existing:
                continue
            rows = (await connection.execute(
                select(func.count()).select_from(table)
            )).scalar_one()
            if rows:
                raise TransferError(
                    f"the target database is not empty ({table.name}: {rows} rows); "
                    "move into a new, empty database"
                )


async def _copy_table(table: Table, reader: AsyncConnection, writer: AsyncConnection) -> int:
    order = list(table.primary_key.columns) or list(table.columns)
    result = await reader.execute(select(table).order_by(*order))
    rows = _parents_first(table, [dict(row._mapping) for row in result])
    for start in range(0, len(rows), BATCH):
        await writer.execute(table.insert(), rows[start:start + BATCH])
    return len(rows)


def _parents_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order rows so a row referring to its own table comes after the row it refers to."""
    links = [
        (fk.parent.name, fk.column.name)
        for fk in table.foreign_keys
        if fk.column.table is table
    ]
    if not links:
        return rows
    placed: set[tuple[str, Any]] = set()
    ordered: list[dict[str, Any]] = []
    waiting = rows
    while waiting:
        still: list[dict[str, Any]] = []
        for row in waiting:
            if all(row[child] is None or (parent, row[child]) in placed
                   for child, parent in links):
                ordered.append(row)
                placed.update((parent, row[parent]) for _child, parent in links)
            else:
                still.append(row)
        if len(still) == len(waiting):
            raise TransferError(f"{table.name}: rows refer to each other in a cycle")
        waiting = still
    return ordered


async def _move_sequences(writer: AsyncConnection) -> None:
    """Set each table's id sequence past the largest copied id (next insert gets max + 1)."""
    quote = writer.dialect.identifier_preparer.quote
    for table in tables_in_order():
        for column in table.primary_key.columns:
            sequence = (await writer.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": quote(table.name), "column": column.name},
            )).scalar_one()
            if sequence is None:
                continue
            await writer.execute(
                text(f"SELECT setval(:sequence, COALESCE((SELECT MAX({quote(column.name)}) "
                     f"FROM {quote(table.name)}), 0) + 1, false)"),
                {"sequence": sequence},
            )
