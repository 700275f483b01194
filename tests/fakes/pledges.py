"""Fakes of `storage/repositories/pledges.py`: pledges, fulfilments, the appeal lookup."""

from __future__ import annotations

import copy
from dataclasses import replace

from domain.appeals.models import Appeal, AppealStatus
from domain.pledges.models import Fulfilment, FulfilmentState, Pledge
from tests.fakes.store import FakeStore


class FakePledgeRepository:
    """Pledges and their fulfilments in a `FakeStore`; the token is unique as in SQL."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def add(self, pledge: Pledge) -> Pledge:
        """Insert; an existing token returns the stored pledge unchanged."""
        existing = await self.by_token(pledge.token)
        if existing is not None:
            return existing
        stored = replace(pledge, id=self._store.next_pledge_id, fulfilments=[])
        self._store.next_pledge_id += 1
        self._store.pledges[stored.id] = stored
        return copy.deepcopy(stored)

    async def get(self, pledge_id: int) -> Pledge | None:
        """Return one pledge with fulfilments."""
        found = self._store.pledges.get(pledge_id)
        return None if found is None else copy.deepcopy(found)

    async def by_token(self, token: str) -> Pledge | None:
        """Return the pledge with this token."""
        for pledge in self._store.pledges.values():
            if pledge.token == token:
                return copy.deepcopy(pledge)
        return None

    async def of_person(self, person_id: int) -> list[Pledge]:
        """A person's pledges, newest first."""
        return [
            copy.deepcopy(p)
            for _, p in sorted(self._store.pledges.items(), reverse=True)
            if p.person_id == person_id
        ]

    async def save(self, pledge: Pledge) -> None:
        """Write back due date, cancellation and visibility."""
        stored = self._store.pledges[pledge.id]
        stored.due_date = pledge.due_date
        stored.cancelled = pledge.cancelled
        stored.cancel_reason = pledge.cancel_reason
        stored.visibility = pledge.visibility

    async def add_fulfilment(self, fulfilment: Fulfilment) -> Fulfilment:
        """Insert a delivery report."""
        if fulfilment.quantity <= 0:
            raise AssertionError("check constraint: fulfilment quantity must be positive")
        stored = replace(fulfilment, id=self._store.next_fulfilment_id)
        self._store.next_fulfilment_id += 1
        self._store.pledges[fulfilment.pledge_id].fulfilments.append(stored)
        return replace(stored)

    async def fulfilment(self, fulfilment_id: int) -> Fulfilment | None:
        """Return one delivery report."""
        for pledge in self._store.pledges.values():
            for found in pledge.fulfilments:
                if found.id == fulfilment_id:
                    return replace(found)
        return None

    async def save_fulfilment(self, fulfilment: Fulfilment) -> None:
        """Write back a confirmed or questioned report."""
        fulfilments = self._store.pledges[fulfilment.pledge_id].fulfilments
        for index, found in enumerate(fulfilments):
            if found.id == fulfilment.id:
                fulfilments[index] = replace(fulfilment)

    async def awaiting_confirmation(self, limit: int) -> list[Pledge]:
        """Pledges with reported, unconfirmed deliveries."""
        return [
            copy.deepcopy(p)
            for _, p in sorted(self._store.pledges.items())
            if any(f.state is FulfilmentState.REPORTED for f in p.fulfilments)
        ][:limit]


class FakeAppealLookup:
    """The pledges' read port onto the appeals in a `FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def get(self, appeal_id: int) -> Appeal | None:
        """Return one appeal."""
        found = self._store.appeals.get(appeal_id)
        return None if found is None else copy.deepcopy(found)

    async def open_appeals(self) -> list[Appeal]:
        """Open appeals, newest first."""
        found = [a for a in self._store.appeals.values() if a.status is AppealStatus.OPEN]
        return [copy.deepcopy(a) for a in sorted(found, key=lambda a: -a.id)]
