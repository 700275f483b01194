"""A whole pledge read from one line, a sentence, or a group reply's prefilled link."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from domain.appeals.models import Appeal, Need, appeal_deep_link_payload, parse_appeal_deep_link
from domain.errors import InvalidInput
from domain.kernel.quantities import CURRENCY_EXPONENTS, to_minor
from domain.pledges.answers import check_goods, draft_minor, read_amount, read_goods
from domain.pledges.draft import STALE_BUTTON, PledgeDraft, Prefill, need_of
from domain.pledges.models import PledgeKind, Visibility
from domain.pledges.ports import AmountReader, ReadAmount

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
    amounts: AmountReader,
    appeal: Appeal | None,
    today: date,
    default_currency: str,
) -> PledgeDraft:
    """Read a whole pledge from one line; what is not written takes its default."""
    draft = PledgeDraft(token=token, currency=default_currency, one_line=True)
    if appeal is not None:  # without one, the dialog asks which appeal (or none)
        draft.choose_appeal(appeal)
    found = read_amount(amounts, text, draft.currency)
    if found.currency is not None and found.item is None and found.unit in ("", found.currency):
        draft.kind = PledgeKind.MONEY.value
        draft.amount_minor = draft_minor(draft, found.value, found.currency)
        draft.approximate = found.approximate
    else:
        draft.kind = PledgeKind.GOODS.value
        need = match_need(appeal, found.item)
        fitting = _needs_in_unit(amounts, appeal, found) if need is None else []
        if len(fitting) > 1:  # `3000公斤` and two needs in kg: the NEED step asks which
            _one_line_defaults(draft, appeal, today)
            draft.quantity = str(check_goods(amounts, None, found.value, found.unit))
            draft.unit = found.unit
            draft.approximate = found.approximate
            return draft
        need = fitting[0] if fitting else need
        draft.need_id = None if need is None else need.id
        draft.item_chosen = True
        read_goods(draft, amounts, text, appeal)
    _one_line_defaults(draft, appeal, today)
    return draft


def _needs_in_unit(amounts: AmountReader, appeal: Appeal | None, found: ReadAmount) -> list[Need]:
    """For a bare quantity (`3000公斤`, no item): the appeal's needs counted in a fitting unit."""
    if appeal is None or found.item is not None or not found.unit or found.currency is not None:
        return []
    return [n for n in appeal.needs if amounts.units_compatible(found.unit, n.unit)]


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
    amounts: AmountReader,
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
            token, text, amounts=amounts, appeal=appeal, today=today,
            default_currency=default_currency,
        )
    except InvalidInput:
        pass
    found = amounts.read(text[:200], default_currency) if text.strip() else None
    if found is None or found.currency is None or found.unit not in ("", found.currency):
        return None
    draft = PledgeDraft(token=token, currency=default_currency, one_line=True)
    if appeal is not None:
        draft.choose_appeal(appeal)
    try:
        minor = draft_minor(draft, found.value, found.currency)  # another currency: None
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


def prefill_from(amounts: AmountReader, text: str, appeal: Appeal) -> Prefill | None:
    """Read `我捐500元` or `我捐3000公斤消毒液` against an appeal; None when it holds no pledge.

    Words that would be refused as an answer (`-1`, a number past the limit) carry nothing.
    """
    try:
        draft = natural_draft(
            "prefill", text, amounts=amounts, appeal=appeal, today=date.min,
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
    draft: PledgeDraft, prefill: Prefill, appeal: Appeal, amounts: AmountReader
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
    quantity = check_goods(amounts, need, prefill.quantity, prefill.unit)
    draft.kind = PledgeKind.GOODS.value
    draft.need_id = need.id
    draft.item = need.item
    draft.item_chosen = True
    draft.quantity = str(quantity)
    draft.unit = prefill.unit
    draft.value_asked = True  # written in the group as a whole pledge: the value is not asked
