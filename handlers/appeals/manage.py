"""Managing a published appeal in chat: edit, extend, close (with totals), reopen, resend.

The buttons of /appeals (`am:<action>:<appeal>`) are checked on the presser, now; "Edit
text" and "Extend deadline" ask one typed question on the dialog engine
(`AppealManageKind`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from domain.appeals.dialog import MANAGE_KIND
from domain.appeals.models import Appeal
from domain.dialogs.engine import OneAnswer
from domain.errors import N_
from domain.kernel.origin import Origin
from domain.kernel.standing import RoleName
from domain.parsing.integers import parse_id
from handlers.answered import drop_buttons
from handlers.appeals.dialogs import group_renderer
from handlers.appeals.render import ClosingText
from handlers.common import (
    CommandSpec,
    ItemPress,
    answer_stale_button,
    attempt,
    item_pressed,
    private_command,
    reply,
)
from handlers.context import Reader, TongxinContext
from handlers.dialogs import DialogView, show_turn
from handlers.render import escape

MANAGE_BUTTON = re.compile(
    r"^am:(edit|extend|close|closeok|keep|reopen|resend):([0-9]{1,19})$"
)
MANAGE_COMMANDS = (CommandSpec("reopen", N_("Reopen a closed appeal"), RoleName.ADMIN),)

Action = Callable[[Update, TongxinContext, CallbackQuery, Reader, Appeal], Awaitable[None]]
#: the answers to "Close appeal #N?": said to be closed already once it is
ANSWERS_TO_CLOSE = frozenset({"closeok", "keep"})


class AppealManageHandlers:
    """The appeal buttons of /appeals and /reopen; permission checked on the presser, now."""

    def __init__(self, view: DialogView) -> None:
        self._view = view
        # what each button does to an appeal the presser may manage
        self._actions: dict[str, Action] = {
            "edit": self._ask_change,
            "extend": self._ask_change,
            "close": self._ask_to_close,
            "closeok": self._close,
            "keep": self._keep,
            "resend": self._resend,
        }

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Add the handlers to the application."""
        app.add_handler(CallbackQueryHandler(self.manage_button, pattern=r"^am:"))
        app.add_handler(CommandHandler("reopen", self.reopen_command))

    async def manage_button(self, update: Update, context: TongxinContext) -> None:
        """Edit, extend, close (asked first), reopen or resend one appeal."""
        press = await item_pressed(update, context, MANAGE_BUTTON)
        if press is None:
            return
        managing = self._manage(update, context, press)
        await attempt(update, context, press.reader, managing, claims=False, answer_replay=True)

    async def _manage(self, update: Update, context: TongxinContext, press: ItemPress) -> None:
        """What the pressed button does to the appeal, if the presser may manage it."""
        query, reader, action, appeal_id, _ = press
        if action == "reopen":
            await self._reopen(update, context, reader, appeal_id)
            return
        services = context.services
        appeal = await services.appeals.get(appeal_id)
        if not await services.appeals.may_manage(reader.person.id, appeal):
            await answer_stale_button(update, reader)
            return
        if action in ANSWERS_TO_CLOSE and not appeal.is_open:
            await _answered_closed(query, reader, appeal)
            return
        await self._actions[action](update, context, query, reader, appeal)

    async def _ask_change(
        self, update: Update, context: TongxinContext, query: CallbackQuery, reader: Reader,
        appeal: Appeal,
    ) -> None:
        """Ask for the new text or deadline (a one-question dialog on the engine)."""
        if not appeal.is_open:
            await query.answer(reader.t(N_("This appeal is closed.")), show_alert=True)
            return
        action = (query.data or "").split(":")[1]
        turn = await context.services.dialog_engine.begin(
            Origin(reader.person.id, update.update_id), MANAGE_KIND, OneAnswer(action, appeal.id)
        )
        await show_turn(update, context, reader, self._view, turn)

    async def _keep(
        self, update: Update, context: TongxinContext, query: CallbackQuery, reader: Reader,
        appeal: Appeal,
    ) -> None:
        """The close question answered "keep it open"."""
        await query.edit_message_text(
            escape(reader.t(N_("Appeal #{number} stays open."), number=appeal.id))
        )
        await query.answer()

    async def _ask_to_close(
        self, update: Update, context: TongxinContext, query: CallbackQuery, reader: Reader,
        appeal: Appeal,
    ) -> None:
        if not appeal.is_open:
            await query.answer(
                reader.t(N_("Appeal #{number} is already closed."), number=appeal.id),
                show_alert=True,
            )
            return
        await query.answer()
        markup = InlineKeyboardMarkup(
            [[
                InlineKeyboardButton(reader.t(N_("Yes, close it")),
                                     callback_data=f"am:closeok:{appeal.id}"),
                InlineKeyboardButton(reader.t(N_("Keep it open")),
                                     callback_data=f"am:keep:{appeal.id}"),
            ]]
        )
        await reply(
            update,
            escape(reader.t(N_("Close appeal #{number} {title}? It takes no more pledges and "
                               "the groups get the final totals."),
                            number=appeal.id, title=appeal.title)),
            markup,
        )

    async def _close(
        self, update: Update, context: TongxinContext, query: CallbackQuery, reader: Reader,
        appeal: Appeal,
    ) -> None:
        """Close it: the groups' messages say so and each group gets the final totals."""
        services = context.services
        closing = ClosingText(services.translations, services.default_language)
        await services.appeals.close(
            Origin(reader.person.id, update.update_id), appeal.id,
            group_renderer(services), closing,
        )
        rows = []
        if (await services.network.standing(reader.person.id)).is_admin:
            rows = [[InlineKeyboardButton(
                reader.t(N_("Reopen")), callback_data=f"am:reopen:{appeal.id}"
            )]]
        await query.edit_message_text(
            escape(reader.t(N_("Appeal #{number} is closed; the groups get the final "
                               "totals."), number=appeal.id)),
            reply_markup=InlineKeyboardMarkup(rows) if rows else None,
        )
        await query.answer()  # after the edit: the presser sees both together

    async def _resend(
        self, update: Update, context: TongxinContext, query: CallbackQuery, reader: Reader,
        appeal: Appeal,
    ) -> None:
        """Send it to the approved groups of its audience that lack it."""
        services = context.services
        count = await services.appeals.resend(
            Origin(reader.person.id, update.update_id), appeal.id, group_renderer(services)
        )
        await query.answer()
        text = (
            reader.t(N_("Appeal #{number} goes to {count} more groups."),
                     number=appeal.id, count=count)
            if count
            else reader.t(N_("Every group of appeal #{number} has it already."),
                          number=appeal.id)
        )
        await reply(update, escape(text))

    async def _reopen(
        self, update: Update, context: TongxinContext, reader: Reader, appeal_id: int
    ) -> None:
        services = context.services
        appeal = await services.appeals.reopen(
            Origin(reader.person.id, update.update_id), appeal_id, group_renderer(services)
        )
        text = escape(reader.t(N_("Appeal #{number} is open again; the groups' messages will "
                                  "say so."), number=appeal.id))
        if update.callback_query is not None:
            # the Reopen button is used up: gone before the answer, so no second press races
            await drop_buttons(update.callback_query)
            await update.callback_query.answer()
        await reply(update, text)

    async def reopen_command(self, update: Update, context: TongxinContext) -> None:
        """`/reopen N` (admins): reopen a closed appeal."""
        asked = await private_command(update, context)
        if asked is None:
            return
        reader, words = asked
        appeal_id = parse_id(words.lstrip("#"))
        if appeal_id is None:
            await reply(update, escape(reader.t(N_("Write the appeal's number: /reopen 12"))))
            return
        reopening = self._reopen(update, context, reader, appeal_id)
        await attempt(update, context, reader, reopening, claims=False)


async def _answered_closed(query: CallbackQuery, reader: Reader, appeal: Appeal) -> None:
    """The close question answered before (or the appeal closed meanwhile): say so."""
    # Only the question's own buttons go: a late press on a message already turned into
    # "closed" must not take its Reopen away. Dropped before the answer, so a press made
    # once the presser sees the answer finds the message as it will stay.
    if _shows_close_question(query, appeal):
        await drop_buttons(query)
    await query.answer(
        reader.t(N_("Appeal #{number} is already closed."), number=appeal.id), show_alert=True
    )


def _shows_close_question(query: CallbackQuery, appeal: Appeal) -> bool:
    """True when the pressed message still carries the answers to "Close appeal #N?"."""
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    if markup is None:
        return False
    answers = {f"am:{action}:{appeal.id}" for action in ANSWERS_TO_CLOSE}
    return any(
        button.callback_data in answers for row in markup.inline_keyboard for button in row
    )
