"""Deadline nudges to groups (`domain.reminders.nudges`) and `/nudges APPEAL off|on`."""

from __future__ import annotations

from telegram import Update

from domain.errors import N_
from domain.kernel.origin import Origin
from domain.network.models import Language
from domain.parsing.integers import parse_id
from domain.reminders.appeal_policy import Change
from domain.reminders.nudges import StillNeeded
from handlers.common import attempt, private_command, reply
from handlers.context import TongxinContext
from handlers.render import Written, escape, money_text, quantity_text

#: An appeal's line, by whether it ends today.
ENDS = {
    True: N_("Appeal #{number} {title} ends today. Still needed: {needs}."),
    False: N_("Appeal #{number} {title} ends in {days} days. Still needed: {needs}."),
}
PLEDGE_HINT = N_("Pledge with the appeal's button, or write to me in private.")
NUDGES_USAGE = N_("Write /nudges APPEAL off or /nudges APPEAL on, e.g. /nudges 12 off.")
#: What `/nudges APPEAL off|on` did, by whether it turned them off.
SWITCHED = {
    True: N_("Appeal #{number}'s groups get no more deadline nudges."),
    False: N_("Appeal #{number}'s groups get deadline nudges again."),
}


class NudgeTexts(Written):
    """Writes a group's nudge (implements `domain.reminders.nudges.NudgeTexts`)."""

    def nudge(self, language: Language, appeals: list[StillNeeded]) -> str:
        """One line per appeal ending soon with what it still needs (HTML); totals only."""
        t = self._translations.translate
        chinese = language in (Language.ZH_HANS, Language.ZH_HANT)
        separator = "、" if chinese else ", "
        lines = []
        for needed in appeals:
            parts = [
                f"{quantity_text(language, left, need.unit)}{'' if chinese else ' '}{need.item}"
                for need, left in needed.needs
            ]
            if needed.money_minor:
                parts.append(money_text(language, needed.money_minor, needed.appeal.currency))
            lines.append(t(language, ENDS[needed.days_left == 0], number=needed.appeal.id,
                           title=needed.appeal.title, days=needed.days_left,
                           needs=separator.join(parts)))
        lines.append(t(language, PLEDGE_HINT))
        return escape("\n".join(lines))


async def nudges_command(update: Update, context: TongxinContext) -> None:
    """`/nudges APPEAL off|on`: a coordinator of the appeal switches its deadline nudges."""
    asked = await private_command(update, context)
    if asked is None:
        return
    reader, words = asked
    number, _, word = words.lower().lstrip("#").partition(" ")
    appeal_id = parse_id(number)
    if appeal_id is None or word.strip() not in ("off", "on"):
        await reply(update, escape(reader.t(NUDGES_USAGE)))
        return
    off = word.strip() == "off"
    switched = context.services.appeal_reminders.change(
        Origin(reader.person.id, update.update_id), appeal_id,
        Change.NUDGES_OFF if off else Change.NUDGES_ON,
    )
    if await attempt(update, context, reader, switched) is None:
        return
    await reply(update, escape(reader.t(SWITCHED[off], number=appeal_id)))
