"""Updates that must not be handled: replays, edits, channel posts, other bots."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from handlers.common import reader_for, reply, seen_user, was_claimed
from handlers.context import Reader, TongxinContext
from handlers.flood import Verdict
from handlers.i18n import N_
from handlers.render import escape


def ignorable(update: Update) -> bool:
    """True for updates the bot deliberately does not answer (answering would be noise)."""
    if update.edited_message or update.channel_post or update.edited_channel_post:
        return True
    user = update.effective_user
    return bool(update.message and user is not None and user.is_bot)


async def drop_replays_and_noise(update: object, context: TongxinContext) -> None:
    """Stop an update that was handled before (webhook redelivery) or that is noise.

    The same read finds the person behind the update, so handlers need not read them again.
    """
    if not isinstance(update, Update):
        raise ApplicationHandlerStop
    if ignorable(update):
        raise ApplicationHandlerStop
    verdict = context.bot_data.flood.judge(update)
    if verdict is Verdict.DROP:
        await _drop_quietly(update, context)
        raise ApplicationHandlerStop
    user = update.effective_user
    who = seen_user(user) if user is not None and not user.is_bot else None
    services = context.services
    maybe_replayed = not context.bot_data.first_delivery(update.update_id)
    arrival = await services.network.arrive(update.update_id, who, maybe_replayed)
    if arrival.replayed:
        raise ApplicationHandlerStop
    if arrival.person is not None and context.reader is None:
        context.reader = Reader(arrival.person, services.translations)
    if verdict is Verdict.WARN:
        await _slow_down(update, context)
        raise ApplicationHandlerStop


async def _drop_quietly(update: Update, context: TongxinContext) -> None:
    """A flooding person's update: handled by doing nothing (a press's spinner stops)."""
    await context.services.network.mark_update(update.update_id)
    if update.callback_query is not None:
        await update.callback_query.answer()


async def _slow_down(update: Update, context: TongxinContext) -> None:
    """Tell a flooding person, once, that the bot will not answer for a little while."""
    await context.services.network.mark_update(update.update_id)
    reader = await reader_for(update, context)
    if reader is None:
        return
    text = reader.t(N_("You are sending messages faster than I can answer. I will ignore "
                       "what you send for the next few seconds; then carry on."))
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200], show_alert=True)
    else:
        await reply(update, escape(text))


async def mark_handled(update: object, context: TongxinContext) -> None:
    """Record the update as handled once every handler ran, unless a use case already did."""
    if isinstance(update, Update) and not was_claimed(context):
        await context.services.network.mark_update(update.update_id)
