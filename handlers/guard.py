"""Updates that must not be handled: replays, edits, channel posts, other bots."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from handlers.context import TongxinContext


def ignorable(update: Update) -> bool:
    """True for updates the bot deliberately does not answer (answering would be noise)."""
    if update.edited_message or update.channel_post or update.edited_channel_post:
        return True
    user = update.effective_user
    return bool(update.message and user is not None and user.is_bot)


async def drop_replays_and_noise(update: object, context: TongxinContext) -> None:
    """Stop an update that was handled before (webhook redelivery) or that is noise."""
    if not isinstance(update, Update):
        raise ApplicationHandlerStop
    if ignorable(update):
        raise ApplicationHandlerStop
    if await context.services.network.update_seen(update.update_id):
        raise ApplicationHandlerStop


async def mark_handled(update: object, context: TongxinContext) -> None:
    """Record the update as handled once every handler ran (use cases may have already)."""
    if isinstance(update, Update):
        await context.services.network.mark_update(update.update_id)
