"""The coordinators' daily digest: what happened in their scope, at their hour, if anything.

Each coordinator gets one private message a day at their local hour (18:00 unless they chose
another with `/digest HH:MM`, or none after `/digest off`): the pledges made and the
deliveries reported since the last digest, how many reports await their confirmation, and
each open appeal's progress and overdue count. On a day when nothing was pledged or
delivered, nothing is sent. The day is recorded on the setting row in the transaction that
queues the message (whose outbox subject names the day too), so a restart sends it once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Protocol

from domain.appeals.models import Appeal
from domain.errors import N_, PermissionDenied
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import RoleName, Standing, standing_in
from domain.network.access import may_review_pledge
from domain.network.models import Language, Organisation
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from domain.pledges.models import Fulfilment, Pledge
from domain.reminders.ports import RemindersUnitOfWork
from domain.reminders.scheduled import Periodic
from domain.totals.ports import TotalsRepository

DEFAULT_TIME = time(18, 0)
#: How often the job looks whose digest is due.
LOOK_EVERY = timedelta(minutes=1)
#: What one digest reads at most of each kind (a day of a drive; the rest is summed).
READ_LIMIT = 500
COORDINATORS_ONLY = N_("The daily digest is for coordinators.")


@dataclass(frozen=True)
class DigestSetting:
    """A coordinator's digest: off, the local time it goes, and the last one's day and time."""

    off: bool = False
    at: time = DEFAULT_TIME
    last_day: date | None = None
    last_at: datetime | None = None


@dataclass(frozen=True)
class AppealProgress:
    """One open appeal in the digest: its pledges, pledgers and overdue pledges in scope."""

    appeal: Appeal
    pledges: int
    pledgers: int
    overdue: int


@dataclass(frozen=True)
class Digest:
    """What a coordinator's digest says."""

    new: list[Pledge] = field(default_factory=list)
    delivered: list[tuple[Pledge, Fulfilment]] = field(default_factory=list)
    awaiting: int = 0
    progress: list[AppealProgress] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        """True on a day when nothing was pledged or delivered: no digest is sent."""
        return not self.new and not self.delivered


class DigestTexts(Protocol):
    """Writes a digest (HTML, at most 4,096 characters) in the reader's language."""

    def digest(self, language: Language, digest: Digest) -> str:
        """The digest's message."""
        ...


class DailyDigestRepository(Protocol):
    """Digest settings, and what happened since a moment."""

    async def digest_of(self, person_id: int) -> DigestSetting:
        """A coordinator's setting (the default when they have none)."""
        ...

    async def save_digest(self, person_id: int, setting: DigestSetting) -> None:
        """Record a coordinator's setting."""
        ...

    async def pledges_made_since(self, since: datetime, limit: int) -> list[int]:
        """Pledges made at or after `since`, oldest first."""
        ...

    async def deliveries_reported_since(self, since: datetime, limit: int) -> list[int]:
        """Delivery reports made at or after `since`, oldest first."""
        ...


class DailyDigestUnitOfWork(RemindersUnitOfWork, Protocol):
    """A unit of work with what the digest reads."""

    daily_digests: DailyDigestRepository
    totals: TotalsRepository


class DailyDigestUnitOfWorkFactory(Protocol):
    """Makes units of work for the digest."""

    def __call__(self) -> DailyDigestUnitOfWork:
        """Return a new, unopened unit of work."""
        ...


def digest_subject(coordinator_id: int, day: date) -> str:
    """The outbox subject of a coordinator's digest of one local day."""
    return f"digest:{coordinator_id}:{day.isoformat()}"


