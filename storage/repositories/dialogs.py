"""What the dialog engine keeps: open dialogs (versioned rows) and handled updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.clock import Clock, SystemClock
from domain.dialogs import Dialog
from domain.errors import N_, Conflict
from storage.models.network import DialogRow, ProcessedUpdateRow
from storage.repositories.statements import execute_count, insert_ignoring_conflicts, table_of

# -- dialogs ----------------------------------------------------------------------------------

STALE_DIALOG = N_("This conversation changed elsewhere in the meantime. Please try again.")
_DIALOGS = table_of(DialogRow)
#: The statements of every dialog answer, built once (building one and its cache key cost
#: about as much as SQLite running it). The update's SET clause comes from its parameters.
_DIALOG_OF = select(_DIALOGS).where(_DIALOGS.c.person_id == bindparam("person_id"))
_DIALOG_DELETE = delete(_DIALOGS).where(_DIALOGS.c.person_id == bindparam("person_id"))
_DIALOG_UPDATE = update(_DIALOGS).where(
    _DIALOGS.c.person_id == bindparam("of_person"), _DIALOGS.c.version == bindparam("read")
)


def _dialog(row: Any) -> Dialog:
    return Dialog(
        person_id=row.person_id,
        kind=row.kind,
        data=dict(row.data or {}),
        version=row.version,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
    )


class SqlDialogRepository:
    """Open dialogs in the `dialog` table, saved with optimistic concurrency on `version`.

    It works on the table (Core statements), never on ORM objects, so no stale copy
    lingers in the session's identity map between a read and a versioned write.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._table = table_of(DialogRow)

    async def get(self, person_id: int) -> Dialog | None:
        """Return the person's open dialog."""
        result = await self._session.execute(_DIALOG_OF, {"person_id": person_id})
        row = result.first()
        return None if row is None else _dialog(row)

    async def save(self, dialog: Dialog) -> None:
        """Insert (version 0) or update the version read; raise `Conflict` if it moved on."""
        values = {
            "kind": dialog.kind,
            "data": dialog.data,
            "updated_at": dialog.updated_at,
            "expires_at": dialog.expires_at,
            "version": dialog.version + 1,
        }
        if dialog.version == 0:
            statement: Any = insert_ignoring_conflicts(self._session, self._table)
            parameters = {"person_id": dialog.person_id, **values}
        else:
            statement = _DIALOG_UPDATE
            parameters = {"of_person": dialog.person_id, "read": dialog.version, **values}
        if await execute_count(self._session, statement, parameters) != 1:
            raise Conflict(STALE_DIALOG)
        dialog.version += 1

    async def delete(self, person_id: int) -> None:
        """Close the person's dialog."""
        await self._session.execute(_DIALOG_DELETE, {"person_id": person_id})

    async def expired(self, now: datetime, limit: int) -> list[Dialog]:
        """Return up to `limit` dialogs whose expiry has passed, oldest first.

        On PostgreSQL the rows are locked and rows another sweep holds are skipped, so two
        replicas sweeping at once do not both close (and announce) the same dialog.
        """
        result = await self._session.execute(
            select(self._table)
            .where(self._table.c.expires_at.is_not(None), self._table.c.expires_at <= now)
            .order_by(self._table.c.expires_at, self._table.c.person_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_dialog(r) for r in result]


# -- processed updates ------------------------------------------------------------------------


class SqlProcessedUpdates:
    """Update ids already handled, in the `processed_update` table."""

    def __init__(self, session: AsyncSession, clock: Clock | None = None) -> None:
        self._session = session
        self._clock: Clock = clock or SystemClock()
        self._table = table_of(ProcessedUpdateRow)

    async def seen(self, update_id: int) -> bool:
        """True when this update was handled before."""
        found = await self._session.scalar(
            select(self._table.c.update_id).where(self._table.c.update_id == update_id)
        )
        return found is not None

    async def mark(self, update_id: int) -> bool:
        """Record the update atomically; False (transaction intact) when it already was."""
        statement = insert_ignoring_conflicts(self._session, self._table)
        parameters = {"update_id": update_id, "at": self._clock.now()}
        return await execute_count(self._session, statement, parameters) == 1
