"""Item keys, the unit vocabulary and number reading."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidInput
from domain.parsing import (
    UNITS,
    ParsedNumber,
    can_convert,
    convert,
    get_unit,
    is_people_item,
    item_key,
    items_match,
    parse_number,
    unit_family,
    units_compatible,
)

SAME = [
    ("口罩", "masks"),
    ("N95口罩", "口罩"),
    ("醫用口罩", "surgical masks"),
    ("KN95", "face mask"),
    ("消毒液", "disinfectant"),
    ("84消毒液", "消毒水"),
    ("84消毒片", "disinfectant tablets"),
    ("酒精", "alcohol"),
    ("消毒酒精", "medical alcohol"),
    ("防护服", "protective suits"),
    ("防護服", "coveralls"),
    ("护目镜", "goggles"),
    ("護目鏡", "safety goggles"),
    ("体温计", "thermometers"),
    ("体温枪", "額溫槍"),
    ("手套", "gloves"),
    ("应急食品", "food"),
    ("應急食品", "emergency food"),
    ("方便面", "instant noodles"),
    ("矿泉水", "water"),
    ("志愿者", "volunteers"),
    ("志願者", "义工"),
    ("Hand Cream", "hand creams"),
]

DIFFERENT = [
    ("口罩", "手套"),
    ("消毒液", "酒精"),
    ("disinfectant", "alcohol"),
    ("防护服", "护目镜"),
    ("口罩", "面罩"),
    ("water", "消毒水"),
    ("food", "water"),
    ("volunteers", "口罩"),
    ("", ""),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_synonyms_match(a: str, b: str) -> None:
    assert items_match(a, b)
    assert items_match(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_unrelated_items_do_not_match(a: str, b: str) -> None:
    assert not items_match(a, b)


def test_item_keys() -> None:
    assert item_key("N95口罩") == "mask"
    assert item_key("防護服") == "protective_suit"
    assert item_key("  Something  NEW ") == "something new"
    assert is_people_item("志愿者")
    assert not is_people_item("口罩")


def test_units() -> None:
    assert units_compatible("kg", "t")
    assert units_compatible("kg", "jin")
    assert not units_compatible("kg", "piece")
    assert not units_compatible("L", "kg")
    assert units_compatible("box", "piece")  # both counts, but:
    assert not can_convert("box", "piece")
    assert can_convert("g", "t")
    assert convert(Decimal(3), "t", "kg") == 3000
    assert convert(Decimal(10), "jin", "kg") == 5
    assert convert(Decimal(500), "mL", "L") == Decimal("0.5")
    assert convert(Decimal(2), "day", "hour") == 48
    assert not can_convert("month", "day")
    with pytest.raises(ValueError):
        convert(Decimal(1), "kg", "piece")
    with pytest.raises(ValueError):
        get_unit("furlong")
    assert unit_family("person_time") == "people"
    for unit in UNITS.values():
        assert unit.label and unit.en_one and unit.en_many and unit.zh and unit.zh_hant
        assert unit.forms


NUMBERS = [
    ("1,582,000", "1582000", False),
    ("１２３", "123", False),
    ("158.2", "158.2", False),
    ("158.2万", "1582000", False),
    ("1.5亿", "150000000", False),
    ("三千", "3000", False),
    ("一万", "10000", False),
    ("两百", "200", False),
    ("兩百", "200", False),
    ("一千五百", "1500", False),
    ("十二", "12", False),
    ("三千五", "3500", False),
    ("一万二", "12000", False),
    ("一百零五", "105", False),
    ("零", "0", False),
    ("〇", "0", False),
    ("壹仟贰佰", "1200", False),
    ("拾", "10", False),
    ("3k", "3000", False),
    ("2w", "20000", False),
    ("3万5千", "35000", False),
    ("3余万", "30000", True),
    ("1000余", "1000", True),
    ("50+", "50", True),
    ("十来", "10", True),
    ("200左右", "200", True),
    ("约200", "200", True),
    ("約200", "200", True),
    ("about 200", "200", True),
    ("approx. 200", "200", True),
    ("~200", "200", True),
    ("over 200", "200", True),
    ("more than 200", "200", True),
    ("-5", "-5", False),
]


@pytest.mark.parametrize(("text", "value", "approx"), NUMBERS, ids=[n[0] for n in NUMBERS])
def test_reads_numbers(text: str, value: str, approx: bool) -> None:
    assert parse_number(text) == ParsedNumber(Decimal(value), approx)


@pytest.mark.parametrize("text", ["", "abc", "百", "万一", "1.2.3", "三3", "x" * 501])
def test_refuses_non_numbers(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_number(text)
