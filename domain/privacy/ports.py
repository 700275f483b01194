"""What privacy needs from storage, as protocols."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.kernel.units import MakesUnits
from domain.network.models import Language
from domain.network.ports import AuditLog, UnitOfWork
from domain.privacy.models import AuditEntry, AuditSubject


class PrivacyRepository(Protocol):
    """Reading and erasing what identifies a person, across every table that names them."""

    async def counts(self, person_id: int) -> tuple[int, int, int, bool]:
        """Pledges, offers and queued messages of the person, and whether a dialog is open."""
        ...

    async def forget(self, person_id: int, language: Language, timezone: str) -> int:
        """Replace the person's Telegram id by their anonymous id everywhere; erase the rest.

        Name, username and language go; dialogs, roles, messages to them and the kept
        updates they sent are deleted, open offers withdrawn; pledges, deliveries, offers and
        appeals keep every amount and now name the anonymous id. Returns that id (negative,
        stable).
        """
        ...

    async def retention_due(self, closed_before: datetime, limit: int) -> dict[int, list[int]]:
        """Pledges still naming a person in appeals closed before that moment, per person."""
        ...

    async def detach(
        self, person_id: int, pledge_ids: list[int], language: Language, timezone: str,
        now: datetime,
    ) -> int:
        """Move these pledges (and the person's delivery reports of them) to a new anonymous id."""
        ...


class AuditTrail(AuditLog, Protocol):
    """The audit log, read back for admins; it has no way to change or delete an entry."""

    async def history(self, subject: AuditSubject, limit: int) -> list[AuditEntry]:
        """The entries of a pledge (with its deliveries) or an appeal, oldest first."""
        ...


class PrivacyUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also reaches the privacy repository and the readable audit."""

    privacy: PrivacyRepository
    audit_trail: AuditTrail


class PrivacyUnitOfWorkFactory(MakesUnits[PrivacyUnitOfWork], Protocol):
    """Makes units of work for the privacy service."""

    def read(self) -> PrivacyUnitOfWork:
        """Return a unit of work for one read."""
        ...
