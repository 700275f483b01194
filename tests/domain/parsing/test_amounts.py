"""Amounts as people write them in pledge, need and offer lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidInput
from domain.parsing import (
    Money,
    ParsedOffer,
    Quantity,
    format_money,
    format_quantity,
    messages,
    parse_bare_quantity,
    parse_offer_text,
)
from tests.domain.parsing.receipt_forms import RECEIPT_FORMS


def cny(major: str, currency: str = "CNY") -> Money:
    return Money.from_major(Decimal(major), currency)


def qty(value: str, unit: str) -> Quantity:
    return Quantity(Decimal(value), unit)


def offer(
    item: str | None = None,
    money: Money | None = None,
    quantity: Quantity | None = None,
    value: Money | None = None,
    approx: bool = False,
    value_approx: bool = False,
) -> ParsedOffer:
    return ParsedOffer(
        item=item,
        money=money,
        quantity=quantity,
        estimated_value=value,
        approximate=approx,
        value_approximate=value_approx,
    )


FORMS: list[tuple[str, ParsedOffer]] = [
    *[
        (text, offer(money=cny(major), approx="左右" in text))
        for text, major in RECEIPT_FORMS
    ],
    # the report's own forms (scenario.md)
    ("30万元", offer(money=cny("300000"))),
    ("30萬元", offer(money=cny("300000"))),
    ("3万余元", offer(money=cny("30000"), approx=True)),
    ("158.2万元", offer(money=cny("1582000"))),
    ("5万余元", offer(money=cny("50000"), approx=True)),
    ("1000余件", offer(quantity=qty("1000", "jian"), approx=True)),
    ("4000余平方", offer(quantity=qty("4000", "m2"), approx=True)),
    ("3000公斤消毒液", offer(item="消毒液", quantity=qty("3000", "kg"))),
    ("300箱应急食品", offer(item="应急食品", quantity=qty("300", "box"))),
    ("2200元的N95口罩", offer(item="N95口罩", value=cny("2200"))),
    ("三千公斤", offer(quantity=qty("3000", "kg"))),
    ("一万元", offer(money=cny("10000"))),
    ("两百箱", offer(quantity=qty("200", "box"))),
    # money
    ("5万元", offer(money=cny("50000"))),
    ("资金 50万元", offer(money=cny("500000"))),
    ("资金：50万", offer(money=cny("500000"))),
    ("¥1,582,000", offer(money=cny("1582000"))),
    ("￥1,582,000", offer(money=cny("1582000"))),
    ("１２３元", offer(money=cny("123"))),
    ("1，000元", offer(money=cny("1000"))),
    ("我捐500元", offer(money=cny("500"))),
    ("我们捐赠5万元现金", offer(money=cny("50000"))),
    ("500块", offer(money=cny("500"))),
    ("500块钱", offer(money=cny("500"))),
    ("100 USD", offer(money=cny("100", "USD"))),
    ("$100", offer(money=cny("100", "USD"))),
    ("HK$500", offer(money=cny("500", "HKD"))),
    ("港币500元", offer(money=cny("500", "HKD"))),
    ("€20.50", offer(money=cny("20.50", "EUR"))),
    ("3k yuan", offer(money=cny("3000"))),
    ("2w", offer(money=cny("20000"))),
    ("5万", offer(money=cny("50000"))),
    ("donate 500 yuan", offer(money=cny("500"))),
    ("I pledge RMB 2,000", offer(money=cny("2000"))),
    ("1.5亿元", offer(money=cny("150000000"))),
    ("1.5 million yuan", offer(money=cny("1500000"))),
    ("三萬元", offer(money=cny("30000"))),
    ("壹仟元", offer(money=cny("1000"))),
    ("三千五百元", offer(money=cny("3500"))),
    ("三千五元", offer(money=cny("3500"))),
    ("30多万元", offer(money=cny("300000"), approx=True)),
    ("约5000元", offer(money=cny("5000"), approx=True)),
    ("5000元左右", offer(money=cny("5000"), approx=True)),
    ("about ¥5,000", offer(money=cny("5000"), approx=True)),
    ("more than 30,000 yuan", offer(money=cny("30000"), approx=True)),
    ("¥30,000+", offer(money=cny("30000"), approx=True)),
    ("2,200.50元", offer(money=cny("2200.50"))),
    ("人民币伍万元整", offer(money=cny("50000"))),
    ("通过微信转账500元", offer(money=cny("500"))),
    ("合计：3万余元", offer(money=cny("30000"), approx=True)),
    # goods and people
    ("消毒液 3000公斤", offer(item="消毒液", quantity=qty("3000", "kg"))),
    ("消毒液三千公斤", offer(item="消毒液", quantity=qty("3000", "kg"))),
    ("兩百箱", offer(quantity=qty("200", "box"))),
    ("disinfectant 3000 kg", offer(item="disinfectant", quantity=qty("3000", "kg"))),
    ("3000 kilos of disinfectant", offer(item="disinfectant", quantity=qty("3000", "kg"))),
    ("300 boxes of emergency food", offer(item="emergency food", quantity=qty("300", "box"))),
    ("口罩 10000个", offer(item="口罩", quantity=qty("10000", "piece"))),
    ("口罩1万个", offer(item="口罩", quantity=qty("10000", "piece"))),
    ("口罩 500", offer(item="口罩", quantity=qty("500", "piece"))),
    ("口罩五百", offer(item="口罩", quantity=qty("500", "piece"))),
    ("volunteers 8", offer(item="volunteers", quantity=qty("8", "person"))),
    ("8 volunteers", offer(item="volunteers", quantity=qty("8", "person"))),
    ("志愿者 8", offer(item="志愿者", quantity=qty("8", "person"))),
    ("8名志愿者", offer(item="志愿者", quantity=qty("8", "person"))),
    ("约200人", offer(quantity=qty("200", "person"), approx=True)),
    ("50+ boxes", offer(quantity=qty("50", "box"), approx=True)),
    ("200多人", offer(quantity=qty("200", "person"), approx=True)),
    ("22400余人次", offer(quantity=qty("22400", "person_time"), approx=True)),
    ("1.5吨", offer(quantity=qty("1.5", "t"))),
    ("1.5噸大米", offer(item="大米", quantity=qty("1.5", "t"))),
    ("3千克", offer(quantity=qty("3", "kg"))),
    ("10斤鸡蛋", offer(item="鸡蛋", quantity=qty("10", "jin"))),
    ("500ml洗手液", offer(item="洗手液", quantity=qty("500", "mL"))),
    ("4000㎡", offer(quantity=qty("4000", "m2"))),
    ("4000 sq m", offer(quantity=qty("4000", "m2"))),
    ("8小時", offer(quantity=qty("8", "hour"))),
    ("免租1个月", offer(item="免租", quantity=qty("1", "month"))),
    ("防护服 200套", offer(item="防护服", quantity=qty("200", "set"))),
    ("手套 100副", offer(item="手套", quantity=qty("100", "pair"))),
    ("84消毒片 50瓶", offer(item="84消毒片", quantity=qty("50", "bottle"))),
    ("一次性口罩 500个", offer(item="一次性口罩", quantity=qty("500", "piece"))),
    ("KN95口罩 300只", offer(item="KN95口罩", quantity=qty("300", "zhi"))),
    ("补给品 500箱", offer(item="补给品", quantity=qty("500", "box"))),
    # measure words (量词) are kept as written
    ("棉衣 500件", offer(item="棉衣", quantity=qty("500", "jian"))),
    ("帐篷 200顶", offer(item="帐篷", quantity=qty("200", "ding"))),
    ("发电机 3台", offer(item="发电机", quantity=qty("3", "tai"))),
    ("發電機 3臺", offer(item="發電機", quantity=qty("3", "tai"))),
    ("棉被 300床", offer(item="棉被", quantity=qty("300", "chuang"))),
    ("救护车 2辆", offer(item="救护车", quantity=qty("2", "liang"))),
    ("救護車 2輛", offer(item="救護車", quantity=qty("2", "liang"))),
    ("冲锋舟 5艘", offer(item="冲锋舟", quantity=qty("5", "sou"))),
    ("体温计 100支", offer(item="体温计", quantity=qty("100", "stick"))),
    ("折叠床 50张", offer(item="折叠床", quantity=qty("50", "zhang"))),
    ("毛毯 300条", offer(item="毛毯", quantity=qty("300", "tiao"))),
    ("盒饭 300份", offer(item="盒饭", quantity=qty("300", "fen"))),
    ("75%酒精 100瓶", offer(item="75%酒精", quantity=qty("100", "bottle"))),
    ("3块肥皂", offer(item="肥皂", quantity=qty("3", "kuai"))),
    ("２．５万个口罩", offer(item="口罩", quantity=qty("25000", "piece"))),
    # goods with an estimated value
    (
        "N95口罩 500个 价值2200元",
        offer(item="N95口罩", quantity=qty("500", "piece"), value=cny("2200")),
    ),
    (
        "N95 masks 500 pcs worth 2200 yuan",
        offer(item="N95 masks", quantity=qty("500", "piece"), value=cny("2200")),
    ),
    (
        "3000公斤消毒液，价值5万余元",
        offer(item="消毒液", quantity=qty("3000", "kg"), value=cny("50000"), value_approx=True),
    ),
    # a price per piece is multiplied by the quantity
    (
        "N95口罩 5000个 每个1.5元",
        offer(item="N95口罩", quantity=qty("5000", "piece"), value=cny("7500")),
    ),
    ("口罩 5000只 1.5元/只", offer(item="口罩", quantity=qty("5000", "zhi"), value=cny("7500"))),
    ("口罩 5000个 单价1.5元", offer(item="口罩", quantity=qty("5000", "piece"), value=cny("7500"))),
    (
        "masks 5000 pcs 1.5 yuan each",
        offer(item="masks", quantity=qty("5000", "piece"), value=cny("7500")),
    ),
    ("5000元一套防护服", offer(item="防护服", quantity=qty("1", "set"), value=cny("5000"))),
    # the approximate marker belongs to the number it follows
    ("300箱 价值2万余元", offer(quantity=qty("300", "box"), value=cny("20000"), value_approx=True)),
    ("300余箱 价值2万元", offer(quantity=qty("300", "box"), value=cny("20000"), approx=True)),
    ("口罩 500 价值2200元", offer(item="口罩", quantity=qty("500", "piece"), value=cny("2200"))),
    ("worth 2200 yuan", offer(value=cny("2200"))),
    ("价值5万余元", offer(value=cny("50000"), approx=True, value_approx=True)),
    ("消毒酒精 价值3000元", offer(item="消毒酒精", value=cny("3000"))),
    ("84消毒片价值2400元", offer(item="84消毒片", value=cny("2400"))),
]


@pytest.mark.parametrize(("text", "expected"), FORMS, ids=[f[0] for f in FORMS])
def test_reads_real_forms(text: str, expected: ParsedOffer) -> None:
    assert parse_offer_text(text) == expected


def test_table_is_big_enough() -> None:
    assert len(FORMS) >= 60


def test_default_currency_applies_only_when_none_is_written() -> None:
    assert parse_offer_text("5万", default_currency="HKD").money == cny("50000", "HKD")
    assert parse_offer_text("5万元", default_currency="USD").money == cny("50000")
    assert parse_offer_text("5万人民币", default_currency="HKD").money == cny("50000")
    assert parse_offer_text("¥5万", default_currency="HKD").money == cny("50000")


@pytest.mark.parametrize("code", ["HKD", "TWD", "CNY"])
def test_yuan_is_the_default_currency_where_it_is_counted_in_yuan(code: str) -> None:
    """500元 in Hong Kong is 港元, in Taiwan 新台币: the CURRENCY setting, not always CNY."""
    for written in ("5万元", "五万块", "5万块钱"):
        assert parse_offer_text(written, default_currency=code).money == cny("50000", code)
    assert parse_offer_text("5万港元", default_currency="TWD").money == cny("50000", "HKD")


BAD: list[tuple[str, str]] = [
    ("", messages.NO_AMOUNT),
    ("   ", messages.NO_AMOUNT),
    ("abc", messages.NO_AMOUNT),
    ("口罩", messages.NO_AMOUNT),
    ("84消毒液", messages.NO_AMOUNT),
    ("N95", messages.NO_AMOUNT),
    ("0元", messages.NOT_POSITIVE),
    ("-5元", messages.NOT_POSITIVE),
    ("零元", messages.NOT_POSITIVE),
    ("10000000000000元", messages.TOO_LARGE),
    ("2万亿元", messages.TOO_LARGE),
    ("0.001元", messages.TOO_MANY_DECIMALS),
    ("1.5 JPY", messages.TOO_MANY_DECIMALS),
    ("1.2345公斤", messages.TOO_MANY_DECIMALS),
    ("1.5个", messages.NOT_WHOLE),
    ("x" * 4096, messages.TOO_LONG),
    ("口罩" * 251 + "5个", messages.TOO_LONG),
    ("3000公斤消毒液和300箱应急食品", messages.MORE_THAN_ONE),
    ("5万元 3万元", messages.MORE_THAN_ONE),
    ("口罩 500 1000", messages.MORE_THAN_ONE),
    ("口罩 200-300个", messages.MORE_THAN_ONE),
    ("200到300箱", messages.MORE_THAN_ONE),
    ("万把块", messages.ROUGH),
    ("几千元", messages.ROUGH),
    ("十几万", messages.ROUGH),
    ("上万元", messages.ROUGH),
    ("三块五五分", messages.MORE_THAN_ONE),
    ("玖佰贰拾伍元贰角叁", messages.NUMERALS_LEFT),
    ("參仟 口罩 500个", messages.NUMERALS_LEFT),
    ("10000日元5角", messages.TOO_MANY_DECIMALS),
    ("每个1.5元", messages.UNIT_PRICE_ALONE),
    ("5万元给第一人民医院", messages.RECIPIENT),
    ("捐给武汉协和医院5000元", messages.RECIPIENT),
    ("-500元", messages.NOT_POSITIVE),
    ("1.5 yuan each", messages.UNIT_PRICE_ALONE),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[b[0][:30] or "empty" for b in BAD])
def test_refuses_bad_input(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_offer_text(text)
    assert caught.value.message == message
    str(caught.value)  # the message formats with its parameters


def test_messages_are_few_and_distinct() -> None:
    assert len(set(messages.ALL)) == len(messages.ALL) <= 17


def test_money_helpers() -> None:
    m = Money.from_major(Decimal("2200.5"), "CNY")
    assert m == Money(220050, "CNY")
    assert m.major == Decimal("2200.50")
    assert Money.from_major(Decimal("1000"), "JPY") == Money(1000, "JPY")
    with pytest.raises(InvalidInput):
        Money.from_major(Decimal("1.005"), "CNY")
    with pytest.raises(ValueError):
        Money(1, "XXX")
    with pytest.raises(TypeError):
        Money(1.5, "CNY")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Quantity(Decimal(1), "furlong")


FORMATTED = [
    (Money(158200000, "CNY"), "zh", False, "158.2万元"),
    (Money(300000, "CNY"), "zh", False, "3,000元"),
    (Money(15000000000, "CNY"), "zh", False, "1.5亿元"),
    (Money(1234500, "CNY"), "zh", False, "12,345元"),
    (Money(3000000, "CNY"), "zh", True, "3万余元"),
    (Money(3000000, "CNY"), "zh-Hant", True, "3萬餘元"),
    (Money(158200000, "CNY"), "en", False, "¥1,582,000"),
    (Money(220050, "CNY"), "en", False, "¥2,200.50"),
    (Money(3000000, "CNY"), "en", True, "¥30,000+"),
    (Money(10000, "USD"), "en", False, "$100"),
    (Money(50000, "HKD"), "en", False, "HK$500"),
    (Money(1000, "EUR"), "en", False, "€10"),
    (Money(1000, "JPY"), "en", False, "JPY 1,000"),
    (Money(10000, "USD"), "zh", False, "100美元"),
]


@pytest.mark.parametrize(("money", "style", "approx", "text"), FORMATTED)
def test_format_money(money: Money, style: str, approx: bool, text: str) -> None:
    assert format_money(money, style, approximate=approx) == text


@pytest.mark.parametrize(
    ("quantity", "style", "approx", "text"),
    [
        (qty("3000", "kg"), "en", False, "3,000 kg"),
        (qty("300", "box"), "en", False, "300 boxes"),
        (qty("1", "box"), "en", False, "1 box"),
        (qty("50", "box"), "en", True, "50+ boxes"),
        (qty("8", "person"), "en", False, "8 people"),
        (qty("3000", "kg"), "zh", False, "3000公斤"),
        (qty("300", "box"), "zh", False, "300箱"),
        (qty("1000", "piece"), "zh", True, "1000余个"),
        (qty("1000", "piece"), "zh-Hant", False, "1000個"),
        (qty("1.5", "t"), "zh-Hant", False, "1.5噸"),
    ],
)
def test_format_quantity(quantity: Quantity, style: str, approx: bool, text: str) -> None:
    assert format_quantity(quantity, style, approximate=approx) == text


def test_unknown_style_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        format_money(Money(1, "CNY"), "fr")


# --- a bare number where the unit is known ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "value", "approximate"),
    [
        ("8", "hour", "8", False),
        (" 8 ", "hour", "8", False),
        ("三", "hour", "3", False),
        ("7.5", "hour", "7.5", False),
        ("500", "piece", "500", False),
        ("500余", "piece", "500", True),
        ("约500", "piece", "500", True),
        ("1,000", "kg", "1000", False),
        ("３千", "kg", "3000", False),
        ("2w", "piece", "20000", False),
    ],
)
def test_a_bare_number_is_a_quantity_in_the_unit_given(
    text: str, unit: str, value: str, approximate: bool
) -> None:
    assert parse_bare_quantity(text, unit) == ParsedOffer(
        item=None, money=None, quantity=qty(value, unit), estimated_value=None,
        approximate=approximate,
    )
    # read without the unit, the same text is money
    assert parse_offer_text(text).money is not None


@pytest.mark.parametrize(
    "text", ["", "8小时", "8 hours", "500元", "¥500", "N95 500", "口罩500", "2020-02-25", "many"]
)
def test_more_than_a_number_is_not_bare(text: str) -> None:
    assert parse_bare_quantity(text, "piece") is None


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("0", "hour", messages.NOT_POSITIVE),
        ("-8", "hour", messages.NOT_POSITIVE),
        ("500.5", "piece", messages.NOT_WHOLE),
        ("1.2345", "kg", messages.TOO_MANY_DECIMALS),
        ("10000000000000", "hour", messages.TOO_LARGE),
    ],
)
def test_a_bare_number_the_unit_cannot_take_is_refused(
    text: str, unit: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_bare_quantity(text, unit)
    assert caught.value.message == message
    assert caught.value.params["text"] == text


def test_an_unknown_unit_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_bare_quantity("8", "fortnight")


def test_a_price_per_piece_is_multiplied_by_a_quantity_known_elsewhere() -> None:
    assert parse_offer_text("每个1.5元", each_of=Decimal(5000)).money == cny("7500")
    assert parse_offer_text("0.35元/个", each_of=Decimal(3)).money == cny("1.05")
