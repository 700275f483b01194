"""Pledging in private chat: the dialog, the one-line form, /mypledges, /inbox, confirmations."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from domain.appeals.models import Appeal
from domain.dialogs import Dialog
from domain.errors import N_, DomainError, InvalidInput
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.network.models import Organisation, RoleName
from domain.outbox.models import MediaKind
from domain.pledges.choices import BEHALF, VISIBILITY, edit_value
from domain.pledges.draft import (
    DIALOG_KIND,
    TEXT_STEPS,
    PledgeDraft,
    Step,
    needs_for,
    next_step,
    one_line_draft,
    read_due,
    split_one_line,
    visibility_choices,
)
from domain.pledges.models import (
    Pledge,
    PledgeKind,
    Visibility,
)
from domain.pledges.ports import AmountReader
from domain.pledges.review import delivered_measure
from domain.pledges.service import DraftContext
from handlers.answered import drop_buttons, drop_buttons_of
from handlers.common import (
    CommandSpec,
    Press,
    answer_stale_button,
    cancel_by_button,
    command_arguments,
    member_of,
    note_claimed,
    pressed,
    private_reader,
    reader_for,
    refuse,
    reply,
)
from handlers.context import Reader, TongxinContext
from handlers.pledge_group import PledgeEntries
from handlers.pledge_render import STATUS_NAMES, measure_text, pledge_line
from handlers.render import button, escape, money_text, quantity_text

ACTION_KIND = "pledge_action"
DRAFT_BUTTON = re.compile(
    r"^pd:(appeal|kind|need|value|behalf|earmark|due|visibility|ok|no|edit):(\w{1,40})$", re.ASCII
)
PLEDGE_BUTTON = re.compile(r"^pm:(all|part|due|cancel):([0-9]{1,19})$")

_ACTION_QUESTIONS = {
    "report": N_(
        "How much was delivered? For example 1000公斤 or 5000元. You may send a photo or "
        "a document as proof, with the amount as its caption."
    ),
    "due": N_("When will it be delivered now? For example 2026-02-25, 2月25日 or 明天."),
    "cancel": N_("Why do you cancel? One line is enough."),
}
_KINDS = {
    PledgeKind.MONEY: N_("Money"),
    PledgeKind.GOODS: N_("Goods"),
    PledgeKind.SERVICE: N_("A service"),
    PledgeKind.VOLUNTEER: N_("Volunteer time"),
}
_VISIBILITY = {
    Visibility.NAMED: N_("By my name"),
    Visibility.ORGANISATION: N_("As my organisation only"),
    Visibility.ANONYMOUS: N_("Anonymous"),
}
_QUESTIONS = {
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


def draft_summary(
    reader: Reader,
    draft: PledgeDraft,
    appeal: Appeal | None,
    organisations: Sequence[Organisation] = (),
) -> str:
    """The full summary shown before the confirm button."""
    language = reader.language
    header = reader.t(N_("Your pledge"))
    lines = [f"<b>{escape(header)}</b>"]
    if appeal is not None:
        lines.append(
            escape(reader.t(N_("Appeal: #{number} {title}"), number=appeal.id, title=appeal.title))
        )
    kind = draft.pledge_kind
    if kind is not None:
        lines.append(escape(reader.t(N_("Kind: {kind}"), kind=reader.t(_KINDS[kind]))))
    if draft.amount_minor is not None:
        amount = money_text(language, draft.amount_minor, draft.currency, draft.approximate)
        lines.append(escape(reader.t(N_("Amount: {amount}"), amount=amount)))
    quantity = draft.quantity_value
    if quantity is not None:
        what = quantity_text(language, quantity, draft.unit, draft.approximate)
        lines.append(escape(reader.t(N_("Quantity: {what}"), what=f"{draft.item} {what}".strip())))
    elif draft.value_only:
        lines.append(escape(reader.t(N_("Goods: {what}"), what=draft.item)))
        lines.append(escape(reader.t(N_("Quantity: not given (it may follow with the delivery)"))))
    if draft.description:
        lines.append(escape(reader.t(N_("Description: {text}"), text=draft.description)))
    if draft.estimated_minor is not None:
        value = money_text(
            language, draft.estimated_minor, draft.currency, draft.value_approximate
        )
        lines.append(escape(reader.t(N_("Estimated value: {amount}"), amount=value)))
    if draft.behalf is not None:
        donors = {o.id: o.name for o in organisations}
        donor = donors.get(draft.behalf, "?")
        lines.append(escape(reader.t(N_("On behalf of: {name}"), name=donor)))
    elif draft.behalf_chosen:
        lines.append(escape(reader.t(N_("On behalf of: {name}"), name=reader.t(N_("Myself")))))
    if appeal is not None and draft.earmark is not None:
        names = {r.id: r.name for r in appeal.recipients}
        lines.append(escape(reader.t(N_("For: {name}"), name=names.get(draft.earmark, "?"))))
    if draft.due:
        lines.append(escape(reader.t(N_("Delivery by: {date}"), date=draft.due)))
    if draft.visibility:
        shown = reader.t(_VISIBILITY[Visibility(draft.visibility)])
        lines.append(escape(reader.t(N_("Shown: {how}"), how=shown)))
    return "\n".join(lines)


def already_recorded(reader: Reader, pledge: Pledge, *, cancelling: bool = False) -> str:
    """Said when a confirmed summary's button is pressed again (fits a button's alert)."""
    if cancelling:
        text = reader.t(
            N_(
                "Your pledge #{number} is already recorded. To cancel it, send /mypledges "
                "and choose “Cancel pledge” under it."
            ),
            number=pledge.id,
        )
    else:
        text = reader.t(N_("Your pledge #{number} is already recorded."), number=pledge.id)
    return text[:200]


def summary_buttons(
    reader: Reader, draft: PledgeDraft, has_organisations: bool
) -> InlineKeyboardMarkup:
    """Confirm and Cancel under a summary, and buttons to change whose it is and how shown."""
    changes = []
    if has_organisations:
        behalf = f"pd:edit:{edit_value(BEHALF, draft.token)}"
        changes.append(button(reader.t(N_("Change: on whose behalf")), behalf))
    shown = f"pd:edit:{edit_value(VISIBILITY, draft.token)}"
    changes.append(button(reader.t(N_("Change: how shown")), shown))
    return InlineKeyboardMarkup(
        [
            [
                button(reader.t(N_("Confirm")), f"pd:ok:{draft.token}"),
                button(reader.t(N_("Cancel")), f"pd:no:{draft.token}"),
            ],
            changes,
        ]
    )


class PledgeFlow:
    """The pledge dialog: asks only what the draft still lacks; every answer is stored."""

    kind = DIALOG_KIND

    def __init__(self, amounts: AmountReader) -> None:
        self._amounts = amounts

    async def begin(
        self,
        update: Update,
        context: TongxinContext,
        reader: Reader,
        draft: PledgeDraft,
        heading: str | None = None,
        known: DraftContext | None = None,
    ) -> None:
        """Store a fresh draft as the person's dialog and ask its first question.

        The update is marked handled before the question is sent: after a crash Telegram's
        redelivery does not open the dialog a second time.
        """
        services = context.services
        dialog = await services.dialogs.start(
            reader.person.id, DIALOG_KIND, draft.to_data(), update.update_id
        )
        note_claimed(context)
        await self.ask(update, context, reader, dialog, heading, known)

    async def ask(
        self,
        update: Update,
        context: TongxinContext,
        reader: Reader,
        dialog: Dialog,
        heading: str | None = None,
        known: DraftContext | None = None,
    ) -> None:
        """Ask the next question of the dialog (or show the summary with the confirm button).

        `known` is what this update already read (appeal, organisations); it is read again
        only when the answer just stored chose another appeal.
        """
        services = context.services
        draft = PledgeDraft.from_data(dialog.data)
        known_appeal_id = known.appeal.id if known is not None and known.appeal else None
        if known is None or known_appeal_id != (draft.appeal_id or None):
            known = await services.pledges.draft_context(reader.person.id, draft.appeal_id)
        appeal, orgs = known.appeal, known.organisations
        step = next_step(draft, appeal, [o.id for o in orgs])
        rows: list[list[InlineKeyboardButton]] = []
        if step is Step.APPEAL:
            text = reader.t(N_("Which appeal is your pledge for?"))
            for open_appeal in (await services.pledges.appeals_for(reader.person.id))[:20]:
                rows.append(
                    [
                        button(
                            f"#{open_appeal.id} {open_appeal.title}", f"pd:appeal:{open_appeal.id}"
                        )
                    ]
                )
            rows.append([button(reader.t(N_("No appeal")), "pd:appeal:0")])
        elif step is Step.KIND:
            text = reader.t(N_("What would you like to give?"))
            rows = [[button(reader.t(label), f"pd:kind:{k.value}")] for k, label in _KINDS.items()]
        elif step is Step.NEED:
            text = reader.t(N_("Which need does it answer?"))
            assert appeal is not None
            rows = [[button(n.item, f"pd:need:{n.id}")] for n in needs_for(draft, appeal)[:20]]
            rows.append([button(reader.t(N_("Another item")), "pd:need:0")])
        elif step is Step.BEHALF:
            text = reader.t(N_("On whose behalf?"))
            rows = [[button(reader.t(N_("Myself")), "pd:behalf:0")]]
            rows += [[button(o.name, f"pd:behalf:{o.id}")] for o in orgs[:20]]
        elif step is Step.EARMARK:
            text = reader.t(N_("Is it for one recipient in particular?"))
            assert appeal is not None
            rows = [[button(r.name, f"pd:earmark:{r.id}")] for r in appeal.recipients[:20]]
            rows.append([button(reader.t(N_("No earmark")), "pd:earmark:0")])
        elif step is Step.DUE:
            text = reader.t(_QUESTIONS[Step.DUE])
            if appeal is not None and appeal.deadline is not None:
                label = reader.t(
                    N_("By the appeal's deadline ({date})"), date=appeal.deadline.isoformat()
                )
                rows = [[button(label, "pd:due:deadline")]]
            rows.append([button(reader.t(N_("No fixed date")), "pd:due:none")])
        elif step is Step.VISIBILITY:
            text = reader.t(N_("How may your pledge be shown to others?"))
            rows = [
                [button(reader.t(_VISIBILITY[v]), f"pd:visibility:{v.value}")]
                for v in visibility_choices(draft)
            ]
        elif step is Step.CONFIRM:
            summary = draft_summary(reader, draft, appeal, orgs)
            if heading:
                summary = f"<b>{escape(heading)}</b>\n{summary}"
            await reply(update, summary, summary_buttons(reader, draft, bool(orgs)))
            return
        elif step is Step.QUANTITY and draft.pledge_kind is PledgeKind.VOLUNTEER:
            text = reader.t(HOURS_QUESTION)
        elif step is Step.VALUE and draft.pledge_kind is PledgeKind.GOODS:
            text = reader.t(GOODS_VALUE_QUESTION)  # optional for goods: Skip goes on
            rows = [[button(reader.t(N_("Skip")), "pd:value:skip")]]
        else:
            text = reader.t(_QUESTIONS[step])
        note = escape(reader.t(N_("Send /cancel to stop.")))
        top = f"<b>{escape(heading)}</b>\n" if heading else ""
        sent = await reply(
            update,
            f"{top}{escape(text)}\n<i>{note}</i>",
            InlineKeyboardMarkup(rows) if rows else None,
        )
        if step in TEXT_STEPS and rows and sent is not None:
            # answered by typing, this question's buttons would stay: keep its id to remove them
            await services.pledges.remember_question(
                reader.person.id, draft.token, sent.message_id
            )

    async def on_text(
        self, update: Update, context: TongxinContext, reader: Reader, dialog: Dialog
    ) -> None:
        """Read a typed answer for the current step; refuse it and change nothing if bad."""
        message = update.effective_message
        if message is None:
            return
        await self._answer(update, context, reader, None, message.text or "")

    async def choose(
        self, update: Update, context: TongxinContext, reader: Reader, step: str, value: str
    ) -> None:
        """Take a button answer for the step the dialog is at; a stale button changes nothing."""
        await self._answer(update, context, reader, (step, value), "")

    async def _answer(
        self,
        update: Update,
        context: TongxinContext,
        reader: Reader,
        button: tuple[str, str] | None,
        text: str,
    ) -> None:
        try:
            known = await context.services.pledges.answer(
                Origin(reader.person.id, update.update_id), button, text, self._amounts
            )
        except DomainError as error:
            await refuse(update, reader, error)
            return
        if known.dialog is None:
            await answer_stale_button(update, reader)
            return
        note_claimed(context)
        query = update.callback_query
        if query is not None:
            await query.answer()
            await drop_buttons(query)
        chat = update.effective_chat
        pressed_id = query.message.message_id if query is not None and query.message else None
        if known.answered_message_id not in (None, pressed_id) and chat is not None:
            await drop_buttons_of(context, chat.id, known.answered_message_id)
        await self.ask(update, context, reader, known.dialog, known=known)

    async def on_expired(self, context: TongxinContext, dialog: Dialog) -> None:
        """One short note that the abandoned pledge was not saved."""
        person = await context.services.network.person(dialog.person_id)
        language = person.language if person is not None else context.services.default_language
        text = context.services.translations.translate(
            language, N_("Your unfinished pledge expired after 24 hours; nothing was saved.")
        )
        await context.bot.send_message(dialog.person_id, escape(text))


class PledgeActionFlow:
    """Typed follow-ups from /mypledges: how much was delivered, or why cancel."""

    kind = ACTION_KIND

    def __init__(self, amounts: AmountReader) -> None:
        self._amounts = amounts

    async def on_text(
        self, update: Update, context: TongxinContext, reader: Reader, dialog: Dialog
    ) -> None:
        """Read the amount of a partial delivery or the reason of a cancellation."""
        message = update.effective_message
        if message is None:
            return
        services = context.services
        pledge_id = int(dialog.data.get("pledge_id", 0))
        origin = Origin(reader.person.id, update.update_id)
        text = message.text or message.caption or ""
        try:
            if dialog.data.get("action") == "cancel":
                pledge = await services.pledges.cancel(origin, pledge_id, text)
                await services.dialogs.close(reader.person.id)
                await reply(
                    update, escape(reader.t(N_("Pledge #{number} is cancelled."), number=pledge.id))
                )
                return
            if dialog.data.get("action") == "due":
                due = read_due(self._amounts, text, services.pledges.today(reader.person.timezone))
                pledge = await services.pledges.change_due(origin, pledge_id, due)
                await services.dialogs.close(reader.person.id)
                await reply(
                    update,
                    escape(
                        reader.t(
                            N_("Pledge #{number} will now be delivered by {date}."),
                            number=pledge.id,
                            date=due.isoformat(),
                        )
                    ),
                )
                return
            pledge = await services.pledges.pledge_of(reader.person.id, pledge_id)
            proof = _proof_of(message)
            if proof is not None and not text.strip():
                raise InvalidInput(
                    N_("Please add how much was delivered as the caption, e.g. 1000公斤.")
                )
            amount, unit = delivered_measure(self._amounts, pledge, text)
            await _report(update, context, reader, pledge.id, amount, proof, unit)
            await services.dialogs.close(reader.person.id)
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)

    async def on_expired(self, context: TongxinContext, dialog: Dialog) -> None:
        """Nothing to say: the pledge itself is unchanged."""


def _proof_of(message: Message) -> tuple[str, MediaKind] | None:
    """The file id of a photo (largest size) or document sent as proof, with its kind."""
    if message.photo:
        return message.photo[-1].file_id, MediaKind.PHOTO
    if message.document is not None:
        return message.document.file_id, MediaKind.DOCUMENT
    return None


async def _report(
    update: Update,
    context: TongxinContext,
    reader: Reader,
    pledge_id: int,
    amount: Decimal | None,
    proof: tuple[str, MediaKind] | None = None,
    unit: str | None = None,
) -> None:
    file_id, kind = proof if proof is not None else (None, None)
    result = await context.services.pledges.report_delivery(
        Origin(reader.person.id, update.update_id), pledge_id, amount, file_id, kind, unit
    )
    language = reader.language
    text = reader.t(
        N_("Recorded: {delivered} delivered for pledge #{number}. Status: {status}."),
        delivered=measure_text(
            language, result.pledge, result.fulfilment.quantity, reader.translations
        ),
        number=result.pledge.id,
        status=reader.t(STATUS_NAMES[result.pledge.status]),
    )
    if result.over:
        text += "\n" + reader.t(
            N_("That is more than was still open; it is recorded and a coordinator will check it.")
        )
    await reply(update, escape(text))


class PledgeHandlers:
    """/pledge, deep links, /mypledges, /inbox and the pledge buttons."""

    def __init__(self, flow: PledgeFlow, amounts: AmountReader) -> None:
        self._flow = flow
        self._amounts = amounts
        self._actions = PledgeActionFlow(amounts)
        self._entries = PledgeEntries(flow, amounts, self)

    @property
    def entries(self) -> PledgeEntries:
        """The ways into a pledge from outside the dialog (groups, links, plain words)."""
        return self._entries

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers (the deep-link /start must come before the core /start).

        /mypledges and /inbox are in handlers/lists.py.
        """
        self._entries.register(app)  # first: they take the group and deep-link forms
        app.add_handler(CommandHandler("pledge", self.pledge))
        app.add_handler(
            MessageHandler(
                filters.ChatType.PRIVATE & (filters.PHOTO | filters.Document.ALL), self.proof
            )
        )
        app.add_handler(CallbackQueryHandler(self.draft_button, pattern=r"^pd:"))
        app.add_handler(CallbackQueryHandler(self.pledge_button, pattern=r"^pm:"))

    async def proof(self, update: Update, context: TongxinContext) -> None:
        """A photo or document while reporting a delivery: the proof, amount in the caption."""
        reader = await reader_for(update, context)
        if reader is None:
            return
        dialog = await context.services.dialogs.current(reader.person.id)
        if dialog is None or dialog.kind != ACTION_KIND or dialog.data.get("action") != "report":
            await reply(
                update,
                escape(
                    reader.t(
                        N_(
                            "To send a proof of delivery, choose “Delivered part” under "
                            "/mypledges first."
                        )
                    )
                ),
            )
            return
        await self._actions.on_text(update, context, reader, dialog)

    async def pledge(self, update: Update, context: TongxinContext) -> None:
        """`/pledge` opens the dialog; `/pledge [APPEAL] TEXT` reads a whole pledge in one line."""
        reader = await private_reader(update, context)
        message = update.effective_message
        if reader is None or message is None:
            return
        await self.start_pledge(update, context, reader, command_arguments(message))

    async def start_pledge(
        self, update: Update, context: TongxinContext, reader: Reader, arguments: str
    ) -> None:
        """Open the dialog for `[APPEAL] [TEXT]`; without an appeal, the dialog asks which."""
        services = context.services
        appeal_id, text = split_one_line(arguments)
        try:
            known = await services.pledges.draft_context(
                reader.person.id, appeal_id, open_only=True
            )
            appeal = known.appeal
            token = secrets.token_hex(8)
            if not text:
                draft = PledgeDraft(token=token, currency=services.pledges.currency)
                if appeal is not None:
                    draft.choose_appeal(appeal)
                await self._flow.begin(update, context, reader, draft, known=known)
                return
            draft = one_line_draft(
                token,
                text,
                reader=self._amounts,
                appeal=appeal,
                today=services.pledges.today(reader.person.timezone),
                default_currency=(appeal.currency if appeal else services.pledges.currency),
            )
        except DomainError as error:
            await refuse(update, reader, error)
            return
        await self._flow.begin(update, context, reader, draft)

    async def draft_button(self, update: Update, context: TongxinContext) -> None:
        """A button of the pledge dialog; confirm creates the pledge exactly once."""
        press = await pressed(update, context, DRAFT_BUTTON)
        if press is None:
            return
        query, reader, match = press
        step, value = match.groups()
        if step == "no" and value == "x":  # a summary shown before Cancel carried its token
            await cancel_by_button(update, context, press)
            return
        if step == "no":
            await self._cancel(update, context, press, value)
            return
        if step != "ok":
            await self._flow.choose(update, context, reader, step, value)
            return
        member_chat = await self._draft_group(context, reader)
        try:
            pledge = await context.services.pledges.confirm(
                Origin(reader.person.id, update.update_id), value, member_chat
            )
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        if pledge is None:
            await answer_stale_button(update, reader)
            return
        note_claimed(context)
        if pledge.source_update_id != update.update_id:
            # a second tap (or one on an old summary): no second thank-you
            await query.answer(already_recorded(reader, pledge), show_alert=True)
            await drop_buttons(query)
            return
        await query.answer()
        await drop_buttons(query)
        await reply(
            update,
            escape(
                reader.t(
                    N_("Thank you! Your pledge #{number} is recorded: {what}. See /mypledges."),
                    number=pledge.id,
                    what=pledge_line(reader.language, pledge, reader.translations),
                )
            ),
        )

    @staticmethod
    async def _draft_group(context: TongxinContext, reader: Reader) -> int | None:
        """The group the open draft came from, if Telegram says the person is in it now.

        Confirm re-authorises the pledge at the press: a person without a role who came
        by a group's link may pledge only while they are still in that group.
        """
        dialog = await context.services.dialogs.current(reader.person.id)
        if dialog is None or dialog.kind != DIALOG_KIND:
            return None
        group = PledgeDraft.from_data(dialog.data).source_chat_id
        if group is None or group >= 0:
            return None
        return group if await member_of(context, group, reader.person.id) else None

    async def _cancel(
        self, update: Update, context: TongxinContext, press: Press, token: str
    ) -> None:
        """A summary's Cancel: nothing saved, or (already confirmed) how to cancel the pledge."""
        query, reader = press.query, press.reader
        try:
            pledge = await context.services.pledges.cancel_draft(
                Origin(reader.person.id, update.update_id), token
            )
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        note_claimed(context)
        if pledge is not None:
            await query.answer(already_recorded(reader, pledge, cancelling=True), show_alert=True)
            await drop_buttons(query)
            return
        await query.answer()
        await drop_buttons(query)
        await reply(update, escape(reader.t(N_("Cancelled. Nothing was saved."))))

    async def pledge_button(self, update: Update, context: TongxinContext) -> None:
        """Report all, report part, or cancel one's own pledge; others' pledges are refused."""
        press = await pressed(update, context, PLEDGE_BUTTON, ids=(2,))
        if press is None:
            return
        query, reader, match = press
        action, pledge_id = match.group(1), int(match.group(2))
        services = context.services
        try:
            if action == "all":
                await _report(update, context, reader, pledge_id, None)
            else:
                pledge = await services.pledges.pledge_of(reader.person.id, pledge_id)
                kind = {"part": "report", "due": "due", "cancel": "cancel"}[action]
                await services.dialogs.start(
                    reader.person.id,
                    ACTION_KIND,
                    {"action": kind, "pledge_id": pledge.id},
                    update.update_id,
                )
                note_claimed(context)
                await reply(update, escape(reader.t(_ACTION_QUESTIONS[kind])))
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        await query.answer()


PLEDGE_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("pledge", N_("Pledge money, goods, a service or your time"), RoleName.MEMBER),
    CommandSpec("mypledges", N_("Your pledges and their deliveries"), RoleName.MEMBER),
    CommandSpec("inbox", N_("Deliveries awaiting your confirmation"), RoleName.COORDINATOR),
)


def pledge_flows(amounts: AmountReader) -> tuple[PledgeFlow, PledgeActionFlow]:
    """The dialog flows of pledging."""
    return PledgeFlow(amounts), PledgeActionFlow(amounts)
