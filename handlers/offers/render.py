"""The texts and keyboards of offers: questions, the summary, listings, pairs and notices."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup

from domain.appeals.models import Appeal, Need
from domain.network.models import Language
from domain.offers.draft import CANCEL, CONFIRM, DIALOG_CODE, OfferDraft, Step
from domain.offers.models import Candidate, Offer, OfferStatus, OfferTerms
from domain.pledges.models import Pledge
from handlers.context import Reader
from handlers.dialogs import dialog_button
from handlers.i18n import N_, Translations
from handlers.render import button, escape, money_text, quantity_text

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
    Step.TERMS: N_("On what terms do you offer it?"),
    Step.PRICE: N_("What price do you ask for the whole lot? For example 2万元 or 5000元."),
    Step.LOCATION: N_("Where are the goods? For example 武汉市江汉区 or a warehouse address."),
    Step.UNTIL: N_("Until when are they available? For example 2026-03-15, 3月15日 or 明天."),
}
MATCH_NOTICE = N_(
    "Good news: your offer #{offer} ({item}) was accepted for appeal #{appeal} {title}. "
    "It is now your pledge #{pledge}: {what}. See /mypledges to report its delivery."
)
THANKS = N_(
    "Thank you! Your offer #{number} is recorded: {what}. Coordinators will match it with "
    "needs. See /myoffers."
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


def question_text(reader: Reader, step: Step) -> str:
    """A question of the offer dialog, with how to stop (HTML)."""
    note = escape(reader.t(N_("Send /cancel to stop.")))
    return f"{escape(reader.t(_QUESTIONS[step]))}\n<i>{note}</i>"


def question_markup(reader: Reader, step: Step) -> InlineKeyboardMarkup | None:
    """The buttons of a question: the terms, or "No end date" beside a typed end date."""
    if step is Step.TERMS:
        return InlineKeyboardMarkup(
            [
                [dialog_button(reader.t(label), DIALOG_CODE, step.value, terms.value)]
                for terms, label in _TERMS.items()
            ]
        )
    if step is Step.UNTIL:
        label = reader.t(N_("No end date"))
        return InlineKeyboardMarkup([[dialog_button(label, DIALOG_CODE, step.value, "none")]])
    return None


def summary_markup(reader: Reader, draft: OfferDraft) -> InlineKeyboardMarkup:
    """Confirm (carrying the draft's token, so a second tap is recognised) and Cancel."""
    return InlineKeyboardMarkup(
        [
            [
                dialog_button(reader.t(N_("Confirm")), DIALOG_CODE, CONFIRM, draft.token),
                dialog_button(reader.t(N_("Cancel")), DIALOG_CODE, CANCEL, "x"),
            ]
        ]
    )


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


def thanks_text(reader: Reader, offer: Offer) -> str:
    """The thank-you for a recorded offer (HTML)."""
    what = offer_line(reader.language, offer)
    return escape(reader.t(THANKS, number=offer.id, what=what))


def listing_text(reader: Reader, offer: Offer, today: date) -> str:
    """One of the person's offers in /myoffers: what, terms, place, end, status, what is left."""
    language = reader.language
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
    return "\n".join(lines)


def withdraw_markup(reader: Reader, offer: Offer) -> InlineKeyboardMarkup | None:
    """The Withdraw button of an open offer."""
    if offer.status is not OfferStatus.OPEN:
        return None
    return InlineKeyboardMarkup([[button(reader.t(N_("Withdraw")), f"ow:{offer.id}")]])


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
