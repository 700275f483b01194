"""Reading a due date: 2月20日 · 2020-02-20 · Feb 20 · 5天后 · in 2 weeks · 明天 · 下周一.

A month and day without a year is the next such date on or after `today`; when that date
has passed this year and next year's is more than `NEXT_YEAR_WITHIN` away, it is asked back
(`NEXT_YEAR`) rather than silently moved a year on. 昨天/yesterday are read (as past dates).
A date with a year is returned as written, even when it is past (the caller refuses past
due dates with its own message). "20号" alone is the next 20th of a month. Slashed day/month
forms without a year (20/2, 2/20) are refused as ambiguous; 2020/2/20 (year first) is read.
"下周一" is the Monday of next week (weeks start on Monday); "next monday" is read the same way;
"周五", "星期五", "friday", "this friday" is the next Friday on or after today. Words
around the date that only say "by" are ignored: 2月20日前, 截止2月20日, by Feb 20.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from domain.errors import InvalidInput
from domain.parsing import messages
from domain.parsing._text import normalize, simplify, snippet
from domain.parsing.numbers import read_numeral

_CN_INT = "[0-9]+|[零〇一二两三四五六七八九十百]+"
_EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_RE = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAYS_EN = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}

_LEAD = re.compile(r"^(?:(?:by|before|until|till|due|on|截止|截至|到|在|于)\s*)+")
_TRAIL = re.compile(r"(?:\s*(?:之前|以前|前|为止|止|before))+$|[\s.,;:!?。，；：！？]+$")

_DAY_WORDS = {
    "今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1,
    "后天": 2, "后日": 2, "day after tomorrow": 2, "the day after tomorrow": 2, "大后天": 3,
    "昨天": -1, "昨日": -1, "yesterday": -1, "前天": -2, "前日": -2, "大前天": -3,
    "day before yesterday": -2, "the day before yesterday": -2,
}  # fmt: skip
# A month and day without a year that has passed this year is read as next year's only
# when that is this close; further off (11月1日 typed on 1 December) it is asked back.
NEXT_YEAR_WITHIN = dt.timedelta(weeks=8)
_RELATIVE = re.compile(
    rf"^(?P<in>(?:in|within)\s+)?(?P<n>{_CN_INT}|{'|'.join(_EN_NUMBERS)})\s*"
    r"(?P<u>天|日|days?|个?星期|个?礼拜|周|weeks?|个月|months?)\s*"
    r"(?P<tail>以后|之后|后|以内|之内|内|later|from\s+now)?$"
)
_ISO = re.compile(r"^(?P<y>[0-9]{4})\s*[-/.]\s*(?P<m>[0-9]{1,2})\s*[-/.]\s*(?P<d>[0-9]{1,2})$")
_CN_FULL = re.compile(
    rf"^(?P<y>[0-9]{{4}}|[零〇一二三四五六七八九]{{4}})\s*年\s*(?P<m>{_CN_INT})\s*月"
    rf"\s*(?P<d>{_CN_INT})\s*[日号]?$"
)
_CN_MONTH_DAY = re.compile(rf"^(?P<m>{_CN_INT})\s*月\s*(?P<d>{_CN_INT})\s*[日号]?$")
_CN_DAY = re.compile(rf"^(?P<d>{_CN_INT})\s*[日号]$")
_EN_MONTH_DAY = re.compile(
    rf"^{_MONTH_RE}\s*(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?(?:\s*,?\s*(?P<y>[0-9]{{4}}))?$"
)
_EN_DAY_MONTH = re.compile(
    rf"^(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTH_RE}(?:\s*,?\s*(?P<y>[0-9]{{4}}))?$"
)
_ZH_WEEKDAY = re.compile(r"^(?P<next>下个?|本|这个?)?\s*(?:周|星期|礼拜)(?P<w>[一二三四五六日天])$")
_EN_WEEKDAY = re.compile(rf"^(?:(?P<next>next)|this|on)?\s*(?P<w>{'|'.join(_WEEKDAYS_EN)})$")


def _int(text: str) -> int | None:
    if text in _EN_NUMBERS:
        return _EN_NUMBERS[text]
    if text.isdigit():
        return int(text)
    parsed = read_numeral(text)
    if parsed is None or parsed.value != parsed.value.to_integral_value():
        return None
    return int(parsed.value)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


class _NextYear(Exception):
    """A date without a year that has passed this year, and next year's is far off."""

    def __init__(self, date: dt.date) -> None:
        super().__init__(date.isoformat())
        self.date = date


