"""Reminder policy and planner: when a pledge's next reminder goes, computed from the pledge.

Nothing here is a scheduled job (design §3: the scheduler is the clock, not the store). A
reminder row holds only the next moment the planner gave; whenever the pledge, its appeal or
the person's pause changes, or a reminder is about to go, the plan is computed again from
the facts, so a stale row can never send something the pledge no longer needs.

The sequence follows CiviCRM's offset / interval / maximum (anchors §3.5): a first reminder
`before_days` before the due date, one on the due date, then one every `every_days` while the
pledge is overdue, at most `max_overdue` of those; then the pledge is left to escalation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.appeals.models import Appeal
from domain.errors import N_, InvalidInput
from domain.kernel.calendar import zone_of
from domain.pledges.models import Pledge, PledgeKind, PledgeStatus

#: A reminder never comes sooner than this after the pledge was made or the last reminder.
MIN_GAP = timedelta(hours=12)
#: Policy bounds: a drive lasts weeks; anything beyond these is a typo, not a policy.
MAX_BEFORE_DAYS = 30
MAX_EVERY_DAYS = 30
MAX_OVERDUE = 20
#: Statuses that still owe something: the only ones reminded.
OPEN_STATUSES = frozenset({PledgeStatus.PLEDGED, PledgeStatus.PARTIAL})

_CLOCK_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock_time(text: str) -> time:
    """Read `HH:MM` (24-hour clock), refusing anything else."""
    found = _CLOCK_TIME.match(text.strip())
    if found is None:
        raise InvalidInput(N_("Please write a time of day as HH:MM, e.g. 18:00."))
    return time(int(found.group(1)), int(found.group(2)))


@dataclass(frozen=True)
class ReminderPolicy:
    """CiviCRM's three numbers: days before the due date, days between, at most K overdue."""

    before_days: int = 2
    every_days: int = 3
    max_overdue: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.before_days <= MAX_BEFORE_DAYS:
            raise ValueError(f"before_days must be 0-{MAX_BEFORE_DAYS}")
        if not 1 <= self.every_days <= MAX_EVERY_DAYS:
            raise ValueError(f"every_days must be 1-{MAX_EVERY_DAYS}")
        if not 0 <= self.max_overdue <= MAX_OVERDUE:
            raise ValueError(f"max_overdue must be 0-{MAX_OVERDUE}")


@dataclass(frozen=True)
class AppealPolicy:
    """An appeal's own reminders: paused, or a policy of its own (None: the network's)."""

    paused: bool = False
    policy: ReminderPolicy | None = None


@dataclass(frozen=True)
class QuietHours:
    """A daily span of local time in which nothing is sent (it may wrap past midnight)."""

    start: time = time(21, 0)
    end: time = time(8, 0)

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """Read `21:00-08:00`; `off` (or an empty span such as `08:00-08:00`) means none."""
        if text.strip().lower() in ("", "off", "none"):
            return cls(time(0), time(0))
        start, sep, end = text.partition("-")
        if not sep:
            raise InvalidInput(N_("Please write quiet hours as HH:MM-HH:MM, e.g. 21:00-08:00."))
        return cls(parse_clock_time(start), parse_clock_time(end))

    def contains(self, moment: time) -> bool:
        """True when this local time of day falls in the quiet span."""
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class Calendar:
    """A person's local day: their zone, their quiet hours, the hour reminders go at."""

    zone: ZoneInfo
    quiet: QuietHours = QuietHours()
    send_time: time = time(10, 0)

    @classmethod
    def of(cls, zone: str | None, fallback: str, quiet: QuietHours, send_time: time) -> Calendar:
        """The calendar in `zone` (a person's), else in `fallback` (the network's), else UTC."""
        return cls(zone_of(zone, fallback), quiet, send_time)

    def at(self, day: date) -> datetime:
        """The moment (UTC) a reminder planned for this local day goes."""
        return datetime.combine(day, self.send_time, tzinfo=self.zone).astimezone(UTC)

    def slot_at(self, slot: Slot) -> datetime:
        """The moment (UTC) of a slot: its day at the reminders' hour; a volunteer's morning
        reminder at the end of the quiet hours (08:00), before the shift."""
        if slot.kind is SlotKind.MORNING and self.quiet.start != self.quiet.end:
            return datetime.combine(slot.day, self.quiet.end, tzinfo=self.zone).astimezone(UTC)
        return self.at(slot.day)

    def local_day(self, moment: datetime) -> date:
        """The local date of a moment."""
        return moment.astimezone(self.zone).date()

    def outside_quiet(self, moment: datetime) -> datetime:
        """The moment itself, or the end of the quiet hours it falls in (UTC)."""
        local = moment.astimezone(self.zone)
        if not self.quiet.contains(local.time()):
            return moment.astimezone(UTC)
        end = datetime.combine(local.date(), self.quiet.end, tzinfo=self.zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.quiet.end,
                                   tzinfo=self.zone)
        return end.astimezone(UTC)


