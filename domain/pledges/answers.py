"""How a typed or pressed answer of the pledge dialog is read into its draft (pure rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.appeals.models import Appeal, Need
from domain.errors import N_, InvalidInput
from domain.kernel.quantities import check_quantity, clean_description, to_minor
from domain.parsing import units_compatible
from domain.parsing.integers import parse_choice
from domain.parsing.time_spent import names_parts_of_days, parse_daily_hours
from domain.pledges.draft import (
    HOURS,
    ORGANISATION_ONLY,
    OTHER_CURRENCY,
    STALE_BUTTON,
    PledgeDraft,
    Step,
    check_hours,
    need_of,
    needs_for,
    people_needs,
    visibility_choices,
)
from domain.pledges.models import PledgeKind, Visibility
from domain.pledges.ports import AmountReader, ReadAmount

VOLUNTEER_HOURS = N_("Please write the hours, e.g. 8小时 or 8 hours.")
AMOUNT_EXAMPLES = N_(
    "I could not read an amount there. Write it as people do, for example: "
    "500元, 5万元, 3000公斤, 300箱, 1.5万元, 三千公斤."
)


def read_amount(
    amounts: AmountReader, text: str, currency: str, bare_unit: str | None = None
) -> ReadAmount:
    """Read an amount; with `bare_unit`, a number written alone is a quantity in that unit."""
    if not text.strip() or len(text) > 200:
        raise InvalidInput(AMOUNT_EXAMPLES)
    if bare_unit:
        bare = amounts.read_bare(text, bare_unit)
        if bare is not None:
            return bare
    found = amounts.read(text, currency)
    if found is None:
        raise InvalidInput(AMOUNT_EXAMPLES)
    return found


def read_money(amounts: AmountReader, text: str, currency: str) -> tuple[int, bool]:
    """Read an amount of money in `currency`'s minor units, with its approximate flag.

    An amount written in another currency is refused: minor units are only meaningful in the
    currency they were computed in, so it is never relabelled.
    """
    found = read_amount(amounts, text, currency)
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


def draft_minor(draft: PledgeDraft, value: Decimal, written: str) -> int:
    """Minor units for the draft: an appeal's own currency only; without one, as written."""
    if draft.appeal_id is None and written != draft.currency:
        minor = to_minor(value, written)
        draft.currency = written  # no appeal: the pledge keeps the currency it was made in
        return minor
    return _minor_in(value, written, draft.currency)


def read_draft_money(draft: PledgeDraft, amounts: AmountReader, text: str) -> tuple[int, bool]:
    """Read the draft's money (amount or value); sets its currency when it has no appeal."""
    found = read_amount(amounts, text, draft.currency)
    if found.currency is None:
        raise InvalidInput(
            N_("That is a quantity, not an amount of money. Write e.g. 500元 or 5万元.")
        )
    return draft_minor(draft, found.value, found.currency), found.approximate


def answer_text(
    draft: PledgeDraft,
    step: Step,
    text: str,
    *,
    amounts: AmountReader,
    appeal: Appeal | None,
    today: date,
) -> None:
    """Read a typed answer into the draft; refuse it (changing nothing) when it does not fit."""
    kind = draft.pledge_kind
    if step is Step.AMOUNT:
        draft.amount_minor, draft.approximate = read_draft_money(draft, amounts, text)
    elif step is Step.VALUE:
        draft.estimated_minor, draft.value_approximate = read_draft_money(draft, amounts, text)
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
        found = read_amount(amounts, text, draft.currency, bare_unit=HOURS)
        # days, weeks and months are refused too: a day of volunteering is not 24 hours
        if found.currency is not None or found.unit not in ("", HOURS):
            raise InvalidInput(VOLUNTEER_HOURS)
        draft.quantity = str(check_hours(found.value))
        draft.unit = HOURS
        draft.approximate = found.approximate
    elif step is Step.QUANTITY:
        read_goods(draft, amounts, text, appeal)
    elif step is Step.DUE:
        draft.due = read_due(amounts, text, today).isoformat()
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


def read_goods(draft: PledgeDraft, amounts: AmountReader, text: str, appeal: Appeal | None) -> None:
    """Read a goods quantity (and the item, when no need line was chosen).

    For a need line, a number written alone counts in the need's unit (`500` for masks counted
    in pieces is 500 pieces).
    """
    need = need_of(appeal, draft.need_id)
    bare_unit = need.unit if need is not None else None
    found = read_amount(amounts, text, draft.currency, bare_unit=bare_unit)
    if found.value_only:
        read_value_only(draft, found, need)
        return
    if found.currency is not None and found.unit in ("", found.currency):
        raise InvalidInput(
            N_("That is an amount of money. For goods write a quantity, e.g. 3000公斤 or 300箱.")
        )
    quantity = check_goods(amounts, need, found.value, found.unit)
    item = need.item if need is not None else (found.item or draft.item or "").strip()
    if not item:
        raise InvalidInput(N_("Please name the item too, e.g. N95口罩 500个."))
    estimated = None
    if found.estimated_value is not None:
        written = found.estimated_currency or found.currency or draft.currency
        estimated = draft_minor(draft, found.estimated_value, written)
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
    draft.estimated_minor = draft_minor(draft, found.value, found.currency)
    draft.value_approximate = found.value_approximate or found.approximate
    draft.item = clean_description(item)[:200]
    draft.quantity = None
    draft.value_only = True
    draft.unit = need.unit if need is not None else ""
    draft.approximate = False
    draft.item_chosen = True


def check_goods(
    amounts: AmountReader, need: Need | None, value: Decimal, unit: str
) -> Decimal:
    """The one check of a goods quantity, however it came (typed, prefilled, one line).

    A unit is required, the quantity must be sensible, and for a need line the unit must
    count towards the need's (an unknown unit never does).
    """
    if not unit:
        raise InvalidInput(N_("Please add a unit, e.g. 3000公斤, 300箱, 500个."))
    quantity = check_quantity(value)
    if need is not None and not amounts.units_compatible(unit, need.unit):
        raise InvalidInput(
            N_("“{unit}” does not fit this need, which is counted in “{need_unit}”."),
            unit=unit,
            need_unit=need.unit,
        )
    return quantity


def read_due(amounts: AmountReader, text: str, today: date) -> date:
    """Read a delivery date that is today or later."""
    found = amounts.read_date(text.strip()[:100], today) if text.strip() else None
    if found is None:
        raise InvalidInput(
            N_("I could not read that date. Write it like 2026-02-25, 2月25日 or 明天.")
        )
    if found < today:
        raise InvalidInput(N_("That date has passed. Please give today or a later date."))
    return found
