"""The pledge dialog's draft and its pure rules: what to ask next, how to read each answer."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from domain.appeals.models import Appeal, Need, appeal_deep_link_payload, parse_appeal_deep_link
from domain.errors import N_, InvalidInput
from domain.kernel.quantities import CURRENCY_EXPONENTS, check_quantity, clean_description, to_minor
from domain.parsing import units_compatible
from domain.parsing.integers import parse_choice
from domain.parsing.items import PEOPLE_KEYS
from domain.parsing.time_spent import names_parts_of_days, parse_daily_hours
from domain.pledges.models import PledgeKind, Visibility
from domain.pledges.ports import AmountReader, ReadAmount

DIALOG_KIND = "pledge"
HOURS = "hour"
PERSON = "person"
MAX_HOURS = Decimal(10_000)
TOO_MANY_HOURS = N_("That is too many hours: at most {limit} hours can be pledged at once.")
VOLUNTEER_HOURS = N_("Please write the hours, e.g. 8小时 or 8 hours.")
ORGANISATION_ONLY = N_(
    "Only a pledge made on behalf of an organisation can be shown as the organisation only."
)

AMOUNT_EXAMPLES = N_(
    "I could not read an amount there. Write it as people do, for example: "
    "500元, 5万元, 3000公斤, 300箱, 1.5万元, 三千公斤."
)


class Step(StrEnum):
    """A question of the pledge dialog."""

    APPEAL = "appeal"
    KIND = "kind"
    NEED = "need"
    AMOUNT = "amount"
    QUANTITY = "quantity"
    DESCRIPTION = "description"
    VALUE = "value"
    BEHALF = "behalf"
    EARMARK = "earmark"
    DUE = "due"
    VISIBILITY = "visibility"
    CONFIRM = "confirm"


STALE_BUTTON = N_("This button is no longer valid.")
OTHER_CURRENCY = N_(
    "That amount is in {written}, but this is counted in {currency}. "
    "Please write the amount in {currency}."
)
TEXT_STEPS = frozenset({Step.AMOUNT, Step.QUANTITY, Step.DESCRIPTION, Step.VALUE, Step.DUE})


@dataclass
class PledgeDraft:
    """Everything answered so far; stored as the dialog's data after every answer."""

    token: str
    currency: str  # settings CURRENCY, or the appeal's; as written for a pledge without one
    appeal_chosen: bool = False
    appeal_id: int | None = None
    source_chat_id: int | None = None
    kind: str | None = None
    item_chosen: bool = False
    need_id: int | None = None
    item: str = ""
    amount_minor: int | None = None
    quantity: str | None = None
    unit: str = ""
    estimated_minor: int | None = None
    # goods known by their value alone (N95口罩 价值2200元): no quantity, the value is the measure
    value_only: bool = False
    value_asked: bool = False  # the goods' optional value question was answered or skipped
    approximate: bool = False  # of the amount or quantity
    value_approximate: bool = False  # of the estimated value (300箱 价值2万余元)
    description: str | None = None
    behalf_chosen: bool = False
    behalf: int | None = None
    earmark_chosen: bool = False
    earmark: int | None = None
    due_chosen: bool = False
    due: str | None = None
    visibility: str | None = None
    # the one-line form filled "on whose behalf" and "how shown" by default: its summary
    # says so and offers to change them; an appeal chosen later brings its deadline
    one_line: bool = False
    # the question with buttons that also takes a typed answer (the date): its buttons are
    # taken away once it is answered by text
    question_message_id: int | None = None

    def to_data(self) -> dict[str, Any]:
        """The JSON-safe form kept in the dialog row."""
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> PledgeDraft:
        """Rebuild a draft from a dialog row (unknown keys are ignored)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def pledge_kind(self) -> PledgeKind | None:
        """The kind, once chosen."""
        return PledgeKind(self.kind) if self.kind else None

    @property
    def quantity_value(self) -> Decimal | None:
        """The quantity as a Decimal."""
        if self.quantity is None:
            return None
        try:
            return Decimal(self.quantity)
        except InvalidOperation:
            return None

    @property
    def due_date(self) -> date | None:
        """The chosen delivery date."""
        return date.fromisoformat(self.due) if self.due else None

    def choose_appeal(self, appeal: Appeal | None) -> None:
        """Attach the draft to an appeal (or to none) and take its currency and deadline."""
        has_money = self.amount_minor is not None or self.estimated_minor is not None
        if appeal is not None and has_money and self.currency != appeal.currency:
            # minor units already read are those of the draft's currency: never relabelled
            raise InvalidInput(OTHER_CURRENCY, written=self.currency, currency=appeal.currency)
        self.appeal_chosen = True
        self.appeal_id = None if appeal is None else appeal.id
        if appeal is not None:
            self.currency = appeal.currency


def visibility_choices(draft: PledgeDraft) -> tuple[Visibility, ...]:
    """How the pledge may be shown; "as my organisation only" just when made on behalf of one."""
    if draft.behalf is None:
        return (Visibility.NAMED, Visibility.ANONYMOUS)
    return (Visibility.NAMED, Visibility.ORGANISATION, Visibility.ANONYMOUS)


def check_hours(value: Decimal) -> Decimal:
    """Refuse zero, negative and more volunteer hours than one pledge can sensibly hold."""
    check_quantity(value)
    if value > MAX_HOURS:
        raise InvalidInput(TOO_MANY_HOURS, limit=f"{MAX_HOURS:,}")
    return value


def need_of(appeal: Appeal | None, need_id: int | None) -> Need | None:
    """The appeal's need with this id."""
    if appeal is None or need_id is None:
        return None
    return next((n for n in appeal.needs if n.id == need_id), None)


