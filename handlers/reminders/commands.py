"""A reminder's buttons (`rm:<action>:<pledge>`) and the reminders feature's registration."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from domain.dialogs.engine import DialogKind
from domain.dialogs.models import Outcome
from domain.errors import DomainError
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.pledges.reading import ParsingReader
from domain.pledges.review import delivered_measure
from domain.reminders.draft import Action, ReminderAnswerKind, reminder_answer
from handlers.answered import drop_buttons, has_buttons
from handlers.common import CommandSpec, note_claimed, pressed, refuse, reply
from handlers.context import Services, TongxinContext
from handlers.dialogs import DialogView
from handlers.reminders.dialogs import ReminderAnswerView
from handlers.reminders.render import BUTTON_CODE, answered_text

REMINDER_BUTTON = re.compile(rf"^{BUTTON_CODE}:(all|part|more|cancel):([0-9]{{1,19}})$")
#: The question each of the reminder's buttons opens ("all" asks nothing).
OPENS = {"part": Action.PART, "more": Action.DATE, "cancel": Action.CANCEL}


class ReminderHandlers:
    """The reminder's buttons and follow-up questions (a `handlers.feature.Feature`)."""

    commands: tuple[CommandSpec, ...] = ()

    def __init__(self) -> None:
        self._view = ReminderAnswerView()

    def views(self) -> Sequence[DialogView]:
        """The follow-up questions' view."""
        return [self._view]

    def kinds(self, services: Services) -> Sequence[DialogKind[Any]]:
        """The follow-up questions, answered by the reminders' service."""
        reader = ParsingReader()
        # the amount of a delivery is read as /mypledges reads it (one rule for both)
        measure = partial(delivered_measure, reader)
        return [ReminderAnswerKind(services.reminders, measure, reader)]

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """The reminder's buttons."""
        app.add_handler(CallbackQueryHandler(self.press, pattern=rf"^{BUTTON_CODE}:"))

    async def press(self, update: Update, context: TongxinContext) -> None:
        """Delivered all at once; the other buttons ask their question on the dialog engine.

        The buttons carry only the pledge's number: they work days later, and a press on a
        pledge that is not the presser's is refused as unknown, changing nothing.
        """
        found = await pressed(update, context, REMINDER_BUTTON, ids=(2,))
        if found is None:
            return
        query, reader, match = found
        action, pledge_id = match.group(1), int(match.group(2))
        services = context.services
        origin = Origin(reader.person.id, update.update_id)
        try:
            if action == "all":
                answered = await services.reminders.delivered_all(origin, pledge_id)
                note_claimed(context)
                await query.answer()
                await drop_buttons(query)
                await reply(update, answered_text(reader, answered))
                return
            await services.reminders.pledge_of(reader.person.id, pledge_id)
            turn = await services.dialog_engine.begin(
                origin, self._view.kind, reminder_answer(OPENS[action], pledge_id)
            )
        except AlreadyProcessed:
            note_claimed(context)
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        note_claimed(context)
        if turn.outcome is Outcome.REPLAYED:
            return
        # the reminder keeps its buttons (they work again later); only the question is asked
        await query.answer()
        sent = await self._view.show(update, context, reader, turn)
        if sent is not None and has_buttons(sent):
            await services.dialog_engine.remember_question(turn, sent.message_id)
