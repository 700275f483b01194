"""Due dates as people write them."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.errors import InvalidInput
from domain.parsing import messages, parse_due_date

TODAY = dt.date(2020, 2, 19)  # a Wednesday, the day of the report

DATES = [
    ("2月20日", dt.date(2020, 2, 20)),
    ("2月20号", dt.date(2020, 2, 20)),
    ("2月19日", dt.date(2020, 2, 19)),
    ("昨天", dt.date(2020, 2, 18)),  # read, so that callers can say it is past
    ("yesterday", dt.date(2020, 2, 18)),
    ("二月二十日", dt.date(2020, 2, 20)),
    ("2月29日", dt.date(2020, 2, 29)),
    ("2020-02-20", dt.date(2020, 2, 20)),
    ("２０２０－０２－２０", dt.date(2020, 2, 20)),
    ("2020/2/20", dt.date(2020, 2, 20)),
    ("2020年2月20日", dt.date(2020, 2, 20)),
    ("二〇二〇年三月一日", dt.date(2020, 3, 1)),
    ("2019-02-20", dt.date(2019, 2, 20)),  # a past date with a year is returned as written
    ("Feb 20", dt.date(2020, 2, 20)),
    ("20 Feb", dt.date(2020, 2, 20)),
    ("February 20, 2020", dt.date(2020, 2, 20)),
    ("march 1st", dt.date(2020, 3, 1)),
    ("5天后", dt.date(2020, 2, 24)),
    ("5日后", dt.date(2020, 2, 24)),
    ("三天后", dt.date(2020, 2, 22)),
    ("3天內", dt.date(2020, 2, 22)),
    ("兩週後", dt.date(2020, 3, 4)),
    ("1个月后", dt.date(2020, 3, 19)),
    ("in 5 days", dt.date(2020, 2, 24)),
    ("in 2 weeks", dt.date(2020, 3, 4)),
    ("in two weeks", dt.date(2020, 3, 4)),
    ("今天", dt.date(2020, 2, 19)),
    ("明天", dt.date(2020, 2, 20)),
    ("后天", dt.date(2020, 2, 21)),
    ("後天", dt.date(2020, 2, 21)),
    ("today", dt.date(2020, 2, 19)),
    ("Tomorrow", dt.date(2020, 2, 20)),
    ("下周一", dt.date(2020, 2, 24)),
    ("下週五", dt.date(2020, 2, 28)),
    ("next monday", dt.date(2020, 2, 24)),
    ("周五", dt.date(2020, 2, 21)),
    ("星期三", dt.date(2020, 2, 19)),
    ("friday", dt.date(2020, 2, 21)),
    ("20号", dt.date(2020, 2, 20)),
    ("10号", dt.date(2020, 3, 10)),
    ("2月20日前", dt.date(2020, 2, 20)),
    ("截止2月20日", dt.date(2020, 2, 20)),
    ("by Feb 20", dt.date(2020, 2, 20)),
]


@pytest.mark.parametrize(("text", "expected"), DATES, ids=[d[0] for d in DATES])
def test_reads_dates(text: str, expected: dt.date) -> None:
    assert parse_due_date(text, today=TODAY) == expected


def test_month_day_without_year_is_never_past() -> None:
    for month in range(3, 13):
        assert parse_due_date(f"{month}月1日", today=TODAY) >= TODAY


def test_a_month_day_just_passed_is_asked_back_not_moved_a_year_on() -> None:
    for text in ("1月5日", "2月1日", "Feb 18"):
        with pytest.raises(InvalidInput) as asked:
            parse_due_date(text, today=TODAY)
        assert asked.value.message == messages.NEXT_YEAR
    december = dt.date(2020, 12, 1)
    with pytest.raises(InvalidInput) as asked:
        parse_due_date("11月1日", today=december)
    assert asked.value.params["date"] == "2021-11-01"
    # next year's date a few weeks ahead is what the writer means
    assert parse_due_date("1月5日", today=dt.date(2020, 12, 20)) == dt.date(2021, 1, 5)


BAD = [
    ("", messages.NO_DATE),
    ("soon", messages.NO_DATE),
    ("20/2", messages.NO_DATE),  # ambiguous: refused
    ("2/20", messages.NO_DATE),
    ("口罩", messages.NO_DATE),
    ("2月30日", messages.NO_SUCH_DATE),
    ("13月1日", messages.NO_SUCH_DATE),
    ("2021-02-29", messages.NO_SUCH_DATE),
    ("Feb 30", messages.NO_SUCH_DATE),
    ("32号", messages.NO_SUCH_DATE),
    ("in 99999999 days", messages.NO_SUCH_DATE),
    ("x" * 600, messages.TOO_LONG),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[b[0][:20] or "empty" for b in BAD])
def test_refuses_bad_dates(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_due_date(text, today=TODAY)
    assert caught.value.message == message
