"""Small helpers every handler uses: who is speaking, in which language, and how to answer."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from telegram import CallbackQuery, ChatMember, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from domain.errors import DomainError
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.kernel.standing import RoleName
from domain.network.models import ChatStatus
from domain.network.service import SeenUser
from domain.parsing.integers import parse_id
from handlers.context import Reader, TongxinContext
from handlers.i18n import N_
from handlers.render import escape, refusal_text
from handlers.splitting import split_html

MAX_TEXT = 4096
T = TypeVar("T")
#: A PTB handler callback on our typed context.
Callback = Callable[[Update, TongxinContext], Coroutine[Any, Any, None]]


def seen_user(user: User) -> SeenUser:
    """Describe a Telegram user for the domain."""
    return SeenUser(
        id=user.id,
        name=user.full_name or str(user.id),
        username=user.username,
        language_code=user.language_code,
    )


async def reader_for(update: Update, context: TongxinContext) -> Reader | None:
    """Return the person behind the update (recorded on first sight), once per update."""
    if context.reader is not None:
        return context.reader
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    services = context.services
    person = await services.network.seen(seen_user(user))
    context.reader = Reader(person, services.translations)
    return context.reader


async def member_of(context: TongxinContext, chat_id: int, user_id: int) -> bool:
    """True when Telegram says the user is in that group now (its word, read at the time)."""
    if chat_id >= 0:
        return False
    # The id may come from outside (a deep link): Telegram is asked only about a group the
    # bot is in, as of any other it would only answer "chat not found".
    known = await context.services.network.chat(chat_id)
    if known is None or known.status is ChatStatus.LEFT:
        return False
    try:
        found = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return False
    present = found.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)
    restricted = found.status == ChatMember.RESTRICTED
    return present or (restricted and bool(getattr(found, "is_member", False)))


def note_claimed(context: TongxinContext) -> None:
    """Remember that a use case marked this update as processed in its own transaction."""
    context.update_claimed = True


def was_claimed(context: TongxinContext) -> bool:
    """True when a use case already marked this update processed (`mark_handled` may skip)."""
    return context.update_claimed


async def private_reader(update: Update, context: TongxinContext) -> Reader | None:
    """The reader of a command that belongs in a private chat; elsewhere it says so."""
    reader = await reader_for(update, context)
    if reader is None:
        return None
    if not is_private(update):
        await reply(
            update, escape(reader.t(N_("Please use this command in a private chat with me.")))
        )
        return None
    return reader


async def private_command(
    update: Update, context: TongxinContext
) -> tuple[Reader, str] | None:
    """The reader of a private command and the words after it (None: not for us here)."""
    reader = await private_reader(update, context)
    message = update.effective_message
    if reader is None or message is None:
        return None
    return reader, command_arguments(message)


async def private_read(
    update: Update, context: TongxinContext, read: Callable[[Reader, str], Awaitable[T]]
) -> tuple[Reader, T] | None:
    """A private command that reads what its words name (`read(reader, words)`): the reader
    and what was read; None when it is not for us here or was refused (the person is told
    why). A read claims nothing."""
    asked = await private_command(update, context)
    if asked is None:
        return None
    reader, words = asked
    found = await attempt(update, context, reader, read(reader, words), claims=False)
    return None if found is None else (reader, found)


async def private_mine(
    update: Update, context: TongxinContext, read: Callable[[int], Awaitable[T]]
) -> tuple[Reader, T] | None:
    """A private command about the reader's own things (`read(person id)`), as
    `private_read`: the reader and what was read, or None."""
    return await private_read(update, context, lambda reader, _: read(reader.person.id))


async def setting_command(
    update: Update,
    context: TongxinContext,
    read: Callable[[int], Awaitable[T]],
    switch: Callable[[Origin, bool], Awaitable[T]],
    other: Callable[[Origin, str], Awaitable[T] | None],
    usage: str,
) -> tuple[Reader, T] | None:
    """A private command that shows a setting (bare), turns it `off` or `on`, or changes it
    with another word (`other` gives its use case; None: not understood, the `usage` msgid
    is the answer). The reader and what the use case gave, None when nothing is to be shown.
    Only a change claims the update: the bare command reads."""
    asked = await private_command(update, context)
    if asked is None:
        return None
    reader, words = asked
    word = words.lower()
    origin = Origin(reader.person.id, update.update_id)
    if not word:
        use_case: Awaitable[T] | None = read(reader.person.id)
    elif word in ("off", "on"):
        use_case = switch(origin, word == "off")
    else:
        use_case = other(origin, word)
    if use_case is None:
        await reply(update, escape(reader.t(usage)))
        return None
    result = await attempt(update, context, reader, use_case, claims=bool(word))
    return None if result is None else (reader, result)


async def attempt(
    update: Update,
    context: TongxinContext,
    reader: Reader,
    use_case: Awaitable[T],
    *,
    claims: bool = True,
    answer_replay: bool = False,
) -> T | None:
    """Run a use case for the update: None when it refused (the person is told why) or the
    update was replayed (already marked processed; with `answer_replay` a replayed press is
    answered, so its button stops spinning). A use case that `claims` marks the update
    processed in its own transaction; a read does not."""
    try:
        result = await use_case
    except AlreadyProcessed:
        note_claimed(context)
        if answer_replay and update.callback_query is not None:
            await update.callback_query.answer()
        return None
    except DomainError as error:
        await refuse(update, reader, error)
        return None
    if claims:
        note_claimed(context)
    return result


def is_private(update: Update) -> bool:
    """True when the update comes from a private chat with the bot."""
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


async def reply(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    quote: bool = False,
) -> Message | None:
    """Answer in the update's chat with an HTML message, split if it is too long."""
    message = update.effective_message
    if message is None:
        return None
    chunks = split_text(text)
    sent: Message | None = None
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        sent = await message.reply_text(
            chunk,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if last else None,
            do_quote=quote,
            disable_web_page_preview=True,
        )
    return sent


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long HTML message so each part fits Telegram's limit and parses alone."""
    return split_html(text, limit)


