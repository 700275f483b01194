"""The coordinators' daily message of stalled pledges, and its buttons."""

from __future__ import annotations

from functools import partial

from telegram import InlineKeyboardButton

from domain.errors import N_
from domain.network.models import Language
from domain.pledges.models import Pledge
from domain.reminders.escalation import Stall, Stalled
from domain.reminders.models import remindable
from handlers.context import Reader
from handlers.reminders.render import day_text, open_text
from handlers.render import Written, action_rows, escape, keyboard_json

#: `re:<now|date|lapse>:<pledge>`: a coordinator's answer to a stalled pledge.
ESCALATION_CODE = "re"
#: Pledges listed in one message, and those of them that get buttons (Telegram's keyboard).
LISTED = 30
WITH_BUTTONS = 8
HEAD = N_("Pledges that need you: their reminders went unanswered, or the pledger cannot be "
          "reached. Please get in touch.")
LINE = N_("#{number} {who}: {open}, promised by {date}; {why}")
#: Why a pledge stalled, as its line says it.
WHY = {
    Stall.UNANSWERED: N_("{count} reminders unanswered"),
    Stall.BLOCKED: N_("the pledger blocked the bot"),
}
MORE = N_("…and {count} more: see /overdue.")
#: Each stalled pledge's row of buttons, (label, action): `re:<action>:<pledge>`.
STALLED_BUTTONS = ((
    (N_("Remind #{number}"), "now"), (N_("New date #{number}"), "date"),
    (N_("Lapsed #{number}"), "lapse"),
),)
REMIND_NOW = N_("Remind again now")


class EscalationTexts(Written):
    """Writes the daily message (implements `domain.reminders.escalation.EscalationTexts`)."""

    def escalation(self, language: Language, stalled: list[Stalled]) -> str:
        """The stalled pledges, at most `LISTED` lines (HTML)."""
        t = self._translations.translate
        lines = [t(language, HEAD)]
        for item in stalled[:LISTED]:
            why = t(language, WHY[item.why], count=item.reminded)
            lines.append("• " + t(
                language, LINE, number=item.pledge.id, who=item.who,
                open=open_text(language, item.pledge, self._translations),
                date=day_text(language, item.due), why=why,
            ))
        if len(stalled) > LISTED:
            lines.append(t(language, MORE, count=len(stalled) - LISTED))
        return escape("\n".join(lines))

    def buttons(self, language: Language, stalled: list[Stalled]) -> str:
        """Remind / new date / lapsed for the first `WITH_BUTTONS` pledges (outbox JSON)."""
        t = self._translations.translate
        rows = [
            row
            for item in stalled[:WITH_BUTTONS]
            for row in action_rows(
                partial(t, language, number=item.pledge.id), ESCALATION_CODE, item.pledge.id,
                STALLED_BUTTONS,
            )
        ]
        return keyboard_json(rows)


def remind_now_button(reader: Reader, pledge: Pledge) -> InlineKeyboardButton | None:
    """The "remind again now" button on a pledge opened from /overdue (still open ones)."""
    if not remindable(pledge):
        return None
    return InlineKeyboardButton(
        reader.t(REMIND_NOW), callback_data=f"{ESCALATION_CODE}:now:{pledge.id}"
    )
