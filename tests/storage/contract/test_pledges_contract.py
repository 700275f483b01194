"""The pledge and offer repositories behave alike on the fakes and in SQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.offers.models import Match, OfferStatus, PledgedQuantity
from domain.pledges.models import Fulfilment, FulfilmentState, Visibility
from tests.storage.contract.builders import ALICE, BOB, T0, Units, appeal, offer, pledge


def report(pledge_id: int, quantity: str = "100.50") -> Fulfilment:
    """A delivery report of part of a pledge."""
    return Fulfilment(0, pledge_id, Decimal(quantity), False, ALICE, T0, "proof-1")


# -- pledges and offers -----------------------------------------------------------------------

#: Per repository: what is stored under token "tok-1", a second add with the same token,
#: and the quantity as read back (normalised, as SQL gives it; the fakes kept "3000.50").
BY_TOKEN = {
    "pledges": (pledge("tok-1"), pledge("tok-1", quantity="1"), "3000.5"),
    "offers": (offer("tok-1"), offer("tok-1", "9"), "2.5"),
}


@pytest.mark.parametrize("repository", sorted(BY_TOKEN))
async def test_a_token_stores_one_pledge_or_offer(units: Units, repository: str) -> None:
    wanted, same_token, quantity = BY_TOKEN[repository]
    async with units() as uow:
        first = await getattr(uow, repository).add(wanted)
        again = await getattr(uow, repository).add(same_token)
        await uow.commit()
    assert first.id > 0 and again == first
    assert str(first.quantity) == quantity
    async with units() as uow:
        found = getattr(uow, repository)
        assert await found.get(first.id) == first
        assert await found.get(first.id + 1000) is None
        assert await found.by_token("tok-1") == first
        assert await found.by_token("tok-2") is None



async def test_a_persons_pledges_newest_first(units: Units) -> None:
    async with units() as uow:
        older = await uow.pledges.add(pledge("tok-1"))
        await uow.pledges.add(pledge("tok-2", person_id=BOB))
        newer = await uow.pledges.add(pledge("tok-3"))
        await uow.commit()
    async with units() as uow:
        assert [p.id for p in await uow.pledges.of_person(ALICE)] == [newer.id, older.id]
        assert await uow.pledges.of_person(3) == []


async def test_save_writes_what_changes_after_the_pledge(units: Units) -> None:
    async with units() as uow:
        stored = await uow.pledges.add(pledge("tok-1", quantity=None))
        await uow.commit()
    stored.due_date, stored.visibility = date(2020, 3, 9), Visibility.ANONYMOUS
    stored.cancelled, stored.cancel_reason = True, "买不到"
    stored.quantity, stored.unit = Decimal("20"), "t"  # goods pledged by value, delivered
    async with units() as uow:
        await uow.pledges.save(stored)
        await uow.commit()
    async with units() as uow:
        found = await uow.pledges.get(stored.id)
    assert found is not None
    assert (found.due_date, found.visibility, found.cancelled, found.cancel_reason) == (
        date(2020, 3, 9), Visibility.ANONYMOUS, True, "买不到"
    )
    assert (found.quantity, found.unit) == (Decimal("20"), "t")


async def test_delivery_reports_are_added_read_and_confirmed(units: Units) -> None:
    async with units() as uow:
        stored = await uow.pledges.add(pledge("tok-1"))
        other = await uow.pledges.add(pledge("tok-2"))
        first = await uow.pledges.add_fulfilment(report(stored.id))
        second = await uow.pledges.add_fulfilment(report(stored.id, "2"))
        await uow.pledges.add_fulfilment(report(other.id))
        await uow.commit()
    assert first.id != second.id and str(first.quantity) == "100.5"
    async with units() as uow:
        assert await uow.pledges.fulfilment(first.id) == first
        assert await uow.pledges.fulfilment(first.id + 1000) is None
        found = await uow.pledges.get(stored.id)
        assert found is not None and found.fulfilments == [first, second]
        assert [p.id for p in await uow.pledges.awaiting_confirmation(10)] == [stored.id,
                                                                              other.id]
        assert [p.id for p in await uow.pledges.awaiting_confirmation(1)] == [stored.id]
        for done in (first, second):
            done.state, done.confirmed_by, done.confirmed_at = (
                FulfilmentState.CONFIRMED, BOB, T0 + timedelta(hours=1)
            )
            await uow.pledges.save_fulfilment(done)
        await uow.commit()
    async with units() as uow:
        assert await uow.pledges.fulfilment(first.id) == first
        assert [p.id for p in await uow.pledges.awaiting_confirmation(10)] == [other.id]


async def test_saving_a_report_writes_its_review_only(units: Units) -> None:
    async with units() as uow:
        stored = await uow.pledges.add(pledge("tok-1"))
        first = await uow.pledges.add_fulfilment(report(stored.id))
        await uow.commit()
    first.state, first.confirmed_by = FulfilmentState.QUESTIONED, BOB
    first.quantity, first.proof_file_id = Decimal("7"), None
    async with units() as uow:
        await uow.pledges.save_fulfilment(first)
        found = await uow.pledges.fulfilment(first.id)
        missing = report(stored.id)
        missing.id = first.id + 1000
        with pytest.raises(LookupError):
            await uow.pledges.save_fulfilment(missing)
    assert found is not None
    assert (found.state, found.confirmed_by) == (FulfilmentState.QUESTIONED, BOB)
    assert (found.quantity, found.proof_file_id) == (Decimal("100.5"), "proof-1")


async def test_a_delivery_of_nothing_is_refused(units: Units) -> None:
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError in SQL, AssertionError fake
        async with units() as uow:
            stored = await uow.pledges.add(pledge("tok-1"))
            await uow.pledges.add_fulfilment(report(stored.id, "0"))


async def test_an_offer_of_nothing_is_refused(units: Units) -> None:
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError in SQL, AssertionError fake
        async with units() as uow:
            await uow.offers.add(offer("tok-1", "0"))


async def test_offers_of_a_person_newest_first_and_open_ones_oldest_first(units: Units) -> None:
    async with units() as uow:
        older = await uow.offers.add(offer("tok-1"))
        used_up = await uow.offers.add(offer("tok-2"))
        withdrawn = await uow.offers.add(offer("tok-3"))
        others = await uow.offers.add(offer("tok-4", person_id=ALICE))
        used_up.remaining = Decimal(0)
        withdrawn.status = OfferStatus.WITHDRAWN
        await uow.offers.save(used_up)
        await uow.offers.save(withdrawn)
        await uow.commit()
    async with units() as uow:
        assert [o.id for o in await uow.offers.of_person(BOB)] == [withdrawn.id, used_up.id,
                                                                  older.id]
        assert [o.id for o in await uow.offers.open_offers()] == [older.id, others.id]
        found = await uow.offers.get(used_up.id)
        assert found is not None and found.remaining == 0
    assert str(older.remaining) == "2.5"


async def test_an_offer_matches_a_need_once(units: Units) -> None:
    async with units() as uow:
        stored_appeal = await uow.appeals.add(appeal())
        need = stored_appeal.needs[1]
        stored_offer = await uow.offers.add(offer("tok-1"))
        stored_pledge = await uow.pledges.add(pledge("tok-p", stored_appeal=stored_appeal))
        match = Match(0, stored_offer.id, need.id, stored_appeal.id, stored_pledge.id,
                      Decimal("1.50"), ALICE, T0)
        added = await uow.offers.add_match(match)
        assert await uow.offers.add_match(match) is None
        await uow.commit()
    assert added is not None and added.id > 0 and str(added.quantity) == "1.5"
    async with units() as uow:
        assert await uow.offers.match_for(stored_offer.id, need.id) == added
        assert await uow.offers.match_for(stored_offer.id, stored_appeal.needs[0].id) is None


async def test_pledged_towards_counts_the_live_pledges_naming_a_need(units: Units) -> None:
    async with units() as uow:
        stored_appeal = await uow.appeals.add(appeal())
        need_id = stored_appeal.needs[1].id
        await uow.pledges.add(pledge("tok-1", stored_appeal=stored_appeal, quantity="2"))
        await uow.pledges.add(pledge("tok-2", stored_appeal=stored_appeal, quantity="3.50"))
        await uow.pledges.add(pledge("tok-3", stored_appeal=stored_appeal, cancelled=True))
        await uow.pledges.add(pledge("tok-4", stored_appeal=stored_appeal, quantity=None))
        await uow.pledges.add(pledge("tok-5"))  # no appeal
        await uow.commit()
    async with units() as uow:
        found = await uow.offers.pledged_towards(stored_appeal.id)
        assert await uow.offers.pledged_towards(stored_appeal.id + 1000) == []
    assert sorted(found, key=lambda p: p.quantity) == [
        PledgedQuantity(need_id, Decimal("2"), "kg"),
        PledgedQuantity(need_id, Decimal("3.5"), "kg"),
    ]