def people_needs(appeal: Appeal | None) -> list[Need]:
    """The appeal's needs counted in people (志愿者 8人, volunteers 8): volunteer time fits them."""
    if appeal is None:
        return []
    return [n for n in appeal.needs if n.unit == PERSON or n.item_key in PEOPLE_KEYS]


def needs_for(draft: PledgeDraft, appeal: Appeal | None) -> list[Need]:
    """The needs the NEED step offers: people needs for volunteer time, every need for goods."""
    if draft.pledge_kind is PledgeKind.VOLUNTEER:
        return people_needs(appeal)
    return [] if appeal is None else list(appeal.needs)


def next_step(draft: PledgeDraft, appeal: Appeal | None, organisations: list[int]) -> Step:
    """The first question the draft still lacks an answer to."""
    kind = draft.pledge_kind
    if not draft.appeal_chosen:
        return Step.APPEAL
    if kind is None:
        return Step.KIND
    if kind is PledgeKind.MONEY and draft.amount_minor is None:
        return Step.AMOUNT
    if kind is PledgeKind.GOODS:
        if not draft.item_chosen and appeal is not None and appeal.needs:
            return Step.NEED
        if draft.quantity is None and not draft.value_only:
            return Step.QUANTITY
        # the one-line form asks nothing more; the dialog asks the value, which may be skipped
        if draft.estimated_minor is None and not draft.value_asked and not draft.one_line:
            return Step.VALUE
    if kind is PledgeKind.VOLUNTEER and not draft.item_chosen and len(people_needs(appeal)) > 1:
        return Step.NEED  # which of the people needs the time counts against
    if kind in (PledgeKind.SERVICE, PledgeKind.VOLUNTEER) and draft.description is None:
        return Step.DESCRIPTION
    if kind is PledgeKind.SERVICE and draft.estimated_minor is None:
        return Step.VALUE
    if kind is PledgeKind.VOLUNTEER and draft.quantity is None:
        return Step.QUANTITY
    if not draft.behalf_chosen and organisations:
        return Step.BEHALF
    if not draft.earmark_chosen and appeal is not None and appeal.recipients:
        return Step.EARMARK
    if not draft.due_chosen:
        return Step.DUE
    if draft.visibility not in visibility_choices(draft):
        return Step.VISIBILITY
    return Step.CONFIRM


def _read(
    reader: AmountReader, text: str, currency: str, bare_unit: str | None = None
) -> ReadAmount:
    """Read an amount; with `bare_unit`, a number written alone is a quantity in that unit."""
    if not text.strip() or len(text) > 200:
        raise InvalidInput(AMOUNT_EXAMPLES)
    if bare_unit:
        bare = reader.read_bare(text, bare_unit)
        if bare is not None:
            return bare
    found = reader.read(text, currency)
    if found is None:
        raise InvalidInput(AMOUNT_EXAMPLES)
    return found


def read_money(reader: AmountReader, text: str, currency: str) -> tuple[int, bool]:
    """Read an amount of money in `currency`'s minor units, with its approximate flag.

    An amount written in another currency is refused: minor units are only meaningful in the
    currency they were computed in, so it is never relabelled.
    """
    found = _read(reader, text, currency)
    if found.currency is None:
        raise InvalidInput(
            N_("That is a quantity, not an amount of money. Write e.g. 500元 or 5万元.")
        )
    return _minor_in(found.value, found.currency, currency), found.approximate


