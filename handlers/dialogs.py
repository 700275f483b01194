"""The Telegram side of the dialog engine: one route for typed answers, presses and files.

Every dialog kind's buttons carry `<code>:<step>:<value>` (`button_data`; a button with no
value may also be `<code>:<step>`, the shape of the appeal dialog's older buttons); one callback
handler reads them, one text handler reads typed answers, one `/cancel` ends any dialog and
one sweep closes abandoned ones with the kind's note. A kind's view only shows turns: the
question asked now, the end, or what a late press means.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from telegram import InlineKeyboardButton, Message, Update
from telegram.error import Forbidden, TelegramError

from domain.dialogs import Dialog
from domain.dialogs.models import Accepts, Answer, Outcome, Pressed, Sent, Turn, Typed
from domain.errors import DomainError
from domain.kernel.origin import Origin
from handlers.answered import drop_buttons, drop_buttons_of, has_buttons
from handlers.common import (
    answer_stale_button,
    attempt,
    is_private,
    note_claimed,
    reader_for,
    refuse,
    reply,
)
from handlers.context import Reader, TongxinContext
from handlers.i18n import N_
from handlers.render import escape

log = logging.getLogger(__name__)

#: `<code>:<step>:<value>` (or `<code>:<step>`); Telegram allows 64 bytes of button data.
BUTTON = re.compile(r"^([a-z]{1,3}):([a-z_]{1,16})(?::([\w\-]{0,40}))?$")
MAX_BUTTON_DATA = 64
ALREADY_ANSWERED = N_("This question is already answered.")
NOT_UNDERSTOOD = N_("I did not understand that. Send /help to see what you can do.")


def button_data(code: str, step: str, value: str | int | None = "") -> str:
    """The data of a dialog's button: its kind's code, the step it answers, its value.

    A value of None leaves the value out (`<code>:<step>`), as older buttons were made.
    """
    data = f"{code}:{step}" if value is None else f"{code}:{step}:{value}"
    if not BUTTON.match(data) or len(data.encode()) > MAX_BUTTON_DATA:
        raise ValueError(f"not a dialog button: {data!r}")
    return data


def dialog_button(
    text: str, code: str, step: str, value: str | int | None = ""
) -> InlineKeyboardButton:
    """A button that answers `step` of a dialog of the kind with `code`."""
    return InlineKeyboardButton(text, callback_data=button_data(code, step, value))


class DialogView(Protocol):
    """How one dialog kind looks in Telegram: its questions, its end, its notes."""

    #: the kind it shows (the domain kind's `name`) and its buttons' code (the kind's `code`)
    kind: str
    code: str
    #: said once when an abandoned dialog of this kind is closed ("": closed without a note)
    expired_note: str
    #: said when a button of an answered question is pressed
    stale_note: str

    def keeps_buttons(self, update: Update, turn: Turn) -> bool:
        """True when `show` answers this press itself and its message keeps its buttons.

        For a list that takes several presses (pick groups, then Done); otherwise the press
        is answered and the pressed message loses its buttons.
        """
        ...

    async def prepare(
        self, update: Update, context: TongxinContext, reader: Reader, press: Pressed
    ) -> Pressed:
        """What the kind must ask Telegram before the answer (e.g. group membership)."""
        ...

    async def show(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> Message | None:
        """Show a turn: ask its question (return the message sent) or show the dialog's end."""
        ...


class View:
    """Defaults for a dialog view: presses need nothing from Telegram; stale is "answered"."""

    stale_note = ALREADY_ANSWERED

    async def prepare(
        self, update: Update, context: TongxinContext, reader: Reader, press: Pressed
    ) -> Pressed:
        """Nothing to check with Telegram."""
        return press

    def keeps_buttons(self, update: Update, turn: Turn) -> bool:
        """Every press answers its question: the pressed message loses its buttons."""
        return False


IdleWords = Callable[[Update, TongxinContext, Reader], Awaitable[bool]]


