"""The Bot API call that delivers one outbox message: a new message, a photo or an edit."""

from __future__ import annotations

import json
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode

from domain.outbox.models import Delivery, MediaKind


def keyboard_from_json(buttons: str | None) -> InlineKeyboardMarkup | None:
    """Turn the outbox's stored keyboard (rows of {text, url|callback_data}) into markup."""
    if not buttons:
        return None
    rows: list[list[dict[str, str]]] = json.loads(buttons)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b["text"], url=b["url"])
                if "url" in b
                else InlineKeyboardButton(b["text"], callback_data=b.get("callback_data"))
                for b in row
            ]
            for row in rows
        ]
    )


async def _send_media(
    bot: Any, delivery: Delivery, markup: InlineKeyboardMarkup | None
) -> Message:
    """A photo or document by its Telegram file id, the text as its caption."""
    send = (
        bot.send_photo
        if delivery.media_kind is MediaKind.PHOTO
        else bot.send_document
    )
    field = "photo" if delivery.media_kind is MediaKind.PHOTO else "document"
    message: Message = await send(
        chat_id=delivery.chat_id,
        caption=delivery.text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        **{field: delivery.media_file_id},
    )
    return message


async def deliver(bot: Any, delivery: Delivery) -> int | None:
    """Make the Bot API call of one outbox message; the id of the message it made."""
    markup = keyboard_from_json(delivery.buttons)
    if delivery.edit_message_id is not None:
        result = await bot.edit_message_text(
            text=delivery.text,
            chat_id=delivery.chat_id,
            message_id=delivery.edit_message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
        message_id = delivery.edit_message_id
        if isinstance(result, Message):
            message_id = result.message_id
    elif delivery.media_file_id is not None:
        message_id = (await _send_media(bot, delivery, markup)).message_id
    else:
        message = await bot.send_message(
            chat_id=delivery.chat_id,
            text=delivery.text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )
        message_id = message.message_id
    return message_id
