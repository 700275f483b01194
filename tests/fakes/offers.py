"""Fake of `storage/repositories/offers.py`: offers and their matches."""

from __future__ import annotations

from dataclasses import replace

from domain.offers.models import Match, Offer, OfferStatus, PledgedQuantity
from tests.fakes.store import FakeStore, as_stored


class FakeOfferRepository:
    """Offers and matches in a `FakeStore`; token and (offer, need) are unique as in SQL."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def add(self, offer: Offer) -> Offer:
        """Insert; an existing token returns the stored offer unchanged."""
        existing = await self.by_token(offer.token)
        if existing is not None:
            return existing
        if offer.quantity <= 0:
            raise AssertionError("check constraint: offer quantity must be positive")
        stored = replace(
            offer,
            id=self._store.next_offer_id,
            quantity=as_stored(offer.quantity),
            remaining=as_stored(offer.remaining),
        )
        self._store.next_offer_id += 1
        self._store.offers[stored.id] = stored
        return replace(stored)

    async def get(self, offer_id: int) -> Offer | None:
        """Return one offer."""
        found = self._store.offers.get(offer_id)
        return None if found is None else replace(found)

    async def by_token(self, token: str) -> Offer | None:
        """Return the offer with this token."""
        for offer in self._store.offers.values():
            if offer.token == token:
                return replace(offer)
        return None

    async def of_person(self, person_id: int) -> list[Offer]:
        """A person's offers, newest first."""
        return [
            replace(o)
            for _, o in sorted(self._store.offers.items(), reverse=True)
            if o.person_id == person_id
        ]

    async def open_offers(self) -> list[Offer]:
        """Open offers with something left, oldest first."""
        return [
            replace(o)
            for _, o in sorted(self._store.offers.items())
            if o.status is OfferStatus.OPEN and o.remaining > 0
        ]

    async def save(self, offer: Offer) -> None:
        """Write back status and remaining quantity."""
        stored = self._store.offers.get(offer.id)
        if stored is None:
            raise LookupError(f"offer {offer.id} does not exist")
        stored.status = offer.status
        stored.remaining = as_stored(offer.remaining)

    async def add_match(self, match: Match) -> Match | None:
        """Insert a match; None when the pair exists."""
        if await self.match_for(match.offer_id, match.need_id) is not None:
            return None
        stored = replace(match, id=self._store.next_match_id, quantity=as_stored(match.quantity))
        self._store.next_match_id += 1
        self._store.matches[stored.id] = stored
        return replace(stored)

    async def match_for(self, offer_id: int, need_id: int) -> Match | None:
        """Return the match of an offer with a need."""
        for found in self._store.matches.values():
            if (found.offer_id, found.need_id) == (offer_id, need_id):
                return replace(found)
        return None

    async def pledged_towards(self, appeal_id: int) -> list[PledgedQuantity]:
        """Live pledges of the appeal that name a need."""
        return [
            PledgedQuantity(p.need_id, p.quantity, p.unit)
            for _, p in sorted(self._store.pledges.items())
            if p.appeal_id == appeal_id
            and p.need_id is not None
            and p.quantity is not None
            and not p.cancelled
        ]
