"""Offer drafts, matching rules and use cases on the in-memory fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.appeals.models import Appeal, AppealStatus, Need
from domain.clock import FakeClock
from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.kernel.standing import Role, RoleName
from domain.network.models import Language, Organisation, Person
from domain.offers.draft import (
    ITEM_EXAMPLES,
    PRICE_EXAMPLES,
    OfferDraft,
    OfferKind,
    Step,
    answer_text,
    choose_terms,
    next_step,
    read_item_line,
)
from domain.offers.models import (
    Offer,
    OfferStatus,
    OfferTerms,
    PledgedQuantity,
    candidates,
    pledge_quantity,
    unmet,
)
from domain.offers.service import OfferService
from domain.outbox.models import Purpose
from domain.pledges.models import PledgeKind, Visibility
from tests.domain.offers.notices import Notices
from tests.fakes import FakeUnitOfWorkFactory

OFFERER = 9_000_000_011
COORD = 9_000_000_012
MEMBER = 9_000_000_013
OUTSIDER = 9_000_000_014
TODAY = date(2020, 2, 19)
AT = datetime(2020, 2, 19, 9, 0, tzinfo=UTC)


def an_appeal(appeal_id: int = 3, status: AppealStatus = AppealStatus.OPEN) -> Appeal:
    """An appeal of organisation 1 for masks (pieces) and disinfectant (kg)."""
    return Appeal(
        id=appeal_id, title="抗疫倡议", body="", status=status, deadline=date(2020, 2, 29),
        currency="CNY", money_target_minor=None, organisation_id=1, created_by=COORD,
        created_at=AT,
        needs=[
            Need(appeal_id * 1000 + 1, appeal_id, "口罩", "mask", "piece", Decimal(10000)),
            Need(appeal_id * 1000 + 2, appeal_id, "消毒液", "消毒液", "kg", Decimal(5000)),
        ],
    )


def an_offer(item: str = "N95口罩", quantity: str = "5000", unit: str = "piece") -> Offer:
    """An open offer, as stored."""
    from domain.parsing import item_key

    return Offer(
        1, "tok", OFFERER, item, item_key(item), Decimal(quantity), Decimal(quantity), unit,
        False, OfferTerms.FREE, None, "CNY", "武汉", None, OfferStatus.OPEN, AT,
    )


def complete_draft(token: str = "t1", **changes: object) -> OfferDraft:
    """A draft with every answer given."""
    draft = OfferDraft(currency="CNY", token=token)
    read_item_line(draft, "N95口罩 5000个")
    choose_terms(draft, "free")
    answer_text(draft, Step.LOCATION, "武汉市江汉区", today=TODAY)
    answer_text(draft, Step.UNTIL, "2020-03-15", today=TODAY)
    for key, value in changes.items():
        setattr(draft, key, value)
    return draft


# -- the draft -------------------------------------------------------------------------------


def test_the_dialog_asks_only_what_is_missing() -> None:
    draft = OfferDraft(currency="CNY", token="t")
    assert next_step(draft) is Step.ITEM
    read_item_line(draft, "防护服 300套")
    assert (draft.item, draft.quantity, draft.unit) == ("防护服", "300", "set")
    assert next_step(draft) is Step.TERMS
    choose_terms(draft, "price")
    assert next_step(draft) is Step.PRICE
    answer_text(draft, Step.PRICE, "2万元", today=TODAY)
    assert draft.price_minor == 2_000_000
    assert next_step(draft) is Step.LOCATION
    answer_text(draft, Step.LOCATION, "  深圳  宝安 ", today=TODAY)
    assert draft.location == "深圳 宝安"
    assert next_step(draft) is Step.UNTIL
    answer_text(draft, Step.UNTIL, "3月15日", today=TODAY)
    assert draft.until == "2020-03-15"
    assert next_step(draft) is Step.CONFIRM
    kind = OfferKind(service(FakeUnitOfWorkFactory()))
    assert kind.load(kind.dump(draft)) == draft


@pytest.mark.parametrize(
    ("text", "item", "quantity", "unit"),
    [
        ("N95口罩 5000个", "N95口罩", "5000", "piece"),
        ("disinfectant 2 t", "disinfectant", "2", "t"),
        ("masks 2000 pieces", "masks", "2000", "piece"),
    ],
)
def test_item_lines_are_read(text: str, item: str, quantity: str, unit: str) -> None:
    draft = OfferDraft(currency="CNY", token="t")
    read_item_line(draft, text)
    assert (draft.item, draft.quantity, draft.unit) == (item, quantity, unit)


@pytest.mark.parametrize(
    "text",
    ["很多口罩", "", "N95口罩 0个", "N95口罩 -5个", "N95口罩 10000000000000个", "5万元", "5000个"],
)
def test_bad_item_lines_are_refused_and_change_nothing(text: str) -> None:
    draft = OfferDraft(currency="CNY", token="t")
    with pytest.raises(InvalidInput):
        answer_text(draft, Step.ITEM, text, today=TODAY)
    assert draft == OfferDraft(currency="CNY", token="t")


def test_unreadable_item_line_gives_examples() -> None:
    with pytest.raises(InvalidInput) as caught:
        read_item_line(OfferDraft(currency="CNY", token="t"), "很多口罩")
    assert caught.value.message == ITEM_EXAMPLES


@pytest.mark.parametrize("text", ["0元", "很多", "", "300个"])
def test_zero_or_unreadable_prices_are_refused(text: str) -> None:
    draft = OfferDraft(currency="CNY", token="t")
    with pytest.raises(InvalidInput) as caught:
        answer_text(draft, Step.PRICE, text, today=TODAY)
    assert draft.price_minor is None
    if text in ("很多", "", "300个"):
        assert caught.value.message == PRICE_EXAMPLES


def test_past_dates_and_long_locations_are_refused() -> None:
    draft = OfferDraft(currency="CNY", token="t")
    with pytest.raises(InvalidInput, match="passed"):
        answer_text(draft, Step.UNTIL, "2020-02-01", today=TODAY)
    with pytest.raises(InvalidInput, match="200"):
        answer_text(draft, Step.LOCATION, "仓" * 4096, today=TODAY)
    with pytest.raises(InvalidInput):
        answer_text(draft, Step.LOCATION, "   ", today=TODAY)
    assert draft == OfferDraft(currency="CNY", token="t")


# -- matching rules --------------------------------------------------------------------------


def test_unmet_subtracts_live_pledges_converted_to_the_needs_unit() -> None:
    need = an_appeal().needs[1]  # 5000 kg
    pledged = [
        PledgedQuantity(need.id, Decimal(1), "t"),
        PledgedQuantity(need.id, Decimal(500), "kg"),
        PledgedQuantity(need.id, Decimal(9), "box"),  # does not convert: not counted
        PledgedQuantity(999, Decimal(4000), "kg"),  # another need
    ]
    assert unmet(need, pledged) == Decimal(3500)
    assert unmet(need, [PledgedQuantity(need.id, Decimal(6), "t")]) == 0


def test_synonyms_and_units_decide_the_candidates() -> None:
    appeal = an_appeal()
    masks = an_offer("N95口罩")
    english = an_offer("surgical masks")
    english.id = 2
    wrong_unit = an_offer("口罩", "30", "kg")
    wrong_unit.id = 3
    tonnes = an_offer("disinfectant", "2", "t")
    tonnes.id = 4
    other = an_offer("帐篷", "10", "piece")
    other.id = 5
    found = candidates([masks, english, wrong_unit, tonnes, other], [appeal], {}, {}, TODAY)
    assert [(c.offer.id, c.need.item) for c in found] == [(1, "口罩"), (2, "口罩"), (4, "消毒液")]
    assert found[0].offerer == str(OFFERER)


def test_expired_withdrawn_and_covered_are_not_candidates() -> None:
    appeal = an_appeal()
    expired = an_offer()
    expired.available_until = date(2020, 2, 18)
    withdrawn = an_offer()
    withdrawn.status = OfferStatus.WITHDRAWN
    assert candidates([expired, withdrawn], [appeal], {}, {}, TODAY) == []
    covered = {appeal.id: [PledgedQuantity(appeal.needs[0].id, Decimal(10000), "piece")]}
    assert candidates([an_offer()], [appeal], covered, {}, TODAY) == []
    closed = an_appeal(status=AppealStatus.CLOSED)
    assert candidates([an_offer()], [closed], {}, {}, TODAY) == []


def test_the_pledge_is_capped_at_what_the_need_lacks() -> None:
    need = an_appeal().needs[1]
    tonnes = an_offer("消毒液", "2", "t")
    assert pledge_quantity(tonnes, need, Decimal(5000)) == (Decimal(2000), "kg", Decimal(2))
    assert pledge_quantity(tonnes, need, Decimal(500)) == (Decimal(500), "kg", Decimal("0.5"))
    boxes = an_offer("口罩", "30", "box")
    assert pledge_quantity(boxes, an_appeal().needs[0], Decimal(5)) == (
        Decimal(30), "box", Decimal(30)
    )


# -- use cases -------------------------------------------------------------------------------


@pytest.fixture
def uow() -> FakeUnitOfWorkFactory:
    """A network with organisation 1 (coordinated by COORD), 2 (the offerer's) and an appeal."""
    factory = FakeUnitOfWorkFactory()
    store = factory.store
    store.organisations = {1: Organisation(1, "红十字会", None), 2: Organisation(2, "某药企", None)}
    store.next_organisation_id = 3
    store.roles = [
        Role(COORD, RoleName.COORDINATOR, 1),
        Role(OUTSIDER, RoleName.COORDINATOR, 2),
        Role(OFFERER, RoleName.MEMBER, 2),
    ]
    store.people[OFFERER] = Person(
        OFFERER, "Zhang", None, Language.ZH_HANT, False, "Asia/Shanghai", True, AT
    )
    store.appeals[3] = an_appeal()
    return factory


def service(uow: FakeUnitOfWorkFactory) -> OfferService:
    """The service on the fakes at the fixed test time."""
    return OfferService(uow, FakeClock(AT), Notices(), "CNY")


async def test_create_stores_one_offer_per_token_and_replays_change_nothing(
    uow: FakeUnitOfWorkFactory,
) -> None:
    offers = service(uow)
    offer = await offers.create(Origin(OFFERER, 1), complete_draft())
    assert (offer.item, offer.item_key, offer.quantity, offer.unit) == (
        "N95口罩", "mask", Decimal(5000), "piece"
    )
    assert offer.available_until == date(2020, 3, 15) and offer.location == "武汉市江汉区"
    again = await offers.create(Origin(OFFERER, 2), complete_draft())
    assert again.id == offer.id
    with pytest.raises(AlreadyProcessed):
        await offers.create(Origin(OFFERER, 1), complete_draft("t2"))
    with pytest.raises(PermissionDenied):
        await offers.create(Origin(MEMBER, 3), complete_draft())
    assert len(uow.store.offers) == 1
    assert [e.action for e in uow.store.audit] == ["offer.create"]


async def test_incomplete_or_stale_drafts_are_refused(uow: FakeUnitOfWorkFactory) -> None:
    offers = service(uow)
    with pytest.raises(InvalidInput):
        await offers.create(Origin(OFFERER, 1), complete_draft(location=None))
    with pytest.raises(InvalidInput):
        await offers.create(Origin(OFFERER, 2), complete_draft(until="2020-02-01"))
    with pytest.raises(InvalidInput):
        await offers.create(Origin(OFFERER, 3), complete_draft(terms="price", price_minor=None))
    assert uow.store.offers == {}


async def test_withdraw_only_ones_own_open_offer(uow: FakeUnitOfWorkFactory) -> None:
    offers = service(uow)
    offer = await offers.create(Origin(OFFERER, 1), complete_draft())
    with pytest.raises(NotFound):
        await offers.withdraw(Origin(MEMBER, 2), offer.id)
    withdrawn = await offers.withdraw(Origin(OFFERER, 3), offer.id)
    assert withdrawn.status is OfferStatus.WITHDRAWN
    with pytest.raises(Conflict):
        await offers.withdraw(Origin(OFFERER, 4), offer.id)
    [mine] = await offers.mine(OFFERER)
    assert mine.status is OfferStatus.WITHDRAWN


async def test_match_is_for_coordinators_in_scope(uow: FakeUnitOfWorkFactory) -> None:
    offers = service(uow)
    await offers.create(Origin(OFFERER, 1), complete_draft())
    with pytest.raises(PermissionDenied):
        await offers.candidates(Origin(MEMBER))
    with pytest.raises(PermissionDenied):
        await offers.candidates(Origin(OUTSIDER), 3)
    assert await offers.candidates(Origin(OUTSIDER)) == []
    with pytest.raises(NotFound):
        await offers.candidates(Origin(COORD), 999)
    [pair] = await offers.candidates(Origin(COORD), 3)
    assert pair.offerer == "某药企"
    assert pair.unmet == Decimal(10000)
    assert [p.need.id for p in await offers.candidates(Origin(COORD))] == [3001]


async def test_accept_makes_a_match_a_pledge_and_a_notice_once(
    uow: FakeUnitOfWorkFactory,
) -> None:
    offers = service(uow)
    offer = await offers.create(Origin(OFFERER, 1), complete_draft())
    accepted = await offers.accept(Origin(COORD, 2), offer.id, 3, 3001)
    pledge = accepted.pledge
    assert (pledge.kind, pledge.person_id, pledge.appeal_id, pledge.need_id) == (
        PledgeKind.GOODS, OFFERER, 3, 3001
    )
    assert (pledge.quantity, pledge.unit, pledge.source_chat_id) == (Decimal(5000), "piece", None)
    assert pledge.on_behalf_of == 2 and pledge.visibility is Visibility.ORGANISATION
    assert pledge.due_date == date(2020, 2, 29)
    assert accepted.offer.status is OfferStatus.MATCHED
    [match] = uow.store.matches.values()
    assert (match.offer_id, match.need_id, match.accepted_by) == (offer.id, 3001, COORD)
    [notice] = uow.store.deliveries.values()
    assert (notice.purpose, notice.subject, notice.chat_id, notice.buttons) == (
        Purpose.NOTICE, f"match:{match.id}", OFFERER, None
    )
    assert notice.text.startswith("zh-Hant:")
    with pytest.raises(AlreadyProcessed):
        await offers.accept(Origin(COORD, 2), offer.id, 3, 3001)
    with pytest.raises(Conflict):
        await offers.accept(Origin(COORD, 3), offer.id, 3, 3001)
    assert len(uow.store.pledges) == 1 and len(uow.store.deliveries) == 1
    # the need now lacks 5000 pieces; the offer is used up
    assert await offers.candidates(Origin(COORD), 3) == []


async def test_accept_caps_at_the_need_and_keeps_the_rest_open(
    uow: FakeUnitOfWorkFactory,
) -> None:
    offers = service(uow)
    draft = OfferDraft(currency="CNY", token="big")
    read_item_line(draft, "N95口罩 12000个")
    choose_terms(draft, "price")
    answer_text(draft, Step.PRICE, "12000元", today=TODAY)
    answer_text(draft, Step.LOCATION, "深圳", today=TODAY)
    draft.until_chosen = True
    offer = await offers.create(Origin(OFFERER, 1), draft)
    accepted = await offers.accept(Origin(COORD, 2), offer.id, 3, 3001)
    assert accepted.pledge.quantity == Decimal(10000)
    assert accepted.pledge.estimated_minor == 1_000_000
    assert accepted.offer.remaining == Decimal(2000)
    assert accepted.offer.status is OfferStatus.OPEN


async def test_stale_and_forged_accepts_are_refused(uow: FakeUnitOfWorkFactory) -> None:
    offers = service(uow)
    offer = await offers.create(Origin(OFFERER, 1), complete_draft())
    with pytest.raises(PermissionDenied):
        await offers.accept(Origin(MEMBER, 2), offer.id, 3, 3001)
    with pytest.raises(PermissionDenied):
        await offers.accept(Origin(OUTSIDER, 3), offer.id, 3, 3001)
    with pytest.raises(NotFound):
        await offers.accept(Origin(COORD, 4), 999, 3, 3001)
    with pytest.raises(NotFound):
        await offers.accept(Origin(COORD, 5), offer.id, 3, 4001)
    with pytest.raises(NotFound):
        await offers.accept(Origin(COORD, 6), offer.id, 999, 3001)
    with pytest.raises(Conflict):
        await offers.accept(Origin(COORD, 7), offer.id, 3, 3002)  # pieces for kilograms
    await offers.withdraw(Origin(OFFERER, 8), offer.id)
    with pytest.raises(Conflict, match="withdrawn"):
        await offers.accept(Origin(COORD, 9), offer.id, 3, 3001)
    other = await offers.create(Origin(OFFERER, 10), complete_draft("t2"))
    uow.store.appeals[3].status = AppealStatus.CLOSED
    with pytest.raises(Conflict, match="closed"):
        await offers.accept(Origin(COORD, 11), other.id, 3, 3001)
    assert uow.store.pledges == {} and uow.store.matches == {} and uow.store.deliveries == {}


# -- each offerer's local day ----------------------------------------------------------------

LATE = datetime(2020, 2, 19, 23, 30, tzinfo=UTC)  # 07:30 on 20 February in China


def test_candidates_judge_each_offer_in_its_offerers_day() -> None:
    appeal = an_appeal()
    offer = an_offer()
    offer.available_until = date(2020, 2, 19)
    assert candidates([offer], [appeal], {}, {}, {OFFERER: date(2020, 2, 20)}) == []
    [pair] = candidates([offer], [appeal], {}, {}, {OFFERER: date(2020, 2, 19)})
    assert pair.offer is offer


async def test_offer_dates_are_read_in_the_offerers_day_not_in_utcs(
    uow: FakeUnitOfWorkFactory,
) -> None:
    clock = FakeClock(LATE - timedelta(hours=10))  # the 19th in China, UTC and Los Angeles
    offers = OfferService(uow, clock, Notices(), "CNY", timezone="Asia/Shanghai")
    uow.store.people[MEMBER] = Person(
        MEMBER, "Ann", None, Language.EN, False, "America/Los_Angeles", True, AT
    )
    shanghai = await offers.create(Origin(OFFERER, 1), complete_draft("t1", until="2020-02-19"))
    late = complete_draft("t2", until="2020-02-19")
    los_angeles = await offers.create(Origin(MEMBER, 3), complete_draft("t3", until="2020-02-19"))
    clock.set(LATE)
    assert offers.today() == date(2020, 2, 20)
    assert offers.today("America/Los_Angeles") == date(2020, 2, 19)
    with pytest.raises(InvalidInput):  # the 19th has passed in China, not yet in UTC
        await offers.create(Origin(OFFERER, 2), late)
    # the offer in China ended yesterday there; the one in Los Angeles is still on today
    assert [p.offer.id for p in await offers.candidates(Origin(COORD), 3)] == [los_angeles.id]
    with pytest.raises(Conflict):
        await offers.accept(Origin(COORD, 4), shanghai.id, 3, 3001)
    accepted = await offers.accept(Origin(COORD, 5), los_angeles.id, 3, 3001)
    assert accepted.pledge.due_date == date(2020, 2, 19)