class DialogRouter:
    """Routes typed answers, presses, files and expiry to the engine and the views."""

    def __init__(self, idle: IdleWords | None = None, views: Sequence[DialogView] = ()) -> None:
        self._views = {view.kind: view for view in views}
        self._codes = {view.code: view for view in views}
        # words typed with no dialog open (`我捐500元` starts a pledge); True when taken
        self._idle = idle

    def view(self, kind: str) -> DialogView | None:
        """Return the view of a dialog kind."""
        return self._views.get(kind)

    def owns_press(self, data: object) -> bool:
        """True for the data of a button of a dialog kind on the engine (a handler's pattern)."""
        code, _, _ = str(data).partition(":")
        return code in self._codes

    # -- answers ---------------------------------------------------------------------------

    async def on_private_text(self, update: Update, context: TongxinContext) -> None:
        """Continue the person's dialog with what they typed, or say what the bot can do."""
        message = update.effective_message
        if not is_private(update) or message is None:
            return
        reader = await reader_for(update, context)
        if reader is None:
            return
        if await self._answer(update, context, reader, Typed(message.text or ""), None):
            return
        if self._idle is not None and await self._idle(update, context, reader):
            return
        await reply(update, escape(reader.t(NOT_UNDERSTOOD)))

    async def on_private_file(self, update: Update, context: TongxinContext) -> bool:
        """Give a photo or document to the open dialog; False when no dialog takes it."""
        message = update.effective_message
        if not is_private(update) or message is None:
            return False
        found = _file_of(message)
        if found is None:
            return False
        reader = await reader_for(update, context)
        if reader is None:
            return True
        return await self._answer(update, context, reader, found, None)

    async def on_press(self, update: Update, context: TongxinContext) -> None:
        """A press of a dialog's button: the engine checks its step against the dialog's."""
        query = update.callback_query
        reader = await reader_for(update, context)
        if query is None or reader is None:
            return
        match = BUTTON.match(query.data or "")
        view = self._codes.get(match.group(1)) if match else None
        if match is None or view is None:
            await answer_stale_button(update, reader)
            return
        press = await view.prepare(update, context, reader, Pressed(match[2], match[3] or ""))
        await self._answer(update, context, reader, press, view.kind)

    async def _answer(
        self,
        update: Update,
        context: TongxinContext,
        reader: Reader,
        answer: Answer,
        kind: str | None,
    ) -> bool:
        """Give the answer to the engine and show the turn; False when no dialog took it."""
        engine = context.services.dialog_engine
        try:
            turn = await engine.answer(Origin(reader.person.id, update.update_id), answer, kind)
        except DomainError as error:
            await refuse(update, reader, error)
            return True
        if turn.outcome is Outcome.NO_DIALOG:
            if kind is None:
                return False
            await answer_stale_button(update, reader)
            return True
        await self.show(update, context, reader, turn)
        return True

    async def show(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> None:
        """Show a turn of the engine with its kind's view."""
        view = self._views.get(turn.kind)
        if view is None:
            note_claimed(context)
            return
        await show_turn(update, context, reader, view, turn)

    async def sweep_expired(self, context: TongxinContext) -> list[int]:
        """Close abandoned dialogs with one note each; returns the people who blocked the bot."""
        blocked: list[int] = []
        services = context.services
        for dialog in await services.dialog_engine.sweep_expired():
            try:
                await self._note_expired(context, dialog)
            except Forbidden:
                blocked.append(dialog.person_id)
            except TelegramError as error:
                log.warning("expiry note to %s failed: %s", dialog.person_id, error)
        return blocked

    async def _note_expired(self, context: TongxinContext, dialog: Dialog) -> None:
        view = self._views.get(dialog.kind)
        if view is None or not view.expired_note:
            return
        services = context.services
        person = await services.network.person(dialog.person_id)
        language = person.language if person is not None else services.default_language
        text = services.translations.translate(language, view.expired_note)
        await context.bot.send_message(dialog.person_id, escape(text))


async def show_turn(
    update: Update, context: TongxinContext, reader: Reader, view: DialogView, turn: Turn
) -> None:
    """Show a turn of the engine (a begin's too): answer the press, drop answered buttons.

    Then the view shows the question or the end; a question that also takes a typed answer
    has its message id kept, so its buttons go when it is answered by typing.
    """
    query = update.callback_query
    if turn.outcome is Outcome.REPLAYED:
        note_claimed(context)
        return
    if turn.outcome is Outcome.STALE:
        if query is not None:
            await query.answer(reader.t(view.stale_note), show_alert=True)
        return
    note_claimed(context)
    if (
        query is not None
        and turn.outcome is not Outcome.LATE
        and not view.keeps_buttons(update, turn)
    ):
        await query.answer()
        await drop_buttons(query)
    chat = update.effective_chat
    pressed_id = query.message.message_id if query is not None and query.message else None
    if turn.answered_message_id not in (None, pressed_id) and chat is not None:
        await drop_buttons_of(context, chat.id, turn.answered_message_id)
    sent = await view.show(update, context, reader, turn)
    question = turn.question
    if (
        sent is not None
        and question is not None
        and turn.outcome is Outcome.ASKED
        and Accepts.TEXT in question.accepts
        and has_buttons(sent)
    ):
        await context.services.dialog_engine.remember_question(turn, sent.message_id)


def _file_of(message: Message) -> Sent | None:
    """The photo (largest size) or document of a message, as a dialog answer."""
    caption = message.caption or ""
    if message.photo:
        return Sent(message.photo[-1].file_id, "photo", caption)
    if message.document is not None:
        return Sent(message.document.file_id, "document", caption)
    return None


async def begin_dialog(
    update: Update, context: TongxinContext, reader: Reader, view: DialogView, draft: object
) -> None:
    """Open a dialog of the view's kind with `draft` and show its first turn; a refusal of
    the kind's begin check is told and opens nothing."""
    origin = Origin(reader.person.id, update.update_id)
    begun = context.services.dialog_engine.begin(origin, view.kind, draft)
    turn = await attempt(update, context, reader, begun, claims=False)
    if turn is not None:
        await show_turn(update, context, reader, view, turn)
