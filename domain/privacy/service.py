"""Use cases of privacy: each opens one unit of work and commits once."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import Clock
from domain.errors import N_, Conflict, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import require_admin_unless_system, standing_in
from domain.kernel.units import UseCases
from domain.network.models import Language, Person
from domain.privacy.models import AuditEntry, AuditSubject, Forgotten, Holdings, strict_id
from domain.privacy.ports import PrivacyUnitOfWork, PrivacyUnitOfWorkFactory

#: How many entries one history shows at most (older ones are left out, and it says so).
MAX_HISTORY = 500
#: How many people one retention sweep anonymises at most; the next sweep goes on.
RETENTION_BATCH = 200

UNKNOWN_PERSON = N_(
    "I do not know “{user}”. Use a numeric id or an @username of someone "
    "who has written to me, or reply to their message."
)


def erasure_stamp(person: Person) -> int:
    """A number tying a confirm button to this person's record (a new record gets another)."""
    return int(person.created_at.timestamp())


class PrivacyService(UseCases[PrivacyUnitOfWork]):
    """What the bot keeps, forgetting a person, retention, and reading the audit trail."""

    #: it also opens read-only units of work (`read()`), for the audit trail
    _uow: PrivacyUnitOfWorkFactory

    def __init__(
        self,
        uow: PrivacyUnitOfWorkFactory,
        clock: Clock,
        default_language: Language,
        default_timezone: str,
        retention_days: int,
    ) -> None:
        super().__init__(uow, clock)
        self._language = default_language
        self._timezone = default_timezone
        self._retention = timedelta(days=retention_days)

    @property
    def retention_days(self) -> int:
        """How many days after an appeal closes its pledges keep the giver's name."""
        return self._retention.days

    async def holdings(self, person_id: int) -> Holdings:
        """Everything the bot keeps about this person, read now."""
        async with self._uow() as uow:
            person = await uow.people.get(person_id)
            if person is None:
                raise NotFound(N_("I do not know you yet. Send /start first."))
            roles = tuple(await uow.roles.of(person_id))
            pledges, offers, queued, dialog = await uow.privacy.counts(person_id)
            return Holdings(person, roles, pledges, offers, queued, dialog)

    async def erasure_target(self, origin: Origin, reference: str) -> Person:
        """The person an admin asks to forget, by numeric id or @username (admins only)."""
        ref = reference.strip()
        async with self._uow() as uow:
            await require_admin_unless_system(uow, origin)
            person: Person | None = None
            number = strict_id(ref)
            if number is not None:
                person = await uow.people.get(number)
            elif ref.startswith("@") and 1 < len(ref) <= 33:
                person = await uow.people.by_username(ref[1:])
            if person is None:
                raise NotFound(UNKNOWN_PERSON, user=ref[:40])
            return person

    async def forget(self, origin: Origin, person_id: int, stamp: int) -> Forgotten:
        """Forget a person: themselves, or anyone when an admin asks; checked at the press."""
        actor_id = origin.person(N_("Only a person can ask for this."))
        async with self._uow() as uow:
            mine = actor_id == person_id
            if not mine and not (await standing_in(uow, actor_id)).is_admin:
                raise PermissionDenied(N_("This button is not yours."))
            person = await uow.people.get(person_id)
            if person is None or erasure_stamp(person) != stamp:
                raise Conflict(N_("This person's data was already erased."))
            await claim_update(uow, origin)
            pledges, _, _, _ = await uow.privacy.counts(person_id)
            # Recorded first, while the person row still carries the Telegram id the audit
            # log translates into the internal id it names people by.
            await record_audit(
                uow, self._clock, origin, "person.forget", f"person:{person_id}", None, None
            )
            anonymous = await uow.privacy.forget(person_id, self._language, self._timezone)
            await uow.commit()
            return Forgotten(anonymous, pledges)

    async def sweep_retention(self) -> int:
        """Anonymise pledges of appeals closed longer ago than the retention; count them."""
        now = self._clock.now()
        async with self._uow() as uow:
            due = await uow.privacy.retention_due(now - self._retention, RETENTION_BATCH)
            moved = 0
            for person_id, pledge_ids in due.items():
                await uow.privacy.detach(
                    person_id, pledge_ids, self._language, self._timezone, now
                )
                for pledge_id in pledge_ids:
                    await record_audit(
                        uow, self._clock, Origin(None), "pledge.anonymise",
                        f"pledge:{pledge_id}", None, None,
                    )
                moved += len(pledge_ids)
            await uow.commit()
            return moved

    async def history(self, origin: Origin, subject: AuditSubject) -> list[AuditEntry]:
        """The audit entries of a pledge or an appeal, oldest first (admins only)."""
        async with self._uow.read() as uow:
            await require_admin_unless_system(uow, origin)
            entries = await uow.audit_trail.history(subject, MAX_HISTORY)
        if not entries:
            raise NotFound(N_("Nothing is recorded about {subject}."), subject=subject.code)
        return entries
