"""Escalation: pledges nobody answers, told to coordinators once a day, never once per pledge.

A pledge is stalled when its reminders are over (all K overdue reminders went and it is
still open) or its pledger blocked the bot. Each coordinator of the pledger's organisations
(of the appeal's when the pledger belongs to none) gets one private message a day listing
every stalled pledge in their care; a week after a pledge stalled, the coordinators of its
appeal's organisation get it too. The message's buttons remind again now, give a new date
("I called them", which re-opens a lapsed pledge) or mark the pledge lapsed. The outbox
subject names the coordinator and their local day, so a restart or a second replica cannot
send it twice that day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.appeals.models import Appeal
from domain.errors import N_, Conflict, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.calendar import local_date
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import Standing, standing_in
from domain.network.access import may_review_pledge
from domain.network.models import Language
from domain.notices.models import coordinators_in_scope
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from domain.pledges.models import Pledge, PledgeKind, PledgeStatus
from domain.reminders.models import AGAIN, Calendar, ReminderPolicy, remindable, sequence
from domain.reminders.ports import (
    RemindersUnitOfWork,
    ReminderTrack,
)
from domain.reminders.scheduled import Periodic, facts_of, replan
from domain.reminders.service import Answered

#: A stalled pledge reaches the appeal's coordinators this long after it stalled.
APPEAL_AFTER = timedelta(days=7)
#: How often the job looks for stalled pledges (the outbox keeps it to one message a day).
LOOK_EVERY = timedelta(minutes=10)
#: Stalled pledges read per look.
STALLED_LIMIT = 2000
NOT_IN_SCOPE = N_("This pledge is not one you coordinate.")
CLOSED = N_("This pledge is closed; there is nothing to chase.")


class Stall(StrEnum):
    """Why a pledge needs a coordinator."""

    UNANSWERED = "unanswered"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Stalled:
    """One pledge in a coordinator's daily message: who, what, since when, and why."""

    pledge: Pledge
    appeal: Appeal | None
    due: date
    who: str
    why: Stall
    since: datetime
    reminded: int


class EscalationTexts(Protocol):
    """Writes the daily message (HTML) and its buttons (outbox JSON) in the reader's language."""

    def escalation(self, language: Language, stalled: list[Stalled]) -> str:
        """The list of stalled pledges."""
        ...

    def buttons(self, language: Language, stalled: list[Stalled]) -> str:
        """Remind now / new date / lapsed for the first pledges of the list."""
        ...


def escalation_subject(coordinator_id: int, day: date) -> str:
    """The outbox subject of a coordinator's message of one local day (at most one)."""
    return f"escalation:{coordinator_id}:{day.isoformat()}"


def stalled_since(
    track: ReminderTrack, pledge: Pledge, due: date | None, policy: ReminderPolicy,
    calendar: Calendar,
) -> tuple[Stall, datetime] | None:
    """Why and since when an open pledge is stalled, or None when its reminders still run.

    Volunteer time is not chased: its "did it happen?" left unanswered records nothing.
    """
    if pledge.kind is PledgeKind.VOLUNTEER:
        return None
    if not remindable(pledge) or due is None or track.due_at is not None:
        return None
    if track.unreachable_at is not None:
        return Stall.BLOCKED, track.unreachable_at
    last = calendar.slot_at(sequence(due, policy)[-1])
    if track.last_sent_at is not None and last <= track.last_sent_at:
        return Stall.UNANSWERED, last
    return None


