"""Fetched updates kept in the database, so Telegram can be told at once that they arrived.

Long polling confirms updates by asking for the next ones. Keeping each fetched batch first
(`keep`) lets the poller confirm it right away; after a crash the updates kept but never
handled (no `processed_update` row) are handled from here (`unhandled`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock
from storage.models.network import ProcessedUpdateRow, ReceivedUpdateRow
from storage.repositories.statements import execute_count, insert_ignoring_conflicts

_RECEIVED = cast(Table, ReceivedUpdateRow.__table__)
_PROCESSED = cast(Table, ProcessedUpdateRow.__table__)


class SqlUpdateInbox:
    """The `received_update` table; each call is its own short transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def keep(self, updates: Sequence[tuple[int, str]]) -> None:
        """Store fetched updates (id, JSON) durably; ones kept before are left as they are."""
        if not updates:
            return
        now = self._clock.now()
        async with self._sessions() as session:
            await session.execute(
                insert_ignoring_conflicts(session, _RECEIVED),
                [{"update_id": i, "payload": p, "received_at": now} for i, p in updates],
            )
            await session.commit()

    async def keep_new(self, update_id: int, payload: str) -> bool:
        """Store one pushed update durably; True when it was not kept before."""
        async with self._sessions() as session:
            added = await execute_count(
                session,
                insert_ignoring_conflicts(session, _RECEIVED).values(
                    update_id=update_id, payload=payload, received_at=self._clock.now()
                ),
            )
            await session.commit()
            return added == 1

    async def known(self, update_ids: Iterable[int]) -> set[int]:
        """Which of these updates were kept before."""
        wanted = list(update_ids)
        if not wanted:
            return set()
        async with self._sessions() as session:
            found = await session.scalars(
                select(_RECEIVED.c.update_id).where(_RECEIVED.c.update_id.in_(wanted))
            )
            return set(found)

    async def unhandled(self, limit: int = 10_000) -> list[str]:
        """The kept updates no handler finished, oldest first (JSON)."""
        handled = select(_PROCESSED.c.update_id).where(
            _PROCESSED.c.update_id == _RECEIVED.c.update_id
        )
        async with self._sessions() as session:
            rows = await session.scalars(
                select(_RECEIVED.c.payload)
                .where(~handled.exists())
                .order_by(_RECEIVED.c.update_id)
                .limit(limit)
            )
            return list(rows)

    async def prune(self, received_before: datetime, processed_before: datetime) -> int:
        """Forget kept updates and handled-update marks older than these moments."""
        async with self._sessions() as session:
            removed = await execute_count(
                session, delete(_RECEIVED).where(_RECEIVED.c.received_at < received_before)
            )
            removed += await execute_count(
                session, delete(_PROCESSED).where(_PROCESSED.c.at < processed_before)
            )
            await session.commit()
            return removed
