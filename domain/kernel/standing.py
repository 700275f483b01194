"""A person's roles and standing, read inside the unit of work that acts on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from domain.errors import N_, PermissionDenied
from domain.kernel.origin import Origin
from domain.kernel.tree import Placed, subtree_ids

ONLY_ADMINS = N_("Only admins can do that.")


class RoleName(StrEnum):
    """What a person may do beyond being a member."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    MEMBER = "member"


@dataclass(frozen=True)
class Role:
    """A granted role; `organisation_id` None means the whole network."""

    person_id: int
    role: RoleName
    organisation_id: int | None


@dataclass(frozen=True)
class Standing:
    """A person's roles as read from the database at the moment of an action."""

    person_id: int
    roles: tuple[Role, ...] = field(default_factory=tuple)

    @property
    def is_admin(self) -> bool:
        """True when the person is an admin of the network."""
        return any(r.role is RoleName.ADMIN for r in self.roles)

    @property
    def is_coordinator(self) -> bool:
        """True when the person coordinates some part of the network (admins do too)."""
        return self.is_admin or any(r.role is RoleName.COORDINATOR for r in self.roles)

    def holds(self, role: RoleName) -> bool:
        """True when the person holds `role` or a stronger one (everyone is a member)."""
        if role is RoleName.ADMIN:
            return self.is_admin
        if role is RoleName.COORDINATOR:
            return self.is_coordinator
        return True

    @property
    def highest(self) -> RoleName:
        """The strongest role the person holds."""
        if self.is_admin:
            return RoleName.ADMIN
        if self.is_coordinator:
            return RoleName.COORDINATOR
        return RoleName.MEMBER

    def belongs_to(self) -> set[int]:
        """Organisations the person is a member or coordinator of (not admin-wide ones)."""
        return {
            r.organisation_id
            for r in self.roles
            if r.organisation_id is not None and r.role is not RoleName.ADMIN
        }

    def coordinates(self, organisation_id: int | None, organisations: Sequence[Placed]) -> bool:
        """True when the person may coordinate for this organisation (None: whole network)."""
        if self.is_admin:
            return True
        for role in self.roles:
            if role.role is not RoleName.COORDINATOR:
                continue
            if role.organisation_id is None:
                return True
            if organisation_id is not None and organisation_id in subtree_ids(
                organisations, role.organisation_id
            ):
                return True
        return False

    def scope(self, organisations: Sequence[Placed]) -> set[int] | None:
        """Organisation ids the person coordinates; None means everything."""
        if self.is_admin:
            return None
        ids: set[int] = set()
        for role in self.roles:
            if role.role is RoleName.COORDINATOR:
                if role.organisation_id is None:
                    return None
                ids |= subtree_ids(organisations, role.organisation_id)
        return ids




class RoleLookup(Protocol):
    """Reads the roles granted to a person."""

    async def of(self, person_id: int) -> list[Role]:
        """Every role of a person."""
        ...


class KnowsRoles(Protocol):
    """A unit of work that can read roles."""

    @property
    def roles(self) -> RoleLookup:
        """The roles of this unit of work."""
        ...


async def standing_in(uow: KnowsRoles, person_id: int) -> Standing:
    """Read a person's roles inside an open unit of work."""
    return Standing(person_id, tuple(await uow.roles.of(person_id)))


async def standing_holding(
    uow: KnowsRoles, origin: Origin, role: RoleName, refusal: str
) -> Standing:
    """The acting person's standing when they hold `role`; anyone else (or no one): `refusal`."""
    standing = None if origin.actor_id is None else await standing_in(uow, origin.actor_id)
    if standing is None or not standing.holds(role):
        raise PermissionDenied(refusal)
    return standing


async def require_admin_unless_system(uow: KnowsRoles, origin: Origin) -> None:
    """Refuse a person who is not an admin; jobs and the CLI (no person behind them) pass."""
    if origin.actor_id is not None:
        await standing_holding(uow, origin, RoleName.ADMIN, ONLY_ADMINS)
