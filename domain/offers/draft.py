"""The offer dialog on the engine: its draft, its pure rules and its dialog kind.

The kind asks only what the draft still lacks (`next_step`); a confirmed summary records
the offer inside the engine's unit of work, so the confirm, the offer, its audit and
coordinators' notice events, the dialog's end and the update's mark are one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, cast

from domain.dialogs import models as dialog
from domain.dialogs.engine import DraftKind
from domain.errors import N_, InvalidInput
from domain.kernel.calendar import Calendar
from domain.kernel.origin import Origin
from domain.kernel.quantities import (
    check_quantity,
    clean_description,
    stored_decimal,
    to_minor,
)
from domain.offers.models import Offer, OfferTerms, clean_location
from domain.offers.ports import OfferUnitOfWork
from domain.parsing import messages, parse_due_date, parse_offer_text

DIALOG_KIND = "offer"
#: the first part of the offer dialog's buttons: `od:<step>:<value>`
DIALOG_CODE = "od"
NO_LONGER_VALID = N_("This button is no longer valid.")
MAX_ITEM = 200

ITEM_EXAMPLES = N_(
    "Please write the item with its quantity and unit, for example: "
    "N95口罩 5000个, 防护服 300套 or disinfectant 2 t."
)
PRICE_EXAMPLES = N_("I could not read a price there. Write it like 2万元, 5000元 or ¥1,000.")


class Step(StrEnum):
    """A question of the offer dialog."""

    ITEM = "item"
    TERMS = "terms"
    PRICE = "price"
    LOCATION = "location"
    UNTIL = "until"
    CONFIRM = "confirm"


TEXT_STEPS = frozenset({Step.ITEM, Step.PRICE, Step.LOCATION, Step.UNTIL})


@dataclass
class OfferDraft:
    """Everything answered so far; stored as the dialog's data after every answer."""

    token: str
    currency: str  # of a price written without one: settings CURRENCY
    item: str | None = None
    quantity: str | None = None
    unit: str = ""
    approximate: bool = False
    terms: str | None = None
    price_minor: int | None = None
    location: str | None = None
    until_chosen: bool = False
    until: str | None = None

    @property
    def quantity_value(self) -> Decimal | None:
        """The quantity as a Decimal."""
        return stored_decimal(self.quantity)

    @property
    def offer_terms(self) -> OfferTerms | None:
        """The terms, once chosen."""
        return OfferTerms(self.terms) if self.terms else None

    @property
    def until_date(self) -> date | None:
        """The last day the goods are available (None: no end)."""
        return date.fromisoformat(self.until) if self.until else None


def next_step(draft: OfferDraft) -> Step:
    """The first question the draft still lacks an answer to."""
    if draft.item is None or draft.quantity is None:
        return Step.ITEM
    if draft.terms is None:
        return Step.TERMS
    if draft.offer_terms is OfferTerms.PRICE and draft.price_minor is None:
        return Step.PRICE
    if draft.location is None:
        return Step.LOCATION
    if not draft.until_chosen:
        return Step.UNTIL
    return Step.CONFIRM


def read_item_line(draft: OfferDraft, text: str) -> None:
    """Read `N95口罩 5000个` into the draft: item, quantity and unit; refuse what does not fit."""
    if not text.strip():
        raise InvalidInput(ITEM_EXAMPLES)
    try:
        parsed = parse_offer_text(text, default_currency=draft.currency)
    except InvalidInput as error:
        if error.message == messages.NO_AMOUNT:
            raise InvalidInput(ITEM_EXAMPLES) from None
        raise
    if parsed.quantity is None:
        if parsed.money is not None or parsed.estimated_value is not None:
            raise InvalidInput(
                N_("That is an amount of money. Offer goods with a quantity, e.g. 防护服 300套.")
            )
        raise InvalidInput(ITEM_EXAMPLES)
    item = (parsed.item or "").strip()
    if not item:
        raise InvalidInput(N_("Please name the item too, e.g. N95口罩 5000个."))
    quantity = check_quantity(parsed.quantity.value)
    draft.item = clean_description(item)[:MAX_ITEM]
    draft.quantity = str(quantity)
    draft.unit = parsed.quantity.unit
    draft.approximate = parsed.approximate


def read_price(text: str, currency: str, each_of: Decimal | None = None) -> tuple[int, str]:
    """Read the asking price (for the whole lot): minor units in the currency written.

    `currency` is the one of a price written without one. The minor units are those of the
    currency the price was written in, and that currency is returned with them: 10000 JPY
    is never relabelled as 10000 fen. A price per piece (`每个1.5元`, `1.5 yuan each`) is
    multiplied by `each_of`, the quantity offered: the price stored is the whole lot's.
    """
    if not text.strip():
        raise InvalidInput(PRICE_EXAMPLES)
    try:
        parsed = parse_offer_text(text, default_currency=currency, each_of=each_of)
    except InvalidInput as error:
        if error.message == messages.NO_AMOUNT:
            raise InvalidInput(PRICE_EXAMPLES) from None
        raise
    money = parsed.money or parsed.estimated_value
    if money is None or parsed.quantity is not None:
        raise InvalidInput(PRICE_EXAMPLES)
    return to_minor(money.major, money.currency), money.currency


