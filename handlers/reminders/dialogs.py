"""The view of the reminder's follow-up questions (`domain.reminders.draft`)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from domain.dialogs.engine import OneAnswer
from domain.dialogs.models import Outcome, Turn
from domain.errors import N_
from domain.reminders.draft import CODE, DIALOG_KIND, MORE_DAYS, Action
from domain.reminders.service import Answered
from handlers.common import reply
from handlers.context import Reader, TongxinContext
from handlers.dialogs import View, dialog_button
from handlers.reminders.render import answered_text
from handlers.render import escape

QUESTIONS = {
    Action.PART: N_(
        "How much was delivered? For example 1000公斤 or 5000元. You may send a photo or "
        "a document as proof, with the amount as its caption."
    ),
    Action.DATE: N_(
        "How much more time do you need? Press a button, or write the new date, e.g. "
        "2026-02-25, 2月25日 or 明天."
    ),
    Action.CANCEL: N_("Why do you cancel? One line is enough."),
    Action.NEW_DATE: N_(
        "What is the new date for pledge #{number}? For example 2026-02-25, 2月25日 or 明天."
    ),
}
MORE_LABELS = {1: N_("+1 day"), 3: N_("+3 days"), 7: N_("+1 week")}


class ReminderAnswerView(View):
    """Asks the reminder's follow-up question, then says what the answer did."""

    kind = DIALOG_KIND
    code = CODE
    expired_note = N_(
        "Your answer to the reminder was not finished, so nothing changed. "
        "Its buttons still work."
    )

    async def show(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> Message | None:
        """The question asked now, or what the answer did."""
        if turn.outcome is Outcome.FINISHED and isinstance(turn.result, Answered):
            by_coordinator = isinstance(turn.draft, OneAnswer) and (
                turn.draft.action == Action.NEW_DATE.value
            )
            return await reply(
                update, answered_text(reader, turn.result, coordinator=by_coordinator)
            )
        if turn.outcome is Outcome.CANCELLED:
            return await reply(update, escape(reader.t(N_("Cancelled. Nothing was saved."))))
        if turn.question is None:
            return None
        action = Action(turn.question.step)
        markup = None
        if action is Action.DATE:
            markup = InlineKeyboardMarkup(
                [[dialog_button(reader.t(MORE_LABELS[days]), CODE, action.value, days)
                  for days in MORE_DAYS]]
            )
        text = reader.t(QUESTIONS[action], number=turn.question.shown)
        return await reply(update, escape(text), markup)
