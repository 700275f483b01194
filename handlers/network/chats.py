"""Group chats in chat: /chats, /link and its buttons, and following the bot's groups."""

from __future__ import annotations

import re

from telegram import (
    ChatMember,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError

from domain.errors import N_
from domain.kernel.origin import Origin
from domain.network.models import ChatStatus
from domain.parsing.integers import parse_chat_id
from handlers.common import (
    answer_stale_button,
    attempt,
    pressed,
    private_reader,
    reader_for,
    reply,
    seen_user,
)
from handlers.context import TongxinContext
from handlers.render import escape

LINK_CALLBACK = re.compile(r"^link:(-?[0-9]{1,19}):([0-9]{1,19})$")
MAX_LINK_BUTTONS = 90

_STATUS_NAMES = {
    ChatStatus.PENDING: N_("pending"),
    ChatStatus.APPROVED: N_("approved"),
    ChatStatus.LEFT: N_("left"),
    ChatStatus.BLOCKED: N_("blocked"),
}


class ChatHandlers:
    """The groups the bot is in, and linking them to organisations."""

    async def chats(self, update: Update, context: TongxinContext) -> None:
        """List group chats by status (admins, private chat)."""
        reader = await private_reader(update, context)
        if reader is None:
            return
        listed = context.services.network.chats(Origin(reader.person.id))
        chats = await attempt(update, context, reader, listed, claims=False)
        if chats is None:
            return
        if not chats:
            await reply(update, escape(reader.t(N_("I am not in any group yet."))))
            return
        names = {o.id: o.name for o in await context.services.network.organisations()}
        lines: list[str] = []
        for status in ChatStatus:
            group = [c for c in chats if c.status is status]
            if not group:
                continue
            lines.append(f"<b>{escape(reader.t(_STATUS_NAMES[status]))}</b> ({len(group)})")
            for chat in sorted(group, key=lambda c: c.title):
                org = names.get(chat.organisation_id or 0)
                suffix = f" → {escape(org)}" if org else ""
                lines.append(f"• {escape(chat.title)} <code>{chat.id}</code>{suffix}")
        await reply(update, "\n".join(lines))

    async def link(self, update: Update, context: TongxinContext) -> None:
        """Offer the organisations a group can be linked to (coordinators and admins)."""
        reader = await reader_for(update, context)
        chat = update.effective_chat
        if reader is None or chat is None:
            return
        if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
            await reply(update, escape(reader.t(N_("Use /link in the group you want to link."))))
            return
        network = context.services.network
        record = await network.chat(chat.id)
        if record is None or record.status is ChatStatus.LEFT:
            await network.bot_joined_chat(chat.id, chat.title or str(chat.id), chat.type)
        standing = await network.standing(reader.person.id)
        if not standing.is_coordinator:
            await reply(
                update, escape(reader.t(N_("Only coordinators and admins can link a group.")))
            )
            return
        linkable = network.linkable_organisations(reader.person.id, chat.id)
        choices = await attempt(update, context, reader, linkable, claims=False)
        if choices is None:
            return
        if not choices:
            await reply(
                update,
                escape(
                    reader.t(
                        N_(
                            "There is no organisation you can link this "
                            "group to. An admin adds them with /org add."
                        )
                    )
                ),
            )
            return
        rows = [
            [InlineKeyboardButton(org.name[:60], callback_data=f"link:{chat.id}:{org.id}")]
            for org in choices[:MAX_LINK_BUTTONS]
        ]
        await reply(
            update,
            escape(reader.t(N_("Which organisation does this group belong to?"))),
            InlineKeyboardMarkup(rows),
        )

    async def link_chosen(self, update: Update, context: TongxinContext) -> None:
        """Approve the group for the chosen organisation; the presser's rights are checked."""
        press = await pressed(update, context, LINK_CALLBACK, ids=(2,))
        if press is None:
            return
        query, reader, match = press
        message_chat = query.message.chat.id if query.message is not None else None
        chat_id = parse_chat_id(match.group(1))
        if chat_id is None or chat_id != message_chat:
            await answer_stale_button(update, reader)
            return
        linking = context.services.network.link_chat(
            Origin(reader.person.id, update.update_id), chat_id, int(match.group(2))
        )
        chat = await attempt(update, context, reader, linking)
        if chat is None:
            return
        names = {o.id: o.name for o in await context.services.network.organisations()}
        await query.answer()
        await query.edit_message_text(
            escape(
                reader.t(
                    N_(
                        "This group is now linked to “{name}”. "
                        "It will receive the network's appeals."
                    ),
                    name=names.get(chat.organisation_id or 0, "?"),
                )
            )
        )

    async def membership(self, update: Update, context: TongxinContext) -> None:
        """Follow the bot being added to or removed from a chat, or blocked in private."""
        change = update.my_chat_member
        if change is None:
            return
        network = context.services.network
        chat = change.chat
        if chat.type == ChatType.PRIVATE:
            if _is_gone(change):
                await network.mark_unreachable(chat.id)
            return
        if chat.type == ChatType.CHANNEL:
            return
        if _is_gone(change):
            await network.bot_left_chat(chat.id)
            return
        if _was_gone(change):
            _, introduce = await network.bot_joined_chat(
                chat.id, chat.title or str(chat.id), chat.type
            )
            if introduce:
                services = context.services
                language = services.default_language
                adder = change.from_user
                if adder is not None and not adder.is_bot:
                    language = (await network.seen(seen_user(adder))).language
                text = services.translations.translate(
                    language,
                    N_(
                        "Hello! I am Tongxin (同心). A coordinator must send /link here to "
                        "connect this group to the network."
                    ),
                )
                try:
                    await context.bot.send_message(chat.id, text)
                except TelegramError:
                    return

    async def migrated(self, update: Update, context: TongxinContext) -> None:
        """Keep a group's record when it became a supergroup."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id:
            await context.services.network.chat_migrated(
                message.chat.id, message.migrate_to_chat_id
            )
        elif message.migrate_from_chat_id:
            await context.services.network.chat_migrated(
                message.migrate_from_chat_id, message.chat.id, message.chat.title
            )

    async def renamed(self, update: Update, context: TongxinContext) -> None:
        """Follow a group's title change."""
        message = update.effective_message
        if message is None or not message.new_chat_title:
            return
        await context.services.network.chat_renamed(message.chat.id, message.new_chat_title)


def _is_gone(change: ChatMemberUpdated) -> bool:
    """True when the bot is no longer in the chat (left or banned)."""
    return change.new_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED)


def _was_gone(change: ChatMemberUpdated) -> bool:
    """True when the bot was not in the chat before this change."""
    return change.old_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED)
