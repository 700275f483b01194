"""Roles: reading a role as written, finding a person, granting and revoking (admins only)."""

from __future__ import annotations

from domain.errors import N_, Conflict, InvalidInput, NotFound
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import Role, RoleName
from domain.network.models import Person
from domain.network.ports import UnitOfWork
from domain.network.registry import Registry
from domain.parsing.integers import parse_id

#: The words an admin may write for a role, in each language we speak.
ROLE_WORDS: dict[str, RoleName] = {
    "member": RoleName.MEMBER, "成员": RoleName.MEMBER, "成員": RoleName.MEMBER,
    "coordinator": RoleName.COORDINATOR, "协调员": RoleName.COORDINATOR,
    "協調員": RoleName.COORDINATOR,
    "admin": RoleName.ADMIN, "管理员": RoleName.ADMIN, "管理員": RoleName.ADMIN,
}


def parse_role(word: str) -> RoleName:
    """Read a role as written (`coordinator`, `协调员`, `協調員`...); refuse other words."""
    role = ROLE_WORDS.get(word.strip().lower())
    if role is None:
        raise InvalidInput(
            N_("Unknown role “{role}”. Roles are: member, coordinator, admin."),
            role=word.strip()[:30],
        )
    return role


class RoleUseCases(Registry):
    """Who holds which role; each use case one unit of work."""

    async def all_roles(self) -> list[Role]:
        """Return every granted role (for the per-person command menus)."""
        async with self._uow() as uow:
            return await uow.roles.all()

    async def find_person(self, reference: str) -> Person:
        """Find a person by numeric id or @username the bot has seen."""
        ref = reference.strip()
        async with self._uow() as uow:
            person: Person | None = None
            number = parse_id(ref)
            if number is not None:
                person = await uow.people.get(number)
            elif ref.startswith("@") and len(ref) <= 33:
                person = await uow.people.by_username(ref[1:])
            if person is None:
                raise NotFound(
                    N_(
                        "I do not know “{user}”. Use a numeric id or an @username of someone "
                        "who has written to me, or reply to their message."
                    ),
                    user=ref[:40],
                )
            return person

    async def grant(
        self, origin: Origin, person_id: int, role: str, organisation_name: str | None
    ) -> Role:
        """Grant a coordinator or admin role (admins only)."""
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            granted = await self._role(uow, person_id, role, organisation_name)
            await claim_update(uow, origin)
            if not await uow.roles.add(granted):
                raise Conflict(N_("That person already has this role."))
            await record_audit(
                uow,
                self._clock,
                origin,
                "role.grant",
                f"person:{person_id}",
                None,
                f"{granted.role}:{granted.organisation_id}",
            )
            await uow.commit()
            return granted

    async def revoke(
        self, origin: Origin, person_id: int, role: str, organisation_name: str | None
    ) -> Role:
        """Revoke a role (admins only); an admin cannot revoke their own admin role."""
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            revoked = await self._role(uow, person_id, role, organisation_name)
            if revoked.role is RoleName.ADMIN and person_id == origin.actor_id:
                raise Conflict(N_("You cannot revoke your own admin role."))
            await claim_update(uow, origin)
            if not await uow.roles.remove(person_id, revoked.organisation_id, revoked.role):
                raise NotFound(N_("That person does not have this role."))
            await record_audit(
                uow,
                self._clock,
                origin,
                "role.revoke",
                f"person:{person_id}",
                f"{revoked.role}:{revoked.organisation_id}",
                None,
            )
            await uow.commit()
            return revoked

    async def _role(
        self, uow: UnitOfWork, person_id: int, role: str, organisation_name: str | None
    ) -> Role:
        """The role as written, for a known person and an existing organisation."""
        name = parse_role(role)
        if name is RoleName.MEMBER and not organisation_name:
            raise InvalidInput(N_("Name the organisation this person is a member of."))
        if await uow.people.get(person_id) is None:
            raise NotFound(
                N_(
                    "I do not know “{user}”. Use a numeric id or an @username of "
                    "someone who has written to me, or reply to their message."
                ),
                user=str(person_id),
            )
        organisation_id: int | None = None
        if organisation_name:
            if name is RoleName.ADMIN:
                raise InvalidInput(N_("Admins act for the whole network; name no organisation."))
            organisation_id = (await self._named(uow, organisation_name)).id
        return Role(person_id, name, organisation_id)
