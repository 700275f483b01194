"""The pledge dialog's texts and keyboards: each question, the summary, its buttons.

Numbers, units, escaping and buttons come from handlers/render.py, a pledge's own lines
from handlers/pledge_render.py; every button answers a step of the dialog (`pd:<step>:…`).
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.appeals.models import Appeal
from domain.errors import N_
from domain.network.models import Organisation
from domain.pledges.choices import BEHALF, VISIBILITY, edit_value
from domain.pledges.dialog import (
    ALREADY_RECORDED,
    EDIT,
    NO,
    OK,
    PLEDGE_CODE,
    RECORDED_HOW_TO_CANCEL,
    Shown,
)
from domain.pledges.draft import PledgeDraft, Step, needs_for, visibility_choices
from domain.pledges.models import Pledge, PledgeKind, Visibility
from handlers.context import Reader
from handlers.dialogs import button_data
from handlers.render import button, escape, money_text, quantity_text

Rows = list[list[InlineKeyboardButton]]
#: at most this many choices (appeals, needs, organisations, recipients) in one question
MAX_CHOICES = 20

KINDS = {
    PledgeKind.MONEY: N_("Money"),
    PledgeKind.GOODS: N_("Goods"),
    PledgeKind.SERVICE: N_("A service"),
    PledgeKind.VOLUNTEER: N_("Volunteer time"),
}
VISIBILITIES = {
    Visibility.NAMED: N_("By my name"),
    Visibility.ORGANISATION: N_("As my organisation only"),
    Visibility.ANONYMOUS: N_("Anonymous"),
}
QUESTIONS = {
    Step.AMOUNT: N_("How much money? For example 500元, 5万元 or ¥1,000."),
    Step.QUANTITY: N_("How much, with the unit? For example 3000公斤, 300箱, N95口罩 500个."),
    Step.DESCRIPTION: N_("Please describe it in a few words (the service, or the task)."),
    Step.VALUE: N_("What is it worth, roughly? For example 30万元."),
    Step.DUE: N_("When will it be delivered? For example 2026-02-25, 2月25日 or 明天."),
}
HOURS_QUESTION = N_("How many hours? For example 8小时 or 8 hours.")
GOODS_VALUE_QUESTION = N_(
    "What are the goods worth, roughly? For example 2200元. If you do not know, press Skip."
)
THANKS = N_("Thank you! Your pledge #{number} is recorded: {what}. See /mypledges.")
CANCELLED = N_("Cancelled. Nothing was saved.")
EXPIRED = N_("Your unfinished pledge expired after 24 hours; nothing was saved.")


def press(text: str, step: str, value: str | int) -> InlineKeyboardButton:
    """A button of the pledge dialog answering `step` with `value`."""
    return button(text, button_data(PLEDGE_CODE, step, value))


def question_text(
    reader: Reader, draft: PledgeDraft, shown: Shown, step: Step
) -> tuple[str, Rows]:
    """The question of `step` (plain text) and its buttons."""
    appeal = shown.appeal
    if step is Step.APPEAL:
        rows = [
            [press(f"#{a.id} {a.title}", step, a.id)] for a in shown.appeals[:MAX_CHOICES]
        ]
        rows.append([press(reader.t(N_("No appeal")), step, 0)])
        return reader.t(N_("Which appeal is your pledge for?")), rows
    if step is Step.KIND:
        rows = [[press(reader.t(label), step, k.value)] for k, label in KINDS.items()]
        return reader.t(N_("What would you like to give?")), rows
    if step is Step.NEED:
        needs = needs_for(draft, appeal)[:MAX_CHOICES]
        rows = [[press(n.item, step, n.id)] for n in needs]
        rows.append([press(reader.t(N_("Another item")), step, 0)])
        return reader.t(N_("Which need does it answer?")), rows
    if step is Step.BEHALF:
        rows = [[press(reader.t(N_("Myself")), step, 0)]]
        rows += [[press(o.name, step, o.id)] for o in shown.organisations[:MAX_CHOICES]]
        return reader.t(N_("On whose behalf?")), rows
    if step is Step.EARMARK:
        recipients = appeal.recipients[:MAX_CHOICES] if appeal is not None else []
        rows = [[press(r.name, step, r.id)] for r in recipients]
        rows.append([press(reader.t(N_("No earmark")), step, 0)])
        return reader.t(N_("Is it for one recipient in particular?")), rows
    if step is Step.DUE:
        return reader.t(QUESTIONS[step]), _due_rows(reader, appeal)
    if step is Step.VISIBILITY:
        rows = [
            [press(reader.t(VISIBILITIES[v]), step, v.value)] for v in visibility_choices(draft)
        ]
        return reader.t(N_("How may your pledge be shown to others?")), rows
    if step is Step.QUANTITY and draft.pledge_kind is PledgeKind.VOLUNTEER:
        return reader.t(HOURS_QUESTION), []
    if step is Step.VALUE and draft.pledge_kind is PledgeKind.GOODS:
        # optional for goods: Skip goes on
        return reader.t(GOODS_VALUE_QUESTION), [[press(reader.t(N_("Skip")), step, "skip")]]
    return reader.t(QUESTIONS[step]), []


def _due_rows(reader: Reader, appeal: Appeal | None) -> Rows:
    """The delivery date's buttons: the appeal's deadline (if it has one), or no fixed date."""
    rows = []
    if appeal is not None and appeal.deadline is not None:
        label = reader.t(N_("By the appeal's deadline ({date})"), date=appeal.deadline.isoformat())
        rows.append([press(label, Step.DUE, "deadline")])
    rows.append([press(reader.t(N_("No fixed date")), Step.DUE, "none")])
    return rows


def asked(reader: Reader, text: str, heading: str | None) -> str:
    """A question as sent (HTML): the heading, the question, how to stop."""
    note = escape(reader.t(N_("Send /cancel to stop.")))
    top = f"<b>{escape(heading)}</b>\n" if heading else ""
    return f"{top}{escape(text)}\n<i>{note}</i>"


def draft_summary(
    reader: Reader,
    draft: PledgeDraft,
    appeal: Appeal | None,
    organisations: Sequence[Organisation] = (),
) -> str:
    """The full summary shown before the confirm button."""
    lines = [f"<b>{escape(reader.t(N_('Your pledge')))}</b>"]
    if appeal is not None:
        title = reader.t(N_("Appeal: #{number} {title}"), number=appeal.id, title=appeal.title)
        lines.append(title)
    kind = draft.pledge_kind
    if kind is not None:
        lines.append(reader.t(N_("Kind: {kind}"), kind=reader.t(KINDS[kind])))
    lines += _measure_lines(reader, draft)
    if draft.behalf is not None:
        donor = {o.id: o.name for o in organisations}.get(draft.behalf, "?")
        lines.append(reader.t(N_("On behalf of: {name}"), name=donor))
    elif draft.behalf_chosen:
        lines.append(reader.t(N_("On behalf of: {name}"), name=reader.t(N_("Myself"))))
    if appeal is not None and draft.earmark is not None:
        names = {r.id: r.name for r in appeal.recipients}
        lines.append(reader.t(N_("For: {name}"), name=names.get(draft.earmark, "?")))
    if draft.due:
        lines.append(reader.t(N_("Delivery by: {date}"), date=draft.due))
    if draft.visibility:
        shown = reader.t(VISIBILITIES[Visibility(draft.visibility)])
        lines.append(reader.t(N_("Shown: {how}"), how=shown))
    return "\n".join([lines[0], *(escape(line) for line in lines[1:])])


def _measure_lines(reader: Reader, draft: PledgeDraft) -> list[str]:
    """The summary's amount, quantity, description and value lines (plain text)."""
    language = reader.language
    lines = []
    if draft.amount_minor is not None:
        amount = money_text(language, draft.amount_minor, draft.currency, draft.approximate)
        lines.append(reader.t(N_("Amount: {amount}"), amount=amount))
    quantity = draft.quantity_value
    if quantity is not None:
        what = quantity_text(language, quantity, draft.unit, draft.approximate)
        lines.append(reader.t(N_("Quantity: {what}"), what=f"{draft.item} {what}".strip()))
    elif draft.value_only:
        lines.append(reader.t(N_("Goods: {what}"), what=draft.item))
        lines.append(reader.t(N_("Quantity: not given (it may follow with the delivery)")))
    if draft.description:
        lines.append(reader.t(N_("Description: {text}"), text=draft.description))
    if draft.estimated_minor is not None:
        value = money_text(language, draft.estimated_minor, draft.currency, draft.value_approximate)
        lines.append(reader.t(N_("Estimated value: {amount}"), amount=value))
    return lines


def summary_buttons(
    reader: Reader, draft: PledgeDraft, has_organisations: bool
) -> InlineKeyboardMarkup:
    """Confirm and Cancel under a summary, and buttons to change whose it is and how shown."""
    changes = []
    if has_organisations:
        behalf = edit_value(BEHALF, draft.token)
        changes.append(press(reader.t(N_("Change: on whose behalf")), EDIT, behalf))
    shown = edit_value(VISIBILITY, draft.token)
    changes.append(press(reader.t(N_("Change: how shown")), EDIT, shown))
    return InlineKeyboardMarkup(
        [
            [
                press(reader.t(N_("Confirm")), OK, draft.token),
                press(reader.t(N_("Cancel")), NO, draft.token),
            ],
            changes,
        ]
    )


def already_recorded(reader: Reader, pledge: Pledge, *, cancelling: bool = False) -> str:
    """Said when a confirmed summary's button is pressed again (fits a button's alert)."""
    message = RECORDED_HOW_TO_CANCEL if cancelling else ALREADY_RECORDED
    return reader.t(message, number=pledge.id)[:200]
