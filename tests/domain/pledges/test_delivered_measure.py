"""A delivery report's amount in the pledge's own measure (`delivered_measure`)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.errors import InvalidInput
from domain.pledges.models import Pledge, PledgeKind, Visibility
from domain.pledges.reading import ParsingReader
from domain.pledges.review import delivered_measure

READER = ParsingReader()


def _pledge(
    kind: PledgeKind,
    *,
    amount_minor: int | None = None,
    quantity: Decimal | None = None,
    unit: str = "",
    estimated_minor: int | None = None,
) -> Pledge:
    return Pledge(
        1, "t", 10, kind, None, None, "消毒液", amount_minor, "CNY", quantity, unit,
        estimated_minor, False, "", None, None, None, Visibility.NAMED, False, None, None, None,
        datetime(2020, 1, 1, tzinfo=UTC),
    )


MONEY = _pledge(PledgeKind.MONEY, amount_minor=5_000_000)
GOODS_KG = _pledge(PledgeKind.GOODS, quantity=Decimal(3000), unit="kg")
BY_VALUE = _pledge(PledgeKind.GOODS, estimated_minor=220_000)


@pytest.mark.parametrize(
    ("pledge", "text", "measure"),
    [
        (MONEY, "5000元", (Decimal(500_000), None)),  # money: minor units of its currency
        (MONEY, "1万元", (Decimal(1_000_000), None)),
        (GOODS_KG, "1000公斤", (Decimal(1000), None)),
        (GOODS_KG, "2吨", (Decimal(2000), None)),  # converted into the pledge's unit
        (GOODS_KG, "1.5 t", (Decimal(1500), None)),
        (GOODS_KG, "800", (Decimal(800), None)),  # a bare number: in the pledge's measure
        (BY_VALUE, "300箱", (Decimal(300), "box")),  # pledged by value: the unit comes now
    ],
)
def test_a_report_is_read_in_the_pledges_measure(
    pledge: Pledge, text: str, measure: tuple[Decimal, str | None]
) -> None:
    amount, unit = delivered_measure(READER, pledge, text)
    assert (amount, unit) == measure


def test_a_unit_that_does_not_fit_the_pledge_is_refused_with_both_units() -> None:
    with pytest.raises(InvalidInput) as refused:
        delivered_measure(READER, GOODS_KG, "300箱")
    assert refused.value.params == {"unit": "box", "need_unit": "kg"}


@pytest.mark.parametrize("text", ["", "   ", "很多", "some"])
def test_a_report_without_an_amount_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        delivered_measure(READER, GOODS_KG, text)
    assert refused.value.message == "Please write how much was delivered, e.g. 1000公斤."


def test_money_in_another_currency_or_a_quantity_is_not_taken_for_money() -> None:
    for text in ("500美元", "300公斤"):
        with pytest.raises(InvalidInput):
            delivered_measure(READER, MONEY, text)
