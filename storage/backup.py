"""A consistent copy of a SQLite database taken while the bot writes to it."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.database import is_sqlite_memory


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL; ValueError for PostgreSQL or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or is_sqlite_memory(parsed):
        raise ValueError("only a SQLite file database can be backed up this way; "
                         "for PostgreSQL use pg_dump (docs/operations.md)")
    return Path(str(parsed.database))


def _backup(source: Path, target: Path) -> None:
    if target.exists():
        raise FileExistsError(f"{target} exists; choose a new file")
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as reader, \
            closing(sqlite3.connect(target)) as writer:
        # The online backup API copies pages in steps and restarts if a writer changes the
        # database meanwhile, so the copy is one consistent moment of it (WAL included).
        reader.backup(writer, pages=1024)


async def backup_sqlite(url: str, target: Path) -> None:
    """Copy the database at `url` into the new file `target`, without stopping the bot."""
    await asyncio.to_thread(_backup, sqlite_path(url), target)