def _minor_in(value: Decimal, written: str, currency: str) -> int:
    """Minor units of `value` written in `written`; refused unless that is `currency`."""
    if written != currency:
        raise InvalidInput(OTHER_CURRENCY, written=written, currency=currency)
    return to_minor(value, written)


def _draft_minor(draft: PledgeDraft, value: Decimal, written: str) -> int:
    """Minor units for the draft: an appeal's own currency only; without one, as written."""
    if draft.appeal_id is None and written != draft.currency:
        minor = to_minor(value, written)
        draft.currency = written  # no appeal: the pledge keeps the currency it was made in
        return minor
    return _minor_in(value, written, draft.currency)


def read_draft_money(draft: PledgeDraft, reader: AmountReader, text: str) -> tuple[int, bool]:
    """Read the draft's money (amount or value); sets its currency when it has no appeal."""
    found = _read(reader, text, draft.currency)
    if found.currency is None:
        raise InvalidInput(
            N_("That is a quantity, not an amount of money. Write e.g. 500元 or 5万元.")
        )
    return _draft_minor(draft, found.value, found.currency), found.approximate


def answer_text(
    draft: PledgeDraft,
    step: Step,
    text: str,
    *,
    reader: AmountReader,
    appeal: Appeal | None,
    today: date,
) -> None:
    """Read a typed answer into the draft; refuse it (changing nothing) when it does not fit."""
    kind = draft.pledge_kind
    if step is Step.AMOUNT:
        draft.amount_minor, draft.approximate = read_draft_money(draft, reader, text)
    elif step is Step.VALUE:
        draft.estimated_minor, draft.value_approximate = read_draft_money(draft, reader, text)
    elif step is Step.DESCRIPTION:
        draft.description = clean_description(text)
    elif step is Step.QUANTITY and kind is PledgeKind.VOLUNTEER:
        daily = parse_daily_hours(text)  # 每天8小时，连续10天 is 80 hours
        if daily is not None:
            draft.quantity, draft.unit = str(check_hours(daily)), HOURS
            draft.approximate = False
            return
        if names_parts_of_days(text):  # two afternoons, 半天: how many hours is not guessed
            raise InvalidInput(VOLUNTEER_HOURS)
        found = _read(reader, text, draft.currency, bare_unit=HOURS)
        # days, weeks and months are refused too: a day of volunteering is not 24 hours
        if found.currency is not None or found.unit not in ("", HOURS):
            raise InvalidInput(VOLUNTEER_HOURS)
        draft.quantity = str(check_hours(found.value))
        draft.unit = HOURS
        draft.approximate = found.approximate
    elif step is Step.QUANTITY:
        read_goods(draft, reader, text, appeal)
    elif step is Step.DUE:
        draft.due = read_due(reader, text, today).isoformat()
        draft.due_chosen = True
    else:
        raise InvalidInput(N_("Please use the buttons to answer."))


def answer_button(
    draft: PledgeDraft,
    step: Step,
    value: str,
    appeal: Appeal | None,
    organisations: list[int],
) -> None:
    """Read a button's answer for `step` (the draft's current one, not the appeal step).

    Button data comes from the client, so a value no button of this step carries is refused
    as stale, and the draft is left as it was.
    """
    number = parse_choice(value)
    if step is Step.KIND and value in PledgeKind.__members__.values():
        draft.kind = value
        people = people_needs(appeal)
        if value == PledgeKind.VOLUNTEER.value and len(people) == 1:
            # the appeal's one volunteer need: the time counts against it (one person)
            draft.need_id, draft.item_chosen = people[0].id, True
    elif step is Step.NEED and number is not None:
        need = need_of(appeal, number) if number else None
        if number and (need is None or need not in needs_for(draft, appeal)):
            raise InvalidInput(STALE_BUTTON)
        if draft.quantity is not None and not draft.item:  # a bare quantity: which need?
            if need is None:
                raise InvalidInput(N_("Please name the item too, e.g. N95口罩 500个."))
            if not units_compatible(draft.unit, need.unit):
                raise InvalidInput(
                    N_("“{unit}” does not fit this need, which is counted in “{need_unit}”."),
                    unit=draft.unit,
                    need_unit=need.unit,
                )
            draft.item = need.item
        draft.need_id = number or None
        draft.item_chosen = True
    elif step is Step.BEHALF and number is not None and (number == 0 or number in organisations):
        draft.behalf, draft.behalf_chosen = number or None, True
    elif (
        step is Step.EARMARK
        and number is not None
        and appeal is not None
        and (number == 0 or any(r.id == number for r in appeal.recipients))
    ):
        draft.earmark, draft.earmark_chosen = number or None, True
    elif step is Step.DUE and value in ("deadline", "none"):
        deadline = appeal.deadline if appeal is not None else None
        draft.due = deadline.isoformat() if value == "deadline" and deadline else None
        draft.due_chosen = True
    elif step is Step.VALUE and value == "skip" and draft.pledge_kind is PledgeKind.GOODS:
        draft.value_asked = True  # the value of goods is optional; a service's is not
    elif step is Step.VISIBILITY and value in Visibility.__members__.values():
        if Visibility(value) not in visibility_choices(draft):
            raise InvalidInput(ORGANISATION_ONLY)
        draft.visibility = value
    else:
        raise InvalidInput(STALE_BUTTON)


