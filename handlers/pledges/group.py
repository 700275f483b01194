"""Ways into a pledge from outside the dialog: groups, deep links, plain words in private.

Pledging happens in private chat. In a group the bot never records a pledge and never
shows a name: `/pledge`, `/mypledges` and replies to an appeal that speak of giving get one
answer with a button that opens the private chat (prefilled where an amount was read).
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from domain.appeals.models import parse_appeal_deep_link
from domain.errors import N_
from domain.pledges.choices import mentions_pledge
from domain.pledges.draft import PledgeRequest
from domain.pledges.one_line import (
    natural_draft,
    parse_prefill_payload,
    prefill_from,
    prefill_payload,
    split_one_line,
)
from handlers.common import command_arguments, member_of, private_reader, reader_for, reply
from handlers.context import Reader, TongxinContext
from handlers.lists import my_pledges
from handlers.pledges.dialogs import begin_pledge, new_draft
from handlers.render import escape

# deep-link payloads of the group buttons; an appeal's own links start with `a<number>`
PLEDGE_PAYLOAD = "pledge"
MINE_PAYLOAD = "mypledges"
APPEAL_LINK = re.compile(r"^/start(@\w+)?\s+a[0-9]", re.ASCII)
PRIVATE_LINK = re.compile(rf"^/start(@\w+)?\s+({PLEDGE_PAYLOAD}|{MINE_PAYLOAD})\s*$", re.ASCII)

GO_PRIVATE = N_(
    "Pledges are made in a private chat with me, so nothing about you is shown here. "
    "Tap the button to continue there."
)
MINE_PRIVATE = N_(
    "Your pledges are shown only in a private chat with me. Tap the button to see them there."
)
REPLY_THANKS = N_(
    "Thank you! Pledges are recorded in a private chat with me, so nothing is "
    "recorded here. Tap the button to confirm yours there."
)


def appeal_link_of(message: Message | None) -> tuple[int, int] | None:
    """The appeal (and group) a bot message's deep-link button points at, if any."""
    if message is None or message.from_user is None or not message.from_user.is_bot:
        return None
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for key in row:
            _, found, payload = (key.url or "").partition("?start=")
            if found:
                parsed = parse_appeal_deep_link(payload)
                if parsed is not None:
                    return parsed
    return None


class _ReplyToAppeal(filters.MessageFilter):
    """A reply to one of the bot's appeal messages (it carries a deep-link button)."""

    def filter(self, message: Message) -> bool:
        return appeal_link_of(message.reply_to_message) is not None


REPLY_TO_APPEAL = _ReplyToAppeal(name="reply_to_appeal")


def private_link_to(context: TongxinContext, payload: str) -> str:
    """The `t.me` link that opens the private chat with this bot on `payload`."""
    username = context.services.bot_username or context.bot.username
    return f"https://t.me/{username}?start={payload}"


def register_entries(app: Application) -> None:  # type: ignore[type-arg]
    """Add the handlers; before the private /pledge, /mypledges and the core /start."""
    groups = filters.ChatType.GROUPS
    app.add_handler(CommandHandler("start", appeal_link, filters=filters.Regex(APPEAL_LINK)))
    app.add_handler(CommandHandler("start", private_link, filters=filters.Regex(PRIVATE_LINK)))
    app.add_handler(CommandHandler("pledge", group_pledge, filters=groups))
    app.add_handler(CommandHandler("mypledges", group_mine, filters=groups))
    app.add_handler(
        MessageHandler(groups & filters.TEXT & ~filters.COMMAND & REPLY_TO_APPEAL, group_reply)
    )


async def _send_link(update: Update, reader: Reader, text: str, label: str, url: str) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(reader.t(label), url=url)]])
    await reply(update, escape(reader.t(text)), markup, quote=True)


