"""The network registry's use cases: each opens one unit of work and commits once.

`NetworkService` is the one service handlers see (`services.network`): the arrival of each
update and the people are here; organisations, chats and roles are in their own modules.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.clock import Clock
from domain.errors import N_, NotFound
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import Role, RoleName, Standing, standing_in
from domain.network.chats import ChatUseCases
from domain.network.models import Language, Person, language_from_client
from domain.network.organisations import OrganisationUseCases
from domain.network.ports import UnitOfWorkFactory
from domain.network.roles import RoleUseCases


@dataclass(frozen=True)
class SeenUser:
    """A Telegram user as the handlers saw them in an update."""

    id: int
    name: str
    username: str | None
    language_code: str | None


@dataclass(frozen=True)
class Arrival:
    """What the start of an update found: handled before? and the person, if up to date."""

    replayed: bool
    person: Person | None = None


class NetworkService(OrganisationUseCases, ChatUseCases, RoleUseCases):
    """Organisations, chats, people and roles."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        default_language: Language,
        default_timezone: str,
    ) -> None:
        super().__init__(uow, clock)
        self._default_language = default_language
        self._default_timezone = default_timezone

    # -- updates -----------------------------------------------------------------------------

    async def update_seen(self, update_id: int) -> bool:
        """True when this Telegram update was handled before."""
        async with self._uow() as uow:
            return await uow.updates.seen(update_id)

    async def arrive(
        self, update_id: int, user: SeenUser | None, maybe_replayed: bool = True
    ) -> Arrival:
        """Check for a replay and read the person, in one read-only unit of work.

        Without `maybe_replayed` (the update is known to come for the first time) the replay
        check is skipped.

        The person is returned only when `seen` would change nothing; otherwise (first sight,
        a new name, username or client language) the caller calls `seen`.
        """
        async with self._uow.read() as uow:
            if maybe_replayed and await uow.updates.seen(update_id):
                return Arrival(replayed=True)
            if user is None:
                return Arrival(replayed=False)
            person = await uow.people.get(user.id)
        if person is None or self._refresh_needed(person, user):
            return Arrival(replayed=False)
        return Arrival(replayed=False, person=person)

    def _refresh_needed(self, person: Person, user: SeenUser) -> bool:
        """True when what Telegram says about the person differs from what is stored."""
        changed = (
            person.name != user.name[:128]
            or person.username != (user.username or None)
            or not person.reachable
        )
        return changed or not (
            person.language_chosen
            or person.language == language_from_client(user.language_code, self._default_language)
        )

    async def mark_update(self, update_id: int) -> None:
        """Record an update as handled (a no-op when a use case already did)."""
        async with self._uow() as uow:
            if await uow.updates.mark(update_id):
                await uow.commit()

    # -- people ---------------------------------------------------------------------------

    async def seen(self, user: SeenUser) -> Person:
        """Record (or refresh) a person who wrote to the bot and return them."""
        async with self._uow() as uow:
            person = await uow.people.get(user.id)
            if person is None:
                person = Person(
                    id=user.id,
                    name=user.name[:128],
                    username=(user.username or None),
                    language=language_from_client(user.language_code, self._default_language),
                    language_chosen=False,
                    timezone=self._default_timezone,
                    reachable=True,
                    created_at=self._clock.now(),
                )
            else:
                if not self._refresh_needed(person, user):
                    return person
                person.name = user.name[:128]
                person.username = user.username or None
                person.reachable = True
                if not person.language_chosen:
                    person.language = language_from_client(
                        user.language_code, self._default_language
                    )
            await uow.people.save(person)
            await uow.commit()
            return person

    async def person(self, person_id: int) -> Person | None:
        """Return a known person."""
        async with self._uow() as uow:
            return await uow.people.get(person_id)

    async def standing(self, person_id: int) -> Standing:
        """Return a person's roles, read now."""
        async with self._uow() as uow:
            return await standing_in(uow, person_id)

    async def set_language(self, origin: Origin, language: Language) -> Person:
        """Remember the language a person chose with /lang."""
        person_id = origin.person(N_("Only a person can choose a language."))
        async with self._uow() as uow:
            await claim_update(uow, origin)
            person = await uow.people.get(person_id)
            if person is None:
                raise NotFound(N_("I do not know you yet. Send /start first."))
            before = person.language
            person.language = language
            person.language_chosen = True
            await uow.people.save(person)
            await record_audit(
                uow, self._clock, origin, "person.language", f"person:{person.id}", before, language
            )
            await uow.commit()
            return person

    async def mark_unreachable(self, person_id: int) -> None:
        """Remember that a person blocked the bot, so nothing is sent to them."""
        async with self._uow() as uow:
            person = await uow.people.get(person_id)
            if person is None or not person.reachable:
                return
            person.reachable = False
            await uow.people.save(person)
            await uow.commit()

    async def ensure_admins(self, admin_ids: frozenset[int]) -> None:
        """Make the configured admins admins (the configuration is their source)."""
        async with self._uow() as uow:
            for admin_id in sorted(admin_ids):
                if await uow.roles.add(Role(admin_id, RoleName.ADMIN, None)):
                    await record_audit(
                        uow,
                        self._clock,
                        Origin(None),
                        "role.grant",
                        f"person:{admin_id}",
                        None,
                        "admin (ADMIN_IDS)",
                    )
            await uow.commit()
