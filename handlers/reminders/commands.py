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
from domain.kernel.standing import RoleName
from domain.parsing.integers import parse_int
from domain.pledges.reading import ParsingReader
from domain.pledges.review import delivered_measure
from domain.reminders.draft import Action, ReminderAnswerKind, reminder_answer
from domain.reminders.policy_dialog import AppealPolicyKind
from domain.reminders.service import PersonReminders
from handlers.answered import drop_buttons, has_buttons
from handlers.common import (
    CommandSpec,
    ItemPress,
    answer_stale_button,
    attempt,
    item_pressed,
    note_claimed,
    pressed,
    reply,
    setting_command,
)
from handlers.context import Services, TongxinContext
from handlers.dialogs import DialogView
from handlers.feature import SharedServicesOnly
from handlers.reminders.dialogs import PolicyView, ReminderAnswerView
from handlers.reminders.digest import digest_command
from handlers.reminders.escalation import ESCALATION_CODE
from handlers.reminders.nudges import nudges_command
from handlers.reminders.policy import PANEL_CODE, PolicyPanel, appeal_reminders_command
from handlers.reminders.render import (
    BUTTON_CODE,
    SETTING_CODE,
    SNOOZE_CHOICES,
    answered_text,
    coming_text,
)
from handlers.render import escape

REMINDER_BUTTON = re.compile(
    rf"^{BUTTON_CODE}:(all|part|hours|more|cancel|coming|no):([0-9]{{1,19}})$"
)
#: A volunteer's answers that change no figure, and what the bot says to each.
ACKNOWLEDGED = {
    "coming": N_("Thank you! See you there."),
    "no": N_("Noted: nothing is recorded as done for pledge #{number}."),
}
ESCALATION_BUTTON = re.compile(rf"^{ESCALATION_CODE}:(now|date|lapse):([0-9]{{1,19}})$")
REMINDING = N_("Pledge #{number} will be reminded again in a moment.")
MARKED_LAPSED = N_("Pledge #{number} is marked lapsed; it is no longer chased. Its "
                   "\"New date\" button opens it again.")
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
OPENS = {"part": Action.PART, "hours": Action.HOURS, "more": Action.DATE,
         "cancel": Action.CANCEL}


class ReminderHandlers(SharedServicesOnly):
    """The reminder's buttons and follow-up questions (a `handlers.feature.Feature`)."""

    commands = REMINDER_COMMANDS

    def __init__(self) -> None:
        self._view = ReminderAnswerView()
        self._policy_view = PolicyView()
        self._panel = PolicyPanel(self._policy_view)

    def views(self) -> Sequence[DialogView]:
        """The follow-up questions' view and the appeal reminder numbers'."""
        return [self._view, self._policy_view]

    def kinds(self, services: Services) -> Sequence[DialogKind[Any]]:
        """The follow-up questions, answered by the reminders' service."""
        reader = ParsingReader()
        # the amount of a delivery is read as /mypledges reads it (one rule for both)
        measure = partial(delivered_measure, reader)
        return [
            ReminderAnswerKind(services.reminders, services.escalations, measure, reader),
            AppealPolicyKind(services.appeal_reminders),
        ]

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """The reminder's buttons."""
        app.add_handler(CallbackQueryHandler(self.press, pattern=rf"^{BUTTON_CODE}:"))
        app.add_handler(CommandHandler("reminders", self.reminders))
        app.add_handler(CommandHandler("digest", digest_command))
        app.add_handler(CommandHandler("nudges", nudges_command))
        app.add_handler(CommandHandler("appealreminders", appeal_reminders_command))
        app.add_handler(CallbackQueryHandler(self.setting, pattern=rf"^{SETTING_CODE}:"))
        app.add_handler(CallbackQueryHandler(self.escalated, pattern=rf"^{ESCALATION_CODE}:"))
        app.add_handler(CallbackQueryHandler(self._panel.pressed, pattern=rf"^{PANEL_CODE}:"))

    async def reminders(self, update: Update, context: TongxinContext) -> None:
        """`/reminders`: the coming reminders; `off`, `on` or N (days of snooze) change them."""
        service = context.services.reminders

        def snooze(origin: Origin, word: str) -> Awaitable[PersonReminders] | None:
            days = parse_int(word)
            return None if days is None else service.pause(origin, snooze_days=days)

        shown = await setting_command(
            update, context, service.coming, lambda origin, off: service.pause(origin, off=off),
            snooze, REMINDERS_USAGE,
        )
        if shown is not None:
            reader, mine = shown
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
        press = await item_pressed(update, context, REMINDER_BUTTON)
        if press is None:
            return
        reminders, reader = context.services.reminders, press.reader
        if press.action == "all":
            delivered = reminders.delivered_all(press.origin, press.item)
            answered = await attempt(update, context, reader, delivered)
            if answered is not None:
                await _answered(update, press, answered_text(reader, answered))
        elif press.action in ACKNOWLEDGED:
            acknowledged = reminders.acknowledge(press.origin, press.item, press.action)
            if await attempt(update, context, reader, acknowledged) is not None:
                said = reader.t(ACKNOWLEDGED[press.action], number=press.item)
                await _answered(update, press, escape(said))
        else:
            own = reminders.pledge_of(reader.person.id, press.item)
            asking = self._ask(update, context, press, OPENS[press.action], own)
            await attempt(update, context, reader, asking, claims=False)

    async def escalated(self, update: Update, context: TongxinContext) -> None:
        """A coordinator's answer to a stalled pledge: remind again now, a new date, lapsed.

        The coordinator's right to chase the pledge is read again at the press.
        """
        press = await item_pressed(update, context, ESCALATION_BUTTON)
        if press is None:
            return
        escalations = context.services.escalations
        if press.action == "date":
            chased = escalations.chased(press.origin, press.item)
            asking = self._ask(update, context, press, Action.NEW_DATE, chased)
            await attempt(update, context, press.reader, asking, claims=False)
            return
        if press.action == "now":
            use_case, done = escalations.remind_now(press.origin, press.item), REMINDING
        else:
            use_case, done = escalations.lapse(press.origin, press.item), MARKED_LAPSED
        if await attempt(update, context, press.reader, use_case) is None:
            return
        await press.query.answer()
        await reply(update, escape(press.reader.t(done, number=press.item)))

    async def _ask(
        self, update: Update, context: TongxinContext, press: ItemPress, action: Action,
        first: Awaitable[object],
    ) -> bool:
        """Await `first` (the check or use case the question follows), then open the question
        `action` on the engine and ask it; the pressed message keeps its buttons (a
        reminder's and the daily message's work again later). True once asked (it claims)."""
        await first
        engine = context.services.dialog_engine
        turn = await engine.begin(press.origin, self._view.kind,
                                  reminder_answer(action, press.item))
        note_claimed(context)
        if turn.outcome is Outcome.REPLAYED:
            return True
        await press.query.answer()
        sent = await self._view.show(update, context, press.reader, turn)
        if sent is not None and has_buttons(sent):
            await engine.remember_question(turn, sent.message_id)
        return True


async def _answered(update: Update, press: ItemPress, text: str) -> None:
    """Answer a reminder's press that is done at once: its buttons go, the text says what."""
    await press.query.answer()
    await drop_buttons(press.query)
    await reply(update, text)
