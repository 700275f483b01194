"""Table tests of what coordinators and volunteers answer: an appeal's reminder numbers, a
shift's other hours, a press on an appeal's panel, a lapsed pledge's status (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.dialogs.models import Pressed, Sent, Typed
from domain.errors import InvalidInput
from domain.pledges.models import CLOSED_STATUSES, Pledge, PledgeKind, PledgeStatus, Visibility
from domain.reminders.appeal_policy import Change, changed
from domain.reminders.draft import shift_hours
from domain.reminders.models import AppealPolicy, ReminderPolicy, remindable
from domain.reminders.policy_dialog import PolicyStep, read_number

MADE = datetime(2026, 2, 10, 4, 0, tzinfo=UTC)
OWN = ReminderPolicy(5, 1, 2)


def volunteering(hours: int, kind: PledgeKind = PledgeKind.VOLUNTEER) -> Pledge:
    """A pledge of `hours` hours of volunteer time (or of another kind, for refusals)."""
    return Pledge(
        1, "t", 7, kind, None, None, "", None, "CNY", Decimal(hours), "hour", None, False,
        "sorting", None, None, None, Visibility.NAMED, False, None, None, None, MADE,
    )


@pytest.mark.parametrize(("step", "text", "value"), [
    (PolicyStep.BEFORE, "0", 0), (PolicyStep.BEFORE, " 30 ", 30), (PolicyStep.EVERY, "1", 1),
    (PolicyStep.EVERY, "30", 30), (PolicyStep.MOST, "0", 0), (PolicyStep.MOST, "20", 20),
])
def test_a_number_in_its_bounds_is_taken(step: PolicyStep, text: str, value: int) -> None:
    assert read_number(step, Typed(text)) == value
    assert read_number(step, Pressed(step.value, text.strip())) == value


@pytest.mark.parametrize(("step", "text"), [
    (PolicyStep.BEFORE, "31"), (PolicyStep.BEFORE, "-1"), (PolicyStep.EVERY, "0"),
    (PolicyStep.EVERY, "31"), (PolicyStep.MOST, "21"), (PolicyStep.MOST, "2.5"),
    (PolicyStep.MOST, "three"), (PolicyStep.MOST, "２"), (PolicyStep.MOST, ""),
    (PolicyStep.MOST, "9" * 30), (PolicyStep.MOST, "+3"), (PolicyStep.MOST, "3 3"),
])
def test_a_number_out_of_bounds_or_not_a_number_is_refused_with_its_range(
    step: PolicyStep, text: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_number(step, Typed(text))
    low, high = {PolicyStep.BEFORE: (0, 30), PolicyStep.EVERY: (1, 30),
                 PolicyStep.MOST: (0, 20)}[step]
    assert refused.value.params == {"low": low, "high": high}
    with pytest.raises(InvalidInput):
        read_number(step, Pressed(step.value, text))  # a forged button value too


def test_a_file_is_not_a_number() -> None:
    with pytest.raises(InvalidInput):
        read_number(PolicyStep.BEFORE, Sent("file", "photo", "3"))


@pytest.mark.parametrize(("pledged", "said", "limit_ok"), [
    (8, Decimal("2.5"), True), (8, Decimal(24), True), (8, Decimal("24.01"), False),
    (80, Decimal(96), True), (80, Decimal(97), False), (24, Decimal(24), True),
    (25, Decimal(48), True), (8, Decimal(0), False), (8, Decimal(-1), False),
    (8, Decimal("NaN"), False), (8, Decimal("Infinity"), False),
])
def test_other_hours_are_more_than_zero_and_at_most_24_a_day_of_the_shift(
    pledged: int, said: Decimal, limit_ok: bool
) -> None:
    if limit_ok:
        assert shift_hours(volunteering(pledged), said) == said
    else:
        with pytest.raises(InvalidInput):
            shift_hours(volunteering(pledged), said)


def test_other_hours_are_only_for_volunteer_time() -> None:
    with pytest.raises(InvalidInput):
        shift_hours(volunteering(8, PledgeKind.GOODS), Decimal(2))


@pytest.mark.parametrize(("before", "change", "after"), [
    (AppealPolicy(), Change.PAUSE, AppealPolicy(True, None)),
    (AppealPolicy(False, OWN), Change.PAUSE, AppealPolicy(True, OWN)),
    (AppealPolicy(True, OWN), Change.RESUME, AppealPolicy(False, OWN)),
    (AppealPolicy(True, OWN), Change.DEFAULT, AppealPolicy(True, None)),
    (AppealPolicy(False, OWN), Change.NUDGES_OFF, AppealPolicy(False, OWN)),
    (AppealPolicy(True, None), Change.NUDGES_ON, AppealPolicy(True, None)),
])
def test_a_press_on_the_panel_changes_only_what_it_says(
    before: AppealPolicy, change: Change, after: AppealPolicy
) -> None:
    assert changed(before, change) == after


def test_a_lapsed_pledge_is_its_own_closed_status_and_is_not_reminded() -> None:
    pledge = volunteering(8, PledgeKind.GOODS)
    pledge.cancelled, pledge.lapsed_at = True, MADE
    assert pledge.status is PledgeStatus.LAPSED and pledge.status in CLOSED_STATUSES
    assert not remindable(pledge)
    pledge.lapsed_at = None
    assert pledge.status is PledgeStatus.CANCELLED