async def refuse(update: Update, reader: Reader, error: DomainError) -> None:
    """Tell the person, in their language, why nothing happened (units in their words)."""
    text = refusal_text(reader, error)
    query = update.callback_query
    if query is not None:
        await query.answer(text[:200], show_alert=True)
        return
    await reply(update, escape(text))


async def answer_stale_button(update: Update, reader: Reader) -> None:
    """Answer a button press whose data we do not recognise or that is no longer valid."""
    if update.callback_query is not None:
        await update.callback_query.answer(
            reader.t(N_("This button is no longer valid.")), show_alert=True
        )


class Press(NamedTuple):
    """A button press whose data fits its handler's pattern, and who pressed it."""

    query: CallbackQuery
    reader: Reader
    match: re.Match[str]


async def pressed(
    update: Update,
    context: TongxinContext,
    pattern: re.Pattern[str],
    ids: tuple[int, ...] = (),
) -> Press | None:
    """The button press behind the update, if its data fits `pattern`.

    Button data comes from the client: data that does not fit, or whose groups numbered in
    `ids` are not ids in the 64-bit range (the one strict parser), is answered as a stale
    button and None comes back, as it does for an update that is not a person's press.
    """
    query = update.callback_query
    reader = await reader_for(update, context)
    if query is None or reader is None:
        return None
    match = pattern.match(query.data or "")
    if match is None or any(parse_id(match.group(i)) is None for i in ids):
        await answer_stale_button(update, reader)
        return None
    return Press(query, reader, match)


class ItemPress(NamedTuple):
    """A press of a `<code>:<action>:<id>` button: the action on which item, by whom."""

    query: CallbackQuery
    reader: Reader
    action: str
    item: int
    origin: Origin


async def item_pressed(
    update: Update, context: TongxinContext, pattern: re.Pattern[str]
) -> ItemPress | None:
    """The press of a button whose `pattern` has the action as group 1 and the item's id as
    group 2 (checked as an id, as `pressed` does); None when it is not such a press."""
    found = await pressed(update, context, pattern, ids=(2,))
    if found is None:
        return None
    query, reader, match = found
    origin = Origin(reader.person.id, update.update_id)
    return ItemPress(query, reader, match.group(1), int(match.group(2)), origin)


def command_arguments(message: Message) -> str:
    """Return the text after the command word, with surrounding space trimmed."""
    text = message.text or ""
    _, _, rest = text.partition(" ")
    if "\n" in text.split(" ", 1)[0]:
        rest = text.split("\n", 1)[1]
    return rest.strip()


@dataclass(frozen=True)
class CommandSpec:
    """A command of the menu: who sees it, where, and its description's msgid."""

    name: str
    description: str
    role: RoleName
    private: bool = True
    group: bool = False


def add_commands(
    app: Application[Any, Any, Any, Any, Any, Any],
    commands: Mapping[str, Callback],
    buttons: Mapping[str, Callback] | None = None,
) -> None:
    """Put a feature's handlers on the application: each `/command` to its callback, and
    each button code to the callback of the presses whose data is `<code>:…`."""
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback))
    for code, pressed_callback in (buttons or {}).items():
        app.add_handler(CallbackQueryHandler(pressed_callback, pattern=rf"^{code}:"))