def _next_month_day(month: int, day: int, today: dt.date) -> dt.date:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError("no such month or day")
    if (month, day) >= (today.month, today.day):
        return dt.date(today.year, month, day)
    following = dt.date(today.year + 1, month, day)
    if following - today > NEXT_YEAR_WITHIN:
        raise _NextYear(following)
    return following


def _next_day_of_month(day: int, today: dt.date) -> dt.date:
    if not 1 <= day <= 31:
        raise ValueError("no such day")
    for months in range(13):
        first = _add_months(today.replace(day=1), months)
        if day <= calendar.monthrange(first.year, first.month)[1]:
            candidate = first.replace(day=day)
            if candidate >= today:
                return candidate
    raise ValueError("no such day")


def _read(s: str, today: dt.date) -> dt.date | None:
    """The date `s` names; None if it is not a date; ValueError/OverflowError if impossible."""
    if s in _DAY_WORDS:
        return today + dt.timedelta(days=_DAY_WORDS[s])
    m = _RELATIVE.match(s)
    if m and (m.group("in") or m.group("tail")):
        n = _int(m.group("n"))
        if n is None:
            return None
        unit = m.group("u")
        if unit in ("天", "日") or unit.startswith("day"):
            return today + dt.timedelta(days=n)
        if unit.startswith("month") or unit == "个月":
            return _add_months(today, n)
        return today + dt.timedelta(weeks=n)
    m = _ISO.match(s)
    if m:
        return dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    m = _CN_FULL.match(s)
    if m:
        y, mo, d = _int(m.group("y")), _int(m.group("m")), _int(m.group("d"))
        if y is None or mo is None or d is None:
            return None
        return dt.date(y, mo, d)
    m = _CN_MONTH_DAY.match(s)
    if m:
        mo, d = _int(m.group("m")), _int(m.group("d"))
        if mo is None or d is None:
            return None
        return _next_month_day(mo, d, today)
    m = _CN_DAY.match(s)
    if m:
        d = _int(m.group("d"))
        return None if d is None else _next_day_of_month(d, today)
    m = _EN_MONTH_DAY.match(s) or _EN_DAY_MONTH.match(s)
    if m:
        mo, d = _MONTHS[m.group("mon")[:3]], int(m.group("d"))
        if m.group("y"):
            return dt.date(int(m.group("y")), mo, d)
        return _next_month_day(mo, d, today)
    weekday: int | None = None
    next_week = False
    m = _ZH_WEEKDAY.match(s)
    if m:
        weekday, next_week = _WEEKDAYS_ZH[m.group("w")], (m.group("next") or "").startswith("下")
    m = _EN_WEEKDAY.match(s)
    if m:
        weekday, next_week = _WEEKDAYS_EN[m.group("w")], bool(m.group("next"))
    if weekday is not None:
        if next_week:
            monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)
            return monday + dt.timedelta(days=weekday)
        return today + dt.timedelta(days=(weekday - today.weekday()) % 7)
    return None


def parse_due_date(text: str, *, today: dt.date) -> dt.date:
    """The date a person wrote, relative to `today`; InvalidInput if unreadable or impossible."""
    if len(text) > messages.MAX_TEXT_LENGTH:
        raise InvalidInput(messages.TOO_LONG, length=len(text), limit=messages.MAX_TEXT_LENGTH)
    s = " ".join(simplify(normalize(text)).lower().split())
    s = _TRAIL.sub("", _LEAD.sub("", s))
    s = _TRAIL.sub("", s)
    try:
        found = _read(s, today)
    except _NextYear as far:
        raise InvalidInput(
            messages.NEXT_YEAR, text=snippet(text), date=far.date.isoformat()
        ) from None
    except (ValueError, OverflowError):
        raise InvalidInput(messages.NO_SUCH_DATE, text=snippet(text)) from None
    if found is None:
        raise InvalidInput(messages.NO_DATE, text=snippet(text))
    return found
