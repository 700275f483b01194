"""Money and quantities as values, their currencies, and writing them back for a reader.

`format_money` and `format_quantity` write amounts for a reader in "zh" (simplified),
"zh-Hant" or "en"; whatever they write, `amounts.parse_offer_text` reads back to the same value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from domain.errors import InvalidInput
from domain.parsing import messages
from domain.parsing.numbers import tidy
from domain.parsing.units import get_unit

LIMIT = 10**12
STYLES = ("zh", "zh-Hant", "en")


@dataclass(frozen=True)
class Currency:
    """A currency: ISO code, minor-unit exponent and how it is written for readers."""

    code: str
    exponent: int
    en_prefix: str
    zh_suffix: str
    zh_hant_suffix: str


CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("CNY", 2, "¥", "元", "元"),
        Currency("USD", 2, "$", "美元", "美元"),
        Currency("HKD", 2, "HK$", "港元", "港元"),
        Currency("EUR", 2, "€", "欧元", "歐元"),
        Currency("JPY", 0, "JPY ", "日元", "日圓"),
        Currency("TWD", 2, "NT$", "新台币", "新臺幣"),
    )
}


def currency_of(code: str) -> Currency:
    """The currency with this ISO code; ValueError for an unknown one (a programming error)."""
    try:
        return CURRENCIES[code]
    except KeyError:
        raise ValueError(f"unknown currency {code!r}") from None


def decimal_places(value: Decimal) -> int:
    """Decimal places actually used (trailing zeros do not count), computed exactly."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    i = len(digits)
    while exponent < 0 and i > 0 and digits[i - 1] == 0:
        i -= 1
        exponent += 1
    return max(0, -exponent)


@dataclass(frozen=True)
class Money:
    """An amount of money: an integer of minor units (fen, cents) and an ISO currency code."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int")
        currency_of(self.currency)

    @classmethod
    def from_major(cls, amount: Decimal, currency: str) -> Money:
        """Money from an amount in major units (yuan); InvalidInput if it has too many decimals."""
        exponent = currency_of(currency).exponent
        if not amount.is_finite() or amount.adjusted() > 40:
            raise ValueError(f"not a usable amount: {amount}")
        if decimal_places(amount) > exponent:
            raise InvalidInput(messages.TOO_MANY_DECIMALS, text=str(amount), places=exponent)
        with localcontext() as ctx:
            ctx.prec = 100
            return cls(int(amount.scaleb(exponent)), currency)

    @property
    def major(self) -> Decimal:
        """The amount in major units, exact (Decimal)."""
        with localcontext() as ctx:
            ctx.prec = 100
            return Decimal(self.minor).scaleb(-currency_of(self.currency).exponent)


@dataclass(frozen=True)
class Quantity:
    """An amount of goods, people or time: a Decimal value and a unit code from `units`."""

    value: Decimal
    unit: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal) or not self.value.is_finite():
            raise TypeError("Quantity.value must be a finite Decimal")
        get_unit(self.unit)


# --- formatting -------------------------------------------------------------------------


def _grouped(value: Decimal, places: int | None = None) -> str:
    """Digits with thousands separators; `places` fixed decimals, else as few as needed."""
    with localcontext() as ctx:
        ctx.prec = 100
        value = abs(value)
        text = f"{value:,.{places}f}" if places is not None else f"{tidy(value):,f}"
    return text


def _plain(value: Decimal) -> str:
    return format(tidy(abs(value)), "f")


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; use one of {STYLES}")


def format_money(m: Money, style: str, *, approximate: bool = False) -> str:
    """Write money for a reader: "zh" 158.2万元 / 3,000元, "en" ¥1,582,000 / ¥2,200.50."""
    _check_style(style)
    cur = currency_of(m.currency)
    sign = "-" if m.minor < 0 else ""
    major = abs(m.major)
    whole = m.minor % (10**cur.exponent) == 0 if cur.exponent else True
    full = _grouped(major, 0 if whole else cur.exponent)
    if style == "en":
        return f"{sign}{cur.en_prefix}{full}{'+' if approximate else ''}"
    body = full
    big = (("亿", "億", 10**8), ("万", "萬", 10**4))
    for simplified, traditional, size in big:
        if major >= size:
            scaled = major / size
            if decimal_places(scaled) <= 2:
                body = _grouped(scaled) + (simplified if style == "zh" else traditional)
                break
    suffix = cur.zh_suffix if style == "zh" else cur.zh_hant_suffix
    return (
        f"{sign}{body}{'余' if approximate and style == 'zh' else ''}"
        + ("餘" if approximate and style == "zh-Hant" else "")
        + suffix
    )


def format_quantity(q: Quantity, style: str, *, approximate: bool = False) -> str:
    """Write a quantity for a reader: "en" 3,000 kg / 300 boxes, "zh" 3000公斤 / 300箱."""
    _check_style(style)
    unit = get_unit(q.unit)
    sign = "-" if q.value < 0 else ""
    if style == "en":
        name = unit.en_one if q.value == 1 else unit.en_many
        return f"{sign}{_grouped(q.value)}{'+' if approximate else ''} {name}"
    mark = ("余" if style == "zh" else "餘") if approximate else ""
    name = unit.zh if style == "zh" else unit.zh_hant
    return f"{sign}{_plain(q.value)}{mark}{name}"
