"""The dialog row's plain operations, for dialogs not yet run by the engine (`engine.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.clock import Clock
from domain.dialogs.models import Dialog

if TYPE_CHECKING:
    from domain.ports import UnitOfWorkFactory

class DialogService:
    """Open, advance and close a person's dialog; each call is one unit of work."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def current(self, person_id: int) -> Dialog | None:
        """Return the person's open dialog, or None (an expired one counts as none)."""
        async with self._uow.read() as uow:
            dialog = await uow.dialogs.get(person_id)
        if dialog is None or dialog.expired(self._clock.now()):
            return None
        return dialog

    async def start(
        self, person_id: int, kind: str, data: dict[str, Any], update_id: int | None = None
    ) -> Dialog:
        """Begin a dialog, replacing whatever the person was doing.

        With `update_id`, the update is marked handled in the same transaction; when it was
        handled before, nothing changes (the dialog returned is not stored).
        """
        async with self._uow() as uow:
            dialog = Dialog(person_id, kind, dict(data))
            dialog.touch(self._clock.now())
            if update_id is not None and not await uow.updates.mark(update_id):
                return dialog
            await uow.dialogs.delete(person_id)
            await uow.dialogs.save(dialog)
            await uow.commit()
            return dialog

    async def save(self, dialog: Dialog, update_id: int | None = None) -> Dialog:
        """Store an answer; the update is marked handled in the same transaction."""
        async with self._uow() as uow:
            if update_id is not None and not await uow.updates.mark(update_id):
                return dialog
            dialog.touch(self._clock.now())
            await uow.dialogs.save(dialog)
            await uow.commit()
            return dialog

    async def close(self, person_id: int) -> Dialog | None:
        """End the person's dialog and return what it was."""
        async with self._uow() as uow:
            dialog = await uow.dialogs.get(person_id)
            if dialog is None:
                return None
            await uow.dialogs.delete(person_id)
            await uow.commit()
            return dialog

    async def sweep_expired(self, limit: int = 100) -> list[Dialog]:
        """Close dialogs abandoned for 24 hours and return them, so each gets one note."""
        async with self._uow() as uow:
            expired = await uow.dialogs.expired(self._clock.now(), limit)
            for dialog in expired:
                await uow.dialogs.delete(dialog.person_id)
            await uow.commit()
            return expired
