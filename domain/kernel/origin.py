"""Who asks, through which update, and the claim that makes a replayed update a no-op."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.errors import PermissionDenied


@dataclass(frozen=True)
class Origin:
    """Who asks, and through which Telegram update (None for jobs and the CLI)."""

    actor_id: int | None
    update_id: int | None = None

    def person(self, refusal: str | None = None) -> int:
        """The person acting, for what only a person does; a job or the CLI gets `refusal`.

        Without a refusal it is a fault of the caller (a dialog is always a person's).
        """
        if self.actor_id is None:
            if refusal is not None:
                raise PermissionDenied(refusal)
            raise ValueError("only a person does this, not a job or the CLI")
        return self.actor_id


class AlreadyProcessed(Exception):
    """The update that asked for this was handled before; do nothing again."""


class UpdateMarks(Protocol):
    """The record of the updates already handled."""

    async def mark(self, update_id: int) -> bool:
        """Mark an update as handled; False when it was already."""
        ...


class ClaimsUpdates(Protocol):
    """A unit of work that records handled updates."""

    @property
    def updates(self) -> UpdateMarks:
        """The handled-update record of this unit of work."""
        ...


async def claim_update(uow: ClaimsUpdates, origin: Origin) -> None:
    """Mark the origin's update as handled inside `uow`; raise if it was already."""
    if origin.update_id is not None and not await uow.updates.mark(origin.update_id):
        raise AlreadyProcessed(origin.update_id)
