"""The offer dialog on the engine (fakes): one unit of work an answer, the offer made in it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.clock import FakeClock
from domain.dialogs.engine import DialogEngine
from domain.dialogs.models import Outcome, Pressed, Typed
from domain.errors import InvalidInput
from domain.kernel.origin import Origin
from domain.network.models import Language, Person
from domain.offers.draft import OfferDraft, OfferKind
from domain.offers.models import Offer, OfferTerms
from domain.offers.service import OfferService
from tests.domain.offers.notices import Notices
from tests.fakes import FakeUnitOfWorkFactory

ANN = 9_000_000_021
AT = datetime(2020, 2, 19, 15, 0, tzinfo=UTC)  # 23:00 on the 19th in Shanghai


@pytest.fixture
def uow() -> FakeUnitOfWorkFactory:
    """Ann, in Shanghai."""
    factory = FakeUnitOfWorkFactory()
    factory.store.people[ANN] = Person(
        ANN, "Ann", None, Language.EN, False, "Asia/Shanghai", True, AT
    )
    return factory


def engine_for(uow: FakeUnitOfWorkFactory) -> DialogEngine[object]:
    """The engine with the offer kind, on the fakes at the fixed time."""
    clock = FakeClock(AT)
    engine: DialogEngine[object] = DialogEngine(uow, clock)
    engine.register([OfferKind(OfferService(uow, clock, Notices(), "CNY"))])
    return engine


async def test_each_answer_is_one_unit_of_work_and_confirm_makes_the_offer_in_it(
    uow: FakeUnitOfWorkFactory,
) -> None:
    engine = engine_for(uow)
    draft = OfferDraft(token="tok1", currency="CNY")
    turns = [await engine.begin(Origin(ANN, 1), "offer", draft)]
    answers = [
        Typed("N95口罩 5000个"), Pressed("terms", "price"), Typed("2万元"), Typed("武汉"),
        Typed("明天"), Pressed("ok", "tok1"),
    ]
    for update_id, answer in enumerate(answers, start=2):
        opened, commits = uow.opened, uow.commits
        turns.append(await engine.answer(Origin(ANN, update_id), answer, "offer"))
        assert (uow.opened - opened, uow.commits - commits) == (1, 1), answer
    steps = [t.question.step for t in turns if t.question is not None]
    assert steps == ["item", "terms", "price", "location", "until", "confirm"]
    assert turns[-1].outcome is Outcome.FINISHED
    offer = turns[-1].result
    assert isinstance(offer, Offer) and offer.token == "tok1"
    # "明天" in Ann's zone: the 20th there, though still the 19th in UTC
    assert offer.available_until == date(2020, 2, 20)
    assert (offer.terms, offer.price_minor) == (OfferTerms.PRICE, 2_000_000)
    assert list(uow.store.offers.values()) == [offer]
    assert uow.store.dialogs == {}
    assert [e.action for e in uow.store.audit] == ["offer.create"]


async def test_a_second_confirm_is_late_and_a_foreign_token_or_bad_press_is_refused(
    uow: FakeUnitOfWorkFactory,
) -> None:
    engine = engine_for(uow)
    await engine.begin(Origin(ANN, 1), "offer", OfferDraft(token="tok1", currency="CNY"))
    for update_id, answer in enumerate(
        [Typed("口罩 10个"), Pressed("terms", "free"), Typed("深圳")], start=2
    ):
        await engine.answer(Origin(ANN, update_id), answer, "offer")
    with pytest.raises(InvalidInput):
        await engine.answer(Origin(ANN, 10), Pressed("until", "someday"), "offer")
    stale = await engine.answer(Origin(ANN, 11), Pressed("terms", "price"), "offer")
    assert stale.outcome is Outcome.STALE
    await engine.answer(Origin(ANN, 12), Pressed("until", "none"), "offer")
    with pytest.raises(InvalidInput):
        await engine.answer(Origin(ANN, 13), Pressed("ok", "other"), "offer")
    done = await engine.answer(Origin(ANN, 14), Pressed("ok", "tok1"), "offer")
    late = await engine.answer(Origin(ANN, 15), Pressed("ok", "tok1"), "offer")
    assert late.outcome is Outcome.LATE and late.result == done.result
    gone = await engine.answer(Origin(ANN, 16), Pressed("ok", "nosuch"), "offer")
    assert gone.outcome is Outcome.NO_DIALOG
    assert len(uow.store.offers) == 1


async def test_cancel_on_the_summary_keeps_nothing(uow: FakeUnitOfWorkFactory) -> None:
    engine = engine_for(uow)
    draft = OfferDraft(token="tok1", currency="CNY", item="口罩", quantity="10", unit="piece",
                       terms="free", location="深圳", until_chosen=True)
    begun = await engine.begin(Origin(ANN, 1), "offer", draft)
    assert begun.question is not None and begun.question.step == "confirm"
    cancelled = await engine.answer(Origin(ANN, 2), Pressed("no", "x"), "offer")
    assert cancelled.outcome is Outcome.CANCELLED
    assert uow.store.offers == {} and uow.store.dialogs == {}
