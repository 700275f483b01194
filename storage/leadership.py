"""Which process may run the paced sender: Telegram's limits belong to the token, not a replica.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its own; if
the leader dies its connection closes, the lock is released, and a standby takes over on its
next try. On SQLite there is only ever one process, which always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

#: An arbitrary, fixed 64-bit key naming "the Tongxin sender" among advisory locks.
SENDER_LOCK_KEY = 0x746F6E6778696E31


class Leadership:
    """Wins and keeps the right to run the sender."""

    def __init__(self, engine: AsyncEngine, key: int = SENDER_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._connection: AsyncConnection | None = None

    @property
    def exclusive(self) -> bool:
        """True when leadership is contested (PostgreSQL), False for a single-process SQLite."""
        return self._engine.dialect.name == "postgresql"

    async def try_acquire(self) -> bool:
        """Take the lead if nobody holds it; True when this process leads now."""
        if not self.exclusive:
            return True
        if self._connection is not None:
            return await self.held()
        connection = await self._engine.connect()
        try:
            won = (await connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )).scalar_one()
            await connection.commit()
        except Exception:
            await connection.close()
            raise
        if not won:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def held(self) -> bool:
        """True while the lock's connection is alive (so the lock is still ours)."""
        if not self.exclusive:
            return True
        if self._connection is None:
            return False
        try:
            await self._connection.execute(text("SELECT 1"))
            await self._connection.commit()
        except Exception:
            log.warning("lost the sender lock's connection; standing down")
            await self._drop()
            return False
        return True

    async def wait_until_leader(self, stop: asyncio.Event, retry: float = 5.0) -> bool:
        """Try until this process leads (True) or `stop` is set (False)."""
        while not stop.is_set():
            try:
                if await self.try_acquire():
                    return True
            except Exception:
                log.exception("could not try for the sender lock")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), retry)
        return False

    async def release(self) -> None:
        """Give up the lead (on shutdown)."""
        if self._connection is None:
            return
        with contextlib.suppress(Exception):
            await self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
            )
            await self._connection.commit()
        await self._drop()

    async def _drop(self) -> None:
        # Invalidate rather than close: a pooled connection handed back alive would keep a
        # session-level advisory lock with it.
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()
