"""Fake of `storage/repositories/appeals.py`: appeals with their needs and recipients."""

from __future__ import annotations

import copy
from dataclasses import replace

from domain.appeals.models import Appeal, AppealStatus
from tests.fakes.store import FakeStore


class FakeAppealRepository:
    """Appeals in memory."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def add(self, appeal: Appeal) -> Appeal:
        """Insert an appeal, numbering it, its needs and its recipients."""
        stored = copy.deepcopy(appeal)
        stored.id = self._store.next_appeal_id
        self._store.next_appeal_id += 1
        for number, need in enumerate(stored.needs, start=1):
            need.id = stored.id * 1000 + number
            need.appeal_id = stored.id
        for number, recipient in enumerate(stored.recipients, start=1):
            recipient.id = stored.id * 1000 + number
        self._store.appeals[stored.id] = stored
        return copy.deepcopy(stored)

    async def get(self, appeal_id: int) -> Appeal | None:
        """Return one appeal."""
        found = self._store.appeals.get(appeal_id)
        return copy.deepcopy(found)

    async def by_draft_key(self, draft_key: str) -> Appeal | None:
        """Return the appeal published from a draft."""
        for appeal in self._store.appeals.values():
            if appeal.draft_key == draft_key:
                return copy.deepcopy(appeal)
        return None

    async def save(self, appeal: Appeal) -> None:
        """Write an appeal's own fields back (needs and recipients stay)."""
        stored = self._store.appeals[appeal.id]
        self._store.appeals[appeal.id] = replace(
            copy.deepcopy(appeal), needs=stored.needs, recipients=stored.recipients
        )

    async def open(self) -> list[Appeal]:
        """Open appeals, newest first."""
        found = [a for a in self._store.appeals.values() if a.status is AppealStatus.OPEN]
        return copy.deepcopy(sorted(found, key=lambda a: -a.id))

    async def unreported(self) -> list[Appeal]:
        """Appeals whose report is still due."""
        found = [
            a
            for a in self._store.appeals.values()
            if a.reported_at is None and a.status is not AppealStatus.DRAFT
        ]
        return copy.deepcopy(sorted(found, key=lambda a: a.id))
