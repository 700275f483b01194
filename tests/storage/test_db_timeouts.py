"""PostgreSQL connections and statements are bounded, so a dead network path cannot hang us."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.database import create_engine


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("command_timeout=soon", "command_timeout in the database URL must be seconds"),
        ("connect_timeout=0", "connect_timeout in the database URL must be more than 0"),
    ],
)
def test_a_bad_timeout_in_the_url_is_named(query: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_engine(f"postgresql+asyncpg://tongxin@127.0.0.1/tongxin?{query}")


async def test_a_statement_longer_than_the_urls_command_timeout_fails_fast(
    database_url: str,
) -> None:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("statement timeouts are asyncpg's; SQLite statements are local calls")
    engine = create_engine(url.update_query_dict({"command_timeout": "0.5"}).render_as_string(
        hide_password=False))
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT pg_sleep(5)"))
        assert time.monotonic() - started < 4
        async with engine.connect() as connection:  # the engine itself is fine afterwards
            assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()
