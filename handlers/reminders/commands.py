"""A reminder's buttons (`rm:<action>:<pledge>`) and the reminders feature's registration."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Sequence
from functools import partial
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from domain.dialogs.engine import DialogKind
from domain.dialogs.models import Outcome
from domain.errors import N_
from domain.kernel.origin import Origin
from domain.network.models import RoleName
from domain.parsing.integers import parse_int
from domain.pledges.reading import ParsingReader
from domain.pledges.review import delivered_measure
from domain.reminders.draft import Action, ReminderAnswerKind, reminder_answer
from handlers.answered import drop_buttons, has_buttons
from handlers.common import (
    CommandSpec,
    answer_stale_button,
    attempt,
    note_claimed,
    pressed,
    private_command,
    reply,
)
from handlers.context import Reader, Services, TongxinContext
from handlers.dialogs import DialogView
from handlers.reminders.dialogs import ReminderAnswerView
from handlers.reminders.digest import digest_command
from handlers.reminders.escalation import ESCALATION_CODE
from handlers.reminders.nudges import nudges_command
from handlers.reminders.policy import appeal_reminders_command
from handlers.reminders.render import (
    BUTTON_CODE,
    SETTING_CODE,
    SNOOZE_CHOICES,
    answered_text,
    coming_text,
)
from handlers.render import escape

REMINDER_BUTTON = re.compile(
    rf"^{BUTTON_CODE}:(all|part|more|cancel|coming|no):([0-9]{{1,19}})$"
)
#: A volunteer's answers that change no figure, and what the bot says to each.
ACKNOWLEDGED = {
    "coming": N_("Thank you! See you there."),
    "no": N_("Noted: nothing is recorded as done for pledge #{number}."),
}
ESCALATION_BUTTON = re.compile(rf"^{ESCALATION_CODE}:(now|date|lapse):([0-9]{{1,19}})$")
REMINDING = N_("Pledge #{number} will be reminded again in a moment.")
MARKED_LAPSED = N_("Pledge #{number} is marked lapsed; it is no longer chased.")
SETTING_BUTTON = re.compile(rf"^{SETTING_CODE}:(snooze|off|on):([0-9]{{1,2}})$")
REMINDERS_USAGE = N_(
    "Write /reminders to see your coming reminders, /reminders off or /reminders on, "
    "or /reminders 3 to snooze them all for 3 days."
)
REMINDER_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("reminders", N_("Your coming reminders: snooze or turn them off"),
                RoleName.MEMBER),
    CommandSpec("digest", N_("Your daily digest: off, on or its time"), RoleName.COORDINATOR),
    CommandSpec("nudges", N_("Turn an appeal's deadline nudges to groups off or on"),
                RoleName.COORDINATOR),
    CommandSpec("appealreminders", N_("An appeal's reminders: pause, resume or change them"),
                RoleName.COORDINATOR),
)
#: The question each of the reminder's buttons opens ("all" asks nothing).
OPENS = {"part": Action.PART, "more": Action.DATE, "cancel": Action.CANCEL}


class ReminderHandlers:
    """The reminder's buttons and follow-up questions (a `handlers.feature.Feature`)."""

    commands = REMINDER_COMMANDS

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
        return [ReminderAnswerKind(services.reminders, services.escalations, measure, reader)]

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """The reminder's buttons."""
        app.add_handler(CallbackQueryHandler(self.press, pattern=rf"^{BUTTON_CODE}:"))
        app.add_handler(CommandHandler("reminders", self.reminders))
        app.add_handler(CommandHandler("digest", digest_command))
        app.add_handler(CommandHandler("nudges", nudges_command))
        app.add_handler(CommandHandler("appealreminders", appeal_reminders_command))
        app.add_handler(CallbackQueryHandler(self.setting, pattern=rf"^{SETTING_CODE}:"))
        app.add_handler(CallbackQueryHandler(self.escalated, pattern=rf"^{ESCALATION_CODE}:"))

    async def reminders(self, update: Update, context: TongxinContext) -> None:
        """`/reminders`: the coming reminders; `off`, `on` or N (days of snooze) change them."""
        asked = await private_command(update, context)
        if asked is None:
            return
        reader, words = asked
        service = context.services.reminders
        origin = Origin(reader.person.id, update.update_id)
        word = words.lower()
        if not word:
            use_case = service.coming(reader.person.id)
        elif word in ("off", "on"):
            use_case = service.pause(origin, off=word == "off")
        elif (days := parse_int(word)) is not None:
            use_case = service.pause(origin, snooze_days=days)
        else:
            await reply(update, escape(reader.t(REMINDERS_USAGE)))
            return
        mine = await attempt(update, context, reader, use_case, claims=bool(word))
        if mine is None:
            return
        text, markup = coming_text(reader, mine, context.services.clock.now())
        await reply(update, text, markup)

    async def setting(self, update: Update, context: TongxinContext) -> None:
        """A `/reminders` button: snooze for its days, off or on; the list shows the result."""
        found = await pressed(update, context, SETTING_BUTTON)
        if found is None:
            return
        query, reader, match = found
        action, days = match.group(1), int(match.group(2))
        if action == "snooze" and days not in SNOOZE_CHOICES:
            await answer_stale_button(update, reader)
            return
        origin = Origin(reader.person.id, update.update_id)
        paused = context.services.reminders.pause(
            origin, off=action == "off", snooze_days=days if action == "snooze" else None
        )
        mine = await attempt(update, context, reader, paused)
        if mine is None:
            return
        text, markup = coming_text(reader, mine, context.services.clock.now())
        with contextlib.suppress(BadRequest):  # "not modified": the same state pressed again
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        await query.answer()

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
        if action == "all":
            delivered = services.reminders.delivered_all(origin, pledge_id)
            answered = await attempt(update, context, reader, delivered)
            if answered is None:
                return
            await query.answer()
            await drop_buttons(query)
            await reply(update, answered_text(reader, answered))
            return
        if action in ACKNOWLEDGED:
            acknowledged = services.reminders.acknowledge(origin, pledge_id, action)
            if await attempt(update, context, reader, acknowledged) is None:
                return
            await query.answer()
            await drop_buttons(query)
            await reply(update, escape(reader.t(ACKNOWLEDGED[action], number=pledge_id)))
            return
        own = services.reminders.pledge_of(reader.person.id, pledge_id)
        asking = self._ask(update, context, reader, origin, OPENS[action], pledge_id, own)
        await attempt(update, context, reader, asking, claims=False)

    async def escalated(self, update: Update, context: TongxinContext) -> None:
        """A coordinator's answer to a stalled pledge: remind again now, a new date, lapsed.

        The coordinator's right to chase the pledge is read again at the press.
        """
        found = await pressed(update, context, ESCALATION_BUTTON, ids=(2,))
        if found is None:
            return
        query, reader, match = found
        action, pledge_id = match.group(1), int(match.group(2))
        escalations = context.services.escalations
        origin = Origin(reader.person.id, update.update_id)
        if action == "date":
            chased = escalations.chased(origin, pledge_id)
            asking = self._ask(update, context, reader, origin, Action.NEW_DATE, pledge_id, chased)
            await attempt(update, context, reader, asking, claims=False)
            return
        if action == "now":
            use_case, done = escalations.remind_now(origin, pledge_id), REMINDING
        else:
            use_case, done = escalations.lapse(origin, pledge_id), MARKED_LAPSED
        if await attempt(update, context, reader, use_case) is None:
            return
        await query.answer()
        await reply(update, escape(reader.t(done, number=pledge_id)))

    async def _ask(
        self, update: Update, context: TongxinContext, reader: Reader, origin: Origin,
        action: Action, pledge_id: int, first: Awaitable[object],
    ) -> bool:
        """Await `first` (the check or use case the question follows), then open the question
        `action` on the engine and ask it; the pressed message keeps its buttons (a
        reminder's and the daily message's work again later). True once asked (it claims)."""
        await first
        engine = context.services.dialog_engine
        turn = await engine.begin(origin, self._view.kind, reminder_answer(action, pledge_id))
        note_claimed(context)
        if turn.outcome is Outcome.REPLAYED or update.callback_query is None:
            return True
        await update.callback_query.answer()
        sent = await self._view.show(update, context, reader, turn)
        if sent is not None and has_buttons(sent):
            await engine.remember_question(turn, sent.message_id)
        return True
