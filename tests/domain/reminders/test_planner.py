"""Table tests of the reminder policy and planner (pure: no storage, no clock but the one given)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from domain.appeals.models import Appeal, AppealStatus
from domain.errors import InvalidInput
from domain.pledges.models import (
    Fulfilment,
    FulfilmentState,
    Pledge,
    PledgeKind,
    Visibility,
)
from domain.reminders.models import (
    Calendar,
    Pause,
    QuietHours,
    ReminderPolicy,
    SlotKind,
    due_date_of,
    parse_clock_time,
    plan_next,
    sequence,
    sequence_over,
)

DUE = date(2026, 2, 20)
SHANGHAI = Calendar.of("Asia/Shanghai", "UTC", QuietHours(), time(10))
POLICY = ReminderPolicy()
MADE = datetime(2026, 2, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def goods(due: date | None = DUE, made: datetime = MADE, **changes: object) -> Pledge:
    """A goods pledge of 3000 kg disinfectant due on `due`."""
    pledge = Pledge(
        1, "t", 7, PledgeKind.GOODS, 1, None, "消毒液", None, "CNY", Decimal(3000), "公斤",
        None, False, "", None, None, due, Visibility.NAMED, False, None, None, None, made,
    )
    return replace(pledge, **changes)  # type: ignore[arg-type]


def delivered(pledge: Pledge, quantity: int, state: FulfilmentState) -> Pledge:
    """The pledge with one delivery report of `quantity`."""
    pledge.fulfilments.append(
        Fulfilment(1, pledge.id, Decimal(quantity), False, 7, MADE, None, state)
    )
    return pledge


def sh(day: date, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock moment, in UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI.zone).astimezone(
        UTC
    )


def days(n: int) -> timedelta:
    """n days."""
    return timedelta(days=n)


# -- the sequence: before, on and after the due date ------------------------------------------


def test_the_default_sequence_is_two_days_before_the_day_and_three_overdue_every_three_days(
) -> None:
    slots = sequence(DUE, POLICY)
    assert [(s.label, s.day) for s in slots] == [
        ("before", date(2026, 2, 18)),
        ("due", DUE),
        ("overdue:1", date(2026, 2, 23)),
        ("overdue:2", date(2026, 2, 26)),
        ("overdue:3", date(2026, 3, 1)),
    ]


@pytest.mark.parametrize(
    ("now", "last_sent", "slot", "at"),
    [
        # made on the 10th: the first reminder is two days before, at 10:00 local
        (MADE, None, "before", sh(date(2026, 2, 18), 10)),
        # the first one went: the next is on the due date
        (sh(date(2026, 2, 18), 10), sh(date(2026, 2, 18), 10), "due", sh(DUE, 10)),
        # on the day it went: the first overdue one, M=3 days later
        (sh(DUE, 10), sh(DUE, 10), "overdue:1", sh(date(2026, 2, 23), 10)),
        (sh(date(2026, 2, 23), 10), sh(date(2026, 2, 23), 10), "overdue:2",
         sh(date(2026, 2, 26), 10)),
        (sh(date(2026, 2, 26), 10), sh(date(2026, 2, 26), 10), "overdue:3",
         sh(date(2026, 3, 1), 10)),
    ],
)
def test_before_on_and_after_the_due_date(
    now: datetime, last_sent: datetime | None, slot: str, at: datetime
) -> None:
    planned = plan_next(goods(), DUE, POLICY, SHANGHAI, now, last_sent=last_sent)
    assert planned is not None
    assert (planned.slot.label, planned.at) == (slot, at)


def test_at_most_k_after_the_due_date_then_nothing_and_the_sequence_is_over() -> None:
    last = sh(date(2026, 3, 1), 10)
    assert plan_next(goods(), DUE, POLICY, SHANGHAI, last, last_sent=last) is None
    assert sequence_over(goods(), DUE, POLICY, SHANGHAI, last)
    assert not sequence_over(goods(), DUE, POLICY, SHANGHAI, sh(date(2026, 2, 26), 10))


@pytest.mark.parametrize(("k", "overdue"), [(0, 0), (1, 1), (5, 5)])
def test_the_maximum_counts_overdue_reminders(k: int, overdue: int) -> None:
    policy = ReminderPolicy(max_overdue=k)
    now, last, sent = MADE, None, []
    while (planned := plan_next(goods(), DUE, policy, SHANGHAI, now, last_sent=last)) is not None:
        sent.append(planned.slot)
        now = last = planned.at
    assert [s.kind for s in sent].count(SlotKind.OVERDUE) == overdue
    assert sent[:2] == sequence(DUE, policy)[:2]


def test_a_pledge_made_after_the_first_slot_starts_at_the_next_one() -> None:
    made = sh(date(2026, 2, 19), 15)  # the day before it is due
    planned = plan_next(goods(made=made), DUE, POLICY, SHANGHAI, made)
    assert planned is not None and planned.slot.kind is SlotKind.DUE


def test_a_pledge_made_just_before_a_slot_waits_at_least_twelve_hours() -> None:
    made = sh(DUE, 9)  # an hour before the due-date reminder
    planned = plan_next(goods(made=made), DUE, POLICY, SHANGHAI, made)
    assert planned is not None
    # 21:00 is quiet: the next morning at 08:00
    assert (planned.slot.kind, planned.at) == (SlotKind.DUE, sh(date(2026, 2, 21), 8))


def test_no_before_reminder_when_n_is_zero() -> None:
    planned = plan_next(goods(), DUE, ReminderPolicy(before_days=0), SHANGHAI, MADE)
    assert planned is not None and planned.slot.kind is SlotKind.DUE


def test_after_downtime_one_reminder_for_the_latest_slot_passed_not_the_backlog() -> None:
    # the bot was down from before the due date until the 24th, 15:00
    back = sh(date(2026, 2, 24), 15)
    planned = plan_next(goods(), DUE, POLICY, SHANGHAI, back, last_sent=sh(date(2026, 2, 18), 10))
    assert planned is not None
    assert (planned.slot.label, planned.at) == ("overdue:1", back)
    after = plan_next(goods(), DUE, POLICY, SHANGHAI, back, last_sent=back)
    assert after is not None and after.slot.label == "overdue:2"


# -- quiet hours across zones ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "local_back", "expected_local"),
    [
        # back at 23:30 local: the reminder goes at 08:00 the next local morning
        ("Asia/Shanghai", (24, 23, 30), (25, 8, 0)),
        ("Europe/London", (24, 23, 30), (25, 8, 0)),
        ("America/Los_Angeles", (24, 23, 30), (25, 8, 0)),
        # 06:00 local is quiet too: 08:00 the same morning
        ("Asia/Tokyo", (24, 6, 0), (24, 8, 0)),
        # 20:59 is not yet quiet
        ("Europe/Berlin", (24, 20, 59), (24, 20, 59)),
    ],
)
def test_quiet_hours_are_the_persons_own(
    zone: str, local_back: tuple[int, int, int], expected_local: tuple[int, int, int]
) -> None:
    calendar = Calendar.of(zone, "Asia/Shanghai", QuietHours(), time(10))
    day, hour, minute = local_back
    back = datetime(2026, 2, day, hour, minute, tzinfo=calendar.zone)
    planned = plan_next(goods(), DUE, POLICY, calendar, back.astimezone(UTC))
    assert planned is not None
    day, hour, minute = expected_local
    assert planned.at == datetime(2026, 2, day, hour, minute, tzinfo=calendar.zone)
    assert planned.at.tzinfo is UTC


def test_the_slot_hour_is_local_so_zones_get_it_at_different_utc_moments() -> None:
    london = Calendar.of("Europe/London", "Asia/Shanghai", QuietHours(), time(10))
    at_sh = plan_next(goods(), DUE, POLICY, SHANGHAI, MADE)
    at_ldn = plan_next(goods(), DUE, POLICY, london, MADE)
    assert at_sh is not None and at_ldn is not None
    assert at_ldn.at - at_sh.at == timedelta(hours=8)


def test_an_unknown_zone_falls_back_to_the_networks() -> None:
    assert Calendar.of("Nowhere/Else", "Asia/Shanghai", QuietHours(), time(10)).zone.key == (
        "Asia/Shanghai"
    )
    assert Calendar.of("", "", QuietHours(), time(10)).zone.key == "UTC"


def test_a_send_hour_inside_quiet_hours_goes_at_their_end() -> None:
    early = Calendar.of("Asia/Shanghai", "UTC", QuietHours(), time(7))
    planned = plan_next(goods(), DUE, POLICY, early, MADE)
    assert planned is not None and planned.at == sh(date(2026, 2, 18), 8)


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("21:00-08:00", [time(21), time(23, 59), time(0), time(7, 59)], [time(8), time(20, 59)]),
        ("12:00-14:00", [time(12), time(13, 59)], [time(11, 59), time(14)]),
        ("off", [], [time(0), time(12), time(23)]),
    ],
)
def test_quiet_hours_spans(text: str, inside: list[time], outside: list[time]) -> None:
    quiet = QuietHours.parse(text)
    assert all(quiet.contains(t) for t in inside)
    assert not any(quiet.contains(t) for t in outside)


@pytest.mark.parametrize("text", ["21-8", "25:00-08:00", "21:00", "ab:cd-08:00", "21:00-08:60"])
def test_malformed_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        QuietHours.parse(text)


def test_clock_times() -> None:
    assert parse_clock_time(" 18:05 ") == time(18, 5)
    for bad in ("24:00", "18", "-1:00", "18:5x", ""):
        with pytest.raises(InvalidInput):
            parse_clock_time(bad)


# -- snooze and off -------------------------------------------------------------------------


def test_snooze_holds_every_slot_until_it_ends_then_one_reminder() -> None:
    until = sh(date(2026, 2, 24), 9)  # snoozed over the before, due and first overdue slots
    planned = plan_next(goods(), DUE, POLICY, SHANGHAI, MADE, pause=Pause(snoozed_until=until))
    assert planned is not None
    assert (planned.slot.label, planned.at) == ("overdue:1", until)


def test_a_snooze_ending_in_quiet_hours_goes_at_their_end() -> None:
    until = sh(date(2026, 2, 19), 22)
    planned = plan_next(goods(), DUE, POLICY, SHANGHAI, MADE, pause=Pause(snoozed_until=until))
    assert planned is not None
    assert (planned.slot.label, planned.at) == ("before", sh(date(2026, 2, 20), 8))


def test_a_snooze_that_ended_changes_nothing() -> None:
    plain = plan_next(goods(), DUE, POLICY, SHANGHAI, MADE)
    snoozed = plan_next(goods(), DUE, POLICY, SHANGHAI, MADE, pause=Pause(snoozed_until=MADE))
    assert plain == snoozed


def test_off_plans_nothing() -> None:
    assert plan_next(goods(), DUE, POLICY, SHANGHAI, MADE, pause=Pause(off=True)) is None


# -- the pledge: due date moved, partial, fulfilled, cancelled --------------------------------


def test_a_moved_due_date_starts_a_new_sequence() -> None:
    sent = sh(date(2026, 2, 23), 10)  # overdue:1 went
    moved = date(2026, 2, 27)
    planned = plan_next(goods(due=moved), moved, POLICY, SHANGHAI, sent, last_sent=sent)
    assert planned is not None
    assert (planned.slot.label, planned.at) == ("before", sh(date(2026, 2, 25), 10))
    # all K overdue reminders are again ahead
    now, last, overdue = sent, sent, 0
    while (p := plan_next(goods(due=moved), moved, POLICY, SHANGHAI, now, last_sent=last)):
        overdue += p.slot.kind is SlotKind.OVERDUE
        now = last = p.at
    assert overdue == POLICY.max_overdue


def test_a_due_date_moved_to_tomorrow_skips_the_before_slot_already_behind() -> None:
    sent = sh(date(2026, 2, 23), 10)
    moved = date(2026, 2, 24)
    planned = plan_next(goods(due=moved), moved, POLICY, SHANGHAI, sent, last_sent=sent)
    assert planned is not None and planned.slot.kind is SlotKind.DUE


def test_a_partial_delivery_is_still_reminded() -> None:
    pledge = delivered(goods(), 1000, FulfilmentState.REPORTED)
    planned = plan_next(pledge, DUE, POLICY, SHANGHAI, MADE)
    assert planned is not None and planned.slot.kind is SlotKind.BEFORE


@pytest.mark.parametrize("state", [FulfilmentState.REPORTED, FulfilmentState.CONFIRMED])
def test_a_fulfilled_pledge_is_not_reminded(state: FulfilmentState) -> None:
    assert plan_next(delivered(goods(), 3000, state), DUE, POLICY, SHANGHAI, MADE) is None


def test_a_questioned_delivery_does_not_count() -> None:
    pledge = delivered(goods(), 3000, FulfilmentState.QUESTIONED)
    assert plan_next(pledge, DUE, POLICY, SHANGHAI, MADE) is not None


def test_a_cancelled_pledge_is_not_reminded() -> None:
    pledge = goods(cancelled=True, cancel_reason="资金另有安排")
    assert plan_next(pledge, DUE, POLICY, SHANGHAI, MADE) is None
    assert not sequence_over(pledge, DUE, POLICY, SHANGHAI, sh(date(2026, 3, 9), 10))


def test_no_due_date_no_reminders() -> None:
    assert plan_next(goods(due=None), None, POLICY, SHANGHAI, MADE) is None


def test_volunteer_time_follows_its_own_sequence_not_this_one() -> None:
    pledge = goods(kind=PledgeKind.VOLUNTEER, quantity=Decimal(4), unit="小时")
    now, last, sent = MADE, None, []
    while (planned := plan_next(pledge, DUE, POLICY, SHANGHAI, now, last_sent=last)):
        sent.append((planned.slot.kind, planned.at))
        now = last = planned.at
    assert sent == [
        (SlotKind.EVE, sh(date(2026, 2, 19), 10)),  # still coming?
        (SlotKind.MORNING, sh(DUE, 8)),  # the morning of, before the shift
        (SlotKind.AFTER, sh(date(2026, 2, 21), 10)),  # did it happen?
    ]
    assert sequence_over(pledge, DUE, POLICY, SHANGHAI, sh(date(2026, 2, 21), 10))


def test_a_pledge_whose_giver_was_forgotten_is_not_reminded() -> None:
    assert plan_next(goods(person_id=-(2**62 + 5)), DUE, POLICY, SHANGHAI, MADE) is None


def test_the_due_date_defaults_to_the_appeals_deadline() -> None:
    appeal = Appeal(1, "抗疫", "", AppealStatus.OPEN, date(2026, 3, 5), "CNY", None, None, 9, MADE)
    assert due_date_of(goods(due=None), appeal) == date(2026, 3, 5)
    assert due_date_of(goods(), appeal) == DUE
    assert due_date_of(goods(due=None), None) is None


@pytest.mark.parametrize(
    "bad", [{"before_days": -1}, {"every_days": 0}, {"max_overdue": 21}, {"before_days": 31}]
)
def test_a_policy_out_of_bounds_is_refused(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        ReminderPolicy(**bad)
