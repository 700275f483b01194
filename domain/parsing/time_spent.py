"""Volunteer time as people say it: 每天8小时，连续10天 · 8 hours a day for 10 days.

`parse_daily_hours` returns the total hours such a line means (80 for the examples), or None
when the line is not of this shape. Parts of a day (`two afternoons`, `半天`) are not
guessed: `PARTS_OF_DAYS` tells the caller to ask for the hours.
"""

from __future__ import annotations

import re
from decimal import Decimal

from domain.errors import InvalidInput
from domain.parsing._text import normalize, simplify
from domain.parsing.numbers import parse_number

_N = r"[0-9.]+|[零〇一二两三四五六七八九十百]+|one|two|three|four|five|six|seven|eight|nine|ten"
_HOURS = r"(?:个)?(?:小时|钟头)|\s*(?:h|hrs?|hours?)(?![a-z])"
_PER_DAY = r"(?:每天|每日|一天|天天)"
_RUN = r"(?:连续|共|一共|持续|为期)?"
_SEP = r"\s*[,，、;；]?\s*"
_FORMS = (
    re.compile(rf"^{_PER_DAY}\s*(?P<h>{_N})\s*(?:{_HOURS}){_SEP}{_RUN}\s*(?P<d>{_N})\s*天$"),
    re.compile(rf"^{_RUN}\s*(?P<d>{_N})\s*天{_SEP}{_PER_DAY}\s*(?P<h>{_N})\s*(?:{_HOURS})$"),
    re.compile(
        rf"^(?P<h>{_N})\s*(?:{_HOURS})\s*(?:a|per|each)\s+day{_SEP}(?:for\s+)?(?P<d>{_N})\s*days?$"
    ),
)
_EN_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
PARTS_OF_DAYS = re.compile(
    r"上午|下午|晚上|半天|整天|全天|周末|(?<![a-z])(?:mornings?|afternoons?|evenings?|nights?"
    r"|half\s+a?\s*days?|full\s+days?|weekends?|days?)(?![a-z])"
)


def _value(text: str) -> Decimal | None:
    if text in _EN_WORDS:
        return Decimal(_EN_WORDS[text])
    try:
        return parse_number(text).value
    except InvalidInput:
        return None


def parse_daily_hours(text: str) -> Decimal | None:
    """Total hours of `每天8小时，连续10天` (80); None when the text is not hours per day."""
    s = " ".join(simplify(normalize(text)).lower().split())[:200]
    for form in _FORMS:
        m = form.match(s)
        if m is None:
            continue
        hours, days = _value(m.group("h")), _value(m.group("d"))
        if hours is None or days is None:
            return None
        return hours * days
    return None


def names_parts_of_days(text: str) -> bool:
    """Whether the text counts time in days or parts of days (two afternoons, 半天, 3天)."""
    return PARTS_OF_DAYS.search(simplify(normalize(text)).lower()) is not None
