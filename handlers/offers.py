"""Supply offers in private chat (/offer, /myoffers) and matching them with needs (/match)."""

from __future__ import annotations

import re
import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from domain.appeals.models import Appeal, Need
from domain.dialogs import Dialog
from domain.errors import N_, DomainError, InvalidInput
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.network.models import Language, RoleName
from domain.offers.draft import (
    DIALOG_KIND,
    TEXT_STEPS,
    OfferDraft,
    Step,
    answer_text,
    choose_terms,
    next_step,
    read_item_line,
)
from domain.offers.models import Candidate, Offer, OfferStatus, OfferTerms
from domain.pledges.models import Pledge
from handlers.answered import drop_buttons, drop_buttons_of
from handlers.common import (
    CommandSpec,
    answer_stale_button,
    cancel_by_button,
    command_arguments,
    pressed,
    private_reader,
    refuse,
    reply,
)
from handlers.context import Reader, TongxinContext
from handlers.i18n import Translations
from handlers.render import button, escape, money_text, quantity_text

DRAFT_BUTTON = re.compile(r"^od:(terms|until|ok|no):(\w{1,32})$")
ALREADY_ANSWERED = N_("This question is already answered.")
WITHDRAW_BUTTON = re.compile(r"^ow:([0-9]{1,19})$")
ACCEPT_BUTTON = re.compile(r"^ma:([0-9]{1,19}):([0-9]{1,19}):([0-9]{1,19})$")
MATCH_ARGUMENT = re.compile(r"^#?([0-9]{1,12})$")

_TERMS = {
    OfferTerms.FREE: N_("Free"),
    OfferTerms.AT_COST: N_("At cost"),
    OfferTerms.PRICE: N_("At a price"),
}
_STATUS = {
    OfferStatus.OPEN: N_("open"),
    OfferStatus.MATCHED: N_("matched"),
    OfferStatus.WITHDRAWN: N_("withdrawn"),
}
_QUESTIONS = {
    Step.ITEM: N_(
        "What do you offer? Write the item with its quantity and unit, for example "
        "N95口罩 5000个, 防护服 300套 or disinfectant 2 t."
    ),
    Step.PRICE: N_("What price do you ask for the whole lot? For example 2万元 or 5000元."),
    Step.LOCATION: N_("Where are the goods? For example 武汉市江汉区 or a warehouse address."),
    Step.UNTIL: N_("Until when are they available? For example 2026-03-15, 3月15日 or 明天."),
}
MATCH_NOTICE = N_(
    "Good news: your offer #{offer} ({item}) was accepted for appeal #{appeal} {title}. "
    "It is now your pledge #{pledge}: {what}. See /mypledges to report its delivery."
)


def offer_line(language: Language, offer: Offer) -> str:
    """What an offer holds, e.g. `N95口罩 5000个`."""
    what = quantity_text(language, offer.quantity, offer.unit, offer.approximate)
    return f"{offer.item} {what}"


def terms_text(reader: Reader, terms: OfferTerms, price_minor: int | None, currency: str) -> str:
    """The terms as the reader reads them, with the price when there is one."""
    label = reader.t(_TERMS[terms])
    if terms is OfferTerms.PRICE and price_minor is not None:
        return f"{label} ({money_text(reader.language, price_minor, currency)})"
    return label


class OfferNotices:
    """Writes the offerer's notice of an accepted offer (the domain's `MatchNotices`)."""

    def __init__(self, translations: Translations) -> None:
        self._translations = translations

    def offer_matched(
        self, language: Language, offer: Offer, appeal: Appeal, need: Need, pledge: Pledge
    ) -> str:
        """The notice, in the offerer's language (HTML)."""
        assert pledge.quantity is not None
        what = quantity_text(language, pledge.quantity, pledge.unit, pledge.approximate)
        text = self._translations.translate(
            language,
            MATCH_NOTICE,
            offer=offer.id,
            item=offer.item,
            appeal=appeal.id,
            title=appeal.title,
            pledge=pledge.id,
            what=f"{need.item} {what}",
        )
        return escape(text)


def draft_summary(reader: Reader, draft: OfferDraft) -> str:
    """The full summary shown before the confirm button."""
    language = reader.language
    header = reader.t(N_("Your offer"))
    lines = [f"<b>{escape(header)}</b>"]
    quantity = draft.quantity_value
    if draft.item is not None and quantity is not None:
        what = quantity_text(language, quantity, draft.unit, draft.approximate)
        lines.append(escape(reader.t(N_("Item: {what}"), what=f"{draft.item} {what}")))
    terms = draft.offer_terms
    if terms is not None:
        shown = terms_text(reader, terms, draft.price_minor, draft.currency)
        lines.append(escape(reader.t(N_("Terms: {terms}"), terms=shown)))
    if draft.location is not None:
        lines.append(escape(reader.t(N_("Location: {place}"), place=draft.location)))
    until = draft.until or reader.t(N_("no end date"))
    lines.append(escape(reader.t(N_("Available until: {date}"), date=until)))
    return "\n".join(lines)


