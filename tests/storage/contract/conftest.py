"""The contract fixture: one case runs on the in-memory fakes and on the SQL repositories.

`units` is a unit-of-work factory of either kind (`builders.Units`): the fakes, SQLite,
and PostgreSQL when `TEST_DATABASE_URL` is set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.database import create_engine, session_factory, upgrade
from storage.uow import SqlUnitOfWorkFactory
from tests.dbutil import fresh_database_url
from tests.fakes import FakeUnitOfWorkFactory
from tests.storage.contract.builders import Units

BACKENDS = [
    "fake",
    "sql-sqlite",
    pytest.param("sql-postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
async def units(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Units]:
    """Units of work on the fakes, or on a fresh SQL database at the newest schema."""
    backend: str = request.param
    if backend == "fake":
        yield FakeUnitOfWorkFactory()
        return
    async with fresh_database_url(backend.removeprefix("sql-"), tmp_path) as url:
        await upgrade(url)
        engine = create_engine(url)
        try:
            yield SqlUnitOfWorkFactory(session_factory(engine))
        finally:
            await engine.dispose()