def read_goods(draft: PledgeDraft, reader: AmountReader, text: str, appeal: Appeal | None) -> None:
    """Read a goods quantity (and the item, when no need line was chosen).

    For a need line, a number written alone counts in the need's unit (`500` for masks counted
    in pieces is 500 pieces).
    """
    need = need_of(appeal, draft.need_id)
    found = _read(reader, text, draft.currency, bare_unit=need.unit if need is not None else None)
    if found.value_only:
        read_value_only(draft, found, need)
        return
    if found.currency is not None and found.unit in ("", found.currency):
        raise InvalidInput(
            N_("That is an amount of money. For goods write a quantity, e.g. 3000公斤 or 300箱.")
        )
    quantity = check_goods(reader, need, found.value, found.unit)
    item = need.item if need is not None else (found.item or draft.item or "").strip()
    if not item:
        raise InvalidInput(N_("Please name the item too, e.g. N95口罩 500个."))
    estimated = None
    if found.estimated_value is not None:
        written = found.estimated_currency or found.currency or draft.currency
        estimated = _draft_minor(draft, found.estimated_value, written)
    draft.item = clean_description(item)[:200]
    draft.quantity = str(quantity)
    draft.value_only = False
    draft.unit = found.unit
    draft.approximate = found.approximate
    if estimated is not None:
        draft.estimated_minor = estimated
        draft.value_approximate = found.value_approximate
    draft.item_chosen = True


def read_value_only(draft: PledgeDraft, found: ReadAmount, need: Need | None) -> None:
    """Goods named with their value and no quantity (`N95口罩 价值2200元`): the value is kept.

    The quantity may follow with the delivery report; for a need line the pledge keeps the
    need's unit, so a delivery can be written as a bare number.
    """
    item = need.item if need is not None else (found.item or draft.item or "").strip()
    if not item:
        raise InvalidInput(N_("Please name the item too, e.g. N95口罩 500个."))
    assert found.currency is not None  # a value is money
    draft.estimated_minor = _draft_minor(draft, found.value, found.currency)
    draft.value_approximate = found.value_approximate or found.approximate
    draft.item = clean_description(item)[:200]
    draft.quantity = None
    draft.value_only = True
    draft.unit = need.unit if need is not None else ""
    draft.approximate = False
    draft.item_chosen = True


def check_goods(
    reader: AmountReader, need: Need | None, value: Decimal, unit: str
) -> Decimal:
    """The one check of a goods quantity, however it came (typed, prefilled, one line).

    A unit is required, the quantity must be sensible, and for a need line the unit must
    count towards the need's (an unknown unit never does).
    """
    if not unit:
        raise InvalidInput(N_("Please add a unit, e.g. 3000公斤, 300箱, 500个."))
    quantity = check_quantity(value)
    if need is not None and not reader.units_compatible(unit, need.unit):
        raise InvalidInput(
            N_("“{unit}” does not fit this need, which is counted in “{need_unit}”."),
            unit=unit,
            need_unit=need.unit,
        )
    return quantity


def read_due(reader: AmountReader, text: str, today: date) -> date:
    """Read a delivery date that is today or later."""
    found = reader.read_date(text.strip()[:100], today) if text.strip() else None
    if found is None:
        raise InvalidInput(
            N_("I could not read that date. Write it like 2026-02-25, 2月25日 or 明天.")
        )
    if found < today:
        raise InvalidInput(N_("That date has passed. Please give today or a later date."))
    return found


