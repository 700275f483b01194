"""Reading what people write in chat: amounts of money and goods, numbers, dates, item names.

Standard library only. Every refusal is `domain.errors.InvalidInput` with a gettext msgid
from `domain.parsing.messages`.
"""

from __future__ import annotations

from domain.parsing.amounts import ParsedOffer, parse_bare_quantity, parse_offer_text
from domain.parsing.dates import parse_due_date
from domain.parsing.items import is_people_item, item_key, items_match, normalize_name
from domain.parsing.money import (
    CURRENCIES,
    LIMIT,
    STYLES,
    Currency,
    Money,
    Quantity,
    format_money,
    format_quantity,
)
from domain.parsing.numbers import ParsedNumber, parse_number
from domain.parsing.units import (
    FAMILIES,
    UNITS,
    Unit,
    can_convert,
    convert,
    get_unit,
    unit_family,
    units_compatible,
)

__all__ = [
    "CURRENCIES",
    "FAMILIES",
    "LIMIT",
    "STYLES",
    "UNITS",
    "Currency",
    "Money",
    "ParsedNumber",
    "ParsedOffer",
    "Quantity",
    "Unit",
    "can_convert",
    "convert",
    "format_money",
    "format_quantity",
    "get_unit",
    "is_people_item",
    "item_key",
    "items_match",
    "normalize_name",
    "parse_bare_quantity",
    "parse_due_date",
    "parse_number",
    "parse_offer_text",
    "unit_family",
    "units_compatible",
]