def read_until(text: str, today: date) -> date:
    """Read the last day of availability; today or later."""
    found = parse_due_date(text.strip(), today=today)
    if found < today:
        raise InvalidInput(N_("That date has passed. Please give today or a later date."))
    return found


def answer_text(draft: OfferDraft, step: Step, text: str, *, today: date) -> None:
    """Read a typed answer into the draft; refuse it (changing nothing) when it does not fit."""
    if step is Step.ITEM:
        trial = replace(draft)
        read_item_line(trial, text)
        draft.item, draft.quantity, draft.unit = trial.item, trial.quantity, trial.unit
        draft.approximate = trial.approximate
    elif step is Step.PRICE:
        each_of = Decimal(draft.quantity) if draft.quantity else None
        draft.price_minor, draft.currency = read_price(text, draft.currency, each_of)
    elif step is Step.LOCATION:
        draft.location = clean_location(text)
    elif step is Step.UNTIL:
        draft.until = read_until(text, today).isoformat()
        draft.until_chosen = True
    else:
        raise InvalidInput(N_("Please use the buttons to answer."))


def choose_terms(draft: OfferDraft, value: str) -> None:
    """Take the terms button; a price is then asked for."""
    if value not in OfferTerms.__members__.values():
        raise InvalidInput(NO_LONGER_VALID)
    draft.terms = value
    if draft.offer_terms is not OfferTerms.PRICE:
        draft.price_minor = None


#: what each question takes: the end date is typed or "No end date" pressed
_ACCEPTS = {
    Step.ITEM: dialog.Accepts.TEXT,
    Step.TERMS: dialog.Accepts.BUTTON,
    Step.PRICE: dialog.Accepts.TEXT,
    Step.LOCATION: dialog.Accepts.TEXT,
    Step.UNTIL: dialog.Accepts.TEXT | dialog.Accepts.BUTTON,
    Step.CONFIRM: dialog.Accepts.BUTTON,
}
#: the summary's buttons: Confirm (`ok:<token>`) and Cancel (`no:x`)
CONFIRM = "ok"
CANCEL = "no"


class OfferRecorder(Protocol):
    """Records a confirmed draft as an offer in the caller's unit of work (`OfferService`)."""

    @property
    def calendar(self) -> Calendar:
        """The calendar a person's "today" is read in."""
        ...

    async def record(self, uow: OfferUnitOfWork, origin: Origin, draft: OfferDraft) -> Offer:
        """The offer of a confirmed draft (the one already recorded for its token)."""
        ...

    async def recorded(self, uow: OfferUnitOfWork, person_id: int, token: str) -> Offer | None:
        """The person's offer a dialog with `token` confirmed, if any."""
        ...


class OfferKind(DraftKind[OfferDraft]):
    """The offer dialog: item, terms, price (when asked), location, end date, summary."""

    name = DIALOG_KIND
    code = DIALOG_CODE

    def __init__(self, offers: OfferRecorder) -> None:
        self._offers = offers

    async def question(
        self, uow: OfferUnitOfWork, origin: Origin, draft: OfferDraft, known: dialog.Question | None
    ) -> dialog.Question:
        """The first question the draft lacks an answer to; the summary takes Confirm/Cancel."""
        step = next_step(draft)
        presses = frozenset({CONFIRM, CANCEL}) if step is Step.CONFIRM else frozenset()
        return dialog.Question(step.value, _ACCEPTS[step], presses)

    async def answer(
        self,
        uow: OfferUnitOfWork,
        origin: Origin,
        draft: OfferDraft,
        question: dialog.Question,
        answer: dialog.Answer,
    ) -> dialog.Progress:
        """Read a typed answer or a press into the draft; Confirm records the offer."""
        step = Step(question.step)
        if isinstance(answer, dialog.Typed):
            today = (
                await self._offers.calendar.today_of(uow, origin.actor_id)
                if step is Step.UNTIL
                else self._offers.calendar.today()
            )
            answer_text(draft, step, answer.text, today=today)
            return dialog.Continue()
        if not isinstance(answer, dialog.Pressed):
            raise InvalidInput(NO_LONGER_VALID)
        if answer.step == CANCEL:
            return dialog.Cancelled()
        if answer.step == CONFIRM:
            if answer.value != draft.token:  # a summary of an earlier offer dialog
                raise InvalidInput(NO_LONGER_VALID)
            return dialog.Finished(await self._offers.record(uow, origin, draft))
        if step is Step.TERMS:
            choose_terms(draft, answer.value)
        elif step is Step.UNTIL and answer.value == "none":
            draft.until, draft.until_chosen = None, True
        else:
            raise InvalidInput(NO_LONGER_VALID)
        return dialog.Continue()

    async def late_press(self, uow: object, origin: Origin, press: dialog.Pressed) -> Offer | None:
        """A Confirm of a summary already confirmed: the offer it recorded (else stale)."""
        if press.step != CONFIRM or origin.actor_id is None:
            return None
        # the engine gives each kind the unit of work it is registered with: an offer one
        offers_uow = cast(OfferUnitOfWork, uow)
        return await self._offers.recorded(offers_uow, origin.actor_id, press.value)
