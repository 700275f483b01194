"""Fake of `storage/repositories/notices.py`: coordinators' waiting events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from domain.notices.models import CoordinatorNotice, NoticeEvent
from tests.fakes.store import FakeStore


class FakeNoticeRepository:
    """Coordinators' waiting events in a list."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def add(
        self, coordinator_id: int, event: NoticeEvent, subject_id: int, at: datetime
    ) -> None:
        """Queue one event."""
        # A counter, not the list's length: pruning shortens the list, ids stay unique.
        notice_id = self._store.next_notice_id
        self._store.next_notice_id += 1
        self._store.notices.append(
            CoordinatorNotice(notice_id, coordinator_id, event, subject_id, at)
        )

    async def due(self, quiet_since: datetime, waited_since: datetime, limit: int) -> list[int]:
        """Coordinators with an old enough waiting event and no batch since `quiet_since`."""
        notices = self._store.notices
        recent = {
            n.coordinator_id
            for n in notices
            if n.batched_at is not None and n.batched_at > quiet_since
        }
        waiting = {
            n.coordinator_id
            for n in notices
            if n.batched_at is None and n.created_at <= waited_since
        }
        return sorted(waiting - recent)[:limit]

    async def waiting(self, coordinator_id: int) -> list[CoordinatorNotice]:
        """One coordinator's waiting events."""
        return [
            n
            for n in self._store.notices
            if n.coordinator_id == coordinator_id and n.batched_at is None
        ]

    async def mark_batched(self, notice_ids: Sequence[int], at: datetime) -> None:
        """Mark events batched."""
        ids = set(notice_ids)
        self._store.notices = [
            replace(n, batched_at=at) if n.id in ids else n for n in self._store.notices
        ]

    async def prune(self, before: datetime) -> int:
        """Forget old batched events."""
        kept = [
            n for n in self._store.notices if n.batched_at is None or n.batched_at >= before
        ]
        pruned = len(self._store.notices) - len(kept)
        self._store.notices = kept
        return pruned
