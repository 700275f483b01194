"""A reminder's text and buttons, in the pledger's language (the domain's `ReminderTexts`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import partial

from telegram import InlineKeyboardMarkup

from domain.appeals.models import Appeal
from domain.errors import N_
from domain.kernel.calendar import local_date, zone_of
from domain.network.models import Language
from domain.pledges.models import Pledge, PledgeKind, PledgeStatus
from domain.reminders.models import SlotKind
from domain.reminders.service import Answered, PersonReminders
from handlers.context import Reader
from handlers.i18n import Translations
from handlers.pledge_render import STATUS_NAMES, measure_text
from handlers.render import Written, action_rows, escape, keyboard, keyboard_json

REMINDER = N_("Reminder for pledge #{number}: {open} still to deliver, promised by {date}.")
OVERDUE_REMINDER = N_(
    "Reminder for pledge #{number}: {open} still to deliver, promised by {date}; "
    "that date has passed."
)
FOR_APPEAL = N_("For appeal #{number} {title}.")
HOW_TO_ANSWER = N_("Tell us with a button below how it stands.")
#: Volunteer time's own sequence: still coming? / today / did it happen?
VOLUNTEER_TEXTS = {
    SlotKind.EVE: N_("Pledge #{number}: tomorrow ({date}) you volunteer: {task}. "
                     "Are you still coming?"),
    SlotKind.MORNING: N_("Pledge #{number}: today you volunteer: {task}. Thank you!"),
    SlotKind.AFTER: N_("Pledge #{number}: did your volunteering on {date} happen?"),
}
#: A reminder's buttons as (label, action) rows: an open pledge's, and each volunteer slot's.
OPEN_BUTTONS = (
    ((N_("Delivered all"), "all"), (N_("Delivered part"), "part")),
    ((N_("Need more time"), "more"), (N_("Cancel pledge"), "cancel")),
)
VOLUNTEER_BUTTONS = {
    SlotKind.EVE: (((N_("Yes, I am coming"), "coming"), (N_("I cannot come"), "cancel")),),
    SlotKind.MORNING: (((N_("I cannot come"), "cancel"),),),
    SlotKind.AFTER: (((N_("Yes, {hours}"), "all"), (N_("Yes, other hours"), "hours")),
                     ((N_("No, it did not"), "no"),)),
}
#: A reminder's buttons: `rm:<action>:<pledge>`; they carry no state, so they work days later.
BUTTON_CODE = "rm"


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


class ReminderTexts(Written):
    """Writes reminders (implements `domain.reminders.ports.ReminderTexts`)."""

    def reminder(
        self, language: Language, pledge: Pledge, appeal: Appeal | None, due: date,
        overdue: bool, slot: SlotKind,
    ) -> str:
        """What is still open and by when it was promised; a volunteer's question (HTML)."""
        t = self._translations.translate
        if slot in VOLUNTEER_TEXTS:
            return escape(t(language, VOLUNTEER_TEXTS[slot], number=pledge.id,
                            task=pledge.description, date=day_text(language, due)))
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

    def buttons(self, language: Language, pledge: Pledge, slot: SlotKind) -> str:
        """Delivered all / part / more time / cancel; a volunteer's own (outbox JSON)."""
        table = VOLUNTEER_BUTTONS.get(slot, OPEN_BUTTONS)
        # "yes" offers the pledged hours (a volunteer's "Yes, 8 hours")
        hours = measure_text(language, pledge, pledge.measure, self._translations)
        label = partial(self._translations.translate, language, hours=hours)
        return keyboard_json(action_rows(label, BUTTON_CODE, pledge.id, table))


RECORDED = N_("Recorded: {delivered} delivered for pledge #{number}. Status: {status}.")
STILL_OPEN = N_("Still open: {amount}")
OVER = N_("That is more than was still open; it is recorded and a coordinator will check it.")
MOVED = N_("Pledge #{number} will now be delivered by {date}.")
CANCELLED = N_("Pledge #{number} is cancelled.")
REOPENED = N_("Pledge #{number} is no longer lapsed: it counts and is chased again.")
#: When the next reminder comes, by whether a coordinator answered for the pledger.
NEXT_REMINDER = {
    False: N_("I will remind you again on {date}."),
    True: N_("The pledger will be reminded again on {date}."),
}


