"""Plain notices the offer tests hand to `OfferService`."""

from __future__ import annotations

from domain.appeals.models import Appeal, Need
from domain.network.models import Language
from domain.offers.models import Offer
from domain.pledges.models import Pledge


class Notices:
    """Plain notices for the tests."""

    def offer_matched(
        self, language: Language, offer: Offer, appeal: Appeal, need: Need, pledge: Pledge
    ) -> str:
        """The notice text."""
        return f"{language}:{offer.id}:{pledge.id}:{pledge.quantity}"
