"""Appeals in chat: the /appeal dialog, the group message, /appeals and its buttons."""

from __future__ import annotations

import contextlib
import json
import re
import secrets

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from domain.appeals.models import Appeal, AppealStatus, appeal_deep_link_payload
from domain.appeals.service import (
    MAX_NAMED_LINES,
    AppealDraft,
    AudienceKind,
    GroupMessage,
    ListAdded,
    NeedLine,
    add_need,
    add_needs,
    add_recipient,
    clean_body,
    clean_title,
    is_list,
    set_deadline,
    strip_list_mark,
)
from domain.dialogs import Dialog
from domain.errors import N_, DomainError
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.network.models import Language, RoleName
from domain.outbox.models import FailureReason
from domain.outbox.service import BroadcastProgress
from domain.parsing.integers import parse_chat_id
from handlers.answered import drop_buttons
from handlers.common import (
    CommandSpec,
    answer_stale_button,
    is_private,
    member_of,
    private_reader,
    reader_for,
    refuse,
    reply,
)
from handlers.context import Reader, TongxinContext
from handlers.i18n import Translations
from handlers.render import escape, keyboard, money_text, quantity_text

APPEAL_KIND = "appeal"
DRAFT_BUTTON = re.compile(
    r"^ap:(needs_done|rcp_done|all|orgs|picks|send|cancel|org:[0-9]{1,19}|chat:-?[0-9]{1,19}|picked"
    r"|fix:(?:title|body|needs|deadline|audience)|rm:(?:[0-9]{1,2}|money))$"
)
MAX_CHOICE_BUTTONS = 60
ALREADY_ANSWERED = N_("This question is already answered.")
# which question each button of the draft answers (None: the preview)
_BUTTON_STEPS = {
    "needs_done": "needs", "rm": "needs", "rcp_done": "recipients", "all": "audience",
    "orgs": "audience", "picks": "audience", "org": "audience", "chat": "audience",
    "picked": "audience", "send": None, "cancel": None, "fix": None,
}  # fmt: skip

APPEAL_COMMANDS = (
    CommandSpec("appeal", N_("Write an appeal to the network's groups"), RoleName.COORDINATOR),
    CommandSpec("appeals", N_("Open appeals"), RoleName.MEMBER),
)

