"""An appeal's reminders panel: its policy, pause and nudges, from `/appeals` or a command.

`/appeals` gives each appeal its coordinator manages a "Reminders" button
(`appeal_reminders_button`, handed to the appeals feature in `handlers/setup.py`); it and
`/appealreminders APPEAL` show the same panel: the policy that applies (N days before, every
M days, at most K), paused or not, nudges on or off, with buttons to pause or resume, change
the numbers (a dialog on the engine, `domain.reminders.policy_dialog`), go back to the
network's policy and turn nudges off or on. `/appealreminders APPEAL pause|resume|default|
N M K` does the same by words. Every press re-reads the presser's right.
"""

from __future__ import annotations

import contextlib
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from domain.appeals.models import Appeal
from domain.errors import N_, InvalidInput
from domain.kernel.origin import Origin
from domain.parsing.integers import parse_int
from domain.reminders.appeal_policy import AppealReminders, AppealRemindersService, Change
from domain.reminders.models import (
    MAX_BEFORE_DAYS,
    MAX_EVERY_DAYS,
    MAX_OVERDUE,
    ReminderPolicy,
)
from domain.reminders.policy_dialog import POLICY_KIND, PolicyDraft
from handlers.common import attempt, item_pressed, private_command, reply
from handlers.context import Reader, TongxinContext
from handlers.dialogs import DialogView, show_turn
from handlers.render import escape

PAUSED = N_("Appeal #{number} {title}: its reminders are paused.")
POLICY = N_("Appeal #{number} {title}: reminders {before} days before the due date, on the "
            "day, then every {every} days, at most {most} after it.")
WHEN_RESUMED = N_("Once resumed: {before} days before the due date, on the day, then every "
                  "{every} days, at most {most} after it.")
NETWORKS = N_("This is the network's policy.")
NUDGES_ARE_ON = N_("Deadline nudges to its groups: on.")
NUDGES_ARE_OFF = N_("Deadline nudges to its groups: off.")
USAGE = N_("Write /appealreminders APPEAL, then pause, resume, default, or three numbers: "
           "days before, days between, most overdue reminders, e.g. /appealreminders 12 2 3 3.")
OUT_OF_RANGE = N_("Days before: 0 to {before}; days between: 1 to {every}; overdue "
                  "reminders: 0 to {most}.")
REMINDERS = N_("Reminders")
#: The panel's buttons: `ar:<action>:<appeal>`; `show` is the one in /appeals.
PANEL_CODE = "ar"
PANEL_BUTTON = re.compile(
    rf"^{PANEL_CODE}:(show|change|{'|'.join(c.value for c in Change)}):([0-9]{{1,19}})$"
)
LABELS = {
    Change.PAUSE: N_("Pause reminders"),
    Change.RESUME: N_("Resume reminders"),
    Change.DEFAULT: N_("Network's policy"),
    Change.NUDGES_OFF: N_("Nudges off"),
    Change.NUDGES_ON: N_("Nudges on"),
}
CHANGE_NUMBERS = N_("Change the numbers")
#: `/appealreminders` words that are one press of the panel
WORDS = {"pause": Change.PAUSE, "resume": Change.RESUME, "default": Change.DEFAULT}


def appeal_reminders_button(reader: Reader, appeal: Appeal) -> InlineKeyboardButton:
    """The "Reminders" button of an appeal its coordinator manages in `/appeals`."""
    return InlineKeyboardButton(reader.t(REMINDERS),
                                callback_data=f"{PANEL_CODE}:show:{appeal.id}")


def policy_lines(reader: Reader, number: int, title: str, shown: AppealReminders) -> list[str]:
    """The appeal's reminders: paused or the policy that applies, and whose it is."""
    policy = shown.policy
    numbers = {"before": policy.before_days, "every": policy.every_days,
               "most": policy.max_overdue}
    if shown.own.paused:
        lines = [reader.t(PAUSED, number=number, title=title), reader.t(WHEN_RESUMED, **numbers)]
    else:
        lines = [reader.t(POLICY, number=number, title=title, **numbers)]
    if shown.own.policy is None:
        lines.append(reader.t(NETWORKS))
    return lines