class DailyDigestService(Periodic[DailyDigestUnitOfWork, DigestTexts]):
    """Sends the digests when due; `/digest` changes a coordinator's setting."""

    look_every = LOOK_EVERY

    async def look(self, now: datetime) -> int:
        """Send each coordinator's digest that is due, one unit of work each; how many."""
        async with self._uow() as uow:
            coordinators = sorted(
                {r.person_id for r in await uow.roles.all() if r.role is not RoleName.MEMBER}
            )
        return await self.one_by_one(coordinators, now, self._one)

    async def _one(self, coordinator_id: int, now: datetime) -> int:
        """One coordinator: their digest if its hour came today; 1 when one was queued."""
        async with self._uow() as uow:
            setting = await uow.daily_digests.digest_of(coordinator_id)
            person = await uow.people.get(coordinator_id)
            calendar = self._settings.calendar(person.timezone if person is not None else None)
            local = now.astimezone(calendar.zone)
            if setting.off or setting.last_day == local.date() or local.time() < setting.at:
                return 0
            since = setting.last_at or now - timedelta(days=1)
            digest = await self._digest(uow, await standing_in(uow, coordinator_id), since)
            if not digest.quiet and person is not None and person.reachable:
                await uow.outbox.enqueue(
                    NewDelivery(
                        Purpose.DIGEST,
                        digest_subject(coordinator_id, local.date()),
                        coordinator_id,
                        self._texts.digest(person.language, digest),
                    ),
                    now,
                )
            await uow.daily_digests.save_digest(
                coordinator_id, replace(setting, last_day=local.date(), last_at=now)
            )
            await uow.commit()
            return 0 if digest.quiet else 1

    async def _digest(
        self, uow: DailyDigestUnitOfWork, standing: Standing, since: datetime
    ) -> Digest:
        """What happened since `since` in the coordinator's scope, and where appeals stand."""
        organisations = await uow.organisations.all()

        async def in_scope(pledge: Pledge) -> bool:
            appeal = (
                await uow.appeal_lookup.get(pledge.appeal_id)
                if pledge.appeal_id is not None else None
            )
            pledger = await standing_in(uow, pledge.person_id)
            return may_review_pledge(standing, pledge, appeal, pledger, organisations)

        new = []
        for pledge_id in await uow.daily_digests.pledges_made_since(since, READ_LIMIT):
            pledge = await uow.pledges.get(pledge_id)
            if pledge is not None and await in_scope(pledge):
                new.append(pledge)
        delivered = []
        for fulfilment_id in await uow.daily_digests.deliveries_reported_since(since, READ_LIMIT):
            fulfilment = await uow.pledges.fulfilment(fulfilment_id)
            pledge = await uow.pledges.get(fulfilment.pledge_id) if fulfilment else None
            if fulfilment is not None and pledge is not None and await in_scope(pledge):
                delivered.append((pledge, fulfilment))
        awaiting = [p for p in await uow.pledges.awaiting_confirmation(READ_LIMIT)
                    if await in_scope(p)]
        return Digest(new, delivered, len(awaiting),
                      await self._progress(uow, standing, organisations))

    async def _progress(
        self, uow: DailyDigestUnitOfWork, standing: Standing, organisations: list[Organisation]
    ) -> list[AppealProgress]:
        """Each open appeal the coordinator coordinates: its figures and overdue count."""
        today = self._settings.calendar(None).local_day(self._clock.now())
        progress = []
        for appeal in await uow.appeal_lookup.open_appeals():
            if not standing.coordinates(appeal.organisation_id, organisations):
                continue
            figures = (await uow.totals.by_appeal([appeal.id], None)).get(appeal.id)
            progress.append(AppealProgress(
                appeal,
                figures.pledges if figures is not None else 0,
                figures.pledgers if figures is not None else 0,
                await uow.totals.overdue_count(appeal.id, None, today),
            ))
        return progress

    # -- /digest -------------------------------------------------------------------------------

    async def setting(self, person_id: int) -> DigestSetting:
        """A coordinator's digest setting; others are refused."""
        async with self._uow() as uow:
            await self._coordinator(uow, person_id)
            return await uow.daily_digests.digest_of(person_id)

    async def change(
        self, origin: Origin, *, off: bool = False, at: time | None = None
    ) -> DigestSetting:
        """Turn the digest off, or on (at `at`, or the time it had)."""
        person_id = origin.actor_id or 0
        async with self._uow() as uow:
            await self._coordinator(uow, person_id)
            await claim_update(uow, origin)
            setting = await uow.daily_digests.digest_of(person_id)
            changed = replace(setting, off=off, at=at or setting.at)
            await uow.daily_digests.save_digest(person_id, changed)
            await uow.commit()
            return changed

    @staticmethod
    async def _coordinator(uow: DailyDigestUnitOfWork, person_id: int) -> None:
        """Refuse anyone but a coordinator or an admin, by their roles now."""
        if not (await standing_in(uow, person_id)).is_coordinator:
            raise PermissionDenied(COORDINATORS_ONLY)
