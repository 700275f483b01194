"""A reminder's text and buttons, in the pledger's language (the domain's `ReminderTexts`)."""

from __future__ import annotations

import json
from datetime import date

from domain.appeals.models import Appeal
from domain.errors import N_
from domain.network.models import Language
from domain.pledges.models import Pledge, PledgeKind
from handlers.common import escape
from handlers.i18n import Translations
from handlers.pledges import measure_text

REMINDER = N_("Reminder for pledge #{number}: {open} still to deliver, promised by {date}.")
OVERDUE_REMINDER = N_(
    "Reminder for pledge #{number}: {open} still to deliver, promised by {date}; "
    "that date has passed."
)
FOR_APPEAL = N_("For appeal #{number} {title}.")
HOW_TO_ANSWER = N_("Tell us with a button below how it stands.")
DELIVERED_ALL = N_("Delivered all")
DELIVERED_PART = N_("Delivered part")
NEED_MORE_TIME = N_("Need more time")
CANCEL_PLEDGE = N_("Cancel pledge")


def day_text(language: Language, day: date) -> str:
    """A date as the reader writes it: 2月20日 in Chinese, 2026-02-20 in English."""
    if language in (Language.ZH_HANS, Language.ZH_HANT):
        return f"{day.month}月{day.day}日"
    return day.isoformat()


def open_text(language: Language, pledge: Pledge, translations: Translations) -> str:
    """What is still open of a pledge: 2,000公斤消毒液, 3万元, the service itself."""
    if pledge.kind is PledgeKind.SERVICE:
        return pledge.description
    amount = measure_text(language, pledge, pledge.open_measure, translations)
    if pledge.kind is not PledgeKind.GOODS or pledge.value_only or not pledge.item:
        return amount
    separator = "" if language in (Language.ZH_HANS, Language.ZH_HANT) else " "
    return f"{amount}{separator}{pledge.item}"


class ReminderTexts:
    """Writes reminders (implements `domain.reminders.ports.ReminderTexts`)."""

    def __init__(self, translations: Translations) -> None:
        self._translations = translations

    def reminder(
        self, language: Language, pledge: Pledge, appeal: Appeal | None, due: date, overdue: bool
    ) -> str:
        """What is still open and by when it was promised (HTML)."""
        t = self._translations.translate
        lines = [
            t(
                language,
                OVERDUE_REMINDER if overdue else REMINDER,
                number=pledge.id,
                open=open_text(language, pledge, self._translations),
                date=day_text(language, due),
            )
        ]
        if appeal is not None:
            lines.append(t(language, FOR_APPEAL, number=appeal.id, title=appeal.title))
        lines.append(t(language, HOW_TO_ANSWER))
        return escape("\n".join(lines))

    def buttons(self, language: Language, pledge: Pledge) -> str:
        """Delivered all / delivered part / need more time / cancel (outbox JSON)."""
        t = self._translations.translate

        def button(label: str, action: str) -> dict[str, str]:
            return {"text": t(language, label), "callback_data": f"pm:{action}:{pledge.id}"}

        return json.dumps(
            [
                [button(DELIVERED_ALL, "all"), button(DELIVERED_PART, "part")],
                [button(NEED_MORE_TIME, "due"), button(CANCEL_PLEDGE, "cancel")],
            ],
            ensure_ascii=False,
        )