class SlotKind(StrEnum):
    """Where a reminder stands in the sequence."""

    BEFORE = "before"
    DUE = "due"
    OVERDUE = "overdue"
    #: one more, asked for by a coordinator ("remind again now"), outside the sequence
    AGAIN = "again"
    #: volunteer time: the day before ("still coming?"), the morning of, the day after
    #: ("did it happen?")
    EVE = "eve"
    MORNING = "morning"
    AFTER = "after"


#: The slot label of the reminder a coordinator asked for now.
AGAIN = SlotKind.AGAIN.value


@dataclass(frozen=True)
class Slot:
    """One place in a pledge's sequence: its kind, its overdue number (1..K), its local day."""

    kind: SlotKind
    day: date
    number: int = 0

    @property
    def label(self) -> str:
        """A short stable name: `before`, `due`, `overdue:2`."""
        return f"{self.kind.value}:{self.number}" if self.kind is SlotKind.OVERDUE else self.kind


@dataclass(frozen=True)
class Pause:
    """What the person asked of their reminders: all off, or none before a moment."""

    off: bool = False
    snoozed_until: datetime | None = None


@dataclass(frozen=True)
class PlannedReminder:
    """The next reminder of a pledge: which slot it stands for and when it goes (UTC)."""

    slot: Slot
    at: datetime


def due_date_of(pledge: Pledge, appeal: Appeal | None) -> date | None:
    """The date a pledge is due: its own, else its appeal's deadline, else none."""
    if pledge.due_date is not None:
        return pledge.due_date
    return appeal.deadline if appeal is not None else None


def remindable(pledge: Pledge) -> bool:
    """True when the pledge still owes something, to someone who can be asked.

    A pledge whose giver was forgotten or anonymised names a negative id (never a Telegram
    user's, and a group's if sent to): nobody to remind.
    """
    return pledge.person_id > 0 and pledge.status in OPEN_STATUSES


def sequence(due: date, policy: ReminderPolicy) -> list[Slot]:
    """Every slot of a pledge due on `due`, in order."""
    slots = []
    if policy.before_days:
        slots.append(Slot(SlotKind.BEFORE, due - timedelta(days=policy.before_days)))
    slots.append(Slot(SlotKind.DUE, due))
    slots.extend(
        Slot(SlotKind.OVERDUE, due + timedelta(days=policy.every_days * n), n)
        for n in range(1, policy.max_overdue + 1)
    )
    return slots


def volunteer_sequence(day: date) -> list[Slot]:
    """Volunteer time's own sequence (Mobilize's): the day before, the morning, the day after."""
    return [
        Slot(SlotKind.EVE, day - timedelta(days=1)),
        Slot(SlotKind.MORNING, day),
        Slot(SlotKind.AFTER, day + timedelta(days=1)),
    ]


def sequence_of(pledge: Pledge, due: date, policy: ReminderPolicy) -> list[Slot]:
    """The pledge's slots: volunteer time's own sequence, else the policy's."""
    if pledge.kind is PledgeKind.VOLUNTEER:
        return volunteer_sequence(due)
    return sequence(due, policy)


def plan_next(
    pledge: Pledge,
    due: date | None,
    policy: ReminderPolicy,
    calendar: Calendar,
    now: datetime,
    *,
    last_sent: datetime | None = None,
    pause: Pause | None = None,
) -> PlannedReminder | None:
    """The pledge's next reminder, or None when nothing more is to be sent.

    Slots at or before the last reminder (or the pledge's making) are done. Of the slots
    that have passed by now, only the latest is sent (at once): after downtime or a snooze a
    pledge gets one reminder, not the backlog. Nothing goes in the quiet hours; what falls
    in them goes at their end. A moved due date starts a new sequence from the new date.
    """
    pause = pause or Pause()
    if pause.off or due is None or not remindable(pledge):
        return None
    since = max(pledge.created_at, last_sent) if last_sent is not None else pledge.created_at
    earliest = max(now, since + MIN_GAP)
    if pause.snoozed_until is not None:
        earliest = max(earliest, pause.snoozed_until)
    slots = sequence_of(pledge, due, policy)
    waiting = [slot for slot in slots if calendar.slot_at(slot) > since]
    if not waiting:
        return None
    passed = [slot for slot in waiting if calendar.slot_at(slot) <= earliest]
    if passed:
        return PlannedReminder(passed[-1], calendar.outside_quiet(earliest))
    first = waiting[0]
    return PlannedReminder(first, calendar.outside_quiet(calendar.slot_at(first)))


def sequence_over(
    pledge: Pledge,
    due: date | None,
    policy: ReminderPolicy,
    calendar: Calendar,
    last_sent: datetime | None,
) -> bool:
    """True when an open pledge had every reminder of its sequence (escalation follows)."""
    if due is None or last_sent is None or not remindable(pledge):
        return False
    return calendar.slot_at(sequence_of(pledge, due, policy)[-1]) <= last_sent
