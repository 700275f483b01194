"""Routes a person's free text to the dialog they have open (dialogs are rows, not memory)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from telegram import Update

from domain.dialogs import Dialog
from handlers.common import escape, is_private, reader_for, reply
from handlers.context import Reader, TongxinContext
from handlers.i18n import N_


class DialogFlow(Protocol):
    """A conversation kind (e.g. an appeal draft) that reads answers from free text."""

    kind: str

    async def on_text(
        self, update: Update, context: TongxinContext, reader: Reader, dialog: Dialog
    ) -> None:
        """Take the person's next answer."""
        ...

    async def on_expired(self, context: TongxinContext, dialog: Dialog) -> None:
        """Tell the person, once, that their abandoned dialog was closed."""
        ...


IdleWords = Callable[[Update, TongxinContext, Reader], Awaitable[bool]]


class DialogRouter:
    """Finds the person's open dialog and hands the message to its flow."""

    def __init__(self, flows: list[DialogFlow], idle: IdleWords | None = None) -> None:
        self._flows = {flow.kind: flow for flow in flows}
        # words typed with no dialog open (`我捐500元` starts a pledge); True when taken
        self._idle = idle

    def flow(self, kind: str) -> DialogFlow | None:
        """Return the flow for a dialog kind."""
        return self._flows.get(kind)

    async def on_private_text(self, update: Update, context: TongxinContext) -> None:
        """Continue the person's dialog, or say what the bot can do."""
        if not is_private(update) or update.effective_message is None:
            return
        reader = await reader_for(update, context)
        if reader is None:
            return
        dialog = await context.services.dialogs.current(reader.person.id)
        flow = self._flows.get(dialog.kind) if dialog is not None else None
        if dialog is None or flow is None:
            if self._idle is not None and await self._idle(update, context, reader):
                return
            await reply(
                update,
                escape(
                    reader.t(N_("I did not understand that. Send /help to see what you can do."))
                ),
            )
            return
        await flow.on_text(update, context, reader, dialog)
