"""Appeal texts and keyboards: the group message, the dialog's questions, reports, totals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.appeals.dialog import APPEAL_CODE, AudienceChoices
from domain.appeals.draft import MAX_NAMED_LINES, AppealDraft, ListAdded, NeedLine
from domain.appeals.manage import GroupMessage
from domain.appeals.models import Appeal, AppealStatus, appeal_deep_link_payload
from domain.appeals.ports import ClosingTotals, MoneyTotal, NeedTotal
from domain.errors import N_
from domain.network.models import Language
from domain.outbox.models import BroadcastProgress, FailureReason
from handlers.context import Reader
from handlers.dialogs import dialog_button
from handlers.i18n import Translations
from handlers.render import escape, keyboard, money_text, quantity_text

#: at most this many organisations or groups are listed as buttons
MAX_CHOICE_BUTTONS = 60
ZERO = Decimal(0)

QUESTIONS = {
    "title": N_("What is the appeal's title?"),
    "body": N_("Write the appeal's text, as the groups should read it."),
    "needs": N_(
        "What is needed? Send one need per line, one message each or a whole list pasted "
        "from a document, e.g. 口罩 10000个, disinfectant 3000 kg, 资金 50万元 or volunteers 8. "
        "Press Done when the list is complete."
    ),
    "recipients": N_(
        "Name the recipients pledges may be earmarked for (e.g. 黄山街道办事处), one per "
        "message, or press Done."
    ),
    "deadline": N_("Until when? e.g. 2月20日, 2026-02-20, 5天后 or in 5 days."),
    "audience": N_("Who should receive the appeal?"),
}
NO_GROUP = N_("No approved group is in this audience; nothing was sent.")

_REASONS = {
    FailureReason.BLOCKED: N_("blocked or removed the bot"),
    FailureReason.NOT_FOUND: N_("not found"),
    FailureReason.OTHER: N_("other errors"),
}


def need_text(need: NeedLine, language: Language) -> str:
    """One need as a reader sees it: "口罩：10000个", "口罩: 10,000 pieces"."""
    amount = quantity_text(language, need.target, need.unit, need.approximate)
    if language in (Language.ZH_HANS, Language.ZH_HANT):
        return f"{need.item}：{amount}"  # Chinese text takes the full-width colon
    return f"{need.item}: {amount}"


def ap_button(text: str, step: str, value: str | int | None = None) -> InlineKeyboardButton:
    """A button of the appeal dialog (`ap:<step>` or `ap:<step>:<value>`)."""
    return dialog_button(text, APPEAL_CODE, step, value)


def list_answer(reader: Reader, draft: AppealDraft, added: ListAdded) -> str:
    """What a pasted list added, and each line that could not be read (plain text)."""
    lines = [
        reader.t(N_("Added {count} needs:"), count=len(added.needs))
        if added.needs or added.money_minor is not None
        else reader.t(N_("Nothing was added."))
    ]
    lines += [f"• {need_text(n, reader.language)}" for n in added.needs]
    if added.money_minor is not None:
        amount = money_text(reader.language, added.money_minor, draft.currency)
        lines.append("• " + reader.t(N_("Funds target: {amount}"), amount=amount))
    for line in added.unread[:MAX_NAMED_LINES]:
        shown = line.text if len(line.text) <= 40 else line.text[:39] + "…"
        lines.append(reader.t(N_("Line {number} could not be read: {text}"),
                              number=line.number, text=shown))
    rest = len(added.unread) - MAX_NAMED_LINES
    if rest > 0:
        lines.append(reader.t(N_("…and {count} more lines could not be read."), count=rest))
    if added.unread:
        lines.append(reader.t(N_("Send those lines again, corrected, or press Done.")))
    return "\n".join(lines)


def needs_question(reader: Reader, draft: AppealDraft) -> tuple[str, InlineKeyboardMarkup]:
    """The needs question (HTML) with what is listed so far, each with its Remove button.

    Fixing the needs keeps them: a need is changed by removing it and sending it again.
    """
    text = escape(reader.t(QUESTIONS["needs"]))
    rows: list[list[InlineKeyboardButton]] = []
    listed = [need_text(n, reader.language) for n in draft.needs]
    if draft.money_target_minor is not None:
        money = money_text(reader.language, draft.money_target_minor, draft.currency)
        listed.append(reader.t(N_("Funds: {amount}"), amount=money))
    if listed:
        text += "\n\n<b>" + escape(reader.t(N_("Listed so far (to change one, remove it and "
                                              "send it again):"))) + "</b>"
        text += "".join(f"\n{i}. {escape(line)}" for i, line in enumerate(listed, start=1))
    for index, need in enumerate(draft.needs):
        label = reader.t(N_("Remove {need}"), need=need.item)
        rows.append([ap_button(label[:60], "rm", index)])
    if draft.money_target_minor is not None:
        rows.append([ap_button(reader.t(N_("Remove the funds target")), "rm", "money")])
    rows.append([ap_button(reader.t(N_("Done")), "needs_done")])
    return text, InlineKeyboardMarkup(rows)


def recipients_question(reader: Reader) -> tuple[str, InlineKeyboardMarkup]:
    """Recipients, one a message, until Done."""
    markup = InlineKeyboardMarkup([[ap_button(reader.t(N_("Done")), "rcp_done")]])
    return escape(reader.t(QUESTIONS["recipients"])), markup


def audience_question(
    reader: Reader, choices: AudienceChoices | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Who receives the appeal: three choices, or the list of one (no markup: nothing in it)."""
    text = escape(reader.t(QUESTIONS["audience"]))
    if choices is None:
        return text, InlineKeyboardMarkup([
            [ap_button(reader.t(N_("All approved groups I coordinate")), "all")],
            [ap_button(reader.t(N_("One organisation")), "orgs")],
            [ap_button(reader.t(N_("Pick groups")), "picks")],
        ])
    if choices.listed == "orgs":
        rows = [[ap_button(name, "org", oid)] for oid, name in choices.organisations]
    else:
        rows = [[ap_button(chat.title, "chat", chat.id)] for chat in choices.chats]
    if not rows:
        return escape(reader.t(NO_GROUP)), None
    rows = rows[:MAX_CHOICE_BUTTONS]
    if choices.listed == "picks":
        rows.append([ap_button(reader.t(N_("Done")), "picked")])
    return text, InlineKeyboardMarkup(rows)


