"""What offers need from storage and from the handlers (the offerer's notice), as protocols."""

from __future__ import annotations

from typing import Protocol

from domain.appeals.models import Appeal, Need
from domain.kernel.units import MakesUnits
from domain.network.models import Language
from domain.offers.models import Match, Offer, PledgedQuantity
from domain.pledges.models import Pledge
from domain.pledges.ports import PledgeUnitOfWork


class OfferRepository(Protocol):
    """Offers and their matches."""

    async def add(self, offer: Offer) -> Offer:
        """Insert an offer; when its token exists already, return the stored one unchanged."""
        ...

    async def get(self, offer_id: int) -> Offer | None:
        """Return one offer."""
        ...

    async def by_token(self, token: str) -> Offer | None:
        """Return the offer a dialog confirmed, if any."""
        ...

    async def of_person(self, person_id: int) -> list[Offer]:
        """Return a person's offers, newest first."""
        ...

    async def open_offers(self) -> list[Offer]:
        """Return every open offer with something left, oldest first."""
        ...

    async def save(self, offer: Offer) -> None:
        """Write back an offer's status and remaining quantity."""
        ...

    async def add_match(self, match: Match) -> Match | None:
        """Insert a match and return it with its id; None when the pair was matched already."""
        ...

    async def match_for(self, offer_id: int, need_id: int) -> Match | None:
        """Return the match of an offer with a need, if any."""
        ...

    async def pledged_towards(self, appeal_id: int) -> list[PledgedQuantity]:
        """What live (not cancelled) pledges promise towards each need of an appeal."""
        ...


class MatchNotices(Protocol):
    """Writes the notice an offerer receives when a coordinator accepts their offer."""

    def offer_matched(
        self, language: Language, offer: Offer, appeal: Appeal, need: Need, pledge: Pledge
    ) -> str:
        """The notice's text (HTML)."""
        ...


class OfferUnitOfWork(PledgeUnitOfWork, Protocol):
    """The unit of work with the repositories offers use (pledges, appeals, outbox too)."""

    offers: OfferRepository


#: Makes a fresh unit of work for each offer use case.
OfferUnitOfWorkFactory = MakesUnits[OfferUnitOfWork]
