"""Greeting, help, language, cancel, and what to say to anything else."""

from __future__ import annotations

import contextlib
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from domain.dialogs.models import Outcome
from domain.kernel.origin import Origin
from domain.kernel.standing import RoleName
from domain.network.models import Language
from handlers.commands import commands_for_standing
from handlers.common import (
    CommandSpec,
    add_commands,
    answer_stale_button,
    attempt,
    is_private,
    note_claimed,
    pressed,
    private_reader,
    reader_for,
    reply,
)
from handlers.context import TongxinContext
from handlers.i18n import LANGUAGE_NAMES, N_
from handlers.render import escape

log = logging.getLogger(__name__)

LANG_CALLBACK = re.compile(r"^lang:(zh-Hans|zh-Hant|en)$")
UNKNOWN_COMMAND = N_("I do not know that command. Send /help to see the commands you can use.")
NOT_TEXT = N_("I read text messages and buttons only. Send /help to see what you can do.")

_ROLE_INTRO = {
    RoleName.MEMBER: N_(
        "Tongxin (同心) helps our network answer appeals in an emergency. When a coordinator "
        "posts an appeal in your group, tap its button to pledge money, goods, a service or "
        "your time. I keep every pledge and remind you until it is delivered."
    ),
    RoleName.COORDINATOR: N_(
        "You are a coordinator. You can link your groups to the network with /link, write "
        "appeals that reach every group in your part of the network, and follow up pledges."
    ),
    RoleName.ADMIN: N_(
        "You are an admin. You manage the organisations (/org), the groups (/chats) and who "
        "coordinates what (/grant, /revoke), and you see every total."
    ),
}


class CoreHandlers:
    """/start, /help, /lang, /cancel and the fallbacks."""

    def __init__(self, commands: tuple[CommandSpec, ...]) -> None:
        self._commands = commands

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers to the application."""
        add_commands(
            app,
            {"start": self.start, "help": self.help, "lang": self.lang, "cancel": self.cancel},
            {"lang": self.lang_chosen},
        )

    def register_fallbacks(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the catch-all handlers; call after every feature registered its own."""
        app.add_handler(MessageHandler(filters.COMMAND, self.unknown_command))
        app.add_handler(
            MessageHandler(
                filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                self.not_text,
            )
        )
        app.add_handler(CallbackQueryHandler(self.unknown_button))

    async def start(self, update: Update, context: TongxinContext) -> None:
        """Greet the person and say what the bot does for their role."""
        reader = await reader_for(update, context)
        if reader is None:
            return
        if not is_private(update):
            await reply(update, escape(reader.t(N_("Write to me in private to get started."))))
            return
        standing = await context.services.network.standing(reader.person.id)
        lines = [
            reader.t(N_("Hello, {name}!"), name=escape(reader.person.name)),
            "",
            escape(reader.t(_ROLE_INTRO[RoleName.MEMBER])),
        ]
        if standing.highest is not RoleName.MEMBER:
            lines += ["", escape(reader.t(_ROLE_INTRO[standing.highest]))]
        lines += [
            "",
            escape(reader.t(N_("Send /help to see your commands, /lang to change the language."))),
        ]
        await reply(update, "\n".join(lines))

    async def help(self, update: Update, context: TongxinContext) -> None:
        """List exactly the commands this person may use here."""
        reader = await reader_for(update, context)
        if reader is None:
            return
        standing = await context.services.network.standing(reader.person.id)
        usable = commands_for_standing(self._commands, standing, private=is_private(update))
        lines = [f"<b>{escape(reader.t(N_('Your commands')))}</b>"]
        lines += [f"/{c.name} — {escape(reader.t(c.description))}" for c in usable]
        await reply(update, "\n".join(lines))

    async def lang(self, update: Update, context: TongxinContext) -> None:
        """Offer the three languages as buttons (private chat: groups get /help and /link)."""
        reader = await private_reader(update, context)
        if reader is None:
            return
        buttons = [
            InlineKeyboardButton(
                ("✓ " if language is reader.language else "") + LANGUAGE_NAMES[language],
                callback_data=f"lang:{language.value}",
            )
            for language in Language
        ]
        await reply(
            update, escape(reader.t(N_("Choose your language:"))), InlineKeyboardMarkup([buttons])
        )

    async def lang_chosen(self, update: Update, context: TongxinContext) -> None:
        """Switch the person's language and confirm in the new one."""
        press = await pressed(update, context, LANG_CALLBACK)
        if press is None:
            return
        query, reader, match = press
        chosen = context.services.network.set_language(
            Origin(reader.person.id, update.update_id), Language(match.group(1))
        )
        person = await attempt(update, context, reader, chosen, claims=False)
        if person is None:
            return
        reader.person = person
        await query.answer()
        await query.edit_message_text(
            escape(
                reader.t(
                    N_("I will speak {language} with you."),
                    language=LANGUAGE_NAMES[person.language],
                )
            )
        )

    async def cancel(self, update: Update, context: TongxinContext) -> None:
        """Leave whatever the person was doing (a private dialog: said in private)."""
        reader = await private_reader(update, context)
        if reader is None:
            return
        engine = context.services.dialog_engine
        turn = await engine.cancel(Origin(reader.person.id, update.update_id))
        note_claimed(context)
        if turn.outcome is Outcome.CANCELLED:
            await reply(update, escape(reader.t(N_("Cancelled. Nothing was saved."))))
        elif turn.outcome is Outcome.NO_DIALOG:
            await reply(update, escape(reader.t(N_("There was nothing to cancel."))))

    async def unknown_command(self, update: Update, context: TongxinContext) -> None:
        """Answer an unknown command in private; stay quiet in groups."""
        if is_private(update):
            await _say(update, context, UNKNOWN_COMMAND)

    async def not_text(self, update: Update, context: TongxinContext) -> None:
        """Answer stickers, photos and the like in private with what the bot reads."""
        await _say(update, context, NOT_TEXT)

    async def unknown_button(self, update: Update, context: TongxinContext) -> None:
        """Answer a press of a button whose data matches nothing we sent."""
        reader = await reader_for(update, context)
        if reader is None:
            return
        await answer_stale_button(update, reader)


async def _say(update: Update, context: TongxinContext, msgid: str) -> None:
    """Answer the update with one sentence in the person's language."""
    reader = await reader_for(update, context)
    if reader is not None:
        await reply(update, escape(reader.t(msgid)))


async def on_error(update: object, context: TongxinContext) -> None:
    """Log an unexpected failure and tell the person, briefly, in their language."""
    if isinstance(context.error, RetryAfter):
        # Telegram refused even the retried answer: another message would be refused too.
        log.warning("update %s: answer refused by flood control (%s)",
                    getattr(update, "update_id", "?"), context.error)
        return
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if isinstance(update, Update) and update.callback_query is not None:
        # a press whose handler failed must not leave the client's spinner turning
        with contextlib.suppress(Exception):
            await update.callback_query.answer()
    if not isinstance(update, Update) or not is_private(update):
        return
    if isinstance(context.error, Forbidden):
        if update.effective_user is not None:
            await context.services.network.mark_unreachable(update.effective_user.id)
        return
    try:
        reader = await reader_for(update, context)
        if reader is not None:
            await reply(update, escape(reader.t(
                N_("Something went wrong on my side; nothing was saved. Please try again.")
            )))
    except Exception:  # the error path must never raise again
        log.exception("could not report the failure of update %s", update.update_id)
