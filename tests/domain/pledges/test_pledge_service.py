"""Pledge drafts, rules and use cases on the in-memory fakes."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.appeals.models import AppealStatus
from domain.clock import FakeClock
from domain.dialogs import Dialog
from domain.dialogs.engine import DialogEngine
from domain.dialogs.models import Typed
from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kernel.calendar import Calendar, local_date
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.kernel.quantities import to_minor
from domain.kernel.standing import Role, RoleName
from domain.network.models import Language, Organisation, Person
from domain.parsing import messages
from domain.pledges.answers import AMOUNT_EXAMPLES, answer_button, answer_text
from domain.pledges.dialog import PledgeDialog
from domain.pledges.draft import (
    DIALOG_KIND,
    ORGANISATION_ONLY,
    TOO_MANY_HOURS,
    PledgeDraft,
    Step,
    next_step,
    visibility_choices,
)
from domain.pledges.models import (
    Fulfilment,
    FulfilmentState,
    Pledge,
    PledgeKind,
    PledgeStatus,
    Visibility,
)
from domain.pledges.one_line import one_line_draft, split_one_line
from domain.pledges.service import PledgeService
from tests.domain.pledges.examples import COORD, READER, TODAY, Notices, appeal
from tests.fakes import FakeUnitOfWorkFactory

MEMBER = 9_000_000_002
OTHER = 9_000_000_003
OUTSIDER = 9_000_000_004
GROUP = -1001234567890123


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fakes(fake_uow_factory: FakeUnitOfWorkFactory) -> FakeUnitOfWorkFactory:
    store = fake_uow_factory.store
    store.appeals[3] = appeal()
    store.appeals[4] = appeal(AppealStatus.CLOSED, 4)
    store.organisations[1] = Organisation(1, "云龙区", None)
    store.organisations[2] = Organisation(2, "铜山区", None)
    store.roles.append(Role(COORD, RoleName.COORDINATOR, 1))
    store.roles.append(Role(OUTSIDER, RoleName.COORDINATOR, 2))
    # the pledger belongs to the appeal's organisation: confirming re-checks that they may
    # see it (issue 10)
    store.roles.append(Role(MEMBER, RoleName.MEMBER, 1))
    return fake_uow_factory


@pytest.fixture
def service(fakes: FakeUnitOfWorkFactory, clock: FakeClock) -> PledgeService:
    return PledgeService(fakes, clock, Notices(), READER, currency="CNY")


def money_draft(token: str = "t1", amount: str = "5万元") -> PledgeDraft:
    draft = PledgeDraft(currency="CNY", token=token)
    draft.choose_appeal(appeal())
    draft.kind = PledgeKind.MONEY.value
    answer_text(draft, Step.AMOUNT, amount, amounts=READER, appeal=appeal(), today=TODAY)
    draft.earmark_chosen = True
    draft.due_chosen = True
    draft.behalf_chosen = True  # for themselves (they belong to organisation 1)
    draft.visibility = Visibility.NAMED.value
    return draft


# -- rules -----------------------------------------------------------------------------------


def test_the_dialog_asks_only_what_is_missing() -> None:
    draft = PledgeDraft(currency="CNY", token="t")
    assert next_step(draft, None, []) is Step.APPEAL
    draft.choose_appeal(appeal())
    assert next_step(draft, appeal(), []) is Step.KIND
    draft.kind = "goods"
    assert next_step(draft, appeal(), []) is Step.NEED
    draft.need_id, draft.item_chosen = 7, True
    assert next_step(draft, appeal(), []) is Step.QUANTITY
    answer_text(draft, Step.QUANTITY, "3000公斤", amounts=READER, appeal=appeal(), today=TODAY)
    assert (draft.quantity, draft.unit, draft.item) == ("3000", "kg", "消毒液")
    assert next_step(draft, appeal(), [1]) is Step.VALUE  # optional for goods: skipped
    answer_button(draft, Step.VALUE, "skip", appeal(), [1])
    assert next_step(draft, appeal(), [1]) is Step.BEHALF
    draft.behalf_chosen = True
    assert next_step(draft, appeal(), [1]) is Step.EARMARK
    draft.earmark_chosen = True
    assert next_step(draft, appeal(), [1]) is Step.DUE
    answer_text(draft, Step.DUE, "2020-02-25", amounts=READER, appeal=appeal(), today=TODAY)
    assert next_step(draft, appeal(), [1]) is Step.VISIBILITY
    draft.visibility = "anonymous"
    assert next_step(draft, appeal(), [1]) is Step.CONFIRM
    kind = PledgeDialog(FakeClock(), Calendar(FakeClock(), "Asia/Shanghai"), READER)
    assert kind.load(kind.dump(draft)) == draft


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", AMOUNT_EXAMPLES),
        ("", AMOUNT_EXAMPLES),
        ("0元", None),
        ("-5元", None),
        ("2000000000000元", None),
        ("1.234元", None),
        ("3000公斤", None),
    ],
)
def test_bad_amounts_are_refused_and_change_nothing(text: str, expected: str | None) -> None:
    draft = PledgeDraft(currency="CNY", token="t", appeal_chosen=True, kind="money")
    with pytest.raises(InvalidInput) as caught:
        answer_text(draft, Step.AMOUNT, text, amounts=READER, appeal=None, today=TODAY)
    if expected is not None:
        assert caught.value.message == expected
    assert draft.amount_minor is None


def test_minor_units_refuse_zero_excess_and_decimals() -> None:
    assert to_minor(Decimal("158.2") * 10000, "CNY") == 158_200_000
    for bad in ("0", "-1", "1000000000001", "0.001"):
        with pytest.raises(InvalidInput):
            to_minor(Decimal(bad), "CNY")


def test_a_unit_that_does_not_fit_the_need_is_refused() -> None:
    draft = PledgeDraft(currency="CNY", token="t", appeal_chosen=True, appeal_id=3, kind="goods")
    draft.need_id, draft.item_chosen = 7, True
    with pytest.raises(InvalidInput) as caught:
        answer_text(draft, Step.QUANTITY, "500个", amounts=READER, appeal=appeal(), today=TODAY)
    assert caught.value.params["need_unit"] == "kg"
    assert draft.quantity is None


@pytest.mark.parametrize("text", ["2020-02-01", "昨天", "someday soon", ""])
def test_past_or_unreadable_dates_are_refused(text: str) -> None:
    draft = PledgeDraft(currency="CNY", token="t")
    with pytest.raises(InvalidInput):
        answer_text(draft, Step.DUE, text, amounts=READER, appeal=None, today=TODAY)
    assert not draft.due_chosen


def test_a_4096_character_description_is_refused() -> None:
    draft = PledgeDraft(currency="CNY", token="t", appeal_chosen=True, kind="service")
    with pytest.raises(InvalidInput):
        answer_text(draft, Step.DESCRIPTION, "免" * 4096, amounts=READER, appeal=None, today=TODAY)
    assert draft.description is None


def test_one_line_forms() -> None:
    assert split_one_line("3 5万元") == (3, "5万元")
    assert split_one_line("消毒液 3000公斤") == (None, "消毒液 3000公斤")
    money = one_line_draft(
        "a", "5万元", amounts=READER, appeal=appeal(), today=TODAY, default_currency="CNY"
    )
    assert (money.kind, money.amount_minor, money.due) == ("money", 5_000_000, "2020-03-01")
    goods = one_line_draft(
        "b", "消毒液 3000公斤", amounts=READER, appeal=appeal(), today=TODAY, default_currency="CNY"
    )
    assert (goods.kind, goods.need_id, goods.quantity) == ("goods", 7, "3000")
    masks = one_line_draft(
        "c", "N95口罩 500个 价值2200元", amounts=READER, appeal=None, today=TODAY,
        default_currency="CNY",
    )
    assert (masks.item, masks.unit, masks.estimated_minor) == ("N95口罩", "piece", 220_000)
    # without an appeal the dialog asks which (or none) before the summary
    assert next_step(masks, None, []) is Step.APPEAL
    masks.choose_appeal(None)
    assert next_step(masks, None, []) is Step.CONFIRM


# -- use cases -------------------------------------------------------------------------------


async def test_a_double_confirm_creates_one_pledge(
    service: PledgeService, fakes: FakeUnitOfWorkFactory
) -> None:
    first = await service.create(Origin(MEMBER, 101), money_draft())
    again = await service.create(Origin(MEMBER, 102), money_draft())
    assert first.id == again.id
    assert len(fakes.store.pledges) == 1
    assert [e.action for e in fakes.store.audit] == ["pledge.create"]
    with pytest.raises(AlreadyProcessed):
        await service.create(Origin(MEMBER, 101), money_draft("t2"))


async def test_closed_or_unknown_appeals_take_no_pledge(
    service: PledgeService, fakes: FakeUnitOfWorkFactory
) -> None:
    draft = money_draft()
    draft.appeal_id = 4
    with pytest.raises(Conflict):
        await service.create(Origin(MEMBER, 1), draft)
    draft.appeal_id = 99
    with pytest.raises(NotFound):
        await service.create(Origin(MEMBER, 2), draft)
    assert fakes.store.pledges == {}


async def test_batches_lead_to_received(
    service: PledgeService, fakes: FakeUnitOfWorkFactory
) -> None:
    draft = PledgeDraft(currency="CNY", token="g", appeal_chosen=True, appeal_id=3, kind="goods")
    draft.currency = "CNY"
    draft.need_id, draft.item_chosen = 7, True
    answer_text(draft, Step.QUANTITY, "3000公斤", amounts=READER, appeal=appeal(), today=TODAY)
    draft.earmark_chosen = draft.due_chosen = draft.behalf_chosen = draft.value_asked = True
    draft.visibility = "named"
    draft.source_chat_id = GROUP
    pledge = await service.create(Origin(MEMBER, 1), draft)
    assert pledge.status is PledgeStatus.PLEDGED and pledge.source_chat_id == GROUP
    first = await service.report_delivery(Origin(MEMBER, 2), pledge.id, Decimal(1000))
    assert first.pledge.status is PledgeStatus.PARTIAL and not first.over
    notices = [d for d in fakes.store.deliveries.values()]
    expected = [(COORD, f"fulfilment:{first.fulfilment.id}")]
    assert [(d.chat_id, d.subject) for d in notices] == expected
    second = await service.report_delivery(Origin(MEMBER, 3), pledge.id, None)
    assert second.fulfilment.quantity == 2000
    assert second.pledge.status is PledgeStatus.DELIVERED
    with pytest.raises(PermissionDenied):
        await service.review_delivery(Origin(OUTSIDER, 4), first.fulfilment.id, True)
    with pytest.raises(PermissionDenied):
        await service.review_delivery(Origin(MEMBER, 5), first.fulfilment.id, True)
    inbox = await service.inbox(Origin(COORD))
    assert [p.id for p in inbox] == [pledge.id]
    await service.review_delivery(Origin(COORD, 6), first.fulfilment.id, True)
    done = await service.review_delivery(Origin(COORD, 7), second.fulfilment.id, True)
    assert done.status is PledgeStatus.RECEIVED
    with pytest.raises(Conflict):
        await service.review_delivery(Origin(COORD, 8), second.fulfilment.id, True)
    assert await service.inbox(Origin(COORD)) == []
    actions = [e.action for e in fakes.store.audit]
    assert actions.count("fulfilment.confirm") == 2
    assert all(e.at == service._clock.now() for e in fakes.store.audit)


async def test_over_delivery_is_recorded_and_flagged(service: PledgeService) -> None:
    pledge = await service.create(Origin(MEMBER, 1), money_draft(amount="500元"))
    report = await service.report_delivery(Origin(MEMBER, 2), pledge.id, Decimal(80_000))
    assert report.over and report.fulfilment.over and report.pledge.over_delivered
    assert report.pledge.status is PledgeStatus.DELIVERED


async def test_another_persons_pledge_is_refused_and_unchanged(
    service: PledgeService, fakes: FakeUnitOfWorkFactory
) -> None:
    pledge = await service.create(Origin(MEMBER, 1), money_draft())
    with pytest.raises(NotFound):
        await service.report_delivery(Origin(OTHER, 2), pledge.id, None)
    with pytest.raises(NotFound):
        await service.cancel(Origin(OTHER, 3), pledge.id, "no")
    with pytest.raises(PermissionDenied):
        await service.create(Origin(OTHER, 4), money_draft())
    stored = fakes.store.pledges[pledge.id]
    assert stored.fulfilments == [] and not stored.cancelled


async def test_cancel_with_reason(service: PledgeService) -> None:
    pledge = await service.create(Origin(MEMBER, 1), money_draft())
    cancelled = await service.cancel(Origin(MEMBER, 2), pledge.id, "资金另有安排")
    assert cancelled.status is PledgeStatus.CANCELLED
    with pytest.raises(Conflict):
        await service.report_delivery(Origin(MEMBER, 3), pledge.id, None)


def test_overdue_is_a_flag() -> None:
    pledge = Pledge(
        1, "t", MEMBER, PledgeKind.MONEY, None, None, "", 100, "CNY", None, "", None, False, "",
        None, None, date(2020, 2, 1), Visibility.NAMED, False, None, None, None,
        datetime(2020, 1, 1, tzinfo=UTC),
    )
    assert pledge.overdue(TODAY) and pledge.status is PledgeStatus.PLEDGED
    pledge.fulfilments.append(
        Fulfilment(1, 1, Decimal(100), False, MEMBER, datetime(2020, 1, 2, tzinfo=UTC), None,
                   FulfilmentState.REPORTED)
    )
    assert not pledge.overdue(TODAY)


# -- the local day, "as my organisation", volunteer hours, bare numbers ----------------------

LATE = datetime(2020, 2, 19, 23, 30, tzinfo=UTC)  # 07:30 on 20 February in China


def test_the_local_date_is_the_first_known_zones() -> None:
    assert local_date(LATE, "Asia/Shanghai") == date(2020, 2, 20)
    assert local_date(LATE, None, "", "Nowhere/Else", "America/Los_Angeles") == date(2020, 2, 19)
    assert local_date(LATE) == date(2020, 2, 19)


def _person(person_id: int, timezone: str) -> Person:
    return Person(person_id, "P", None, Language.EN, False, timezone, True, LATE)


def _at_due(fakes: FakeUnitOfWorkFactory, person_id: int) -> None:
    """The person's money draft waits for its delivery date (no appeal, for themselves)."""
    draft = PledgeDraft(currency="CNY", token=f"d{person_id}", appeal_chosen=True, kind="money")
    draft.behalf_chosen = True
    draft.amount_minor = 50_000
    fakes.store.dialogs[person_id] = Dialog(
        person_id, DIALOG_KIND, asdict(draft), 1, LATE, LATE + timedelta(hours=24)
    )


