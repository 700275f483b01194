"""The texts of a pledge that several views share: what it promises, its deliveries, its status.

The dialog (handlers/pledges.py), the lists (handlers/lists.py), the delivery review
(handlers/review.py) and the coordinators' notices (handlers/coordination.py) all read a
pledge the same way; numbers, units and escaping come from handlers/render.py.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.appeals.models import Appeal
from domain.errors import N_
from domain.network.models import Language
from domain.pledges.models import Fulfilment, FulfilmentState, Pledge, PledgeKind, PledgeStatus
from domain.pledges.ports import DeliveryParties
from handlers.context import Reader
from handlers.i18n import Translations
from handlers.render import button, escape, money_text, quantity_text

DELIVERY_NOTICE = N_(
    "Delivery reported for pledge #{number} ({what}): {delivered}. Please confirm."
)
CONFIRM_RECEIPT = N_("Confirm receipt")
QUESTION_IT = N_("Question it")
#: Goods known by their value alone (N95口罩 价值2200元): "N95口罩，价值约2200元".
WORTH = N_("{item}, worth {value}")
#: The status names of a pledge.
STATUS_NAMES = {
    PledgeStatus.PLEDGED: N_("pledged"),
    PledgeStatus.PARTIAL: N_("partially delivered"),
    PledgeStatus.DELIVERED: N_("delivered"),
    PledgeStatus.RECEIVED: N_("received"),
    PledgeStatus.CANCELLED: N_("cancelled"),
    PledgeStatus.LAPSED: N_("lapsed"),
}
#: Telegram's limit for a photo's or document's caption.
MAX_CAPTION = 1024

Translate = Callable[..., str]


def pledge_line(language: Language, pledge: Pledge, translations: Translations) -> str:
    """What a pledge promises, formatted for the reader."""
    if pledge.kind is PledgeKind.MONEY:
        return money_text(language, pledge.amount_minor or 0, pledge.currency, pledge.approximate)
    if pledge.kind is PledgeKind.SERVICE:
        return pledge.description
    if pledge.value_only:
        value = money_text(
            language, pledge.estimated_minor or 0, pledge.currency, pledge.estimated_approximate
        )
        return translations.translate(language, WORTH, item=pledge.item, value=value)
    quantity = quantity_text(language, pledge.measure, pledge.unit, pledge.approximate)
    name = pledge.item if pledge.kind is PledgeKind.GOODS else pledge.description
    return f"{name} {quantity}".strip()


def measure_text(
    language: Language, pledge: Pledge, measure: Decimal, translations: Translations
) -> str:
    """An amount in the pledge's measure, formatted for the reader."""
    if pledge.kind is PledgeKind.MONEY:
        return money_text(language, int(measure), pledge.currency)
    if pledge.value_only:  # one lot, known by its value: it is delivered whole
        return pledge_line(language, pledge, translations)
    return quantity_text(language, measure, pledge.unit)


def appeal_and_behalf(
    t: Translate, appeal: Appeal | None, behalf: str | None
) -> tuple[str, str]:
    """For which appeal and on whose behalf, as words (`t` translates in the reader's language)."""
    for_appeal = (
        t(N_("appeal #{number} {title}"), number=appeal.id, title=appeal.title)
        if appeal is not None
        else t(N_("no appeal"))
    )
    on_behalf = (
        t(N_("on behalf of {name}"), name=behalf) if behalf else t(N_("on their own behalf"))
    )
    return for_appeal, on_behalf


def parties_line(language: Language, translations: Translations, parties: DeliveryParties) -> str:
    """Who delivered, for which appeal, on whose behalf (plain text)."""

    def t(message: str, **params: object) -> str:
        return translations.translate(language, message, **params)

    appeal, behalf = appeal_and_behalf(t, parties.appeal, parties.behalf)
    return t(N_("Delivered by {who}; {appeal}; {behalf}"), who=parties.who, appeal=appeal,
             behalf=behalf)


def delivery_text(
    language: Language,
    translations: Translations,
    pledge: Pledge,
    fulfilment: Fulfilment,
    parties: DeliveryParties,
) -> str:
    """A delivery report as a coordinator reads it (HTML), short enough for a caption."""
    lines = [
        translations.translate(
            language,
            DELIVERY_NOTICE,
            number=pledge.id,
            what=pledge_line(language, pledge, translations),
            delivered=measure_text(language, pledge, fulfilment.quantity, translations),
        ),
        parties_line(language, translations, parties),
    ]
    if fulfilment.over:
        lines.append(translations.translate(language, N_("⚠ This is more than was still open.")))
    text = "\n".join(lines)
    if len(text) > MAX_CAPTION:  # counted before escaping: Telegram counts the parsed text
        text = text[: MAX_CAPTION - 1] + "…"
    return escape(text)


def review_lines(reader: Reader, pledge: Pledge) -> list[str]:
    """What coordinators made of the pledge's deliveries (HTML lines for /mypledges)."""
    lines = []
    confirmed = sum(
        (f.quantity for f in pledge.fulfilments if f.state is FulfilmentState.CONFIRMED),
        Decimal(0),
    )
    if confirmed and pledge.status is not PledgeStatus.RECEIVED:
        amount = measure_text(reader.language, pledge, confirmed, reader.translations)
        lines.append(escape(reader.t(N_("Receipt confirmed: {amount}"), amount=amount)))
    for f in pledge.fulfilments:
        if f.state is FulfilmentState.QUESTIONED:
            delivered = measure_text(reader.language, pledge, f.quantity, reader.translations)
            lines.append(
                escape(
                    reader.t(
                        N_("A coordinator questioned the delivery of {delivered}; answer "
                           "with the button under their message."),
                        delivered=delivered,
                    )
                )
            )
    return lines


def review_buttons(reader: Reader, fulfilment_id: int) -> list[list[InlineKeyboardButton]]:
    """Confirm receipt and Question it, under a delivery report."""
    return [
        [
            button(reader.t(CONFIRM_RECEIPT), f"pf:ok:{fulfilment_id}"),
            button(reader.t(QUESTION_IT), f"pf:q:{fulfilment_id}"),
        ]
    ]


def inbox_item(
    reader: Reader, pledge: Pledge, fulfilment: Fulfilment, parties: DeliveryParties
) -> tuple[str, InlineKeyboardMarkup]:
    """One report awaiting review: its text (HTML) and its buttons (the proof, if any)."""
    text = delivery_text(reader.language, reader.translations, pledge, fulfilment, parties)
    rows = review_buttons(reader, fulfilment.id)
    if fulfilment.proof_file_id:
        rows.append([button(reader.t(N_("Show the proof")), f"pf:see:{fulfilment.id}")])
    return text, InlineKeyboardMarkup(rows)
