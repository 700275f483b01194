"""The pledge dialog and its follow-ups as engine kinds, on the in-memory fakes."""

from __future__ import annotations

from typing import Any

import pytest

from domain.clock import FakeClock
from domain.dialogs.engine import DialogEngine, OneAnswer
from domain.dialogs.models import Outcome, Pressed, Typed
from domain.errors import InvalidInput, NotFound
from domain.kernel.origin import Origin
from domain.kernel.standing import Role, RoleName
from domain.network.models import Organisation
from domain.pledges.actions import CancelReason, DeliveredPart, action_kinds
from domain.pledges.dialog import LINK_NOT_VALID, LatePress, PledgeDialog, Shown
from domain.pledges.draft import DIALOG_KIND, PledgeDraft, PledgeRequest, Prefill, Step
from domain.pledges.models import PledgeStatus
from domain.pledges.service import PledgeService
from tests.domain.pledges.examples import READER, Notices, appeal
from tests.fakes import FakeUnitOfWorkFactory

ANN = 9_000_000_002
BOB = 9_000_000_003


@pytest.fixture
def fakes(fake_uow_factory: FakeUnitOfWorkFactory) -> FakeUnitOfWorkFactory:
    """Appeal 3 of organisation 1; Ann is a member of it, Bob of nothing."""
    store = fake_uow_factory.store
    store.appeals[3] = appeal()
    store.organisations[1] = Organisation(1, "云龙区", None)
    store.roles.append(Role(ANN, RoleName.MEMBER, 1))
    return fake_uow_factory


@pytest.fixture
def engine(fakes: FakeUnitOfWorkFactory) -> DialogEngine[Any]:
    """The engine with the pledge kinds, as bot/runtime.py registers them."""
    clock = FakeClock()
    pledges = PledgeService(fakes, clock, Notices(), READER, currency="CNY")
    dialogs: DialogEngine[Any] = DialogEngine(fakes, clock)
    dialogs.register([PledgeDialog(clock, pledges.calendar, READER), *action_kinds(pledges)])
    return dialogs


def request(appeal_id: int | None, text: str = "", **more: object) -> PledgeDraft:
    """A fresh draft carrying how the dialog was begun."""
    return PledgeDraft("tok", "CNY", request=PledgeRequest(appeal_id, text, **more))  # type: ignore[arg-type]


async def test_a_one_line_pledge_begins_at_its_summary_in_one_unit_of_work(
    engine: DialogEngine[Any], fakes: FakeUnitOfWorkFactory
) -> None:
    turn = await engine.begin(Origin(ANN, 1), DIALOG_KIND, request(3, "5万元"))
    assert turn.outcome is Outcome.ASKED and turn.question is not None
    assert turn.question.step == Step.CONFIRM
    shown = turn.question.shown
    assert isinstance(shown, Shown) and shown.appeal is not None and shown.appeal.id == 3
    assert fakes.commits == 1
    stored = await engine.current(ANN)
    assert stored is not None and stored.data["amount_minor"] == 5_000_000
    assert "request" not in stored.data, "how it was begun is read, never kept"


async def test_an_appeal_the_person_may_not_see_begins_nothing(
    engine: DialogEngine[Any], fakes: FakeUnitOfWorkFactory
) -> None:
    with pytest.raises(NotFound):
        await engine.begin(Origin(BOB, 1), DIALOG_KIND, request(3, "5万元"))
    with pytest.raises(NotFound):
        await engine.begin(Origin(ANN, 2), DIALOG_KIND, request(99))
    assert await engine.current(BOB) is None and await engine.current(ANN) is None
    assert fakes.commits == 0


async def test_a_forged_prefill_in_a_link_is_not_valid_and_stores_nothing(
    engine: DialogEngine[Any],
) -> None:
    draft = PledgeDraft(
        "tok", "CNY", source_chat_id=-100,
        request=PledgeRequest(3, prefill=Prefill(need_id=99, quantity=None)),
    )
    with pytest.raises(InvalidInput) as caught:
        await engine.begin(Origin(ANN, 1), DIALOG_KIND, draft)
    assert caught.value.message == LINK_NOT_VALID
    assert await engine.current(ANN) is None


async def test_confirm_creates_the_pledge_and_a_second_confirm_is_a_late_press(
    engine: DialogEngine[Any], fakes: FakeUnitOfWorkFactory
) -> None:
    await engine.begin(Origin(ANN, 1), DIALOG_KIND, request(3, "5万元"))
    done = await engine.answer(Origin(ANN, 2), Pressed("ok", "tok"), DIALOG_KIND)
    assert done.outcome is Outcome.FINISHED
    [pledge] = fakes.store.pledges.values()
    assert done.result == pledge and pledge.source_update_id == 2
    again = await engine.answer(Origin(ANN, 3), Pressed("ok", "tok"), DIALOG_KIND)
    assert again.outcome is Outcome.LATE and again.result == LatePress(pledge, cancelling=False)
    cancel = await engine.answer(Origin(ANN, 4), Pressed("no", "tok"), DIALOG_KIND)
    assert cancel.result == LatePress(pledge, cancelling=True)
    # another person's press of the same token knows nothing of it
    stale = await engine.answer(Origin(BOB, 5), Pressed("ok", "tok"), DIALOG_KIND)
    assert stale.outcome is Outcome.NO_DIALOG
    assert len(fakes.store.pledges) == 1


async def test_the_follow_ups_act_on_ones_own_pledge_only(
    engine: DialogEngine[Any], fakes: FakeUnitOfWorkFactory
) -> None:
    await engine.begin(Origin(ANN, 1), DIALOG_KIND, request(3, "5万元"))
    await engine.answer(Origin(ANN, 2), Pressed("ok", "tok"), DIALOG_KIND)
    [pledge] = fakes.store.pledges.values()
    with pytest.raises(NotFound):  # a forged /mypledges button for someone else's pledge
        await engine.begin(Origin(BOB, 3), DeliveredPart.name, OneAnswer("report", pledge.id))
    await engine.begin(Origin(ANN, 4), DeliveredPart.name, OneAnswer("report", pledge.id))
    with pytest.raises(InvalidInput):  # nothing readable: refused, the question stays open
        await engine.answer(Origin(ANN, 5), Typed("soon"))
    report = await engine.answer(Origin(ANN, 6), Typed("1万元"))
    assert report.outcome is Outcome.FINISHED
    assert fakes.store.pledges[pledge.id].status is PledgeStatus.PARTIAL
    await engine.begin(Origin(ANN, 7), CancelReason.name, OneAnswer("cancel", pledge.id))
    cancelled = await engine.answer(Origin(ANN, 8), Typed("计划有变"))
    assert cancelled.outcome is Outcome.FINISHED
    assert fakes.store.pledges[pledge.id].status is PledgeStatus.CANCELLED
