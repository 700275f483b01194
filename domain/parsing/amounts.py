"""The parser for pledge, need and offer lines: item, money, quantity, estimated value.

`parse_offer_text` reads one line such as `3000公斤消毒液`, `我捐500元`, `¥1,582,000`,
`N95口罩 500个 价值2200元`, `300 boxes of emergency food` or `volunteers 8` into a
`ParsedOffer`: the item named, a money amount, a quantity with its unit, an estimated
value for goods given in kind, and whether the writer said "about / more than" (余, 多,
+, 约 …). How it decides:

* Every number is read with `numbers` (Chinese numerals, 万/亿, k/w, full-width digits).
  A number followed by a currency (元, 块, yuan, USD …) or preceded by one (¥, $, HK$,
  RMB …) is money; followed by a unit (公斤, 箱, boxes, 人 …) it is a quantity.
  Numbers glued to letters (N95, KN95, 3M), percentages (75%), ordinals (第一), ISO dates
  and clock times are names, not amounts. A Chinese numeral inside a word (一次性, 三角巾)
  counts only when a unit follows it.
* After 元/块/圆 (or any currency written after the number) come 角 (毛) and 分, and 整/正:
  玖佰贰拾伍元贰角 = 925.20, 叁万元零伍分 = 30000.05, 三块五 = 3.50, 贰角 alone = 0.20.
* 万把块, 几千, 十几万, 上万 are orders of magnitude, refused with a question (`ROUGH`), and
  numerals left over once the amounts are read (參仟 in `參仟 口罩 500个`) refuse the whole
  line (`NUMERALS_LEFT`): a text made of numerals is never an item name.
* One quantity at most, one money amount at most (else "more than one amount").
  With a quantity, the money is the goods' estimated value. Without one, the money is
  an estimated value when it is marked (价值, worth, value, "2200元的…") or when an item
  is named (`2200元的N95口罩`); otherwise it is a money pledge.
* A number with neither currency nor unit: with an item it is a quantity, in persons for
  people (志愿者, volunteers, staff …) and in pieces otherwise; with no item it is money in
  `default_currency` (`5万`, `资金 50万`, `2w`).
* The item is what remains once the amounts and filler words (我, 捐, 捐赠, 我们, donate,
  pledge, I, of, worth, 资金, 现金 …) are taken off the edges of each remaining piece.
  The English unit word "volunteers" stays in the item as well (`8 volunteers`).
* `approximate` is true when any amount read was marked approximate.
* A recipient typed into the line (`5万元给第一人民医院`) is refused (`RECIPIENT`).
* Known limits: a money line that also names a year (`2020年捐500元`) or an English
  recipient (`500 yuan for Wuhan`) keeps that text as the item and so reads as an in-kind
  value. Ranges (200-300个, 200到300箱) are refused as more than one
  amount. Slashed fractions and European decimal commas (1,5) are not read.

Each amount is found by `amount_scan`; money, quantities and writing them back for readers
are in `money`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from domain.errors import InvalidInput
from domain.parsing import messages
from domain.parsing._text import normalize, simplify, snippet
from domain.parsing.amount_scan import Candidate, check_amount, fail_too_long, scan_amounts
from domain.parsing.items import is_people_item
from domain.parsing.money import LIMIT, Money, Quantity, currency_of
from domain.parsing.numbers import (
    CN_DIGIT_VALUES,
    CN_NUMERAL_CHARS,
    parse_number,
    tidy,
)
from domain.parsing.units import get_unit


@dataclass(frozen=True)
class ParsedOffer:
    """What one line of a pledge, need or offer says: item, money, quantity, value, flags.

    `approximate` belongs to the measure (the quantity, else the money, else the value
    alone); `value_approximate` to the estimated value: in `300箱 价值2万余元` only the value
    is approximate.
    """

    item: str | None
    money: Money | None
    quantity: Quantity | None
    estimated_value: Money | None
    approximate: bool
    value_approximate: bool = False
    # the estimated value was marked as one (价值, worth, "2200元的…"), not just money beside
    # an item: only a marked value makes goods known by their value alone (N95口罩 价值2200元)
    value_marked: bool = field(default=False, compare=False)


# Currencies whose unit is 元 in Chinese (人民币元, 港元, 新台币元): `500元` in Hong Kong is HKD.
_YUAN_CURRENCIES = frozenset({"CNY", "HKD", "TWD"})
# 万把块, 几千, 十几万, 上万: an order of magnitude, not an amount; asked back, never guessed
_ROUGH = re.compile(
    rf"(?<![0-9{''.join(CN_DIGIT_VALUES)}十拾])[百千万亿佰仟]把"
    r"|几[十百千万亿拾佰仟]|[十百千万亿拾佰仟]几|(?<![A-Za-z0-9])上[百千万亿]"
)
# 5万元给第一人民医院: a recipient typed into the amount line (补给, 供给, 配给 are words)
_RECIPIENT = re.compile(r"(?<![补供配])给(?=\S)")
# what is left of a line once its amounts are read must not be numerals (參仟, 贰角 …)
_FORMAL = "壹贰叁參叄肆伍陆柒捌玖"
_NUMERAL_LEFT = re.compile(
    rf"[{_FORMAL}][拾佰仟万亿元圆角分毛]|[拾佰仟][{_FORMAL}零]|[{_FORMAL}零〇]{{2,}}"
    rf"|^[\s{CN_NUMERAL_CHARS}0-9.,点角分毛元圆块整正钱]+$"
)

_FILLERS_ZH = (
    "我们", "咱们", "本人", "我", "愿意", "捐赠", "捐献", "捐款", "捐助", "捐出", "认捐",
    "捐给", "捐", "赠送", "赠予", "提供", "共计", "合计", "总计", "总共", "一共", "价值",
    "大约", "约", "资金", "现金", "善款", "款项", "人民币", "用于", "的", "了", "整",
    "转账", "汇款", "微信", "支付宝", "通过", "已经", "已", "共", "合共", "个人",
)  # fmt: skip
_FILLERS_EN = (
    "i", "we", "will", "would", "like", "to", "donate", "donates", "donated", "donating",
    "donation", "pledge", "pledges", "pledged", "give", "giving", "offer", "offering",
    "provide", "providing", "of", "worth", "a total of", "in total", "total", "cash",
    "money", "funds", "the", "for", "and", "can", "please", "want",
)  # fmt: skip
_FILLER_START = re.compile(
    r"^(?:[\W_]|"
    + "|".join(re.escape(f) for f in sorted(_FILLERS_ZH, key=len, reverse=True))
    + r"|(?:"
    + "|".join(r"\s+".join(map(re.escape, f.split())) for f in _FILLERS_EN)
    + r")(?![A-Za-z]))+",
    re.IGNORECASE,
)
_FILLER_END = re.compile(
    r"(?:[\W_]|"
    + "|".join(re.escape(f) for f in sorted(_FILLERS_ZH, key=len, reverse=True))
    + r"|(?<![A-Za-z])(?:"
    + "|".join(r"\s+".join(map(re.escape, f.split())) for f in _FILLERS_EN)
    + r"))+$",
    re.IGNORECASE,
)


def _item_text(norm: str, scan: str, used: list[Candidate]) -> str | None:
    pieces: list[tuple[int, int]] = []
    pos = 0
    for c in sorted(used, key=lambda c: c.start):
        pieces.append((pos, c.start))
        pos = c.keep_from
    pieces.append((pos, len(scan)))
    parts = []
    for a, b in pieces:
        segment = scan[a:b]
        head = _FILLER_START.match(segment)
        i = head.end() if head else 0
        tail = _FILLER_END.search(segment, i)
        j = tail.start() if tail else len(segment)
        if i < j:
            parts.append(" ".join(norm[a + i : a + j].split()))
    item = " ".join(p for p in parts if p)
    return item or None


def parse_offer_text(
    text: str, *, default_currency: str = "CNY", each_of: Decimal | None = None
) -> ParsedOffer:
    """Read one pledge, need or offer line; InvalidInput (only) when it cannot be read.

    A price per piece (`每个1.5元`, `1.5元/个`, `1.5 yuan each`) is multiplied by the line's
    quantity, or else by `each_of` (the quantity known from elsewhere, as an offer's price
    step knows it); with neither it is refused (`UNIT_PRICE_ALONE`).
    """
    currency_of(default_currency)
    fail_too_long(text)
    norm = normalize(text)
    scan = simplify(norm)
    if len(scan) != len(norm):  # cannot happen: simplify maps one character to one
        raise InvalidInput(messages.NO_AMOUNT, text=snippet(text))
    rough = _ROUGH.search(scan)
    if rough is not None:
        raise InvalidInput(
            messages.ROUGH, text=snippet(text), part=norm[rough.start() : rough.end()]
        )
    found = scan_amounts(norm, scan)
    quantities = [c for c in found if c.kind == "quantity"]
    moneys = [c for c in found if c.kind == "money"]
    bares = [c for c in found if c.kind == "bare"]
    if len(quantities) > 1 or len(moneys) > 1:
        raise InvalidInput(messages.MORE_THAN_ONE, text=snippet(text))
    used = quantities + moneys
    if not quantities:
        if not moneys:
            if not bares:
                raise InvalidInput(messages.NO_AMOUNT, text=snippet(text))
            if len(bares) > 1:
                raise InvalidInput(messages.MORE_THAN_ONE, text=snippet(text))
            used = bares
        elif len(bares) == 1 and _item_text(norm, scan, used + bares) is not None:
            used = used + bares
    item = _item_text(norm, scan, used)
    recipient = _RECIPIENT.search(scan) if item is not None else None
    if recipient is not None:
        raise InvalidInput(messages.RECIPIENT, text=snippet(text), part=snippet(item or "", 20))
    if item is not None and _NUMERAL_LEFT.search(simplify(item)):
        raise InvalidInput(messages.NUMERALS_LEFT, text=snippet(text), part=snippet(item, 20))
    quantity: Quantity | None = None
    money: Money | None = None
    estimated: Money | None = None
    value_approximate = False
    value_marked = False
    for c in used:
        if c.kind == "bare":
            if item is None and not quantities and not moneys:
                c.kind, c.code = "money", default_currency
            else:
                c.kind = "quantity"
                c.code = "person" if item is not None and is_people_item(item) else "piece"
        elif c.yuan and default_currency in _YUAN_CURRENCIES:
            c.code = default_currency
        check_amount(c, norm)
        if c.kind == "quantity":
            quantity = Quantity(tidy(c.value), c.code)
    for c in used:
        if c.kind == "money":
            amount = Money.from_major(tidy(c.value), c.code)
            if c.each:
                amount = _total_of(amount, quantity.value if quantity else each_of, text)
                if quantity is None:  # the price of `each_of` pieces, asked for separately
                    money = amount
                    continue
            if quantity is not None or c.marked or item is not None:
                estimated, value_approximate, value_marked = amount, c.approximate, c.marked
            else:
                money = amount
    measure = [c for c in used if c.kind == "quantity"] or used
    return ParsedOffer(
        item=item,
        money=money,
        quantity=quantity,
        estimated_value=estimated,
        approximate=any(c.approximate for c in measure),
        value_approximate=value_approximate,
        value_marked=value_marked,
    )


def _total_of(price: Money, count: Decimal | None, text: str) -> Money:
    """What `count` pieces cost at `price` each, rounded to the currency's minor unit."""
    if count is None:
        raise InvalidInput(messages.UNIT_PRICE_ALONE, text=snippet(text))
    exponent = currency_of(price.currency).exponent
    with localcontext() as ctx:
        ctx.prec = 60
        total = (price.major * count).quantize(Decimal(1).scaleb(-exponent), ROUND_HALF_UP)
    if total > LIMIT:
        raise InvalidInput(messages.TOO_LARGE, text=snippet(text), limit=f"{LIMIT:,}")
    return Money.from_major(total, price.currency)


def parse_bare_quantity(text: str, unit: str) -> ParsedOffer | None:
    """Read text that is only a number (`8`, `三`, `500余`, `1,000`) as a quantity in `unit`.

    `parse_offer_text` reads a bare number as money; a question that already knows its unit
    (the hours of volunteer time, the unit of the need a pledge answers) reads it with this
    first. None when the text is more than a number (it has a unit, a currency or an item);
    InvalidInput when the number does not fit the unit: zero or negative, above `LIMIT`, or
    with more decimal places than the unit takes. ValueError for an unknown unit code.
    """
    get_unit(unit)
    fail_too_long(text)
    try:
        parsed = parse_number(text)
    except InvalidInput:
        return None
    norm = normalize(text).strip()
    check_amount(
        Candidate(0, len(norm), parsed.value, parsed.approximate, "quantity", unit, False, 0),
        norm,
    )
    return ParsedOffer(
        item=None,
        money=None,
        quantity=Quantity(tidy(parsed.value), unit),
        estimated_value=None,
        approximate=parsed.approximate,
    )
