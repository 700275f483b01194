"""A person's standing (their roles), read inside the unit of work that acts on it."""

from __future__ import annotations

from typing import Protocol

from domain.network.models import Role, Standing


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
