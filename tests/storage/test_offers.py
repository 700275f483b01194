"""The offer repository and the accept use case on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from domain.appeals.models import Appeal, AppealStatus, Need
from domain.clock import FakeClock
from domain.kernel.origin import Origin
from domain.kernel.standing import Role, RoleName
from domain.network.models import Language
from domain.offers.models import Match, Offer, OfferStatus, OfferTerms, PledgedQuantity
from domain.offers.service import OfferService
from domain.outbox.models import Purpose
from domain.pledges.models import Pledge, PledgeKind, Visibility
from storage.uow import SqlUnitOfWorkFactory

OFFERER = 9_000_000_011
COORD = 9_000_000_012
AT = datetime(2020, 2, 19, 9, 0, tzinfo=UTC)


class Notices:
    """Plain notices."""

    def offer_matched(
        self, language: Language, offer: Offer, appeal: Appeal, need: Need, pledge: Pledge
    ) -> str:
        """The notice text."""
        return f"{offer.id}:{pledge.id}"


def offer(token: str = "tok", quantity: str = "2.5", unit: str = "t") -> Offer:
    """An open offer of disinfectant."""
    return Offer(
        0, token, OFFERER, "消毒液", "disinfectant", Decimal(quantity), Decimal(quantity), unit,
        True, OfferTerms.PRICE, 1_200_000, "CNY", "武汉市江汉区", date(2020, 3, 15),
        OfferStatus.OPEN, AT,
    )


async def stored_appeal(uow_factory: SqlUnitOfWorkFactory) -> Appeal:
    """An open appeal needing 5000 kg of disinfectant."""
    appeal = Appeal(
        0, "抗疫倡议", "", AppealStatus.OPEN, date(2020, 2, 29), "CNY", None, None, COORD, AT,
        needs=[Need(0, 0, "消毒液", "disinfectant", "kg", Decimal(5000))],
    )
    async with uow_factory() as uow:
        stored = await uow.appeals.add(appeal)
        await uow.commit()
    return stored


def pledge(appeal: Appeal, token: str, quantity: str, cancelled: bool = False) -> Pledge:
    """A goods pledge towards the appeal's first need."""
    return Pledge(
        0, token, OFFERER, PledgeKind.GOODS, appeal.id, appeal.needs[0].id, "消毒液", None,
        "CNY", Decimal(quantity), "kg", None, False, "", None, None, None, Visibility.NAMED,
        cancelled, None, None, None, AT,
    )


async def test_offers_round_trip_once_per_token(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        first = await uow.offers.add(offer())
        again = await uow.offers.add(replace(offer(), quantity=Decimal(9)))
        await uow.commit()
    assert again == first
    assert (first.quantity, first.remaining, first.unit, first.approximate) == (
        Decimal("2.5"), Decimal("2.5"), "t", True
    )
    assert (first.terms, first.price_minor, first.available_until) == (
        OfferTerms.PRICE, 1_200_000, date(2020, 3, 15)
    )
    async with uow_factory() as uow:
        second = await uow.offers.add(offer("other"))
        second.status = OfferStatus.WITHDRAWN
        await uow.offers.save(second)
        first.remaining = Decimal(1)
        await uow.offers.save(first)
        await uow.commit()
    async with uow_factory() as uow:
        assert [o.id for o in await uow.offers.of_person(OFFERER)] == [second.id, first.id]
        [open_one] = await uow.offers.open_offers()
        assert open_one.remaining == Decimal(1)
        assert await uow.offers.get(999) is None


async def test_matches_are_unique_per_offer_and_need(uow_factory: SqlUnitOfWorkFactory) -> None:
    appeal = await stored_appeal(uow_factory)
    need = appeal.needs[0]
    async with uow_factory() as uow:
        stored = await uow.offers.add(offer())
        made = await uow.pledges.add(pledge(appeal, "p1", "2500"))
        match = Match(0, stored.id, need.id, appeal.id, made.id, Decimal("2.5"), COORD, AT)
        first = await uow.offers.add_match(match)
        assert first is not None and first.id > 0
        assert await uow.offers.add_match(match) is None
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.offers.match_for(stored.id, need.id) == first
        assert await uow.offers.match_for(stored.id, need.id + 1) is None


async def test_pledged_towards_counts_live_pledges_only(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    appeal = await stored_appeal(uow_factory)
    async with uow_factory() as uow:
        await uow.pledges.add(pledge(appeal, "a", "1000"))
        await uow.pledges.add(pledge(appeal, "b", "700", cancelled=True))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.offers.pledged_towards(appeal.id) == [
            PledgedQuantity(appeal.needs[0].id, Decimal(1000), "kg")
        ]


async def test_accept_commits_match_pledge_offer_and_notice_together(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    appeal = await stored_appeal(uow_factory)
    async with uow_factory() as uow:
        await uow.roles.add(Role(COORD, RoleName.ADMIN, None))
        await uow.pledges.add(pledge(appeal, "a", "4000"))
        stored = await uow.offers.add(offer())
        await uow.commit()
    service = OfferService(uow_factory, FakeClock(AT), Notices(), "CNY")
    [pair] = await service.candidates(Origin(COORD), appeal.id)
    assert pair.unmet == Decimal(1000)
    accepted = await service.accept(Origin(COORD, 5), stored.id, appeal.id, appeal.needs[0].id)
    assert (accepted.pledge.quantity, accepted.pledge.unit) == (Decimal(1000), "kg")
    assert accepted.pledge.estimated_minor == 480_000
    async with uow_factory() as uow:
        after = await uow.offers.get(stored.id)
        assert after is not None and after.remaining == Decimal("1.5")
        assert after.status is OfferStatus.OPEN
        [notice] = await uow.outbox.for_subject(Purpose.NOTICE, f"match:{accepted.match.id}")
        assert notice.chat_id == OFFERER
        assert await uow.updates.seen(5)
    assert await service.candidates(Origin(COORD), appeal.id) == []