async def test_dates_are_read_in_the_persons_day_not_in_utcs(
    fakes: FakeUnitOfWorkFactory,
) -> None:
    service = PledgeService(
        fakes, FakeClock(LATE), Notices(), READER, currency="CNY", timezone="Asia/Shanghai"
    )
    assert service.today() == date(2020, 2, 20)
    assert service.today("America/Los_Angeles") == date(2020, 2, 19)
    fakes.store.people[MEMBER] = _person(MEMBER, "Asia/Shanghai")
    _at_due(fakes, MEMBER)
    dialogs = DialogEngine(fakes, FakeClock(LATE))
    dialogs.register([PledgeDialog(FakeClock(LATE), service.calendar, READER)])
    with pytest.raises(InvalidInput):  # yesterday in Shanghai, though still today in UTC
        await dialogs.answer(Origin(MEMBER, 1), Typed("2020-02-19"))
    known = await dialogs.answer(Origin(MEMBER, 2), Typed("明天"))
    assert known.dialog is not None and known.dialog.data["due"] == "2020-02-21"
    # someone whose own zone is behind UTC: their today is still the 19th
    fakes.store.people[OTHER] = _person(OTHER, "America/Los_Angeles")
    _at_due(fakes, OTHER)
    known = await dialogs.answer(Origin(OTHER, 3), Typed("tomorrow"))
    assert known.dialog is not None and known.dialog.data["due"] == "2020-02-20"
    # no person row: the network's zone
    stranger = 9_000_000_005
    _at_due(fakes, stranger)
    known = await dialogs.answer(Origin(stranger, 4), Typed("today"))
    assert known.dialog is not None and known.dialog.data["due"] == "2020-02-20"


