"""What the notice batches need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.notices.models import CoordinatorNotice, NoticeEvent


class NoticeRepository(Protocol):
    """Events waiting for coordinators' batches (the `coordinator_notice` table)."""

    async def add(
        self, coordinator_id: int, event: NoticeEvent, subject_id: int, at: datetime
    ) -> None:
        """Queue one event for one coordinator."""
        ...

    async def due(self, quiet_since: datetime, waited_since: datetime, limit: int) -> list[int]:
        """Coordinators with an event waiting since `waited_since`, no batch after `quiet_since`."""
        ...

    async def waiting(self, coordinator_id: int) -> list[CoordinatorNotice]:
        """A coordinator's waiting events, oldest first."""
        ...

    async def mark_batched(self, notice_ids: Sequence[int], at: datetime) -> None:
        """Record that these events went out in a batch at `at`."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget events batched before `before` (kept only to space the batches)."""
        ...
