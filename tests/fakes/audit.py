"""Fake of `storage/repositories/audit.py`: the audit log."""

from __future__ import annotations

from domain.kernel.audit import AuditEvent
from tests.fakes.store import FakeStore


class FakeAuditLog:
    """Audit events in a `FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def record(self, event: AuditEvent) -> None:
        """Append one event."""
        self._store.audit.append(event)
