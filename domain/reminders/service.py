"""A reminder's answers: delivered all or part, more time, cancel — each with its re-plan.

Every answer reuses the pledges' own use case (`PledgeChanges`: the delivery report, the new
date, the cancellation, which also tell the coordinators) in the reminder's own unit of
work (`LentUnitOfWork`), then plans the pledge's next reminder for what is left, and all of
it lands in one commit. A press on someone else's pledge is refused as unknown by the
pledges' own check, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.clock import Clock
from domain.errors import N_, InvalidInput, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.calendar import Calendar
from domain.kernel.origin import Origin, claim_update
from domain.outbox.models import MediaKind
from domain.pledges.models import Pledge
from domain.pledges.ports import PledgeChanges, PledgeChangesIn
from domain.reminders.lent import LentUnitOfWork
from domain.reminders.models import (
    OPEN_STATUSES,
    Pause,
    ReminderPolicy,
    due_date_of,
)
from domain.reminders.ports import RemindersUnitOfWork, RemindersUnitOfWorkFactory
from domain.reminders.scheduled import ReminderSettings, facts_of, replan

NOT_YOURS = N_("You have no pledge with that number.")
#: A snooze is for days, not months: longer than this, turn reminders off.
MAX_SNOOZE_DAYS = 30
SNOOZE_RANGE = N_("A snooze lasts 1 to {limit} days.")


@dataclass(frozen=True)
class PersonReminders:
    """What `/reminders` shows: the person's pause, and their pledges' next reminders."""

    pause: Pause
    coming: list[tuple[Pledge, datetime]]


@dataclass(frozen=True)
class Answered:
    """What an answer to a reminder did: the pledge after it, and its next reminder."""

    pledge: Pledge
    delivered: Decimal | None = None
    due: date | None = None
    next_reminder: datetime | None = None
    #: a lapsed pledge was opened again (a coordinator's new date)
    reopened: bool = False


class ReminderService:
    """The answers to a reminder, each one unit of work with its re-plan."""

    def __init__(
        self,
        uow: RemindersUnitOfWorkFactory,
        clock: Clock,
        settings: ReminderSettings,
        pledges_in: PledgeChangesIn,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._settings = settings
        self._pledges_in = pledges_in
        self._calendar = Calendar(clock, settings.timezone)

    @property
    def network_policy(self) -> ReminderPolicy:
        """The network's policy (settings), for an appeal without its own."""
        return self._settings.policy

    async def pledge_of(self, person_id: int, pledge_id: int) -> Pledge:
        """One of the person's own pledges; another person's is refused as unknown."""
        async with self._uow() as uow:
            return await own_pledge(uow, person_id, pledge_id)

    async def delivered_all(self, origin: Origin, pledge_id: int) -> Answered:
        """"Delivered all": everything still open is reported; no reminder follows."""
        async with self._uow() as uow:
            await claim_update(uow, origin)
            answered = await self.deliver(uow, origin, pledge_id, None)
            await uow.commit()
            return answered

    async def coming(self, person_id: int) -> PersonReminders:
        """The person's pause and the next reminder of each of their pledges, soonest first.

        A pledge the job has not planned yet (made a moment ago) is planned here for the
        reading, as the job will.
        """
        now = self._clock.now()
        async with self._uow() as uow:
            pause = await uow.reminders.pause_of(person_id)
            rows = {t.pledge_id: t for t in await uow.reminders.of_person(person_id)}
            coming = []
            for pledge in await uow.pledges.of_person(person_id):
                track = rows.get(pledge.id)
                if track is not None:
                    at = track.due_at
                else:
                    next_one = (await facts_of(uow, self._settings, pledge)).plan(
                        self._settings, now, None
                    )
                    at = next_one.at if next_one is not None else None
                if at is not None:
                    coming.append((pledge, at))
        return PersonReminders(pause, sorted(coming, key=lambda item: (item[1], item[0].id)))

    async def pause(
        self, origin: Origin, *, off: bool = False, snooze_days: int | None = None
    ) -> PersonReminders:
        """Turn the person's reminders off, snooze them all for some days, or (neither) on.

        Every open pledge of theirs is planned again in the same transaction, and its history
        says so (coordinators see the pledge is not being reminded).
        """
        person_id = origin.actor_id
        if person_id is None:
            raise PermissionDenied(N_("Only a person has reminders."))
        if snooze_days is not None and not 1 <= snooze_days <= MAX_SNOOZE_DAYS:
            raise InvalidInput(SNOOZE_RANGE, limit=MAX_SNOOZE_DAYS)
        now = self._clock.now()
        until = None if snooze_days is None else now + timedelta(days=snooze_days)
        pause = Pause(off=off, snoozed_until=until)
        state = "off" if off else f"snoozed until {until.isoformat()}" if until else "on"
        async with self._uow() as uow:
            await claim_update(uow, origin)
            await uow.reminders.save_pause(person_id, pause)
            for pledge in await uow.pledges.of_person(person_id):
                if pledge.status in OPEN_STATUSES:
                    await replan(uow, self._settings, pledge, now)
                    await record_audit(
                        uow, self._clock, origin, "reminder.pause", f"pledge:{pledge.id}",
                        None, state,
                    )
            await uow.commit()
        return await self.coming(person_id)

    async def acknowledge(self, origin: Origin, pledge_id: int, answer: str) -> Pledge:
        """A volunteer's answer that changes no figure ("coming", "did not happen"): audited."""
        async with self._uow() as uow:
            pledge = await own_pledge(uow, origin.actor_id or 0, pledge_id)
            await claim_update(uow, origin)
            await record_audit(uow, self._clock, origin, f"reminder.{answer}",
                               f"pledge:{pledge.id}", None, answer)
            await uow.commit()
            return pledge

    # -- inside a unit of work the caller commits (the dialog engine's, or the one above) ----

    async def deliver(
        self,
        uow: RemindersUnitOfWork,
        origin: Origin,
        pledge_id: int,
        quantity: Decimal | None,
        proof: tuple[str, MediaKind] | None = None,
        unit: str | None = None,
    ) -> Answered:
        """Report a delivery (None: all that is open) and plan the reminders for the rest."""
        file_id, kind = proof if proof is not None else (None, None)
        await self._changes(uow).report_delivery(
            _unmarked(origin), pledge_id, quantity, file_id, kind, unit
        )
        pledge, track_due = await self._replanned(uow, pledge_id)
        delivered = pledge.fulfilments[-1].quantity if pledge.fulfilments else None
        return Answered(pledge, delivered=delivered, next_reminder=track_due)

    async def move(
        self, uow: RemindersUnitOfWork, origin: Origin, pledge_id: int, due: date
    ) -> Answered:
        """A new delivery date (today or later): the reminders start again from it."""
        await self._changes(uow).change_due(_unmarked(origin), pledge_id, due)
        pledge, track_due = await self._replanned(uow, pledge_id)
        return Answered(pledge, due=due, next_reminder=track_due)

    async def more_days(
        self, uow: RemindersUnitOfWork, origin: Origin, pledge_id: int, days: int
    ) -> Answered:
        """`days` more than promised; counted from today when the promised day has passed."""
        person_id = origin.actor_id or 0
        pledge = await own_pledge(uow, person_id, pledge_id)
        appeal = (
            await uow.appeal_lookup.get(pledge.appeal_id) if pledge.appeal_id is not None else None
        )
        today = await self._calendar.today_of(uow, person_id)
        promised = due_date_of(pledge, appeal) or today
        return await self.move(uow, origin, pledge_id, max(promised, today) + timedelta(days))

    async def withdraw(
        self, uow: RemindersUnitOfWork, origin: Origin, pledge_id: int, reason: str
    ) -> Answered:
        """Cancel the pledge with a reason; no reminder follows."""
        await self._changes(uow).cancel(_unmarked(origin), pledge_id, reason)
        pledge, track_due = await self._replanned(uow, pledge_id)
        return Answered(pledge, next_reminder=track_due)

    async def today_of(self, uow: RemindersUnitOfWork, person_id: int) -> date:
        """The person's local date now."""
        return await self._calendar.today_of(uow, person_id)

    def _changes(self, uow: RemindersUnitOfWork) -> PledgeChanges:
        """The pledges' use cases, working in this unit of work."""
        return self._pledges_in(LentUnitOfWork(uow))

    async def _replanned(
        self, uow: RemindersUnitOfWork, pledge_id: int
    ) -> tuple[Pledge, datetime | None]:
        """The pledge as changed, with its next reminder planned in the same transaction."""
        pledge = await uow.pledges.get(pledge_id)
        assert pledge is not None  # the use case just changed it
        track = await replan(uow, self._settings, pledge, self._clock.now())
        return pledge, track.due_at


async def own_pledge(uow: RemindersUnitOfWork, person_id: int, pledge_id: int) -> Pledge:
    """The person's own pledge, read in `uow`; another's is refused exactly as a missing one."""
    pledge = await uow.pledges.get(pledge_id)
    if pledge is None or pledge.person_id != person_id:
        raise NotFound(NOT_YOURS)
    return pledge


def _unmarked(origin: Origin) -> Origin:
    """The same person, without the update: whoever owns the unit of work marks it once."""
    return Origin(origin.actor_id)