class EscalationService(Periodic[RemindersUnitOfWork, EscalationTexts]):
    """The daily messages, and what a coordinator does from them."""

    look_every = LOOK_EVERY

    async def look(self, now: datetime) -> int:
        """Queue each coordinator's message of the day; return how many."""
        async with self._uow() as uow:
            queued = 0
            for coordinator_id, stalled in (await self._by_coordinator(uow, now)).items():
                queued += await self._queue(uow, coordinator_id, stalled, now)
            await uow.commit()
        return queued

    async def _by_coordinator(
        self, uow: RemindersUnitOfWork, now: datetime
    ) -> dict[int, list[Stalled]]:
        """Every stalled pledge, under each coordinator who should hear of it."""
        roles = await uow.roles.all()
        organisations = await uow.organisations.all()
        found: dict[int, list[Stalled]] = defaultdict(list)
        for track in await uow.reminders.stalled(STALLED_LIMIT):
            pledge = await uow.pledges.get(track.pledge_id)
            if pledge is None:
                continue
            facts = await facts_of(uow, self._settings, pledge)
            stall = stalled_since(track, pledge, facts.due, facts.policy, facts.calendar)
            if stall is None or facts.due is None:
                continue
            pledger = await standing_in(uow, pledge.person_id)
            homes: list[int | None] = [*sorted(pledger.belongs_to())]
            if pledge.on_behalf_of is not None:
                homes.append(pledge.on_behalf_of)
            appeal_home = facts.appeal.organisation_id if facts.appeal is not None else None
            if not homes or now - stall[1] >= APPEAL_AFTER:
                homes.append(appeal_home)
            who = facts.person.name if facts.person is not None and facts.person.name else ""
            item = Stalled(pledge, facts.appeal, facts.due, who, stall[0], stall[1],
                           track.sent_count)
            for coordinator_id in coordinators_in_scope(
                roles, organisations, homes, besides=pledge.person_id
            ):
                found[coordinator_id].append(item)
        return found

    async def _queue(
        self, uow: RemindersUnitOfWork, coordinator_id: int, stalled: list[Stalled], now: datetime
    ) -> int:
        """One coordinator's message of their day, outside their quiet hours; 1 when new."""
        person = await uow.people.get(coordinator_id)
        language = person.language if person is not None else Language.EN
        calendar = self._settings.calendar(person.timezone if person is not None else None)
        stalled.sort(key=lambda s: (s.due, s.pledge.id))
        added = await uow.outbox.enqueue(
            NewDelivery(
                Purpose.NOTICE,
                escalation_subject(coordinator_id, calendar.local_day(now)),
                coordinator_id,
                self._texts.escalation(language, stalled),
                buttons=self._texts.buttons(language, stalled),
                not_before=calendar.outside_quiet(now),
            ),
            now,
        )
        return 1 if added else 0

    # -- what a coordinator does from the message ----------------------------------------------

    async def remind_now(self, origin: Origin, pledge_id: int) -> Pledge:
        """One more reminder to the pledger, at the job's next tick (quiet hours aside)."""
        async with self._uow() as uow:
            pledge, track = await self._chased(uow, origin, pledge_id)
            await claim_update(uow, origin)
            now = self._clock.now()
            await uow.reminders.save(
                replace(track, due_at=now, slot=AGAIN, lease_until=None, unreachable_at=None)
            )
            await record_audit(uow, self._clock, origin, "reminder.again", f"pledge:{pledge.id}",
                               None, now.isoformat())
            await uow.commit()
            return pledge

    async def new_date(
        self, uow: RemindersUnitOfWork, origin: Origin, pledge_id: int, due: date
    ) -> Answered:
        """A coordinator gives a new date ("I called them"); the reminders start from it.

        In the caller's unit of work (the dialog engine's, which marks the update).
        """
        pledge, _track = await self._chased(uow, origin, pledge_id, lapsed_too=True)
        person = await uow.people.get(pledge.person_id)
        if due < local_date(self._clock.now(), person.timezone if person else None,
                            self._settings.timezone):
            raise Conflict(N_("That date has passed. Please give today or a later date."))
        reopened = pledge.status is PledgeStatus.LAPSED
        if reopened:
            # "I called them" after all: the pledge counts and is chased again
            pledge.cancelled, pledge.lapsed_at = False, None
            await record_audit(uow, self._clock, origin, "pledge.reopen", f"pledge:{pledge.id}",
                               PledgeStatus.LAPSED, pledge.status)
        before, pledge.due_date = pledge.due_date, due
        await uow.pledges.save(pledge)
        await record_audit(uow, self._clock, origin, "pledge.due", f"pledge:{pledge.id}",
                           before, due)
        track = await replan(uow, self._settings, pledge, self._clock.now())
        return Answered(pledge, due=due, next_reminder=track.due_at, reopened=reopened)

    async def lapse(self, origin: Origin, pledge_id: int) -> Pledge:
        """Mark the pledge lapsed: its own status, counted like a cancelled one, not chased.

        A new date from a coordinator (`new_date`) re-opens it.
        """
        async with self._uow() as uow:
            pledge, _track = await self._chased(uow, origin, pledge_id)
            await claim_update(uow, origin)
            now = self._clock.now()
            pledge.cancelled, pledge.lapsed_at = True, now
            await uow.pledges.save(pledge)
            await record_audit(uow, self._clock, origin, "pledge.lapse", f"pledge:{pledge.id}",
                               None, PledgeStatus.LAPSED)
            await replan(uow, self._settings, pledge, now)
            await uow.commit()
            return pledge

    async def chased(self, origin: Origin, pledge_id: int) -> Pledge:
        """A pledge the coordinator may give a new date (open or lapsed, in their scope)."""
        async with self._uow() as uow:
            pledge, _track = await self._chased(uow, origin, pledge_id, lapsed_too=True)
            return pledge

    async def _chased(
        self, uow: RemindersUnitOfWork, origin: Origin, pledge_id: int, *,
        lapsed_too: bool = False,
    ) -> tuple[Pledge, ReminderTrack]:
        """The open pledge (`lapsed_too`: or lapsed) and its row, if the actor coordinates it
        now; else a refusal."""
        if origin.actor_id is None:
            raise PermissionDenied(NOT_IN_SCOPE)
        pledge = await uow.pledges.get(pledge_id)
        if pledge is None:
            raise NotFound(N_("There is no pledge with that number."))
        appeal = (
            await uow.appeal_lookup.get(pledge.appeal_id) if pledge.appeal_id is not None else None
        )
        standing: Standing = await standing_in(uow, origin.actor_id)
        pledger = await standing_in(uow, pledge.person_id)
        if not may_review_pledge(standing, pledge, appeal, pledger, await uow.organisations.all()):
            raise PermissionDenied(NOT_IN_SCOPE)
        if not remindable(pledge) and not (lapsed_too and pledge.status is PledgeStatus.LAPSED):
            raise Conflict(CLOSED)
        track = await uow.reminders.get(pledge.id) or ReminderTrack(pledge.id, None)
        return pledge, track
