"""The one strict reader of whole numbers that come from outside (text, payloads, buttons).

Python's `str.isdigit` accepts `²` and `int` accepts `٣` or `１２`; Telegram ids and our row
ids are 64-bit. Every id or count read from a message, a deep-link payload or
`callback_data` goes through `parse_int` (or its two shorthands): ASCII digits only, an
optional single leading minus where allowed, and a value inside the signed 64-bit range.
"""

from __future__ import annotations

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
_DIGITS = frozenset("0123456789")


def parse_int(
    text: str | None, *, minimum: int = INT64_MIN, maximum: int = INT64_MAX
) -> int | None:
    """The integer `text` spells in ASCII digits within [minimum, maximum]; else None.

    No spaces, signs other than one leading `-`, separators, or non-ASCII digits; at most
    19 digits, so nothing past 64 bits is ever built.
    """
    if text is None:
        return None
    digits = text[1:] if text.startswith("-") else text
    if not digits or len(digits) > 19 or not set(digits) <= _DIGITS:
        return None
    value = int(text)
    if not max(minimum, INT64_MIN) <= value <= min(maximum, INT64_MAX):
        return None
    return value


def parse_id(text: str | None) -> int | None:
    """A row id or a Telegram user id: 1 to 2⁶³−1."""
    return parse_int(text, minimum=1)


def parse_choice(text: str | None) -> int | None:
    """A button's number where 0 means "none of these": 0 to 2⁶³−1."""
    return parse_int(text, minimum=0)


def parse_chat_id(text: str | None) -> int | None:
    """A Telegram chat id (groups are negative), non-zero, within 64 bits."""
    value = parse_int(text)
    return None if value == 0 else value
