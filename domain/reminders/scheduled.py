"""What the reminder job does on each tick: plan pledges without a row, send those due.

The job (`bot/jobs.py`, leader only) is the clock; the rows are the store. Each tick:
1. plans every pledge that has no reminder row yet (pledges are made by code that does not
   know about reminders: it need not, the next tick plans them);
2. leases the rows due by now (`FOR UPDATE SKIP LOCKED` on PostgreSQL), then for each one,
   in a transaction of its own, reads the pledge again and plans it again *now*: a pledge
   fulfilled, cancelled or moved since gets nothing (or a later row); otherwise the reminder
   is queued in the outbox (the notices lane of the paced sender) in the pledger's language,
   the row counts it and holds the next one. A crash between lease and commit leaves the
   lease to run out and the row to be claimed again; the outbox subject is the reminder's
   number, so the same reminder is never queued twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar

from domain.appeals.models import Appeal
from domain.clock import Clock
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin
from domain.kernel.units import UseCases
from domain.network.models import Person
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from domain.pledges.models import Pledge
from domain.reminders.models import (
    AGAIN,
    AppealPolicy,
    Calendar,
    Pause,
    PlannedReminder,
    QuietHours,
    ReminderPolicy,
    Slot,
    SlotKind,
    due_date_of,
    plan_next,
    remindable,
)
from domain.reminders.ports import (
    RemindersUnitOfWork,
    ReminderTexts,
    ReminderTrack,
)

#: How long a claimed row stays reserved for the tick that claimed it.
LEASE = timedelta(minutes=2)
#: Rows claimed per tick, and pledges planned per tick: the rest follow at the next ticks.
CLAIM_LIMIT = 200
PLAN_LIMIT = 500


@dataclass(frozen=True)
class ReminderSettings:
    """The network's policy and calendar defaults (settings), for every pledge."""

    policy: ReminderPolicy = field(default_factory=ReminderPolicy)
    quiet: QuietHours = field(default_factory=QuietHours)
    send_time: time = time(10, 0)
    timezone: str = "Asia/Shanghai"

    def calendar(self, zone: str | None) -> Calendar:
        """The calendar of a person in `zone` (else the network's)."""
        return Calendar.of(zone, self.timezone, self.quiet, self.send_time)


class Every:
    """Lets a job look at most once per `interval` of the injected clock.

    Kept in memory: after a restart the job looks at once, and what it queues is unique per
    day in the outbox, so looking again sends nothing twice.
    """

    def __init__(self, interval: timedelta) -> None:
        self._interval = interval
        self._last: datetime | None = None

    def due(self, now: datetime) -> bool:
        """True (and noted) when `interval` passed since the last look."""
        if self._last is not None and now - self._last < self._interval:
            return False
        self._last = now
        return True


U = TypeVar("U", bound=RemindersUnitOfWork)
T = TypeVar("T")
Item = TypeVar("Item")


class Periodic(UseCases[U], Generic[U, T]):
    """A part of the repeating reminder job: its unit of work, clock, texts and settings,
    looking at most once per `look_every` of the injected clock (zero: at every tick).

    `look` does the work of one look; `one_by_one` runs a claimed batch one unit of work per
    item (each item commits or rolls back alone, so one failure cannot undo the others).
    """

    #: how often the part looks (what it queues is unique per day, so looking again is safe)
    look_every = timedelta(0)

    def __init__(
        self, uow: Callable[[], U], clock: Clock, texts: T, settings: ReminderSettings
    ) -> None:
        super().__init__(uow, clock)
        self._texts = texts
        self._settings = settings
        self._every = Every(self.look_every)

    async def tick(self) -> int:
        """Look now if `look_every` passed since the last look; how many messages it queued."""
        now = self._clock.now()
        if self.look_every and not self._every.due(now):
            return 0
        return await self.look(now)

    async def look(self, now: datetime) -> int:
        """One look at what is due `now`; how many messages it queued."""
        raise NotImplementedError

    @staticmethod
    async def one_by_one(
        items: Iterable[Item], now: datetime, one: Callable[[Item, datetime], Awaitable[int]]
    ) -> int:
        """`one` for each claimed item (each in a unit of work of its own); the sum."""
        done = 0
        for item in items:
            done += await one(item, now)
        return done


def reminder_subject(pledge_id: int, number: int) -> str:
    """The outbox subject of a pledge's n-th reminder (unique: queued once)."""
    return f"reminder:{pledge_id}:{number}"


@dataclass(frozen=True)
class PledgeFacts:
    """What a pledge's plan is computed from, read once: its appeal, pledger, calendar, pause."""

    pledge: Pledge
    appeal: Appeal | None
    person: Person | None
    calendar: Calendar
    pause: Pause
    #: the appeal's own policy, else the network's
    policy: ReminderPolicy

    @property
    def due(self) -> date | None:
        """The pledge's due date (its own, else its appeal's deadline)."""
        return due_date_of(self.pledge, self.appeal)

    def plan(
        self, settings: ReminderSettings, now: datetime, last_sent: datetime | None
    ) -> PlannedReminder | None:
        """The next reminder as of `now` (see `plan_next`)."""
        return plan_next(
            self.pledge, self.due, self.policy, self.calendar, now,
            last_sent=last_sent, pause=self.pause,
        )