def preview_keyboard(reader: Reader) -> InlineKeyboardMarkup:
    """Send, Cancel and the Fix buttons under the preview."""
    return InlineKeyboardMarkup([
        [ap_button(reader.t(N_("Send")), "send"), ap_button(reader.t(N_("Cancel")), "cancel")],
        [ap_button(reader.t(N_("Fix title")), "fix", "title"),
         ap_button(reader.t(N_("Fix text")), "fix", "body")],
        [ap_button(reader.t(N_("Fix needs")), "fix", "needs"),
         ap_button(reader.t(N_("Fix deadline")), "fix", "deadline")],
        [ap_button(reader.t(N_("Fix audience")), "fix", "audience")],
    ])


def manage_keyboard(
    reader: Reader, appeal_id: int, more: Sequence[InlineKeyboardButton] = ()
) -> InlineKeyboardMarkup:
    """The buttons of an appeal its coordinator may manage (handled in manage.py), and
    `more` of other features (the appeal's reminders), a row of their own."""
    rows = keyboard(
        [
            [
                (reader.t(N_("Edit text")), f"am:edit:{appeal_id}"),
                (reader.t(N_("Extend deadline")), f"am:extend:{appeal_id}"),
            ],
            [
                (reader.t(N_("Send to new groups")), f"am:resend:{appeal_id}"),
                (reader.t(N_("Close")), f"am:close:{appeal_id}"),
            ],
        ]
    ).inline_keyboard
    return InlineKeyboardMarkup([*rows, list(more)] if more else rows)


class AppealRenderer:
    """Renders an appeal as the groups see it, in the groups' language."""

    def __init__(self, translations: Translations, language: Language, bot_username: str) -> None:
        self._translations = translations
        self._language = language
        self._bot_username = bot_username

    def _t(self, message: str, **params: object) -> str:
        return self._translations.translate(self._language, message, **params)

    def __call__(self, appeal: Appeal, chat_id: int) -> GroupMessage:
        """The group message (HTML) and its deep-link button."""
        lines: list[str] = []
        if appeal.status is AppealStatus.CLOSED:
            lines.append(f"<b>{escape(self._t(N_('This appeal is closed. Thank you!')))}</b>")
        lines += [f"📣 <b>{escape(appeal.title)}</b>", "", escape(appeal.body)]
        needs = [
            need_text(NeedLine(n.item, n.unit, n.target, n.approximate), self._language)
            for n in appeal.needs
        ]
        if appeal.money_target_minor is not None:
            money = money_text(self._language, appeal.money_target_minor, appeal.currency)
            needs.append(self._t(N_("Funds: {amount}"), amount=money))
        if needs:
            lines += ["", f"<b>{escape(self._t(N_('Needed:')))}</b>"]
            lines += [f"• {escape(n)}" for n in needs]
        if appeal.recipients:
            names = "、".join(r.name for r in appeal.recipients)
            lines.append(escape(self._t(N_("Recipients: {names}"), names=names)))
        if appeal.deadline is not None:
            lines.append(escape(self._t(N_("Deadline: {date}"), date=appeal.deadline.isoformat())))
        lines += self._number_lines(appeal)
        buttons: str | None = None
        if appeal.status is not AppealStatus.CLOSED and self._bot_username:
            url = (
                f"https://t.me/{self._bot_username}?start="
                f"{appeal_deep_link_payload(appeal.id, chat_id)}"
            )
            buttons = json.dumps([[{"text": self._t(N_("I can help")), "url": url}]])
        return GroupMessage("\n".join(lines), buttons)

    def _number_lines(self, appeal: Appeal) -> list[str]:
        """The appeal's number, so members can find it with `/pledge N …` (none in a preview)."""
        if appeal.id <= 0:
            return []
        if appeal.status is AppealStatus.CLOSED:
            return ["", escape(self._t(N_("Appeal #{number}"), number=appeal.id))]
        text = self._t(
            N_(
                "Appeal #{number}: tap the button, or send me /pledge {number} with what you "
                "give, e.g. /pledge {number} 50000 yuan."
            ),
            number=appeal.id,
        )
        return ["", escape(text)]