async def test_moving_the_date_is_checked_against_the_persons_day(
    fakes: FakeUnitOfWorkFactory,
) -> None:
    service = PledgeService(
        fakes, FakeClock(LATE), Notices(), READER, currency="CNY", timezone="Asia/Shanghai"
    )
    fakes.store.people[MEMBER] = _person(MEMBER, "Asia/Shanghai")
    pledge = await service.create(Origin(MEMBER, 1), money_draft())
    with pytest.raises(InvalidInput):
        await service.change_due(Origin(MEMBER, 2), pledge.id, date(2020, 2, 19))
    assert fakes.store.pledges[pledge.id].due_date is None
    moved = await service.change_due(Origin(MEMBER, 3), pledge.id, date(2020, 2, 20))
    assert moved.due_date == date(2020, 2, 20)


def _ready(behalf: int | None) -> PledgeDraft:
    draft = PledgeDraft(
        currency="CNY", token="v", appeal_chosen=True, kind="money", amount_minor=50_000
    )
    draft.behalf_chosen = draft.earmark_chosen = draft.due_chosen = True
    draft.behalf = behalf
    return draft


def test_as_my_organisation_only_is_offered_only_on_behalf_of_one() -> None:
    mine = _ready(None)
    assert visibility_choices(mine) == (Visibility.NAMED, Visibility.ANONYMOUS)
    with pytest.raises(InvalidInput) as caught:
        answer_button(mine, Step.VISIBILITY, "organisation", None, [1])
    assert caught.value.message == ORGANISATION_ONLY
    assert mine.visibility is None and next_step(mine, None, [1]) is Step.VISIBILITY
    # a draft that holds it anyway (stored before) is asked again, not confirmed
    mine.visibility = "organisation"
    assert next_step(mine, None, [1]) is Step.VISIBILITY
    answer_button(mine, Step.VISIBILITY, "named", None, [1])
    assert next_step(mine, None, [1]) is Step.CONFIRM
    theirs = _ready(1)
    assert Visibility.ORGANISATION in visibility_choices(theirs)
    answer_button(theirs, Step.VISIBILITY, "organisation", None, [1])
    assert next_step(theirs, None, [1]) is Step.CONFIRM


