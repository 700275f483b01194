"""Ways into a pledge from outside the dialog: groups, deep links, plain words in private.

Pledging happens in private chat. In a group the bot never records a pledge and never
shows a name: `/pledge`, `/mypledges` and replies to an appeal that speak of giving get one
answer with a button that opens the private chat (prefilled where an amount was read).
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from domain.appeals.models import parse_appeal_deep_link
from domain.errors import N_, DomainError
from domain.pledges.choices import mentions_pledge
from domain.pledges.draft import (
    PledgeDraft,
    apply_prefill,
    natural_draft,
    parse_prefill_payload,
    prefill_from,
    prefill_payload,
    split_one_line,
)
from domain.pledges.ports import AmountReader
from handlers.common import command_arguments, member_of, private_reader, reader_for, refuse, reply
from handlers.context import Reader, TongxinContext
from handlers.lists import my_pledges
from handlers.render import escape

if TYPE_CHECKING:
    from handlers.pledges import PledgeFlow, PledgeHandlers

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


def private_link(context: TongxinContext, payload: str) -> str:
    """The `t.me` link that opens the private chat with this bot on `payload`."""
    username = context.services.bot_username or context.bot.username
    return f"https://t.me/{username}?start={payload}"


class PledgeEntries:
    """Group commands and replies, deep links, and `我捐500元` typed in private."""

    def __init__(self, flow: PledgeFlow, amounts: AmountReader, pledges: PledgeHandlers) -> None:
        self._flow = flow
        self._amounts = amounts
        self._pledges = pledges

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers; before the private /pledge, /mypledges and the core /start."""
        groups = filters.ChatType.GROUPS
        app.add_handler(
            CommandHandler("start", self.appeal_link, filters=filters.Regex(APPEAL_LINK))
        )
        app.add_handler(
            CommandHandler("start", self.private_link, filters=filters.Regex(PRIVATE_LINK))
        )
        app.add_handler(CommandHandler("pledge", self.group_pledge, filters=groups))
        app.add_handler(CommandHandler("mypledges", self.group_mine, filters=groups))
        app.add_handler(
            MessageHandler(
                groups & filters.TEXT & ~filters.COMMAND & REPLY_TO_APPEAL, self.group_reply
            )
        )

    async def _send_link(
        self, update: Update, reader: Reader, text: str, label: str, url: str
    ) -> None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(reader.t(label), url=url)]])
        await reply(update, escape(reader.t(text)), markup, quote=True)

    async def group_pledge(self, update: Update, context: TongxinContext) -> None:
        """`/pledge [APPEAL] [TEXT]` in a group: a button to the private chat, prefilled."""
        reader = await reader_for(update, context)
        message = update.effective_message
        chat = update.effective_chat
        if reader is None or message is None or chat is None:
            return
        payload = PLEDGE_PAYLOAD
        appeal_id, text = split_one_line(command_arguments(message))
        if appeal_id is not None:
            appeal = await context.services.pledges.appeal(appeal_id)
            if appeal is not None and appeal.is_open:
                prefill = prefill_from(self._amounts, text, appeal) if text else None
                payload = prefill_payload(appeal.id, chat.id, prefill)
        await self._send_link(
            update, reader, GO_PRIVATE, N_("Pledge in private"), private_link(context, payload)
        )

    async def group_mine(self, update: Update, context: TongxinContext) -> None:
        """`/mypledges` in a group: a button to the private chat, where the list is shown."""
        reader = await reader_for(update, context)
        if reader is None:
            return
        url = private_link(context, MINE_PAYLOAD)
        await self._send_link(update, reader, MINE_PRIVATE, N_("See my pledges"), url)

    async def group_reply(self, update: Update, context: TongxinContext) -> None:
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
        appeal = await context.services.pledges.appeal(linked[0])
        if appeal is None or not appeal.is_open:
            return
        text = message.text or ""
        prefill = prefill_from(self._amounts, text, appeal)
        if prefill is None and not mentions_pledge(text):
            return
        url = private_link(context, prefill_payload(appeal.id, chat.id, prefill))
        await self._send_link(
            update, reader, REPLY_THANKS, N_("Confirm my pledge privately"), url
        )

    async def private_link(self, update: Update, context: TongxinContext) -> None:
        """`/start pledge` or `/start mypledges` from a group's button."""
        reader = await private_reader(update, context)
        message = update.effective_message
        if reader is None or message is None:
            return
        match = PRIVATE_LINK.match(message.text or "")
        if match is not None and match.group(2) == MINE_PAYLOAD:
            await my_pledges(update, context)
            return
        await self._pledges.start_pledge(update, context, reader, "")

    async def appeal_link(self, update: Update, context: TongxinContext) -> None:
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
        draft = PledgeDraft(
            token=secrets.token_hex(8),
            currency=context.services.pledges.currency,
            source_chat_id=chat_id,
        )
        # the link names a group: it counts only if Telegram says the person is in it now
        in_group = await member_of(context, chat_id, reader.person.id)
        try:
            appeal = await context.services.pledges.linked_appeal(
                reader.person.id, appeal_id, chat_id if in_group else None
            )
            draft.choose_appeal(appeal)
            if prefill is not None:
                apply_prefill(draft, prefill, appeal, self._amounts)
        except DomainError as error:
            if prefill is not None and draft.appeal_chosen:
                await reply(update, escape(reader.t(N_("This link is not valid."))))
                return
            await refuse(update, reader, error)
            return
        await self._flow.begin(update, context, reader, draft, heading=appeal.title)

    async def private_words(
        self, update: Update, context: TongxinContext, reader: Reader
    ) -> bool:
        """`我捐500元` in private with no dialog open: start a pledge (it asks which appeal).

        True when the words were taken as a pledge; other words are left to the caller.
        """
        message = update.effective_message
        text = (message.text or "") if message is not None else ""
        if not mentions_pledge(text):
            return False
        services = context.services
        draft = natural_draft(
            secrets.token_hex(8),
            text,
            reader=self._amounts,
            appeal=None,
            today=services.pledges.today(reader.person.timezone),
            default_currency=services.pledges.currency,
        )
        if draft is None:
            await self._pledges.start_pledge(update, context, reader, "")
            return True
        await self._flow.begin(update, context, reader, draft)
        return True
