"""Rendering every handler shares: escaping, unit names, quantities and money, buttons, refusals.

Numbers follow the reader's language (`STYLES`): 100万元 and 3000公斤 in Chinese,
¥1,000,000 and 3,000 kg in English; an approximate amount keeps its marker (500余元,
¥500+). Feature modules write their own texts with these helpers.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.errors import DomainError
from domain.network.models import Language
from domain.parsing import Money, Quantity, format_money, format_quantity, get_unit
from handlers.context import Reader
from handlers.i18n import Translations

#: The number style of each language (see `domain.parsing.money.STYLES`).
STYLES = {Language.ZH_HANS: "zh", Language.ZH_HANT: "zh-Hant", Language.EN: "en"}
#: A button's label is cut to this many characters.
BUTTON_LABEL = 64
#: A refusal's parameters that hold a unit code, shown in the reader's words.
_UNIT_PARAMS = ("unit", "need_unit")


def escape(text: str) -> str:
    """Escape user-provided text for HTML messages."""
    return html.escape(text, quote=False)


def style_for(language: Language) -> str:
    """The amount-formatting style for a language."""
    return STYLES[language]


def unit_name(language: Language, code: str) -> str:
    """A unit code (`kg`, `box`) as the reader writes it (公斤, 箱, boxes)."""
    try:
        unit = get_unit(code)
    except (KeyError, ValueError):
        return code
    if language is Language.ZH_HANS:
        return unit.zh
    if language is Language.ZH_HANT:
        return unit.zh_hant
    return unit.en_many


def quantity_text(
    language: Language, value: Decimal, unit: str, approximate: bool = False
) -> str:
    """A quantity formatted for the reader (the bare number and code if the unit is unknown)."""
    try:
        return format_quantity(Quantity(value, unit), STYLES[language], approximate=approximate)
    except (KeyError, ValueError, TypeError):
        return f"{value.normalize():f} {unit}"


def money_text(language: Language, minor: int, currency: str, approximate: bool = False) -> str:
    """An amount of money formatted for the reader (minor units and code if unknown)."""
    try:
        return format_money(Money(minor, currency), STYLES[language], approximate=approximate)
    except (KeyError, ValueError, TypeError):
        return f"{minor} {currency}"


def button(text: str, data: str) -> InlineKeyboardButton:
    """A callback button, its label cut to `BUTTON_LABEL` characters."""
    return InlineKeyboardButton(text[:BUTTON_LABEL], callback_data=data)


def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Rows of (label, callback data) as an inline keyboard, each label shown whole."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def keyboard_json(rows: Sequence[Sequence[tuple[str, str]]]) -> str:
    """Rows of (label, callback data) as the outbox keeps a queued message's keyboard."""
    return json.dumps(
        [[{"text": text, "callback_data": data} for text, data in row] for row in rows],
        ensure_ascii=False,
    )


def action_rows(
    label: Callable[[str], str], code: str, item: int, table: Sequence[Sequence[tuple[str, str]]]
) -> list[list[tuple[str, str]]]:
    """A table of (msgid, action) rows as (label, `<code>:<action>:<item>`) rows: the
    buttons that act on one item, each msgid written by `label`."""
    return [[(label(msgid), f"{code}:{action}:{item}") for msgid, action in row] for row in table]


def refusal_text(reader: Reader, error: DomainError) -> str:
    """Why nothing happened, in the reader's language, with unit codes in their own words."""
    params = {
        key: unit_name(reader.language, value)
        if key in _UNIT_PARAMS and isinstance(value, str)
        else value
        for key, value in error.params.items()
    }
    return reader.translations.translate(reader.language, error.message, **params)


class Written:
    """A writer of the texts the domain asks for in a language it names (its `…Texts` and
    `…Notices` ports: messages queued for someone who is not the reader of an update)."""

    def __init__(self, translations: Translations) -> None:
        self._translations = translations