def answered_text(reader: Reader, answered: Answered, *, coordinator: bool = False) -> str:
    """What an answer to a reminder did, and when the next reminder comes (HTML).

    `coordinator`: the reader gave the answer for the pledger (a new date from escalation).
    """
    pledge, language, translations = answered.pledge, reader.language, reader.translations
    if pledge.status is PledgeStatus.CANCELLED:
        lines = [reader.t(CANCELLED, number=pledge.id)]
    elif answered.due is not None:
        lines = [reader.t(MOVED, number=pledge.id, date=day_text(language, answered.due))]
        if answered.reopened:
            lines.insert(0, reader.t(REOPENED, number=pledge.id))
    else:
        delivered = measure_text(language, pledge, answered.delivered or Decimal(0), translations)
        status = reader.t(STATUS_NAMES[pledge.status])
        lines = [reader.t(RECORDED, delivered=delivered, number=pledge.id, status=status)]
        if pledge.status is PledgeStatus.PARTIAL and pledge.kind is not PledgeKind.VOLUNTEER:
            # a shift that happened with fewer hours than pledged is over, not "still open"
            lines.append(reader.t(STILL_OPEN, amount=open_text(language, pledge, translations)))
        if pledge.over_delivered:
            lines.append(reader.t(OVER))
    if answered.next_reminder is not None:
        day = local_date(answered.next_reminder, reader.person.timezone)
        lines.append(reader.t(NEXT_REMINDER[coordinator], date=day_text(language, day)))
    return escape("\n".join(lines))


#: `/reminders` buttons: `rs:snooze:<days>`, `rs:off:0`, `rs:on:0`.
SETTING_CODE = "rs"
SNOOZE_CHOICES = (1, 3, 7)
SNOOZE_LABELS = {1: N_("Snooze 1 day"), 3: N_("Snooze 3 days"), 7: N_("Snooze 1 week")}
#: The last row: whether reminders are paused now (off or snoozed) gives (label, action).
PAUSE_BUTTON = {
    True: (N_("Turn reminders on"), "on"),
    False: (N_("Turn reminders off"), "off"),
}
ARE_OFF = N_("Your reminders are off: nothing is sent until you turn them on.")
SNOOZED = N_("Your reminders are snoozed until {moment}.")
COMING = N_("Coming reminders:")
NONE_COMING = N_("No reminder is planned: none of your open pledges has a due date.")


def moment_text(reader: Reader, moment: datetime) -> str:
    """A moment in the reader's own zone: 2月27日 10:00, 2020-02-27 10:00."""
    local = moment.astimezone(zone_of(reader.person.timezone))
    return f"{day_text(reader.language, local.date())} {local:%H:%M}"


def coming_text(
    reader: Reader, mine: PersonReminders, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """`/reminders`: the pause, the coming reminders, and the buttons to change them (HTML)."""
    pause, lines = mine.pause, []
    until = pause.snoozed_until if pause.snoozed_until and pause.snoozed_until > now else None
    if pause.off:
        lines.append(reader.t(ARE_OFF))
    elif until is not None:
        lines.append(reader.t(SNOOZED, moment=moment_text(reader, until)))
    if mine.coming:
        lines.append(reader.t(COMING))
        for pledge, at in mine.coming:
            what = open_text(reader.language, pledge, reader.translations)
            lines.append(f"• #{pledge.id} {what}: {moment_text(reader, at)}")
    elif not pause.off:
        lines.append(reader.t(NONE_COMING))

    paused = pause.off or until is not None
    label, action = PAUSE_BUTTON[paused]
    rows = [
        [(reader.t(SNOOZE_LABELS[days]), f"{SETTING_CODE}:snooze:{days}")
         for days in SNOOZE_CHOICES],
        [(reader.t(label), f"{SETTING_CODE}:{action}:0")],
    ]
    return escape("\n".join(lines)), keyboard(rows)
