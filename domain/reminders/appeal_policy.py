"""An appeal's own reminders, as its coordinators see and change them.

One place for what `/appeals` (the appeal's "Reminders" panel and its dialog),
`/appealreminders` and `/nudges` do: read an appeal's policy (its own, or the network's),
whether its reminders are paused and whether its groups get deadline nudges; pause or resume
the reminders, give the appeal its own N/M/K or go back to the network's, turn nudges off or
on. Only a coordinator of the appeal (the rule that lets them manage it in `/appeals`) may;
every change re-plans the appeal's open pledges in the same transaction and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.appeals.models import Appeal
from domain.clock import Clock
from domain.errors import N_, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import standing_in
from domain.kernel.units import committed
from domain.network.access import may_manage_appeal
from domain.reminders.models import AppealPolicy, ReminderPolicy
from domain.reminders.nudges import NudgesUnitOfWork, NudgesUnitOfWorkFactory
from domain.reminders.ports import RemindersUnitOfWork
from domain.reminders.scheduled import ReminderSettings, replan

NOT_ITS_COORDINATOR = N_("Only a coordinator of appeal #{number} can change this.")


@dataclass(frozen=True)
class AppealReminders:
    """What an appeal's coordinator sees of its reminders and nudges."""

    appeal: Appeal
    own: AppealPolicy
    network: ReminderPolicy
    nudges_off: bool

    @property
    def policy(self) -> ReminderPolicy:
        """The policy that applies: the appeal's own, else the network's."""
        return self.own.policy or self.network


class Change(StrEnum):
    """A change a coordinator makes with one press (or one word of a command)."""

    PAUSE = "pause"
    RESUME = "resume"
    DEFAULT = "default"
    NUDGES_OFF = "nudgesoff"
    NUDGES_ON = "nudgeson"


def changed(own: AppealPolicy, change: Change) -> AppealPolicy:
    """The appeal's policy after a reminders change (nudges leave it as it is)."""
    if change is Change.PAUSE:
        return AppealPolicy(True, own.policy)
    if change is Change.RESUME:
        return AppealPolicy(False, own.policy)
    if change is Change.DEFAULT:
        return AppealPolicy(own.paused, None)
    return own


async def appeal_they_coordinate(
    uow: RemindersUnitOfWork, person_id: int, appeal_id: int
) -> Appeal:
    """The appeal, if the person may manage it now (as in `/appeals`); else a refusal."""
    appeal = await uow.appeal_lookup.get(appeal_id)
    if appeal is None:
        raise NotFound(N_("There is no appeal number {number}."), number=appeal_id)
    standing = await standing_in(uow, person_id)
    if not may_manage_appeal(standing, appeal, await uow.organisations.all()):
        raise PermissionDenied(NOT_ITS_COORDINATOR, number=appeal_id)
    return appeal


class AppealRemindersService:
    """Reads and changes an appeal's reminders and nudges; each change one unit of work."""

    def __init__(
        self, uow: NudgesUnitOfWorkFactory, clock: Clock, settings: ReminderSettings
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._settings = settings

    async def shown(self, person_id: int, appeal_id: int) -> AppealReminders:
        """The appeal's reminders and nudges, for a coordinator of it."""
        async with self._uow() as uow:
            appeal = await appeal_they_coordinate(uow, person_id, appeal_id)
            return await self._read(uow, appeal)

    async def change(self, origin: Origin, appeal_id: int, change: Change) -> AppealReminders:
        """Pause, resume, the network's policy, or nudges off or on."""
        async with self._uow() as uow:
            appeal = await appeal_they_coordinate(uow, origin.actor_id or 0, appeal_id)
            await claim_update(uow, origin)
            if change in (Change.NUDGES_OFF, Change.NUDGES_ON):
                off = change is Change.NUDGES_OFF
                await uow.nudges.set_nudges_off(appeal_id, off)
                await record_audit(uow, self._clock, origin, "appeal.nudges",
                                   f"appeal:{appeal_id}", None, "off" if off else "on")
            else:
                own = await uow.reminders.appeal_policy(appeal_id)
                await self._save(uow, origin, appeal, changed(own, change))
            shown = await self._read(uow, appeal)
            await uow.commit()
            return shown

    async def set_policy_in(
        self, uow: NudgesUnitOfWork, origin: Origin, appeal_id: int, policy: ReminderPolicy
    ) -> AppealReminders:
        """Give the appeal its own N/M/K (paused or not, as it was), in a unit of work already
        open (the dialog engine's, which marks the update and commits)."""
        appeal = await appeal_they_coordinate(uow, origin.actor_id or 0, appeal_id)
        own = await uow.reminders.appeal_policy(appeal_id)
        await self._save(uow, origin, appeal, AppealPolicy(own.paused, policy))
        return await self._read(uow, appeal)

    #: `set_policy_in` in a unit of work of its own, which also marks the update
    set_policy = committed(set_policy_in, claims=True)

    async def _save(
        self, uow: NudgesUnitOfWork, origin: Origin, appeal: Appeal, policy: AppealPolicy
    ) -> None:
        """Record the appeal's policy and plan every open pledge of it again, audited."""
        await uow.reminders.save_appeal_policy(appeal.id, policy)
        now = self._clock.now()
        for pledge_id in await uow.reminders.open_pledges_of_appeal(appeal.id):
            pledge = await uow.pledges.get(pledge_id)
            if pledge is not None:
                await replan(uow, self._settings, pledge, now)
        own = policy.policy
        numbers = f"{own.before_days}/{own.every_days}/{own.max_overdue}" if own else "network"
        await record_audit(uow, self._clock, origin, "appeal.reminders", f"appeal:{appeal.id}",
                           None, f"paused {numbers}" if policy.paused else numbers)

    async def _read(self, uow: NudgesUnitOfWork, appeal: Appeal) -> AppealReminders:
        """The appeal's reminders and nudges as stored now."""
        return AppealReminders(
            appeal,
            await uow.reminders.appeal_policy(appeal.id),
            self._settings.policy,
            await uow.nudges.nudges_off(appeal.id),
        )
