"""Every place that builds money from text keeps the currency it was written in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.appeals.models import Appeal, AppealStatus, Need
from domain.errors import InvalidInput
from domain.offers.draft import read_price
from domain.pledges.answers import answer_text, read_money
from domain.pledges.draft import OTHER_CURRENCY, PledgeDraft, Step
from domain.pledges.one_line import natural_draft, one_line_draft
from domain.pledges.reading import ParsingReader

READER = ParsingReader()
TODAY = date(2020, 2, 1)


def _appeal(currency: str = "CNY") -> Appeal:
    return Appeal(
        id=7, title="t", body="b", status=AppealStatus.OPEN, deadline=None, currency=currency,
        money_target_minor=None, organisation_id=None, created_by=1,
        created_at=None,  # type: ignore[arg-type]
        needs=[Need(3, 7, "N95口罩", "mask", "piece", Decimal(1000))],
        recipients=[],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "minor", "code"),
    [("10000 JPY", 10_000, "JPY"), ("1万日元", 10_000, "JPY"), ("$5000", 500_000, "USD"),
     ("HK$500", 50_000, "HKD"), ("NT$300", 30_000, "TWD"), ("5000元", 500_000, "CNY")],
)  # fmt: skip
def test_an_offer_price_keeps_its_currency(text: str, minor: int, code: str) -> None:
    assert read_price(text, "CNY") == (minor, code)


def test_a_delivery_in_another_currency_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        read_money(READER, "10000 JPY", "CNY")
    assert refused.value.message == OTHER_CURRENCY
    assert refused.value.params == {"written": "JPY", "currency": "CNY"}
    assert read_money(READER, "5000", "CNY") == (500_000, False)


def test_a_goods_value_in_another_currency_is_refused_for_an_appeal() -> None:
    with pytest.raises(InvalidInput) as refused:
        one_line_draft("t", "N95口罩 500个 价值2200美元", amounts=READER, appeal=_appeal(),
                       today=TODAY, default_currency="CNY")  # fmt: skip
    assert refused.value.message == OTHER_CURRENCY


def test_a_goods_value_without_appeal_keeps_its_currency() -> None:
    draft = one_line_draft("t", "N95口罩 500个 价值2200美元", amounts=READER, appeal=None,
                           today=TODAY, default_currency="CNY")  # fmt: skip
    assert (draft.estimated_minor, draft.currency) == (220_000, "USD")


def test_the_dialog_amount_without_appeal_keeps_its_currency() -> None:
    draft = PledgeDraft(token="t", currency="CNY", appeal_chosen=True, kind="money")
    answer_text(draft, Step.AMOUNT, "10000 JPY", amounts=READER, appeal=None, today=TODAY)
    assert (draft.amount_minor, draft.currency) == (10_000, "JPY")


def test_the_dialog_amount_for_an_appeal_refuses_another_currency() -> None:
    appeal = _appeal("HKD")
    draft = PledgeDraft(token="t", currency="CNY")
    draft.choose_appeal(appeal)
    draft.kind = "money"
    with pytest.raises(InvalidInput):
        answer_text(draft, Step.AMOUNT, "5000美元", amounts=READER, appeal=appeal, today=TODAY)
    assert draft.amount_minor is None and draft.currency == "HKD"
    answer_text(draft, Step.AMOUNT, "5000", amounts=READER, appeal=appeal, today=TODAY)
    assert (draft.amount_minor, draft.currency) == (500_000, "HKD")


def test_choosing_an_appeal_in_another_currency_after_the_amount_is_refused() -> None:
    draft = one_line_draft("t", "1万日元", amounts=READER, appeal=None, today=TODAY,
                           default_currency="CNY")  # fmt: skip
    assert (draft.amount_minor, draft.currency) == (10_000, "JPY")
    with pytest.raises(InvalidInput) as refused:
        draft.choose_appeal(_appeal("CNY"))
    assert refused.value.params == {"written": "JPY", "currency": "CNY"}
    assert (draft.amount_minor, draft.currency, draft.appeal_id) == (10_000, "JPY", None)
    draft.choose_appeal(_appeal("JPY"))
    assert (draft.amount_minor, draft.currency, draft.appeal_id) == (10_000, "JPY", 7)


def test_a_reply_in_another_currency_gives_no_prefill() -> None:
    assert natural_draft("t", "我们捐5000美元", amounts=READER, appeal=_appeal("CNY"),
                         today=TODAY, default_currency="CNY") is None  # fmt: skip
    draft = natural_draft("t", "我们捐5000美元", amounts=READER, appeal=None, today=TODAY,
                          default_currency="CNY")  # fmt: skip
    assert draft is not None and (draft.amount_minor, draft.currency) == (500_000, "USD")


def test_an_offer_price_per_piece_is_the_price_of_the_lot() -> None:
    assert read_price("1.5 yuan each", "CNY", Decimal(5000)) == (750_000, "CNY")
    assert read_price("每个1.5元", "CNY", Decimal(5000)) == (750_000, "CNY")