class OfferFlow:
    """The offer dialog: asks only what the draft still lacks; every answer is stored."""

    kind = DIALOG_KIND

    async def begin(
        self, update: Update, context: TongxinContext, reader: Reader, draft: OfferDraft
    ) -> None:
        """Store a fresh draft as the person's dialog (marking the update) and ask on."""
        services = context.services
        dialog = await services.dialogs.start(reader.person.id, DIALOG_KIND, draft.to_data())
        dialog = await services.dialogs.save(dialog, update.update_id)
        await self.ask(update, reader, dialog, context)

    async def ask(
        self,
        update: Update,
        reader: Reader,
        dialog: Dialog,
        context: TongxinContext | None = None,
    ) -> None:
        """Ask the next question (or show the summary with the confirm button)."""
        draft = OfferDraft.from_data(dialog.data)
        step = next_step(draft)
        rows: list[list[InlineKeyboardButton]] = []
        if step is Step.CONFIRM:
            markup = InlineKeyboardMarkup(
                [
                    [
                        button(reader.t(N_("Confirm")), f"od:ok:{draft.token}"),
                        button(reader.t(N_("Cancel")), "od:no:x"),
                    ]
                ]
            )
            await reply(update, draft_summary(reader, draft), markup)
            return
        if step is Step.TERMS:
            text = reader.t(N_("On what terms do you offer it?"))
            rows = [
                [button(reader.t(label), f"od:terms:{terms.value}")]
                for terms, label in _TERMS.items()
            ]
        else:
            text = reader.t(_QUESTIONS[step])
            if step is Step.UNTIL:
                rows = [[button(reader.t(N_("No end date")), "od:until:none")]]
        note = escape(reader.t(N_("Send /cancel to stop.")))
        sent = await reply(
            update, f"{escape(text)}\n<i>{note}</i>", InlineKeyboardMarkup(rows) if rows else None
        )
        if step in TEXT_STEPS and rows and sent is not None and context is not None:
            # answered by typing, this question's button would stay: keep its id to remove it
            draft.question_message_id = sent.message_id
            dialog.data = draft.to_data()
            await context.services.dialogs.save(dialog)

    async def on_text(
        self, update: Update, context: TongxinContext, reader: Reader, dialog: Dialog
    ) -> None:
        """Read a typed answer for the current step; refuse it and change nothing if bad."""
        message = update.effective_message
        if message is None:
            return
        services = context.services
        draft = OfferDraft.from_data(dialog.data)
        step = next_step(draft)
        if step not in TEXT_STEPS:
            await reply(update, escape(reader.t(N_("Please use the buttons to answer."))))
            return
        try:
            today = services.offers.today(reader.person.timezone)
            answer_text(draft, step, message.text or "", today=today)
            answered, draft.question_message_id = draft.question_message_id, None
            dialog.data = draft.to_data()
            dialog = await services.dialogs.save(dialog, update.update_id)
        except DomainError as error:
            await refuse(update, reader, error)
            return
        if answered is not None:
            await drop_buttons_of(context, reader.person.id, answered)
        await self.ask(update, reader, dialog, context)

    async def choose(
        self, update: Update, context: TongxinContext, reader: Reader, step: str, value: str
    ) -> None:
        """Take a button answer for the step the dialog is at; a stale button changes nothing."""
        services = context.services
        dialog = await services.dialogs.current(reader.person.id)
        if dialog is None or dialog.kind != DIALOG_KIND:
            await answer_stale_button(update, reader)
            return
        draft = OfferDraft.from_data(dialog.data)
        try:
            if step != next_step(draft).value:  # an old keyboard: that question was answered
                raise InvalidInput(ALREADY_ANSWERED)
            if step == Step.TERMS.value:
                choose_terms(draft, value)
            elif step == Step.UNTIL.value and value == "none":
                draft.until, draft.until_chosen = None, True
            else:
                raise InvalidInput(N_("This button is no longer valid."))
            draft.question_message_id = None  # pressed: its buttons go with the press
            dialog.data = draft.to_data()
            dialog = await services.dialogs.save(dialog, update.update_id)
        except DomainError as error:
            await refuse(update, reader, error)
            if update.callback_query is not None and error.message == ALREADY_ANSWERED:
                await drop_buttons(update.callback_query)
            return
        if update.callback_query is not None:
            await update.callback_query.answer()
            await drop_buttons(update.callback_query)
        await self.ask(update, reader, dialog, context)

    async def on_expired(self, context: TongxinContext, dialog: Dialog) -> None:
        """One short note that the abandoned offer was not saved."""
        person = await context.services.network.person(dialog.person_id)
        language = person.language if person is not None else context.services.default_language
        text = context.services.translations.translate(
            language, N_("Your unfinished offer expired after 24 hours; nothing was saved.")
        )
        await context.bot.send_message(dialog.person_id, escape(text))