async def facts_of(
    uow: RemindersUnitOfWork, settings: ReminderSettings, pledge: Pledge
) -> PledgeFacts:
    """Read what the pledge's plan depends on, inside `uow`."""
    appeal = (
        await uow.appeal_lookup.get(pledge.appeal_id) if pledge.appeal_id is not None else None
    )
    person = await uow.people.get(pledge.person_id)
    own = (
        await uow.reminders.appeal_policy(appeal.id) if appeal is not None else AppealPolicy()
    )
    pause = await uow.reminders.pause_of(pledge.person_id)
    return PledgeFacts(
        pledge,
        appeal,
        person,
        settings.calendar(person.timezone if person is not None else None),
        replace(pause, off=True) if own.paused else pause,
        own.policy or settings.policy,
    )


def planned_track(track: ReminderTrack, planned: PlannedReminder | None) -> ReminderTrack:
    """The row holding `planned` (or nothing) as the next reminder, unleased."""
    return replace(
        track,
        due_at=None if planned is None else planned.at,
        slot=None if planned is None else planned.slot.label,
        lease_until=None,
    )


async def replan(
    uow: RemindersUnitOfWork, settings: ReminderSettings, pledge: Pledge, now: datetime
) -> ReminderTrack:
    """Plan the pledge's next reminder inside `uow` (the transaction of the change) and save it."""
    track = await uow.reminders.get(pledge.id) or ReminderTrack(pledge.id, None)
    facts = await facts_of(uow, settings, pledge)
    new = planned_track(track, facts.plan(settings, now, track.last_sent_at))
    await uow.reminders.save(new)
    return new


class ReminderJob(Periodic[RemindersUnitOfWork, ReminderTexts]):
    """Plans and sends reminders (at every tick); each pledge's sending is one unit of work."""

    async def look(self, now: datetime) -> int:
        """Plan what has no row, then send what is due; return how many reminders were queued."""
        await self.plan_unplanned()
        return await self.send_due()

    async def plan_unplanned(self) -> int:
        """Give every pledge without a reminder row its row; return how many were planned."""
        now = self._clock.now()
        async with self._uow() as uow:
            pledge_ids = await uow.reminders.unplanned(PLAN_LIMIT)
            for pledge_id in pledge_ids:
                pledge = await uow.pledges.get(pledge_id)
                if pledge is not None:
                    await replan(uow, self._settings, pledge, now)
            await uow.commit()
        return len(pledge_ids)

    async def send_due(self) -> int:
        """Lease the rows due now and queue each one's reminder if the pledge still needs it."""
        now = self._clock.now()
        async with self._uow() as uow:
            claimed = await uow.reminders.claim_due(now, now + LEASE, CLAIM_LIMIT)
            await uow.commit()
        return await self.one_by_one(claimed, now, self._send)

    async def _send(self, pledge_id: int, now: datetime) -> int:
        """One claimed row: re-check the pledge, queue its reminder, plan the next; 1 if sent."""
        async with self._uow() as uow:
            track = await uow.reminders.get(pledge_id)
            if track is None or track.due_at is None or track.due_at > now:
                return 0  # re-planned since the claim (an answer, a change): nothing due
            pledge = await uow.pledges.get(pledge_id)
            if pledge is None:
                return 0
            facts = await facts_of(uow, self._settings, pledge)
            planned = facts.plan(self._settings, now, track.last_sent_at)
            person, due = facts.person, facts.due
            if track.slot == AGAIN and due is not None and remindable(pledge):
                # a coordinator's "remind again now": one more, outside the sequence
                today = facts.calendar.local_day(now)
                planned = PlannedReminder(
                    Slot(SlotKind.AGAIN, today), facts.calendar.outside_quiet(now)
                )
            if planned is None or planned.at > now or due is None:
                await uow.reminders.save(planned_track(track, planned))
                await uow.commit()
                return 0
            if person is None or not person.reachable:
                # blocked the bot: not retried; the coordinators hear of it instead
                await uow.reminders.save(replace(planned_track(track, None), unreachable_at=now))
                await uow.commit()
                return 0
            number = track.sent_count + 1
            await uow.outbox.enqueue(
                NewDelivery(
                    Purpose.REMINDER,
                    reminder_subject(pledge.id, number),
                    person.id,
                    self._texts.reminder(
                        person.language, pledge, facts.appeal, due,
                        facts.calendar.local_day(now) > due, planned.slot.kind,
                    ),
                    buttons=self._texts.buttons(person.language, pledge, planned.slot.kind),
                ),
                now,
            )
            await record_audit(
                uow, self._clock, Origin(None), "reminder.send", f"pledge:{pledge.id}", None,
                f"{planned.slot.label} #{number}",
            )
            sent = replace(track, sent_count=number, last_sent_at=now)
            await uow.reminders.save(planned_track(sent, facts.plan(self._settings, now, now)))
            await uow.commit()
            return 1