_QUESTIONS = {
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


class AppealFlow:
    """The /appeal dialog: a draft in the person's dialog row, one question at a time."""

    kind = APPEAL_KIND

    def renderer(self, context: TongxinContext) -> AppealRenderer:
        """The group-message renderer for this bot."""
        services = context.services
        return AppealRenderer(
            services.translations, services.default_language, services.bot_username
        )

    async def ask(
        self, update: Update, context: TongxinContext, reader: Reader, draft: AppealDraft
    ) -> None:
        """Ask what the draft still lacks, or show the preview."""
        step = draft.next_step()
        if step is None:
            await self.preview(update, context, reader, draft)
            return
        text = escape(reader.t(_QUESTIONS[step]))
        markup: InlineKeyboardMarkup | None = None
        if step == "needs":
            text, markup = needs_question(reader, draft)
        elif step == "recipients":
            markup = keyboard([[(reader.t(N_("Done")), "ap:rcp_done")]])
        elif step == "audience":
            markup = keyboard(
                [
                    [(reader.t(N_("All approved groups I coordinate")), "ap:all")],
                    [(reader.t(N_("One organisation")), "ap:orgs")],
                    [(reader.t(N_("Pick groups")), "ap:picks")],
                ]
            )
        await reply(update, text, markup)

    async def preview(
        self, update: Update, context: TongxinContext, reader: Reader, draft: AppealDraft
    ) -> None:
        """Show the group message exactly as groups will see it, with send/fix/cancel."""
        appeal = draft.as_appeal(reader.person.id, context.services.clock.now())
        message = self.renderer(context)(appeal, -1)
        markup = keyboard(
            [
                [(reader.t(N_("Send")), "ap:send"), (reader.t(N_("Cancel")), "ap:cancel")],
                [
                    (reader.t(N_("Fix title")), "ap:fix:title"),
                    (reader.t(N_("Fix text")), "ap:fix:body"),
                ],
                [
                    (reader.t(N_("Fix needs")), "ap:fix:needs"),
                    (reader.t(N_("Fix deadline")), "ap:fix:deadline"),
                ],
                [(reader.t(N_("Fix audience")), "ap:fix:audience")],
            ]
        )
        # One message, not three in a burst: Telegram takes about one a second per chat.
        text = "\n\n".join([
            escape(reader.t(N_("Preview — the groups will see:"))),
            message.text,
            escape(reader.t(N_("Send this appeal?"))),
        ])
        sent = await reply(update, text, markup)
        dialog = await context.services.dialogs.current(reader.person.id)
        if sent is not None and dialog is not None and dialog.kind == APPEAL_KIND:
            # only this preview's buttons are live: an older preview's Send is answered
            draft.preview_message_id = sent.message_id
            await context.services.dialogs.save(_with(dialog, draft))

    async def on_text(
        self, update: Update, context: TongxinContext, reader: Reader, dialog: Dialog
    ) -> None:
        """Take the answer to the open question, save the draft, ask the next one."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        draft = AppealDraft.from_data(dialog.data)
        step = draft.next_step()
        text = message.text
        confirmation: str | None = None
        try:
            if step == "title":
                draft.title = clean_title(text)
            elif step == "body":
                draft.body = clean_body(text)
            elif step == "needs" and is_list(text):
                confirmation = list_answer(reader, draft, add_needs(draft, text))
            elif step == "needs":
                added = add_need(draft, strip_list_mark(text) or text)
                if isinstance(added, int):
                    amount = money_text(reader.language, added, draft.currency)
                    confirmation = reader.t(N_("Funds target: {amount}"), amount=amount)
                else:
                    confirmation = reader.t(
                        N_("Added: {need}"), need=need_text(added, reader.language)
                    )
            elif step == "recipients":
                confirmation = reader.t(N_("Added: {need}"), need=add_recipient(draft, text))
            elif step == "deadline":
                set_deadline(draft, text, context.services.appeals.today(reader.person.timezone))
            else:
                await self.ask(update, context, reader, draft)
                return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        dialog.data = draft.to_data()
        await context.services.dialogs.save(dialog, update.update_id)
        if confirmation is not None:
            await reply(update, escape(confirmation))
        if step not in ("needs", "recipients"):
            await self.ask(update, context, reader, draft)

    async def on_expired(self, context: TongxinContext, dialog: Dialog) -> None:
        """Tell the coordinator, once, that the abandoned draft was dropped."""
        services = context.services
        person = await services.network.person(dialog.person_id)
        language = person.language if person else services.default_language
        await context.bot.send_message(
            dialog.person_id,
            services.translations.translate(
                language, N_("Your unfinished appeal was discarded after 24 hours.")
            ),
        )


class AppealHandlers:
    """/appeal, /appeals and the appeal buttons."""

    def __init__(self, flow: AppealFlow) -> None:
        self._flow = flow

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers to the application."""
        app.add_handler(CommandHandler("appeal", self.appeal))
        app.add_handler(CommandHandler("appeals", self.appeals))
        app.add_handler(CallbackQueryHandler(self.draft_button, pattern=r"^ap:"))

    async def appeal(self, update: Update, context: TongxinContext) -> None:
        """Start an appeal draft (coordinators and admins, private chat)."""
        reader = await private_reader(update, context)
        if reader is None:
            return
        services = context.services
        try:
            await services.appeals.require_coordinator(reader.person.id)
        except DomainError as error:
            await refuse(update, reader, error)
            return
        draft = AppealDraft(key=secrets.token_hex(8), currency=services.appeals.currency)
        await services.dialogs.start(reader.person.id, APPEAL_KIND, draft.to_data())
        await self._flow.ask(update, context, reader, draft)

    async def appeals(self, update: Update, context: TongxinContext) -> None:
        """List open appeals; coordinators get edit/extend/close buttons on theirs."""
        reader = await private_reader(update, context)
        if reader is None:
            return
        services = context.services
        groups = [
            chat_id
            for chat_id in await services.appeals.groups_of_unseen(reader.person.id)
            if await member_of(context, chat_id, reader.person.id)
        ]
        found = await services.appeals.visible_appeals(reader.person.id, groups)
        if not found:
            await reply(update, escape(reader.t(N_("There are no open appeals."))))
            return
        for appeal in found[:20]:
            deadline = appeal.deadline.isoformat() if appeal.deadline else "—"
            text = f"#{appeal.id} <b>{escape(appeal.title)}</b>\n" + escape(
                reader.t(N_("Deadline: {date}"), date=deadline)
            )
            markup = None
            if is_private(update) and await services.appeals.may_manage(reader.person.id, appeal):
                markup = manage_keyboard(reader, appeal.id)
            await reply(update, text, markup)

    async def draft_button(self, update: Update, context: TongxinContext) -> None:
        """A button of the presser's own draft; anything else is stale."""
        query = update.callback_query
        reader = await reader_for(update, context)
        if query is None or reader is None:
            return
        match = DRAFT_BUTTON.match(query.data or "")
        services = context.services
        dialog = await services.dialogs.current(reader.person.id)
        if match is None or dialog is None or dialog.kind != APPEAL_KIND:
            await answer_stale_button(update, reader)
            return
        action = match.group(1)
        number = parse_chat_id(action.partition(":")[2]) if action[:4] in ("org:", "chat") else 0
        if number is None:
            await answer_stale_button(update, reader)
            return
        draft = AppealDraft.from_data(dialog.data)
        step = _BUTTON_STEPS[action.partition(":")[0]]
        pressed_id = query.message.message_id if query.message is not None else None
        if step != draft.next_step() or (
            step is None and pressed_id not in (None, draft.preview_message_id)
        ):
            # a keyboard of a question already answered (they lose their buttons; an old
            # message whose edit failed, or a forged press, lands here): it changes nothing
            await query.answer(reader.t(ALREADY_ANSWERED), show_alert=True)
            await drop_buttons(query)
            return
        if action == "send":
            await self._send(update, context, reader, draft)
            return
        if action == "cancel":
            await services.dialogs.close(reader.person.id)
            await query.answer()
            await drop_buttons(query)
            await reply(update, escape(reader.t(N_("The appeal was discarded."))))
            return
        if action in ("orgs", "picks"):
            await query.answer()
            await drop_buttons(query)
            await self._choices(update, context, reader, action)
            return
        if action == "needs_done":
            draft.needs_done = True
        elif action == "rcp_done":
            draft.recipients_done = True
        elif action == "all":
            draft.audience, draft.audience_organisation = AudienceKind.SCOPE, None
        elif action.startswith("org:"):
            draft.audience = AudienceKind.ORGANISATION
            draft.audience_organisation = number
        elif action.startswith("chat:"):
            chat_id = number
            if chat_id not in draft.audience_chats:
                draft.audience_chats.append(chat_id)
            await services.dialogs.save(_with(dialog, draft), update.update_id)
            await query.answer(reader.t(N_("Added.")))
            return
        elif action.startswith("rm:"):
            which = action.split(":")[1]
            if which == "money" and draft.money_target_minor is not None:
                draft.money_target_minor = None
            elif which.isdigit() and int(which) < len(draft.needs):
                del draft.needs[int(which)]
            else:  # an old button for a need already removed
                await answer_stale_button(update, reader)
                return
        elif action == "picked":
            if not draft.audience_chats:
                await query.answer(reader.t(N_("Pick at least one group.")), show_alert=True)
                return
            draft.audience = AudienceKind.PICKED
        elif action.startswith("fix:"):
            field = action.split(":")[1]
            if field == "title":
                draft.title = None
            elif field == "body":
                draft.body = None
            elif field == "needs":
                draft.needs_done = False  # the needs entered stay; each can be removed
            elif field == "deadline":
                draft.deadline = None
            else:
                draft.audience, draft.audience_chats = None, []
        await services.dialogs.save(_with(dialog, draft), update.update_id)
        await query.answer()
        await drop_buttons(query)  # answered: the next question (or the preview) follows
        await self._flow.ask(update, context, reader, draft)

    async def _choices(
        self, update: Update, context: TongxinContext, reader: Reader, action: str
    ) -> None:
        organisations, chats = await context.services.appeals.audience_options(reader.person.id)
        if action == "orgs":
            rows = [[(name, f"ap:org:{oid}")] for oid, name in organisations]
        else:
            rows = [[(chat.title, f"ap:chat:{chat.id}")] for chat in chats]
        if not rows:
            await reply(
                update,
                escape(reader.t(N_("No approved group is in this audience; nothing was sent."))),
            )
            return
        rows = rows[:MAX_CHOICE_BUTTONS]
        if action == "picks":
            rows.append([(reader.t(N_("Done")), "ap:picked")])
        await reply(update, escape(reader.t(_QUESTIONS["audience"])), keyboard(rows))

    async def _send(
        self, update: Update, context: TongxinContext, reader: Reader, draft: AppealDraft
    ) -> None:
        query = update.callback_query
        assert query is not None
        services = context.services
        # The message whose Send was pressed becomes the progress message: its id is known
        # before anything is sent and is stored with the appeal, so whenever the bot dies the
        # broadcast reporter still finds it and edits it up to the final count.
        asked = None
        if query.message is not None and query.message.chat.id == reader.person.id:
            asked = query.message.message_id
        try:
            published = await services.appeals.publish(
                Origin(reader.person.id, update.update_id),
                draft,
                self._flow.renderer(context),
                progress_message_id=asked,
            )
        except AlreadyProcessed:
            await query.answer()
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        await services.dialogs.close(reader.person.id)
        await query.answer()
        if not published.new:
            return
        progress = BroadcastProgress(published.targets, 0)
        text = progress_text(services.translations, reader.language, progress)
        if asked is None:
            sent = await reply(update, escape(text))
            if sent is not None:
                await services.appeals.set_progress_message(published.appeal.id, sent.message_id)
            return
        with contextlib.suppress(TelegramError):  # the broadcast reporter edits it again
            await context.bot.edit_message_text(
                text, chat_id=reader.person.id, message_id=asked
            )


def _with(dialog: Dialog, draft: AppealDraft) -> Dialog:
    dialog.data = draft.to_data()
    return dialog


def appeal_flows() -> list[AppealFlow]:
    """The appeal-writing dialog for the router (managing ones: handlers/appeal_manage.py)."""
    return [AppealFlow()]


def manage_keyboard(reader: Reader, appeal_id: int) -> InlineKeyboardMarkup:
    """The buttons of an appeal its coordinator may manage (handled in appeal_manage.py)."""
    return keyboard(
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
    )


def needs_question(reader: Reader, draft: AppealDraft) -> tuple[str, InlineKeyboardMarkup]:
    """The needs question (HTML) with what is listed so far, each with its Remove button.

    Fixing the needs keeps them: a need is changed by removing it and sending it again.
    """
    text = escape(reader.t(_QUESTIONS["needs"]))
    rows: list[list[tuple[str, str]]] = []
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
        rows.append([(label[:60], f"ap:rm:{index}")])
    if draft.money_target_minor is not None:
        rows.append([(reader.t(N_("Remove the funds target")), "ap:rm:money")])
    rows.append([(reader.t(N_("Done")), "ap:needs_done")])
    return text, keyboard(rows)
