"""One sender per bot token: the advisory lock elects one replica, and a standby takes over."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine
from storage.leadership import Leadership


async def test_one_replica_leads_and_a_standby_takes_over(
    database_url: str, engine: AsyncEngine
) -> None:
    other_engine = create_engine(database_url)
    try:
        first, second = Leadership(engine), Leadership(other_engine)
        assert await first.try_acquire()
        if not first.exclusive:  # SQLite: one process, which always leads
            assert await second.try_acquire()
            return
        assert not await second.try_acquire()
        assert await first.held()
        await first.release()
        assert await second.try_acquire()
        # The leader dies: its connection closes and the lock goes with it.
        assert second._connection is not None
        await second._connection.invalidate()
        third = Leadership(engine)
        stop = asyncio.Event()
        assert await asyncio.wait_for(third.wait_until_leader(stop, retry=0.05), 10)
        await third.release()
    finally:
        await other_engine.dispose()
