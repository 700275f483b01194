"""The appeal number a totals command is given: read once, refused clearly when bad."""

from __future__ import annotations

from telegram import Update

from domain.errors import N_
from domain.parsing.integers import parse_id
from handlers.common import command_arguments, private_reader, reply
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


async def appeal_asked(
    update: Update, context: TongxinContext, command: str
) -> tuple[Reader, int] | None:
    """The reader and the appeal number of a private command that needs one (else answered)."""
    reader = await private_reader(update, context)
    message = update.effective_message
    if reader is None or message is None:
        return None
    number = appeal_number(reader, command_arguments(message), command)
    if number is None:
        number = reader.t(N_("Write the appeal's number, e.g. /{command} 12"), command=command)
    if isinstance(number, str):
        await reply(update, escape(number))
        return None
    return reader, number
