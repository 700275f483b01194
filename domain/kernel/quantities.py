"""Quantity and money rules every feature shares: limits, minor units, plain renderings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from domain.errors import N_, InvalidInput
from domain.kernel.text import TextRule

MAX_MAJOR_AMOUNT = Decimal(10) ** 12
MAX_DESCRIPTION = 1000
CURRENCY_EXPONENTS: dict[str, int] = {"CNY": 2, "HKD": 2, "TWD": 2, "USD": 2, "EUR": 2, "JPY": 0}


def currency_exponent(currency: str) -> int:
    """Decimal places a currency allows (2 unless known otherwise)."""
    return CURRENCY_EXPONENTS.get(currency.upper(), 2)


def to_minor(value: Decimal, currency: str) -> int:
    """Turn a written amount into minor units, refusing zero, negatives, excess and decimals."""
    check_positive(value)
    if value > MAX_MAJOR_AMOUNT:
        raise InvalidInput(N_("That amount is too large: at most 10^12 is accepted."))
    exponent = currency_exponent(currency)
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            N_("{currency} allows at most {places} decimal places."),
            currency=currency.upper(),
            places=exponent,
        )
    return int(scaled)


def check_positive(value: Decimal) -> None:
    """Refuse zero, negative and unreadable quantities."""
    try:
        if not value.is_finite():
            raise InvalidInput(N_("Please write a number."))
    except InvalidOperation:
        raise InvalidInput(N_("Please write a number.")) from None
    if value == 0:
        raise InvalidInput(N_("Zero cannot be pledged. Please write an amount above zero."))
    if value < 0:
        raise InvalidInput(N_("A negative amount cannot be pledged."))


def check_quantity(value: Decimal) -> Decimal:
    """Refuse zero, negative and absurdly large quantities."""
    check_positive(value)
    if value > MAX_MAJOR_AMOUNT:
        raise InvalidInput(N_("That quantity is too large: at most 10^12 is accepted."))
    return value


#: A description as written, trimmed; an empty or overlong one is refused.
clean_description = TextRule(
    N_("Please describe it in a few words."),
    MAX_DESCRIPTION,
    N_("A description may have at most {limit} characters."),
).clean


def format_minor(amount_minor: int, currency: str) -> str:
    """A plain rendering of minor units, e.g. `50000.00 CNY` (rendering for humans is elsewhere)."""
    exponent = currency_exponent(currency)
    value = Decimal(amount_minor).scaleb(-exponent)
    return f"{value:,.{exponent}f} {currency.upper()}"


def format_quantity(quantity: Decimal, unit: str) -> str:
    """A plain rendering of a quantity with its unit, without trailing zeros."""
    text = f"{quantity.normalize():f}"
    return f"{text} {unit}".strip()


def stored_decimal(text: str | None) -> Decimal | None:
    """A number a dialog's draft keeps as text, as a Decimal (None: absent or not a number)."""
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