class OfferHandlers:
    """/offer, /myoffers, /match and their buttons."""

    def __init__(self, flow: OfferFlow) -> None:
        self._flow = flow

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers (before the fallbacks)."""
        app.add_handler(CommandHandler("offer", self.offer))
        app.add_handler(CommandHandler("myoffers", self.myoffers))
        app.add_handler(CommandHandler("match", self.match))
        app.add_handler(CallbackQueryHandler(self.draft_button, pattern=r"^od:"))
        app.add_handler(CallbackQueryHandler(self.withdraw_button, pattern=r"^ow:"))
        app.add_handler(CallbackQueryHandler(self.accept_button, pattern=r"^ma:"))

    async def offer(self, update: Update, context: TongxinContext) -> None:
        """`/offer` opens the dialog; `/offer N95口罩 5000个` starts it with the item read."""
        reader = await private_reader(update, context)
        message = update.effective_message
        if reader is None or message is None:
            return
        text = command_arguments(message)
        if text.casefold() == "list":
            await self.myoffers(update, context)
            return
        draft = OfferDraft(token=secrets.token_hex(8), currency=context.services.offers.currency)
        if text:
            try:
                read_item_line(draft, text)
            except DomainError as error:
                await refuse(update, reader, error)
                return
        await self._flow.begin(update, context, reader, draft)

    async def draft_button(self, update: Update, context: TongxinContext) -> None:
        """A button of the offer dialog; confirm records the offer exactly once."""
        press = await pressed(update, context, DRAFT_BUTTON)
        if press is None:
            return
        query, reader, match = press
        step, value = match.groups()
        services = context.services
        if step == "no":
            await cancel_by_button(update, context, press)
            return
        if step != "ok":
            await self._flow.choose(update, context, reader, step, value)
            return
        dialog = await services.dialogs.current(reader.person.id)
        draft = OfferDraft.from_data(dialog.data) if dialog and dialog.kind == DIALOG_KIND else None
        try:
            if draft is None or draft.token != value:
                offer = await services.offers.offer_by_token(reader.person.id, value)
                if offer is None:
                    await answer_stale_button(update, reader)
                    return
            else:
                offer = await services.offers.create(
                    Origin(reader.person.id, update.update_id), draft
                )
                await services.dialogs.close(reader.person.id)
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        await query.answer()
        await drop_buttons(query)  # confirmed: Confirm and Cancel go
        await reply(
            update,
            escape(
                reader.t(
                    N_(
                        "Thank you! Your offer #{number} is recorded: {what}. Coordinators "
                        "will match it with needs. See /myoffers."
                    ),
                    number=offer.id,
                    what=offer_line(reader.language, offer),
                )
            ),
        )

    async def myoffers(self, update: Update, context: TongxinContext) -> None:
        """List the person's offers; open ones can be withdrawn."""
        reader = await private_reader(update, context)
        if reader is None:
            return
        services = context.services
        offers = await services.offers.mine(reader.person.id)
        await services.network.mark_update(update.update_id)
        if not offers:
            await reply(update, escape(reader.t(N_("You have no offers yet. Send /offer."))))
            return
        language = reader.language
        today = services.offers.today(reader.person.timezone)
        for offer in offers[:20]:
            lines = [f"<b>#{offer.id}</b> {escape(offer_line(language, offer))}"]
            terms = terms_text(reader, offer.terms, offer.price_minor, offer.currency)
            lines.append(escape(reader.t(N_("Terms: {terms}"), terms=terms)))
            lines.append(escape(reader.t(N_("Location: {place}"), place=offer.location)))
            if offer.available_until is not None:
                until = offer.available_until.isoformat()
                lines.append(escape(reader.t(N_("Available until: {date}"), date=until)))
            status = reader.t(_STATUS[offer.status])
            if offer.status is OfferStatus.OPEN and not offer.available(today):
                status = reader.t(N_("expired"))
            lines.append(escape(reader.t(N_("Status: {status}"), status=status)))
            if offer.status is OfferStatus.OPEN and offer.remaining < offer.quantity:
                left = quantity_text(language, offer.remaining, offer.unit)
                lines.append(escape(reader.t(N_("Still available: {what}"), what=left)))
            markup = None
            if offer.status is OfferStatus.OPEN:
                markup = InlineKeyboardMarkup(
                    [[button(reader.t(N_("Withdraw")), f"ow:{offer.id}")]]
                )
            await reply(update, "\n".join(lines), markup)

    async def withdraw_button(self, update: Update, context: TongxinContext) -> None:
        """The offerer withdraws one of their open offers."""
        press = await pressed(update, context, WITHDRAW_BUTTON, ids=(1,))
        if press is None:
            return
        query, reader, match = press
        try:
            offer = await context.services.offers.withdraw(
                Origin(reader.person.id, update.update_id), int(match.group(1))
            )
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        await query.answer()
        await reply(
            update, escape(reader.t(N_("Offer #{number} is withdrawn."), number=offer.id))
        )

    async def match(self, update: Update, context: TongxinContext) -> None:
        """Coordinators: candidate pairs of open offers and unmet needs, each with Accept."""
        reader = await private_reader(update, context)
        message = update.effective_message
        if reader is None or message is None:
            return
        services = context.services
        argument = command_arguments(message)
        found = MATCH_ARGUMENT.match(argument)
        if argument and found is None:
            await services.network.mark_update(update.update_id)
            await reply(
                update,
                escape(
                    reader.t(N_("Write /match, or /match with an appeal number, e.g. /match 3."))
                ),
            )
            return
        appeal_id = int(found.group(1)) if found is not None else None
        try:
            pairs = await services.offers.candidates(Origin(reader.person.id), appeal_id)
        except DomainError as error:
            await services.network.mark_update(update.update_id)
            await refuse(update, reader, error)
            return
        await services.network.mark_update(update.update_id)
        if not pairs:
            await reply(
                update, escape(reader.t(N_("No open offer matches an unmet need right now.")))
            )
            return
        for pair in pairs:
            await reply(update, candidate_text(reader, pair), accept_markup(reader, pair))

    async def accept_button(self, update: Update, context: TongxinContext) -> None:
        """A coordinator accepts a pair (scope and state checked now, on their numeric id)."""
        press = await pressed(update, context, ACCEPT_BUTTON, ids=(1, 2, 3))
        if press is None:
            return
        query, reader, match = press
        offer_id, appeal_id, need_id = (int(g) for g in match.groups())
        try:
            accepted = await context.services.offers.accept(
                Origin(reader.person.id, update.update_id), offer_id, appeal_id, need_id
            )
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        await query.answer()
        pledge = accepted.pledge
        assert pledge.quantity is not None
        what = quantity_text(reader.language, pledge.quantity, pledge.unit, pledge.approximate)
        await reply(
            update,
            escape(
                reader.t(
                    N_(
                        "Accepted: offer #{offer} is now pledge #{pledge} for {need}: {what}. "
                        "The offerer is told."
                    ),
                    offer=accepted.offer.id,
                    pledge=pledge.id,
                    need=accepted.need.item,
                    what=what,
                )
            ),
        )


