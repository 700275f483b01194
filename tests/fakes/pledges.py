"""Fakes of `storage/repositories/pledges.py`: pledges, fulfilments, the appeal lookup."""

from __future__ import annotations

import copy
from dataclasses import replace

from domain.appeals.models import Appeal, AppealStatus
from domain.pledges.models import Fulfilment, FulfilmentState, Pledge
from tests.fakes.store import FakeStore, as_stored


class FakePledgeRepository:
    """Pledges and their fulfilments in a `FakeStore`; the token is unique as in SQL."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def add(self, pledge: Pledge) -> Pledge:
        """Insert; an existing token returns the stored pledge unchanged."""
        existing = await self.by_token(pledge.token)
        if existing is not None:
            return existing
        quantity = None if pledge.quantity is None else as_stored(pledge.quantity)
        stored = replace(
            pledge, id=self._store.next_pledge_id, quantity=quantity, fulfilments=[]
        )
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
        """Write back due date, cancellation, visibility, and quantity and unit (goods pledged
        by value take theirs with the first delivery)."""
        stored = self._store.pledges.get(pledge.id)
        if stored is None:
            raise LookupError(f"pledge {pledge.id} does not exist")
        stored.due_date = pledge.due_date
        stored.cancelled = pledge.cancelled
        stored.cancel_reason = pledge.cancel_reason
        stored.visibility = pledge.visibility
        stored.quantity = None if pledge.quantity is None else as_stored(pledge.quantity)
        stored.unit = pledge.unit

    async def add_fulfilment(self, fulfilment: Fulfilment) -> Fulfilment:
        """Insert a delivery report."""
        if fulfilment.quantity <= 0:
            raise AssertionError("check constraint: fulfilment quantity must be positive")
        stored = replace(
            fulfilment, id=self._store.next_fulfilment_id, quantity=as_stored(fulfilment.quantity)
        )
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
        """Write back a confirmed or questioned report (its state and who confirmed it, when)."""
        for pledge in self._store.pledges.values():
            for found in pledge.fulfilments:
                if found.id == fulfilment.id:
                    found.state = fulfilment.state
                    found.confirmed_by = fulfilment.confirmed_by
                    found.confirmed_at = fulfilment.confirmed_at
                    return
        raise LookupError(f"fulfilment {fulfilment.id} does not exist")

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
