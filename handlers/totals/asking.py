"""The appeal number a totals command is given: read once, refused clearly when bad."""

from __future__ import annotations

from telegram import Update

from domain.errors import N_
from domain.parsing.integers import parse_id
from handlers.common import private_command, reply
from handlers.context import Reader, TongxinContext
from handlers.render import escape
from handlers.totals.render import Voice


def appeal_number(reader: Voice, text: str, command: str) -> int | str | None:
    """The appeal number written after a command: None when none, the refusal when bad."""
    written = text.strip().lstrip("#")
    if not written:
        return None
    number = parse_id(written)
    if number is None:
        return reader.t(N_("Write the appeal's number, e.g. /{command} 12"), command=command)
    return number


async def appeal_perhaps_asked(
    update: Update, context: TongxinContext, command: str
) -> tuple[Reader, int | None] | None:
    """The reader and the appeal number (None: none written) of a private command; a bad
    number is answered."""
    asked = await private_command(update, context)
    if asked is None:
        return None
    reader, words = asked
    number = appeal_number(reader, words, command)
    if isinstance(number, str):
        await reply(update, escape(number))
        return None
    return reader, number


async def appeal_asked(
    update: Update, context: TongxinContext, command: str
) -> tuple[Reader, int] | None:
    """The reader and the appeal number of a private command that needs one (else answered)."""
    asked = await appeal_perhaps_asked(update, context, command)
    if asked is None:
        return None
    reader, number = asked
    if number is None:
        written = reader.t(N_("Write the appeal's number, e.g. /{command} 12"), command=command)
        await reply(update, escape(written))
        return None
    return reader, number
