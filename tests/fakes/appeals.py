"""Fake of `storage/repositories/appeals.py`: appeals with their needs and recipients."""

from __future__ import annotations

import copy
from decimal import Decimal

from domain.appeals.models import Appeal, AppealStatus
from tests.fakes.store import FakeStore

#: The scale of the `need.target` column: SQL reads targets back with six decimals.
TARGET_SCALE = Decimal("0.000001")


class FakeAppealRepository:
    """Appeals in memory."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def add(self, appeal: Appeal) -> Appeal:
        """Insert an appeal, numbering it and its needs; a recipient is one per name, as in SQL.

        Refuses a second appeal from the same draft like the unique constraint would. Needs
        take their position as priority when they have none, come back in priority order,
        and their targets at the column's scale (six decimals), as SQL gives them back.
        """
        if appeal.draft_key is not None and await self.by_draft_key(appeal.draft_key):
            raise AssertionError(f"unique constraint: draft {appeal.draft_key!r} published")
        stored = copy.deepcopy(appeal)
        stored.id = self._store.next_appeal_id
        self._store.next_appeal_id += 1
        for number, need in enumerate(stored.needs, start=1):
            need.id = stored.id * 1000 + number
            need.appeal_id = stored.id
            need.priority = need.priority or number - 1
            need.target = need.target.quantize(TARGET_SCALE)
        stored.needs.sort(key=lambda need: (need.priority, need.id))
        for recipient in stored.recipients:
            recipient.id = self._store.recipient_ids.setdefault(
                recipient.name, len(self._store.recipient_ids) + 1
            )
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
        """Write back the fields that change after publishing (as the SQL `save` does)."""
        stored = self._store.appeals.get(appeal.id)
        if stored is None:
            raise LookupError(f"appeal {appeal.id} does not exist")
        stored.title, stored.body, stored.status = appeal.title, appeal.body, appeal.status
        stored.deadline, stored.revision = appeal.deadline, appeal.revision
        stored.progress_message_id = appeal.progress_message_id
        stored.reported_at = appeal.reported_at

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
