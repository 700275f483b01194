"""Repository of supply offers and their matches, mapping rows to domain dataclasses."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.offers.models import Match, Offer, OfferStatus, OfferTerms, PledgedQuantity
from storage.models.offers import OfferMatchRow, OfferRow
from storage.models.pledges import PledgeRow
from storage.repositories.statements import execute_count, insert_ignoring_conflicts

_SCALE = Decimal("0.000001")


def _offer(row: OfferRow) -> Offer:
    return Offer(
        id=row.id,
        token=row.token,
        person_id=row.person_id,
        item=row.item,
        item_key=row.item_key,
        quantity=Decimal(row.quantity).normalize(),
        remaining=Decimal(row.remaining).normalize(),
        unit=row.unit,
        approximate=row.approximate,
        terms=OfferTerms(row.terms),
        price_minor=row.price_minor,
        currency=row.currency,
        location=row.location,
        available_until=row.available_until,
        status=OfferStatus(row.status),
        created_at=row.created_at,
    )


def _match(row: OfferMatchRow) -> Match:
    return Match(
        id=row.id,
        offer_id=row.offer_id,
        need_id=row.need_id,
        appeal_id=row.appeal_id,
        pledge_id=row.pledge_id,
        quantity=Decimal(row.quantity).normalize(),
        accepted_by=row.accepted_by,
        accepted_at=row.accepted_at,
    )


class SqlOfferRepository:
    """Implements `domain.offers.ports.OfferRepository` on `offer` and `offer_match`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, offer: Offer) -> Offer:
        """Insert; when the token exists already, return the stored offer unchanged."""
        values = {
            "token": offer.token,
            "person_id": offer.person_id,
            "item": offer.item,
            "item_key": offer.item_key,
            "quantity": offer.quantity.quantize(_SCALE),
            "remaining": offer.remaining.quantize(_SCALE),
            "unit": offer.unit,
            "approximate": offer.approximate,
            "terms": offer.terms.value,
            "price_minor": offer.price_minor,
            "currency": offer.currency,
            "location": offer.location,
            "available_until": offer.available_until,
            "status": offer.status.value,
            "created_at": offer.created_at,
        }
        table = cast(Table, OfferRow.__table__)
        await self._session.execute(insert_ignoring_conflicts(self._session, table).values(values))
        stored = await self.by_token(offer.token)
        if stored is None:
            raise LookupError(f"offer {offer.token} vanished after insert")
        return stored

    async def get(self, offer_id: int) -> Offer | None:
        """Return one offer."""
        row = await self._session.get(OfferRow, offer_id, populate_existing=True)
        return None if row is None else _offer(row)

    async def by_token(self, token: str) -> Offer | None:
        """Return the offer a dialog confirmed."""
        row = await self._session.scalar(select(OfferRow).where(OfferRow.token == token))
        return None if row is None else _offer(row)

    async def of_person(self, person_id: int) -> list[Offer]:
        """A person's offers, newest first."""
        rows = await self._session.scalars(
            select(OfferRow).where(OfferRow.person_id == person_id).order_by(OfferRow.id.desc())
        )
        return [_offer(r) for r in rows]

    async def open_offers(self) -> list[Offer]:
        """Open offers with something left, oldest first."""
        rows = await self._session.scalars(
            select(OfferRow)
            .where(OfferRow.status == OfferStatus.OPEN.value, OfferRow.remaining > 0)
            .order_by(OfferRow.id)
        )
        return [_offer(r) for r in rows]

    async def save(self, offer: Offer) -> None:
        """Write back status and remaining quantity."""
        row = await self._session.get(OfferRow, offer.id)
        if row is None:
            raise LookupError(f"offer {offer.id} does not exist")
        row.status = offer.status.value
        row.remaining = offer.remaining.quantize(_SCALE)
        await self._session.flush()

    async def add_match(self, match: Match) -> Match | None:
        """Insert a match; None when the offer and need were matched already."""
        values = {
            "offer_id": match.offer_id,
            "need_id": match.need_id,
            "appeal_id": match.appeal_id,
            "pledge_id": match.pledge_id,
            "quantity": match.quantity.quantize(_SCALE),
            "accepted_by": match.accepted_by,
            "accepted_at": match.accepted_at,
        }
        table = cast(Table, OfferMatchRow.__table__)
        statement = insert_ignoring_conflicts(self._session, table).values(values)
        if await execute_count(self._session, statement) != 1:
            return None
        return await self.match_for(match.offer_id, match.need_id)

    async def match_for(self, offer_id: int, need_id: int) -> Match | None:
        """Return the match of an offer with a need."""
        row = await self._session.scalar(
            select(OfferMatchRow).where(
                OfferMatchRow.offer_id == offer_id, OfferMatchRow.need_id == need_id
            )
        )
        return None if row is None else _match(row)

    async def pledged_towards(self, appeal_id: int) -> list[PledgedQuantity]:
        """Quantities of the appeal's live pledges that name a need."""
        rows = await self._session.execute(
            select(PledgeRow.need_id, PledgeRow.quantity, PledgeRow.unit).where(
                PledgeRow.appeal_id == appeal_id,
                PledgeRow.need_id.is_not(None),
                PledgeRow.quantity.is_not(None),
                PledgeRow.cancelled.is_(False),
            )
        )
        return [
            PledgedQuantity(int(need_id), Decimal(quantity).normalize(), unit)
            for need_id, quantity, unit in rows
            if need_id is not None and quantity is not None
        ]
