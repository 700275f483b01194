"""What the dialog engine needs from storage: the dialog rows and the handled-update marks."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from domain.dialogs.models import Dialog


class DialogRepository(Protocol):
    """Open dialogs, one per person at most."""

    async def get(self, person_id: int) -> Dialog | None:
        """Return the person's open dialog."""
        ...

    async def save(self, dialog: Dialog) -> None:
        """Insert or update; raises `Conflict` when another process saved it first."""
        ...

    async def delete(self, person_id: int) -> None:
        """Close the person's dialog."""
        ...

    async def expired(self, now: datetime, limit: int) -> list[Dialog]:
        """Return dialogs whose expiry has passed."""
        ...


class UpdateMarks(Protocol):
    """Marks of handled Telegram updates (a unit of work's `updates`)."""

    async def mark(self, update_id: int) -> bool:
        """Record the update as handled; False when it already was."""
        ...


class DialogUnitOfWork(Protocol):
    """The part of a unit of work the engine itself uses; every feature's unit of work has it."""

    dialogs: DialogRepository
    updates: UpdateMarks

    async def __aenter__(self) -> Self:
        """Open the transaction."""
        ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None:
        """Make the work durable."""
        ...
