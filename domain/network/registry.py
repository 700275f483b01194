"""What the network's use cases share: the unit of work, the clock, the admin check."""

from __future__ import annotations

from domain.clock import Clock
from domain.errors import N_, NotFound
from domain.kernel.origin import Origin
from domain.kernel.standing import require_admin_unless_system
from domain.network.models import Organisation
from domain.network.ports import UnitOfWork, UnitOfWorkFactory


class Registry:
    """The base of the network's use cases (organisations, chats, people and roles)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def _named(self, uow: UnitOfWork, name: str) -> Organisation:
        """The organisation with this name (spaces folded), or NotFound."""
        org = await uow.organisations.by_name(" ".join(name.split()))
        if org is None:
            raise NotFound(N_("There is no organisation called “{name}”."), name=name.strip()[:100])
        return org

    async def _require_admin(self, uow: UnitOfWork, origin: Origin) -> None:
        """Refuse a person who is not an admin (jobs and the CLI, without one, pass)."""
        await require_admin_unless_system(uow, origin)