async def group_pledge(update: Update, context: TongxinContext) -> None:
    """`/pledge [APPEAL] [TEXT]` in a group: a button to the private chat, prefilled."""
    reader = await reader_for(update, context)
    message = update.effective_message
    chat = update.effective_chat
    if reader is None or message is None or chat is None:
        return
    payload = PLEDGE_PAYLOAD
    appeal_id, text = split_one_line(command_arguments(message))
    if appeal_id is not None:
        pledges = context.services.pledges
        appeal = await pledges.appeal(appeal_id)
        if appeal is not None and appeal.is_open:
            prefill = prefill_from(pledges.amounts, text, appeal) if text else None
            payload = prefill_payload(appeal.id, chat.id, prefill)
    await _send_link(
        update, reader, GO_PRIVATE, N_("Pledge in private"), private_link_to(context, payload)
    )


async def group_mine(update: Update, context: TongxinContext) -> None:
    """`/mypledges` in a group: a button to the private chat, where the list is shown."""
    reader = await reader_for(update, context)
    if reader is None:
        return
    url = private_link_to(context, MINE_PAYLOAD)
    await _send_link(update, reader, MINE_PRIVATE, N_("See my pledges"), url)


async def group_reply(update: Update, context: TongxinContext) -> None:
    """`我们单位捐5万元` in reply to an appeal: nothing is recorded; a link opens the dialog.

    Only a reply that speaks of giving or names an amount is answered, once: the group
    is not flooded with answers to its chatter.
    """
    message = update.effective_message
    reader = await reader_for(update, context)
    chat = update.effective_chat
    linked = appeal_link_of(message.reply_to_message) if message is not None else None
    if reader is None or message is None or chat is None or linked is None:
        return
    pledges = context.services.pledges
    appeal = await pledges.appeal(linked[0])
    if appeal is None or not appeal.is_open:
        return
    text = message.text or ""
    prefill = prefill_from(pledges.amounts, text, appeal)
    if prefill is None and not mentions_pledge(text):
        return
    url = private_link_to(context, prefill_payload(appeal.id, chat.id, prefill))
    await _send_link(update, reader, REPLY_THANKS, N_("Confirm my pledge privately"), url)


async def private_link(update: Update, context: TongxinContext) -> None:
    """`/start pledge` or `/start mypledges` from a group's button."""
    reader = await private_reader(update, context)
    message = update.effective_message
    if reader is None or message is None:
        return
    match = PRIVATE_LINK.match(message.text or "")
    if match is not None and match.group(2) == MINE_PAYLOAD:
        await my_pledges(update, context)
        return
    await begin_pledge(update, context, reader, new_draft(context, PledgeRequest()))


async def appeal_link(update: Update, context: TongxinContext) -> None:
    """`/start a12_m100…` from an appeal's group button: open the dialog on that appeal."""
    reader = await private_reader(update, context)
    message = update.effective_message
    if reader is None or message is None:
        return
    parsed = parse_prefill_payload(command_arguments(message).split(" ")[0])
    if parsed is None:
        await reply(update, escape(reader.t(N_("This link is not valid."))))
        return
    appeal_id, chat_id, prefill = parsed
    # the link names a group: it counts only if Telegram says the person is in it now
    in_group = await member_of(context, chat_id, reader.person.id)
    request = PledgeRequest(appeal_id, member_chat=chat_id if in_group else None, prefill=prefill)
    await begin_pledge(update, context, reader, new_draft(context, request, chat_id))


async def private_words(update: Update, context: TongxinContext, reader: Reader) -> bool:
    """`我捐500元` in private with no dialog open: start a pledge (it asks which appeal).

    True when the words were taken as a pledge; other words are left to the caller.
    """
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    if not mentions_pledge(text):
        return False
    pledges = context.services.pledges
    draft = natural_draft(
        new_draft(context).token,
        text,
        amounts=pledges.amounts,
        appeal=None,
        today=pledges.today(reader.person.timezone),
        default_currency=pledges.currency,
    )
    await begin_pledge(update, context, reader, draft or new_draft(context, PledgeRequest()))
    return True
