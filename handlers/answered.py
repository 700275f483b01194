"""Take the buttons off a question once it is answered, so old keyboards do not look live."""

from __future__ import annotations

import contextlib

from telegram import CallbackQuery, Message
from telegram.error import BadRequest

from handlers.context import TongxinContext


def has_buttons(message: object) -> bool:
    """True when a message (as Telegram last showed it) still carries inline buttons."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    return any(message.reply_markup.inline_keyboard)


async def drop_buttons(query: CallbackQuery) -> None:
    """Remove the buttons of the message whose button was pressed; never an empty edit.

    A message without buttons is left alone (the edit would change nothing, which Telegram
    refuses); one too old to edit keeps its buttons, which are checked when pressed anyway.
    """
    if not has_buttons(query.message):
        return
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)


async def drop_buttons_of(context: TongxinContext, chat_id: int, message_id: int) -> None:
    """Remove the buttons of a question answered by typing (its id was kept when asked)."""
    with contextlib.suppress(BadRequest):
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
