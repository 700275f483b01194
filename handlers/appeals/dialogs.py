"""The appeal dialogs in Telegram: each question, the preview, the broadcast's first line.

No question's message is kept for its buttons to go when it is answered by typing: the
needs and recipients lists take typed lines until Done is pressed, and the audience
question and the preview are asked again when words are typed at them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from domain.appeals.dialog import APPEAL_CODE, APPEAL_KIND, MANAGE_CODE, MANAGE_KIND, PREVIEW
from domain.appeals.draft import (
    AppealDraft,
    FundsTarget,
    GroupPicked,
    ListAdded,
    NeedLine,
    RecipientAdded,
)
from domain.appeals.models import Appeal
from domain.appeals.service import Published
from domain.dialogs.engine import OneAnswer
from domain.dialogs.models import Outcome, Pressed, Turn
from domain.errors import N_
from domain.outbox.models import BroadcastProgress
from handlers.appeals.render import (
    QUESTIONS,
    AppealRenderer,
    audience_question,
    list_answer,
    need_text,
    needs_question,
    preview_keyboard,
    progress_text,
    recipients_question,
)
from handlers.common import reply
from handlers.context import Reader, Services, TongxinContext
from handlers.dialogs import View
from handlers.render import escape, money_text

Confirm = Callable[[Reader, AppealDraft, Any], str]
_CONFIRMATIONS: dict[type, Confirm] = {
    NeedLine: lambda r, d, need: r.t(N_("Added: {need}"), need=need_text(need, r.language)),
    FundsTarget: lambda r, d, funds: r.t(
        N_("Funds target: {amount}"),
        amount=money_text(r.language, funds.minor, funds.currency),
    ),
    ListAdded: list_answer,
    RecipientAdded: lambda r, d, added: r.t(N_("Added: {need}"), need=added.name),
}


def group_renderer(services: Services) -> AppealRenderer:
    """The group-message renderer for this bot, in the network's language."""
    return AppealRenderer(services.translations, services.default_language, services.bot_username)


class AppealView(View):
    """The /appeal dialog: its questions, what each typed line added, the preview, the end."""

    kind = APPEAL_KIND
    code = APPEAL_CODE
    expired_note = N_("Your unfinished appeal was discarded after 24 hours.")

    async def prepare(
        self, update: Update, context: TongxinContext, reader: Reader, press: Pressed
    ) -> Pressed:
        """The pressed message's id (in the writer's chat): the preview's, to send from it."""
        query = update.callback_query
        message = query.message if query is not None else None
        pressed_id = (
            message.message_id
            if message is not None and message.chat.id == reader.person.id
            else None
        )
        return Pressed(press.step, press.value, pressed_id)

    def keeps_buttons(self, update: Update, turn: Turn) -> bool:
        """A group picked: the list stays for more picks. Send: one edit of the preview.

        The pressed preview becomes the progress message; editing its text takes its
        buttons away in the same call.
        """
        return isinstance(turn.result, GroupPicked) or turn.outcome is Outcome.FINISHED

    async def show(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> Message | None:
        """What the answer added, the next question, the preview, or the dialog's end."""
        if turn.outcome is Outcome.FINISHED:
            await self._published(update, context, reader, turn.result)
        elif turn.outcome is Outcome.CANCELLED:
            await reply(update, escape(reader.t(N_("The appeal was discarded."))))
        elif isinstance(turn.result, GroupPicked):
            if update.callback_query is not None:
                await update.callback_query.answer(reader.t(N_("Added.")))
        elif type(turn.result) in _CONFIRMATIONS:
            said = _CONFIRMATIONS[type(turn.result)](reader, turn.draft, turn.result)
            await reply(update, escape(said))
        elif turn.question is not None:
            await self._ask(update, context, reader, turn)
        return None  # see the module's docstring: no question is kept

    async def _ask(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> None:
        assert turn.question is not None
        step, shown = turn.question.step, turn.question.shown
        markup: InlineKeyboardMarkup | None
        if step == PREVIEW:
            text, markup = self._preview(context, reader, shown)
        elif step in _ASKERS:
            text, markup = _ASKERS[step](reader, turn.draft, shown)
        else:  # answered by typing alone: the title, the text, the deadline
            text, markup = escape(reader.t(QUESTIONS[step])), None
        await reply(update, text, markup)

    def _preview(
        self, context: TongxinContext, reader: Reader, appeal: Appeal
    ) -> tuple[str, InlineKeyboardMarkup]:
        """The group message exactly as groups will see it, with Send, Cancel and Fix."""
        message = group_renderer(context.services)(appeal, -1)
        # One message, not three in a burst: Telegram takes about one a second per chat.
        text = "\n\n".join([
            escape(reader.t(N_("Preview — the groups will see:"))),
            message.text,
            escape(reader.t(N_("Send this appeal?"))),
        ])
        return text, preview_keyboard(reader)

    async def _published(
        self, update: Update, context: TongxinContext, reader: Reader, published: Published
    ) -> None:
        """The pressed preview becomes the progress message the broadcast reporter edits."""
        if update.callback_query is not None:
            await update.callback_query.answer()
        if not published.new:
            return
        services = context.services
        progress = BroadcastProgress(published.targets, 0)
        text = progress_text(services.translations, reader.language, progress)
        asked = published.appeal.progress_message_id
        if asked is None:
            sent = await reply(update, escape(text))
            if sent is not None:
                await services.appeals.set_progress_message(published.appeal.id, sent.message_id)
            return
        with contextlib.suppress(TelegramError):  # the broadcast reporter edits it again
            await context.bot.edit_message_text(text, chat_id=reader.person.id, message_id=asked)


Asker = Callable[[Reader, AppealDraft, Any], tuple[str, InlineKeyboardMarkup | None]]
#: the questions with buttons, by step (the preview aside)
_ASKERS: dict[str, Asker] = {
    "needs": lambda reader, draft, shown: needs_question(reader, draft),
    "recipients": lambda reader, draft, shown: recipients_question(reader),
    "audience": lambda reader, draft, shown: audience_question(reader, shown),
}


class AppealManageView(View):
    """The one question after "Edit text" or "Extend deadline" of /appeals, and its answer."""

    kind = MANAGE_KIND
    code = MANAGE_CODE
    # an abandoned change is closed without a note: the appeal is as it was
    expired_note = ""

    def keeps_buttons(self, update: Update, turn: Turn) -> bool:
        """The /appeals list the question was asked from keeps its buttons."""
        return True

    async def show(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> Message | None:
        """Ask for the new text or deadline, or say what changed."""
        query = update.callback_query
        if query is not None:
            await query.answer()
        draft: OneAnswer = turn.draft
        if turn.outcome is Outcome.ASKED:
            return await reply(update, escape(reader.t(_MANAGE_QUESTIONS[draft.action])))
        if turn.outcome is Outcome.FINISHED:
            appeal, count = turn.result
            await reply(update, escape(_MANAGE_DONE[draft.action](reader, appeal, count)))
        return None


_MANAGE_QUESTIONS = {
    "edit": N_("Send the new text of the appeal."),
    "extend": N_("Until when? e.g. 2月20日, 2026-02-20, 5天后 or in 5 days."),
}
Changed = Callable[[Reader, Appeal, int], str]
_MANAGE_DONE: dict[str, Changed] = {
    "edit": lambda reader, appeal, count: reader.t(
        N_("The text was changed; {count} group messages will be edited."), count=count
    ),
    "extend": lambda reader, appeal, count: reader.t(
        N_("Deadline: {date}; {count} group messages will be edited."),
        date=appeal.deadline.isoformat() if appeal.deadline else "—",
        count=count,
    ),
}