async def test_a_forged_organisation_visibility_stores_nothing(
    service: PledgeService, fakes: FakeUnitOfWorkFactory
) -> None:
    draft = money_draft()
    draft.visibility = "organisation"
    with pytest.raises(InvalidInput):
        await service.create(Origin(MEMBER, 1), draft)
    assert fakes.store.pledges == {}


def _volunteer() -> PledgeDraft:
    return PledgeDraft(
        currency="CNY", token="h", appeal_chosen=True, kind="volunteer", description="分拣"
    )


@pytest.mark.parametrize(
    ("text", "hours", "approximate"),
    [
        ("8", "8", False),
        ("三", "3", False),
        ("7.5", "7.5", False),
        ("100余", "100", True),
        ("10000", "10000", False),
        ("8小时", "8", False),
        ("8 hours", "8", False),
    ],
)
def test_a_bare_number_at_the_hours_step_is_hours(
    text: str, hours: str, approximate: bool
) -> None:
    draft = _volunteer()
    answer_text(draft, Step.QUANTITY, text, amounts=READER, appeal=None, today=TODAY)
    assert (draft.quantity, draft.unit, draft.approximate) == (hours, "hour", approximate)


@pytest.mark.parametrize("text", ["1000000小时", "1000000", "10001 hours", "一百万"])
def test_more_hours_than_one_pledge_holds_are_refused(text: str) -> None:
    draft = _volunteer()
    with pytest.raises(InvalidInput) as caught:
        answer_text(draft, Step.QUANTITY, text, amounts=READER, appeal=None, today=TODAY)
    assert (caught.value.message, caught.value.params) == (TOO_MANY_HOURS, {"limit": "10,000"})
    assert draft.quantity is None and draft.unit == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", messages.NOT_POSITIVE),
        ("-8", messages.NOT_POSITIVE),
        ("8元", "Please write the hours, e.g. 8小时 or 8 hours."),
        ("2天", "Please write the hours, e.g. 8小时 or 8 hours."),
        ("1 month", "Please write the hours, e.g. 8小时 or 8 hours."),
    ],
)
def test_hours_that_are_no_hours_are_refused(text: str, message: str) -> None:
    draft = _volunteer()
    with pytest.raises(InvalidInput) as caught:
        answer_text(draft, Step.QUANTITY, text, amounts=READER, appeal=None, today=TODAY)
    assert caught.value.message == message
    assert draft.quantity is None


