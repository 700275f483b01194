"""The coordinators' notice queue (`coordinator_notice`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.notices.models import CoordinatorNotice, NoticeEvent
from storage.models.notices import CoordinatorNoticeRow
from storage.repositories.statements import execute_count


class SqlNoticeRepository:
    """Implements `domain.notices.ports.NoticeRepository`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, coordinator_id: int, event: NoticeEvent, subject_id: int, at: datetime
    ) -> None:
        """Queue one event for one coordinator."""
        self._session.add(
            CoordinatorNoticeRow(
                coordinator_id=coordinator_id,
                event=event.value,
                subject_id=subject_id,
                created_at=at,
            )
        )
        await self._session.flush()

    async def due(self, quiet_since: datetime, waited_since: datetime, limit: int) -> list[int]:
        """Coordinators with an event waiting since `waited_since`, no batch after `quiet_since`."""
        waiting = CoordinatorNoticeRow
        batched = aliased(CoordinatorNoticeRow)
        recent = exists().where(
            batched.coordinator_id == waiting.coordinator_id,
            batched.batched_at.is_not(None),
            batched.batched_at > quiet_since,
        )
        rows = await self._session.scalars(
            select(waiting.coordinator_id)
            .where(
                waiting.batched_at.is_(None), waiting.created_at <= waited_since, ~recent
            )
            .group_by(waiting.coordinator_id)
            .order_by(waiting.coordinator_id)
            .limit(limit)
        )
        return list(rows)

    async def waiting(self, coordinator_id: int) -> list[CoordinatorNotice]:
        """A coordinator's waiting events, oldest first."""
        query: Any = (
            select(CoordinatorNoticeRow)
            .where(
                CoordinatorNoticeRow.coordinator_id == coordinator_id,
                CoordinatorNoticeRow.batched_at.is_(None),
            )
            .order_by(CoordinatorNoticeRow.id)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            # Two replicas batching at once: the second waits, then finds only what the
            # first did not take, so no event is marked batched without being sent.
            query = query.with_for_update()
        rows = await self._session.scalars(query)
        return [
            CoordinatorNotice(
                r.id, r.coordinator_id, NoticeEvent(r.event), r.subject_id, r.created_at
            )
            for r in rows
        ]

    async def mark_batched(self, notice_ids: Sequence[int], at: datetime) -> None:
        """Record that these events went out in a batch at `at`."""
        if notice_ids:
            await self._session.execute(
                update(CoordinatorNoticeRow)
                .where(CoordinatorNoticeRow.id.in_(list(notice_ids)))
                .values(batched_at=at)
            )

    async def prune(self, before: datetime) -> int:
        """Forget events batched before `before`."""
        return await execute_count(
            self._session,
            delete(CoordinatorNoticeRow).where(
                CoordinatorNoticeRow.batched_at.is_not(None),
                CoordinatorNoticeRow.batched_at < before,
            ),
        )