ONE_LINE = re.compile(r"^\s*#?([0-9]{1,12})(?:\s+(\S.*))?\s*$", re.DOTALL)


def split_one_line(arguments: str) -> tuple[int | None, str]:
    """Split `/pledge [APPEAL] TEXT` into the appeal number (if any) and the text.

    `/pledge 3` opens the dialog on appeal 3; `/pledge 500元` is text (no space after 500).
    """
    match = ONE_LINE.match(arguments)
    if match is None:
        return None, arguments.strip()
    return int(match.group(1)), (match.group(2) or "").strip()


def match_need(appeal: Appeal | None, item: str | None) -> Need | None:
    """The appeal's need line whose item the written item names."""
    if appeal is None or not item:
        return None
    key = item.casefold()
    for need in appeal.needs:
        if need.item_key and (need.item_key in key or key in need.item_key):
            return need
        if need.item.casefold() in key or key in need.item.casefold():
            return need
    return None


def one_line_draft(
    token: str,
    text: str,
    *,
    reader: AmountReader,
    appeal: Appeal | None,
    today: date,
    default_currency: str,
) -> PledgeDraft:
    """Read a whole pledge from one line; what is not written takes its default."""
    draft = PledgeDraft(token=token, currency=default_currency, one_line=True)
    if appeal is not None:  # without one, the dialog asks which appeal (or none)
        draft.choose_appeal(appeal)
    found = _read(reader, text, draft.currency)
    if found.currency is not None and found.item is None and found.unit in ("", found.currency):
        draft.kind = PledgeKind.MONEY.value
        draft.amount_minor = _draft_minor(draft, found.value, found.currency)
        draft.approximate = found.approximate
    else:
        draft.kind = PledgeKind.GOODS.value
        need = match_need(appeal, found.item)
        fitting = _needs_in_unit(reader, appeal, found) if need is None else []
        if len(fitting) > 1:  # `3000公斤` and two needs in kg: the NEED step asks which
            _one_line_defaults(draft, appeal, today)
            draft.quantity = str(check_goods(reader, None, found.value, found.unit))
            draft.unit = found.unit
            draft.approximate = found.approximate
            return draft
        need = fitting[0] if fitting else need
        draft.need_id = None if need is None else need.id
        draft.item_chosen = True
        read_goods(draft, reader, text, appeal)
    _one_line_defaults(draft, appeal, today)
    return draft


def _needs_in_unit(reader: AmountReader, appeal: Appeal | None, found: ReadAmount) -> list[Need]:
    """For a bare quantity (`3000公斤`, no item): the appeal's needs counted in a fitting unit."""
    if appeal is None or found.item is not None or not found.unit or found.currency is not None:
        return []
    return [n for n in appeal.needs if reader.units_compatible(found.unit, n.unit)]


def _one_line_defaults(draft: PledgeDraft, appeal: Appeal | None, today: date) -> None:
    """What the one-line form does not ask: myself, no earmark, the deadline, anonymous."""
    draft.behalf_chosen = True
    draft.earmark_chosen = True
    draft.due_chosen = True
    if appeal is not None and appeal.deadline is not None and appeal.deadline >= today:
        draft.due = appeal.deadline.isoformat()
    draft.visibility = Visibility.ANONYMOUS.value


def natural_draft(
    token: str,
    text: str,
    *,
    reader: AmountReader,
    appeal: Appeal | None,
    today: date,
    default_currency: str,
) -> PledgeDraft | None:
    """A pledge read from a sentence (`我们单位捐5万元`, `I'll give 2000 yuan`), or None.

    As the one-line form reads it; an amount of money counts as money whatever words
    surround it (the one-line form would take `我们单位` for an item). The amount passes
    the same checks as a typed one.
    """
    try:
        return one_line_draft(
            token, text, reader=reader, appeal=appeal, today=today,
            default_currency=default_currency,
        )
    except InvalidInput:
        pass
    found = reader.read(text[:200], default_currency) if text.strip() else None
    if found is None or found.currency is None or found.unit not in ("", found.currency):
        return None
    draft = PledgeDraft(token=token, currency=default_currency, one_line=True)
    if appeal is not None:
        draft.choose_appeal(appeal)
    try:
        minor = _draft_minor(draft, found.value, found.currency)  # another currency: None
    except InvalidInput:
        return None
    draft.kind = PledgeKind.MONEY.value
    draft.amount_minor = minor
    draft.approximate = found.approximate
    _one_line_defaults(draft, appeal, today)
    return draft