async def test_hours_above_the_limit_in_a_stored_draft_are_refused_at_confirm(
    service: PledgeService, fakes: FakeUnitOfWorkFactory
) -> None:
    draft = _volunteer()
    draft.quantity, draft.unit = "1000000", "hour"
    draft.behalf_chosen = draft.earmark_chosen = draft.due_chosen = True
    draft.visibility = "named"
    with pytest.raises(InvalidInput):
        await service.create(Origin(MEMBER, 1), draft)
    assert fakes.store.pledges == {}


@pytest.mark.parametrize(
    ("text", "quantity", "approximate"),
    [("500", "500", False), ("500余", "500", True), ("三千", "3000", False), ("2吨", "2", False)],
)
def test_a_bare_number_for_a_need_counts_in_the_needs_unit(
    text: str, quantity: str, approximate: bool
) -> None:
    draft = PledgeDraft(currency="CNY", token="g", appeal_chosen=True, appeal_id=3, kind="goods")
    draft.need_id, draft.item_chosen = 7, True
    answer_text(draft, Step.QUANTITY, text, amounts=READER, appeal=appeal(), today=TODAY)
    expected_unit = "t" if text == "2吨" else "kg"
    assert (draft.item, draft.quantity, draft.unit) == ("消毒液", quantity, expected_unit)
    assert draft.approximate is approximate


def test_a_bare_number_without_a_need_still_needs_a_unit() -> None:
    draft = PledgeDraft(currency="CNY", token="g", appeal_chosen=True, appeal_id=3, kind="goods")
    draft.item_chosen = True
    with pytest.raises(InvalidInput):
        answer_text(draft, Step.QUANTITY, "500", amounts=READER, appeal=appeal(), today=TODAY)
    assert draft.quantity is None