def panel(reader: Reader, shown: AppealReminders) -> tuple[str, InlineKeyboardMarkup]:
    """The panel's text (HTML) and buttons."""
    appeal = shown.appeal
    lines = policy_lines(reader, appeal.id, appeal.title, shown)
    lines.append(reader.t(NUDGES_ARE_OFF if shown.nudges_off else NUDGES_ARE_ON))

    def press(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(reader.t(label),
                                    callback_data=f"{PANEL_CODE}:{action}:{appeal.id}")

    pause = Change.RESUME if shown.own.paused else Change.PAUSE
    nudges = Change.NUDGES_ON if shown.nudges_off else Change.NUDGES_OFF
    rows = [[press(LABELS[pause], pause), press(CHANGE_NUMBERS, "change")],
            [press(LABELS[nudges], nudges)]]
    if shown.own.policy is not None:
        rows[1].insert(0, press(LABELS[Change.DEFAULT], Change.DEFAULT))
    return escape("\n".join(lines)), InlineKeyboardMarkup(rows)


def read_numbers(words: list[str]) -> ReminderPolicy | None:
    """Three numbers N M K; None when they are not three whole numbers, refused when out of
    range."""
    numbers = [parse_int(word) for word in words]
    if len(numbers) != 3 or None in numbers:
        return None
    before, every, most = (n or 0 for n in numbers)
    try:
        return ReminderPolicy(before, every, most)
    except ValueError:
        raise InvalidInput(OUT_OF_RANGE, before=MAX_BEFORE_DAYS, every=MAX_EVERY_DAYS,
                           most=MAX_OVERDUE) from None


async def appeal_reminders_command(update: Update, context: TongxinContext) -> None:
    """`/appealreminders APPEAL [pause|resume|default|N M K]`: the panel, changed first."""
    asked = await private_command(update, context)
    if asked is None:
        return
    reader, arguments = asked
    words = arguments.lower().lstrip("#").split()[:5]
    appeal_id = parse_int(words[0], minimum=1) if words else None
    if appeal_id is None:
        await reply(update, escape(reader.t(USAGE)))
        return
    service = context.services.appeal_reminders
    origin = Origin(reader.person.id, update.update_id)
    changes = words[1:]
    shown = await attempt(update, context, reader,
                          _changed(service, origin, appeal_id, changes),
                          claims=bool(changes))
    if shown is not None:
        await reply(update, *panel(reader, shown))


async def _changed(
    service: AppealRemindersService, origin: Origin, appeal_id: int, changes: list[str]
) -> AppealReminders:
    """The panel's facts, after the change the words ask for (unread words: the usage)."""
    shown = await service.shown(origin.actor_id or 0, appeal_id)  # a coordinator's only
    if not changes:
        return shown
    if len(changes) == 1 and changes[0] in WORDS:
        return await service.change(origin, appeal_id, WORDS[changes[0]])
    policy = read_numbers(changes)
    if policy is None:
        raise InvalidInput(USAGE)
    return await service.set_policy(origin, appeal_id, policy)


class PolicyPanel:
    """The panel's buttons; "change the numbers" opens the dialog of `view`."""

    def __init__(self, view: DialogView) -> None:
        self._view = view

    async def pressed(self, update: Update, context: TongxinContext) -> None:
        """Show the panel (from /appeals), change what a button says, or ask the numbers."""
        found = await item_pressed(update, context, PANEL_BUTTON)
        if found is None:
            return
        query, reader, action, appeal_id, origin = found
        service = context.services.appeal_reminders
        if action == "show":
            shown = await attempt(update, context, reader,
                                  service.shown(reader.person.id, appeal_id), claims=False)
            if shown is not None:
                await query.answer()
                await reply(update, *panel(reader, shown))
            return
        if action == "change":
            if await attempt(update, context, reader,
                             service.shown(reader.person.id, appeal_id), claims=False) is None:
                return
            engine = context.services.dialog_engine
            turn = await engine.begin(origin, POLICY_KIND, PolicyDraft(appeal_id))
            await query.answer()  # the panel keeps its buttons (the view's keeps_buttons)
            await show_turn(update, context, reader, self._view, turn)
            return
        changed = await attempt(update, context, reader,
                                service.change(origin, appeal_id, Change(action)))
        if changed is None:
            return
        text, markup = panel(reader, changed)
        with contextlib.suppress(BadRequest):  # "not modified": pressed twice
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        await query.answer()
