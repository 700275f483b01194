"""The audit trail: who changed what, and when, written in the same unit of work as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.clock import Clock
from domain.kernel.origin import Origin


@dataclass(frozen=True)
class AuditEvent:
    """Who changed what, when: written in the same unit of work as the change."""

    actor_id: int | None
    action: str
    subject: str
    before: str | None
    after: str | None
    at: datetime


class AuditRecorder(Protocol):
    """Where audit events are appended."""

    async def record(self, event: AuditEvent) -> None:
        """Append one event."""
        ...


class KeepsAudit(Protocol):
    """A unit of work with an audit log."""

    @property
    def audit(self) -> AuditRecorder:
        """The audit log of this unit of work."""
        ...


async def record_audit(
    uow: KeepsAudit,
    clock: Clock,
    origin: Origin,
    action: str,
    subject: str,
    before: object,
    after: object,
) -> None:
    """Append who changed what, and when, to the unit of work's audit log."""
    await uow.audit.record(
        AuditEvent(
            actor_id=origin.actor_id,
            action=action,
            subject=subject,
            before=None if before is None else str(before),
            after=None if after is None else str(after),
            at=clock.now(),
        )
    )
