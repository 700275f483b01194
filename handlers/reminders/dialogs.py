"""The views of the reminder's follow-up questions (`domain.reminders.draft`) and of an
appeal's reminder numbers (`domain.reminders.policy_dialog`)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from domain.dialogs.engine import OneAnswer
from domain.dialogs.models import Outcome, Turn
from domain.errors import N_
from domain.reminders.appeal_policy import AppealReminders
from domain.reminders.draft import CODE, DIALOG_KIND, MORE_DAYS, Action
from domain.reminders.policy_dialog import BOUNDS, CHOICES, POLICY_CODE, POLICY_KIND, PolicyStep
from domain.reminders.service import Answered
from handlers.common import reply
from handlers.context import Reader, TongxinContext
from handlers.dialogs import View, dialog_button
from handlers.reminders.policy import panel
from handlers.reminders.render import answered_text
from handlers.render import escape

QUESTIONS = {
    Action.PART: N_(
        "How much was delivered? For example 1000公斤 or 5000元. You may send a photo or "
        "a document as proof, with the amount as its caption."
    ),
    Action.HOURS: N_(
        "How many hours did it take? For example 6, 2.5 or 两小时."
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


POLICY_QUESTIONS = {
    PolicyStep.BEFORE: N_(
        "Appeal #{number}: how many days before the due date should the first reminder go? "
        "0 to {high} (0: none before the day). Press a button or write the number."
    ),
    PolicyStep.EVERY: N_(
        "Every how many days should an overdue pledge be reminded? 1 to {high}."
    ),
    PolicyStep.MOST: N_(
        "At most how many reminders after the due date, before its coordinators are told? "
        "0 to {high}."
    ),
}


class PolicyView(View):
    """Asks an appeal's three reminder numbers, then shows its reminders panel."""

    kind = POLICY_KIND
    code = POLICY_CODE
    expired_note = N_("The reminder numbers were not finished, so nothing changed.")

    def keeps_buttons(self, update: Update, turn: Turn) -> bool:
        """The panel's "change the numbers" opened it: the panel keeps its buttons."""
        query = update.callback_query
        return query is not None and not (query.data or "").startswith(f"{POLICY_CODE}:")

    async def show(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> Message | None:
        """The number asked now, or the appeal's panel once the three are saved."""
        if turn.outcome is Outcome.FINISHED and isinstance(turn.result, AppealReminders):
            return await reply(update, *panel(reader, turn.result))
        if turn.outcome is Outcome.CANCELLED:
            return await reply(update, escape(reader.t(N_("Cancelled. Nothing was saved."))))
        if turn.question is None:
            return None
        step = PolicyStep(turn.question.step)
        markup = InlineKeyboardMarkup(
            [[dialog_button(str(n), POLICY_CODE, step.value, n) for n in CHOICES[step]]]
        )
        text = reader.t(POLICY_QUESTIONS[step], number=turn.question.shown, high=BOUNDS[step][1])
        return await reply(update, escape(text), markup)