MAX_PAYLOAD = 64
_PREFILL = re.compile(
    r"^(?:y([0-9]{1,15})|n([0-9]{1,12})q([0-9]{1,13}(?:d[0-9]{1,6})?)u([a-z0-9]{1,12}))$"
)


@dataclass(frozen=True)
class Prefill:
    """What a member wrote in a group reply, carried to the private dialog in the link."""

    amount_minor: int | None = None
    need_id: int | None = None
    quantity: Decimal | None = None
    unit: str = ""


def prefill_from(reader: AmountReader, text: str, appeal: Appeal) -> Prefill | None:
    """Read `我捐500元` or `我捐3000公斤消毒液` against an appeal; None when it holds no pledge.

    Words that would be refused as an answer (`-1`, a number past the limit) carry nothing.
    """
    try:
        draft = natural_draft(
            "prefill", text, reader=reader, appeal=appeal, today=date.min,
            default_currency=appeal.currency,
        )
    except InvalidInput:
        return None
    if draft is None:
        return None
    if draft.amount_minor is not None and draft.currency == appeal.currency:
        return Prefill(amount_minor=draft.amount_minor)
    quantity = draft.quantity_value
    if draft.need_id is not None and quantity is not None:
        return Prefill(need_id=draft.need_id, quantity=quantity, unit=draft.unit)
    return None


def prefill_payload(appeal_id: int, chat_id: int, prefill: Prefill | None) -> str:
    """The deep-link payload (≤64 chars of A-Za-z0-9_-) with the prefill, if it fits."""
    base = appeal_deep_link_payload(appeal_id, chat_id)
    if prefill is None:
        return base
    if prefill.amount_minor is not None:
        suffix = f"y{prefill.amount_minor}"
    elif prefill.need_id is not None and prefill.quantity is not None:
        number = f"{prefill.quantity.normalize():f}".replace(".", "d")
        suffix = f"n{prefill.need_id}q{number}u{prefill.unit}"
    else:
        return base
    payload = f"{base}_{suffix}"
    if len(payload) > MAX_PAYLOAD or _PREFILL.match(suffix) is None:
        return base
    return payload


def parse_prefill_payload(payload: str) -> tuple[int, int, Prefill | None] | None:
    """Read `(appeal_id, source_chat_id, prefill)` from a deep link; None when not ours."""
    if len(payload) > MAX_PAYLOAD:
        return None
    head, _, rest = payload.partition("_")
    chat, _, suffix = rest.partition("_")
    parsed = parse_appeal_deep_link(f"{head}_{chat}")
    if parsed is None:
        return None
    if not suffix:
        return parsed[0], parsed[1], None
    match = _PREFILL.match(suffix)
    if match is None:
        return None
    minor, need, number, unit = match.groups()
    if minor is not None:
        return parsed[0], parsed[1], Prefill(amount_minor=int(minor))
    return parsed[0], parsed[1], Prefill(
        need_id=int(need), quantity=Decimal(number.replace("d", ".")), unit=unit
    )


def apply_prefill(
    draft: PledgeDraft, prefill: Prefill, appeal: Appeal, reader: AmountReader
) -> None:
    """Fill the draft from a group reply's link, checked as a typed answer is.

    The payload comes from outside: an amount or quantity a typed answer would be refused
    for (zero, too large, a unit that does not fit the need) is refused here too.
    """
    if prefill.amount_minor is not None:
        exponent = CURRENCY_EXPONENTS.get(draft.currency, 2)
        to_minor(Decimal(prefill.amount_minor).scaleb(-exponent), draft.currency)
        draft.kind = PledgeKind.MONEY.value
        draft.amount_minor = prefill.amount_minor
        return
    need = need_of(appeal, prefill.need_id)
    if need is None or prefill.quantity is None:
        raise InvalidInput(STALE_BUTTON)
    quantity = check_goods(reader, need, prefill.quantity, prefill.unit)
    draft.kind = PledgeKind.GOODS.value
    draft.need_id = need.id
    draft.item = need.item
    draft.item_chosen = True
    draft.quantity = str(quantity)
    draft.unit = prefill.unit
    draft.value_asked = True  # written in the group as a whole pledge: the value is not asked
