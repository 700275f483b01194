"""Supply offers, their matches with appeals' needs, and the pure matching rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.appeals.models import Appeal, Need
from domain.errors import N_
from domain.kernel.text import TextRule
from domain.parsing import can_convert, convert, items_match, units_compatible

#: A location as written, trimmed; an empty one or one over 200 characters is refused.
clean_location = TextRule(
    N_("Please write where the goods are, e.g. 武汉市江汉区 or Shenzhen."),
    200,
    N_("A location may have at most {limit} characters."),
).clean


class OfferTerms(StrEnum):
    """On what terms the goods are offered."""

    FREE = "free"
    AT_COST = "cost"
    PRICE = "price"


class OfferStatus(StrEnum):
    """Where an offer stands: open until fully matched or withdrawn."""

    OPEN = "open"
    MATCHED = "matched"
    WITHDRAWN = "withdrawn"


@dataclass
class Offer:
    """Goods a supplier offers: item, quantity in a unit, terms, place, availability."""

    id: int
    token: str
    person_id: int
    item: str
    item_key: str
    quantity: Decimal
    remaining: Decimal
    unit: str
    approximate: bool
    terms: OfferTerms
    price_minor: int | None
    currency: str
    location: str
    available_until: date | None
    status: OfferStatus
    created_at: datetime

    def available(self, today: date) -> bool:
        """True while the offer can still be matched (open, something left, not expired)."""
        return (
            self.status is OfferStatus.OPEN
            and self.remaining > 0
            and (self.available_until is None or self.available_until >= today)
        )


@dataclass
class Match:
    """A coordinator accepted an offer for one need; the goods pledge it became."""

    id: int
    offer_id: int
    need_id: int
    appeal_id: int
    pledge_id: int
    quantity: Decimal
    accepted_by: int
    accepted_at: datetime


@dataclass(frozen=True)
class PledgedQuantity:
    """What one live (not cancelled) pledge promises towards a need."""

    need_id: int
    quantity: Decimal
    unit: str


@dataclass(frozen=True)
class Candidate:
    """One offer that could answer one need of an appeal."""

    offer: Offer
    appeal: Appeal
    need: Need
    unmet: Decimal
    offerer: str


def match_token(offer_id: int, need_id: int) -> str:
    """The token of the pledge an accepted pair becomes (unique, so accepted once)."""
    return f"offer{offer_id}need{need_id}"


def fits(unit: str, other: str) -> bool:
    """True when a quantity in `unit` can stand for one in `other` (unknown units never)."""
    try:
        return units_compatible(unit, other)
    except (KeyError, ValueError):
        return False


def in_unit(value: Decimal, unit: str, to_unit: str) -> Decimal | None:
    """`value` expressed in `to_unit`, or None when the units do not convert exactly."""
    try:
        if can_convert(unit, to_unit):
            return convert(value, unit, to_unit)
    except (KeyError, ValueError):
        pass
    return None


def unmet(need: Need, pledged: list[PledgedQuantity]) -> Decimal:
    """The need's target minus what live pledges for it cover (those that convert)."""
    covered = Decimal(0)
    for line in pledged:
        if line.need_id != need.id:
            continue
        amount = in_unit(line.quantity, line.unit, need.unit)
        if amount is not None:
            covered += amount
    return max(need.target - covered, Decimal(0))


def pledge_quantity(offer: Offer, need: Need, lacking: Decimal) -> tuple[Decimal, str, Decimal]:
    """How much of an offer a match pledges: (quantity, unit, what it uses of the offer).

    When the units convert, the pledge is in the need's unit and capped at what the need
    still lacks; the rest of the offer stays open for other needs. When they do not
    convert (300 boxes for a need counted in pieces), the whole remainder is pledged in
    the offer's own unit.
    """
    available = in_unit(offer.remaining, offer.unit, need.unit)
    if available is None:
        return offer.remaining, offer.unit, offer.remaining
    if available <= lacking:
        return available, need.unit, offer.remaining
    used = in_unit(lacking, need.unit, offer.unit)
    assert used is not None
    return lacking, need.unit, min(used, offer.remaining)


def candidates(
    offers: list[Offer],
    appeals: list[Appeal],
    pledged: dict[int, list[PledgedQuantity]],
    offerers: dict[int, str],
    today: date | Mapping[int, date],
) -> list[Candidate]:
    """Pairs of an available offer and an unmet need naming the same item in a fitting unit.

    `today` is the day offers are judged in: one for all, or each offerer's (by person id).
    """
    found: list[Candidate] = []
    for appeal in appeals:
        if not appeal.is_open:
            continue
        for need in sorted(appeal.needs, key=lambda n: (n.priority, n.id)):
            lacking = unmet(need, pledged.get(appeal.id, []))
            if lacking <= 0:
                continue
            for offer in offers:
                day = today if isinstance(today, date) else today[offer.person_id]
                if not offer.available(day) or not fits(offer.unit, need.unit):
                    continue
                if not (
                    (need.item_key and offer.item_key == need.item_key)
                    or items_match(offer.item, need.item)
                ):
                    continue
                name = offerers.get(offer.person_id, str(offer.person_id))
                found.append(Candidate(offer, appeal, need, lacking, name))
    return found