def candidate_text(reader: Reader, pair: Candidate) -> str:
    """One candidate pair: the offer (item, quantity, terms, place, who) and the need."""
    language = reader.language
    offer, need, appeal = pair.offer, pair.need, pair.appeal
    what = quantity_text(language, offer.remaining, offer.unit, offer.approximate)
    terms = terms_text(reader, offer.terms, offer.price_minor, offer.currency)
    heading = reader.t(N_("Offer #{number}: {what}"), number=offer.id, what=f"{offer.item} {what}")
    lines = [
        f"<b>{escape(heading)}</b>",
        escape(reader.t(N_("Terms: {terms}"), terms=terms)),
        escape(reader.t(N_("Location: {place}"), place=offer.location)),
        escape(reader.t(N_("From: {who}"), who=pair.offerer)),
    ]
    if offer.available_until is not None:
        until = offer.available_until.isoformat()
        lines.append(escape(reader.t(N_("Available until: {date}"), date=until)))
    lines.append(
        escape(
            reader.t(
                N_("Need: {item} for appeal #{number} {title}, still lacking {unmet}"),
                item=need.item,
                number=appeal.id,
                title=appeal.title,
                unmet=quantity_text(language, pair.unmet, need.unit),
            )
        )
    )
    return "\n".join(lines)


def accept_markup(reader: Reader, pair: Candidate) -> InlineKeyboardMarkup:
    """The Accept button of a pair: ids only."""
    data = f"ma:{pair.offer.id}:{pair.appeal.id}:{pair.need.id}"
    return InlineKeyboardMarkup([[button(reader.t(N_("Accept")), data)]])


OFFER_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("offer", N_("Offer supplies: item, quantity, terms, place"), RoleName.MEMBER),
    CommandSpec("myoffers", N_("Your supply offers"), RoleName.MEMBER),
    CommandSpec("match", N_("Match supply offers with unmet needs"), RoleName.COORDINATOR),
)


def offer_flows() -> tuple[OfferFlow]:
    """The dialog flows of offering."""
    return (OfferFlow(),)
