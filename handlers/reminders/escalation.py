"""The coordinators' daily message of stalled pledges, and its buttons."""

from __future__ import annotations

import json

from telegram import InlineKeyboardButton

from domain.errors import N_
from domain.network.models import Language
from domain.pledges.models import Pledge
from domain.reminders.escalation import Stall, Stalled
from domain.reminders.models import remindable
from handlers.context import Reader
from handlers.i18n import Translations
from handlers.reminders.render import day_text, open_text
from handlers.render import escape

#: `re:<now|date|lapse>:<pledge>`: a coordinator's answer to a stalled pledge.
ESCALATION_CODE = "re"
#: Pledges listed in one message, and those of them that get buttons (Telegram's keyboard).
LISTED = 30
WITH_BUTTONS = 8
HEAD = N_("Pledges that need you: their reminders went unanswered, or the pledger cannot be "
          "reached. Please get in touch.")
LINE = N_("#{number} {who}: {open}, promised by {date}; {why}")
UNANSWERED = N_("{count} reminders unanswered")
BLOCKED = N_("the pledger blocked the bot")
MORE = N_("…and {count} more: see /overdue.")
REMIND = N_("Remind #{number}")
NEW_DATE = N_("New date #{number}")
LAPSED = N_("Lapsed #{number}")
REMIND_NOW = N_("Remind again now")


class EscalationTexts:
    """Writes the daily message (implements `domain.reminders.escalation.EscalationTexts`)."""

    def __init__(self, translations: Translations) -> None:
        self._translations = translations

    def escalation(self, language: Language, stalled: list[Stalled]) -> str:
        """The stalled pledges, at most `LISTED` lines (HTML)."""
        t = self._translations.translate
        lines = [t(language, HEAD)]
        for item in stalled[:LISTED]:
            why = (t(language, BLOCKED) if item.why is Stall.BLOCKED
                   else t(language, UNANSWERED, count=item.reminded))
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

        def button(label: str, action: str, pledge_id: int) -> dict[str, str]:
            return {"text": t(language, label, number=pledge_id),
                    "callback_data": f"{ESCALATION_CODE}:{action}:{pledge_id}"}

        rows = [
            [button(REMIND, "now", item.pledge.id), button(NEW_DATE, "date", item.pledge.id),
             button(LAPSED, "lapse", item.pledge.id)]
            for item in stalled[:WITH_BUTTONS]
        ]
        return json.dumps(rows, ensure_ascii=False)


def remind_now_button(reader: Reader, pledge: Pledge) -> InlineKeyboardButton | None:
    """The "remind again now" button on a pledge opened from /overdue (still open ones)."""
    if not remindable(pledge):
        return None
    return InlineKeyboardButton(
        reader.t(REMIND_NOW), callback_data=f"{ESCALATION_CODE}:now:{pledge.id}"
    )
