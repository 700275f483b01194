"""What appeals need from storage."""

from __future__ import annotations

from typing import Protocol

from domain.appeals.models import Appeal
from domain.outbox.service import OutboxUnitOfWork


class AppealRepository(Protocol):
    """Appeals with their needs and recipients."""

    async def add(self, appeal: Appeal) -> Appeal:
        """Insert an appeal with its needs and recipients; return it with ids filled in."""
        ...

    async def get(self, appeal_id: int) -> Appeal | None:
        """Return one appeal with its needs and recipients."""
        ...

    async def by_draft_key(self, draft_key: str) -> Appeal | None:
        """Return the appeal published from one draft, if any."""
        ...

    async def save(self, appeal: Appeal) -> None:
        """Write back an appeal's own fields (title, body, status, deadline, progress)."""
        ...

    async def open(self) -> list[Appeal]:
        """Return every open appeal, newest first."""
        ...

    async def unreported(self) -> list[Appeal]:
        """Return appeals whose broadcast report has not been sent yet."""
        ...


class AppealsUnitOfWork(OutboxUnitOfWork, Protocol):
    """A unit of work that also holds appeals."""

    appeals: AppealRepository


class AppealsUnitOfWorkFactory(Protocol):
    """Makes units of work with appeals and the outbox."""

    def __call__(self) -> AppealsUnitOfWork:
        """Return a new, unopened unit of work."""
        ...