def progress_text(translations: Translations, language: Language, p: BroadcastProgress) -> str:
    """The coordinator's progress line, e.g. 已发送 120/400."""
    return translations.translate(language, N_("Sent {done}/{total}"), done=p.done, total=p.total)


def report_text(
    translations: Translations,
    language: Language,
    appeal: Appeal,
    progress: BroadcastProgress,
    titles: dict[int, str],
) -> str:
    """The final report of a broadcast: delivered, and failures by reason with group names."""

    def t(message: str, **params: object) -> str:
        return translations.translate(language, message, **params)

    lines = [
        f"<b>{escape(appeal.title)}</b>",
        escape(
            t(
                N_("Delivered to {sent} of {total} groups."),
                sent=progress.sent,
                total=progress.total,
            )
        ),
    ]
    for reason, chats in progress.failed.items():
        names = ", ".join(titles.get(c, str(c)) for c in chats[:50])
        more = len(chats) - 50
        lines.append(
            escape(
                t(
                    N_("Not delivered ({reason}): {count}"),
                    reason=t(_REASONS[reason]),
                    count=len(chats),
                )
            )
            + f"\n{escape(names)}"
            + (f" (+{more})" if more > 0 else "")
        )
    return "\n".join(lines)


class ClosingText:
    """The closing line the groups get (the domain's `ClosingRenderer`): totals, no names."""

    def __init__(self, translations: Translations, language: Language) -> None:
        self._translations = translations
        self._language = language

    def _t(self, message: str, **params: object) -> str:
        return self._translations.translate(self._language, message, **params)

    def _quantity(self, value: Decimal, unit: str) -> str:
        return quantity_text(self._language, value, unit)

    def __call__(self, appeal: Appeal, totals: ClosingTotals) -> str:
        """The closing message (HTML): money per currency, each need against its target."""
        lines = [
            "<b>" + escape(self._t(N_("Appeal #{number} {title} is closed. Thank you!"),
                                   number=appeal.id, title=appeal.title)) + "</b>",
            escape(self._t(N_("Final totals:"))),
        ]
        money = {m.currency: m for m in totals.money}
        if appeal.money_target_minor is not None and appeal.currency not in money:
            money[appeal.currency] = MoneyTotal(appeal.currency, 0, 0)
        for currency, total in money.items():
            line = self._t(
                N_("Money: pledged {pledged}, delivered {delivered}"),
                pledged=money_text(self._language, total.pledged_minor, currency),
                delivered=money_text(self._language, total.delivered_minor, currency),
            )
            if currency == appeal.currency and appeal.money_target_minor is not None:
                target = money_text(self._language, appeal.money_target_minor, currency)
                line = self._t(N_("{line} (target {target})"), line=line, target=target)
            lines.append("• " + escape(line))
        needs = {n.need_id: n for n in totals.needs}
        for need in appeal.needs:
            found = needs.get(need.id)
            line = self._t(
                N_("{item}: pledged {pledged}, delivered {delivered} (target {target})"),
                item=need.item,
                pledged=self._quantity(found.pledged if found else ZERO, need.unit),
                delivered=self._quantity(found.delivered if found else ZERO, need.unit),
                target=self._quantity(need.target, need.unit),
            )
            if found is not None:
                line += self._beside(appeal, found)
            lines.append("• " + escape(line))
        return "\n".join(lines)

    def _beside(self, appeal: Appeal, found: NeedTotal) -> str:
        """What counts towards a need beside its quantity: volunteer hours, goods by value."""
        extra = ""
        if found.hours:
            extra += self._t(
                N_("; volunteer time: {hours} pledged, {done} given"),
                hours=self._quantity(found.hours, "hour"),
                done=self._quantity(found.hours_delivered, "hour"),
            )
        if found.value_minor:
            extra += self._t(
                N_("; besides, goods worth {value} with no quantity given ({done} delivered)"),
                value=money_text(self._language, found.value_minor, appeal.currency),
                done=money_text(self._language, found.value_delivered_minor, appeal.currency),
            )
        return extra
