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

Money, quantities and writing them back for readers are in `money`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from domain.errors import InvalidInput
from domain.parsing import messages
from domain.parsing._text import is_cjk, is_separator, normalize, simplify, snippet
from domain.parsing.items import is_people_item
from domain.parsing.money import LIMIT, Money, Quantity, currency_of, decimal_places
from domain.parsing.numbers import (
    APPROX_POST,
    APPROX_PREFIX,
    APPROX_SUFFIX,
    CN_DIGIT_VALUES,
    CN_NUMERAL_CHARS,
    NUMBER_RUN,
    parse_number,
    read_numeral,
    tidy,
)
from domain.parsing.units import get_unit, written_forms


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


# --- vocabulary -------------------------------------------------------------------------

# Currency written after the number; None means "yuan-like": the currency written before
# the number if any, else the default one when it is counted in 元, else CNY.
_CURRENCY_AFTER: dict[str, str | None] = {
    "元": None, "块": None, "块钱": None, "圆": None, "yuan": None, "kuai": None,
    "人民币": "CNY", "rmb": "CNY", "cny": "CNY",
    "usd": "USD", "美元": "USD", "美金": "USD", "dollar": "USD", "dollars": "USD",
    "hkd": "HKD", "港币": "HKD", "港元": "HKD", "hk dollars": "HKD",
    "eur": "EUR", "欧元": "EUR", "euro": "EUR", "euros": "EUR",
    "jpy": "JPY", "日元": "JPY", "日圆": "JPY", "yen": "JPY",
    "twd": "TWD", "ntd": "TWD", "新台币": "TWD", "台币": "TWD",
}  # fmt: skip
# Currencies whose unit is 元 in Chinese (人民币元, 港元, 新台币元): `500元` in Hong Kong is HKD.
_YUAN_CURRENCIES = frozenset({"CNY", "HKD", "TWD"})
_CURRENCY_BEFORE: dict[str, str] = {
    "¥": "CNY", "rmb": "CNY", "cny": "CNY", "人民币": "CNY",
    "$": "USD", "us$": "USD", "usd": "USD", "美元": "USD", "美金": "USD",
    "hk$": "HKD", "hkd": "HKD", "港币": "HKD", "港元": "HKD",
    "€": "EUR", "eur": "EUR", "欧元": "EUR",
    "jpy": "JPY", "日元": "JPY",
    "nt$": "TWD", "twd": "TWD", "ntd": "TWD", "新台币": "TWD",
}  # fmt: skip
_UNIT_AFTER: dict[str, str] = {simplify(k): v for k, v in written_forms().items()}
_KEEP_IN_ITEM = frozenset({"volunteer", "volunteers"})


def _alternation(forms: list[str]) -> str:
    parts = []
    for form in sorted(set(forms), key=lambda f: (-len(f), f)):
        pattern = r"\s+".join(re.escape(p) for p in form.split(" "))
        if form[-1].isascii() and form[-1].isalnum():
            pattern += r"(?![A-Za-z0-9])"
        if form[0].isascii() and form[0].isalpha():
            pattern = r"(?<![A-Za-z])" + pattern
        parts.append(pattern)
    return "|".join(parts)


_AFTER_ALT = _alternation([*_CURRENCY_AFTER, *_UNIT_AFTER])
_BEFORE_ALT = _alternation(list(_CURRENCY_BEFORE))
_VALUE_MARK = r"(?:价值|估值|市值|(?<![A-Za-z])(?:worth|valued\s+at|value\s+of|value)(?![A-Za-z]))"

_PREFIX = re.compile(
    rf"(?P<value>{_VALUE_MARK}[\s:]*)?"
    rf"(?P<approx>{APPROX_PREFIX}\s*)?"
    rf"(?P<cur>(?:{_BEFORE_ALT})\s*)?"
    rf"(?P<neg>-\s*)?$",
    re.IGNORECASE,
)
_SUFFIX = re.compile(rf"(?P<approx>\s*{APPROX_SUFFIX})?(?:\s*(?P<unit>{_AFTER_ALT}))?", re.I)
_POST = re.compile(rf"\s*{APPROX_POST}", re.IGNORECASE)
_RANGE_BEFORE = re.compile(
    rf"(?:[0-9]|[{CN_NUMERAL_CHARS}])\s*(?:{APPROX_SUFFIX}|[kKwW]|{_AFTER_ALT})*"
    rf"\s*(?:-|~|到|至|(?<![A-Za-z])to)\s*$",
    re.IGNORECASE,
)
_MASKED = re.compile(
    r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|(?<![0-9])[0-9]{1,2}:[0-9]{2}(?![0-9])"
)

_DIGIT = f"[0-9{''.join(CN_DIGIT_VALUES)}]"
# 角 (毛 spoken) and 分 after 元/块/圆: 玖佰贰拾伍元贰角, 叁万元零伍分, 5元5角, 3块5毛钱, 壹拾万元整
_MINOR = re.compile(
    rf"(?:零?(?P<jiao>{_DIGIT})[角毛])?(?:零?(?P<fen>{_DIGIT})分(?!钟))?(?P<end>钱?[整正]?)"
)
_SPOKEN_JIAO = re.compile(rf"(?P<jiao>{_DIGIT})(?=钱|[^\w]|$)")  # 三块五, but 3块五花肉
_MINOR_NEXT = re.compile(rf"{_DIGIT}+[角毛分]|{_SPOKEN_JIAO.pattern}")
_COUNT_WORDS = "个件只支箱套瓶袋包盒台顶条张副双对份片粒床辆艘把根块桶罐卷"
_EACH_BEFORE = re.compile(rf"(?:单价|每[{_COUNT_WORDS}]?)\s*[:：]?\s*$")
_EACH_AFTER = re.compile(
    rf"\s*(?:[/每]\s*[{_COUNT_WORDS}]"
    r"|(?<![A-Za-z])(?:each|apiece|a\s+piece|per\s+(?:piece|pc|unit|item|box|set|pack|bottle))"
    r"(?![A-Za-z]))",
    re.IGNORECASE,
)
_JIAO_ALONE = re.compile(rf"(?:(?P<jiao>[角毛])(?:零?(?P<fen>{_DIGIT})分)?|分(?!钟))钱?")
_YUAN = frozenset({"元", "块", "块钱", "圆"})
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


@dataclass
class _Candidate:
    start: int
    end: int
    value: Decimal
    approximate: bool
    kind: str  # "money", "quantity" or "bare"
    code: str  # currency or unit code ("" for bare)
    marked: bool  # money marked as an estimated value
    keep_from: int  # text from here to `end` stays in the item ("8 volunteers")
    each: bool = False  # money written as a price per piece (每个1.5元, 1.5 yuan each)
    yuan: bool = False  # money in 元/块 with no currency named: the default's when counted in 元


def _fail_too_long(text: str) -> None:
    if len(text) > messages.MAX_TEXT_LENGTH:
        raise InvalidInput(messages.TOO_LONG, length=len(text), limit=messages.MAX_TEXT_LENGTH)


def _scan(norm: str, scan: str) -> list[_Candidate]:
    masked = [m.span() for m in _MASKED.finditer(scan)]
    found: list[_Candidate] = []
    for m in NUMBER_RUN.finditer(scan):
        rs, rend = m.span()
        if any(a < rend and rs < b for a, b in masked) or (found and rs < found[-1].end):
            continue
        run = m.group()
        if run[-1] in "千仟" and scan[rend : rend + 1] == "克":  # 3千克 is 3 kg
            rend -= 1
            run = run[:-1]
        parsed = read_numeral(run)
        if parsed is None:
            continue
        pm = _PREFIX.search(scan, max(0, rs - 40), rs)
        assert pm is not None  # the pattern can match the empty string
        pstart = pm.start()
        before = scan[pstart - 1] if pstart > 0 else ""
        head_end = pm.start("cur") if pm.group("cur") else rs
        if _RANGE_BEFORE.search(scan, max(0, head_end - 30), head_end):
            raise InvalidInput(messages.MORE_THAN_ONE, text=snippet(norm))
        glued = before.isascii() and (before.isalnum() or before in "._")
        if before and (glued or before == "第"):
            continue
        sm = _SUFFIX.match(scan, rend)
        assert sm is not None
        end = sm.end("approx") if sm.group("approx") else rend
        unit_text = sm.group("unit")
        unit_key = simplify(unit_text).lower() if unit_text else ""
        unit_key = " ".join(unit_key.split())
        nxt = scan[sm.end() : sm.end() + 1]
        if unit_key == "人" and nxt == "民":
            unit_key = ""
        if (
            unit_key == "块"
            and nxt
            and is_cjk(nxt)
            and nxt not in "的钱整正角毛分"
            and not _POST.match(scan, sm.end())
            and not _MINOR_NEXT.match(scan, sm.end())
        ):
            unit_key = "kuai"  # 3块肥皂: three bars of soap
        keep_from = -1
        cur_before = pm.group("cur")
        kind, code = "bare", ""
        yuan = False
        if cur_before:
            kind, code = "money", _CURRENCY_BEFORE[" ".join(cur_before.strip().lower().split())]
            if unit_key in _CURRENCY_AFTER:
                end = sm.end()
                if _CURRENCY_AFTER[unit_key] is not None and unit_key not in ("dollar", "dollars"):
                    code = _CURRENCY_AFTER[unit_key] or code
        elif unit_key == "kuai":
            kind, code, end = "quantity", "kuai", sm.end()
        elif unit_key in _CURRENCY_AFTER:
            kind, code, end = "money", _CURRENCY_AFTER[unit_key] or "CNY", sm.end()
            yuan = _CURRENCY_AFTER[unit_key] is None
        elif unit_key in _UNIT_AFTER:
            kind, code = "quantity", _UNIT_AFTER[unit_key]
            if unit_key in _KEEP_IN_ITEM:
                keep_from = sm.start("unit")
            end = sm.end()
        value = parsed.value
        if kind == "money" and unit_key in _CURRENCY_AFTER:
            end, value = _minor_units(scan, end, value, spoken=unit_key in _YUAN)
        alone = _JIAO_ALONE.match(scan, end) if kind == "bare" and not sm.group("unit") else None
        if alone is not None and not is_cjk(scan[alone.end() : alone.end() + 1] or "a"):
            kind, code, end = "money", "CNY", alone.end()  # 贰角, 五毛钱: tenths of a yuan
            fen = alone.group("fen")
            value = value / (10 if alone.group("jiao") else 100)
            value += Decimal(_digit(fen)) / 100 if fen else Decimal(0)
        if scan[end : end + 1] in ("%", "‰"):
            continue
        post = _POST.match(scan, end)
        approximate = parsed.approximate or bool(pm.group("approx") or sm.group("approx"))
        if post:
            end = post.end()
            approximate = True
        if kind == "bare":
            after = scan[end : end + 1]
            if after and not is_separator(after):
                continue
            if (
                all(ch in CN_NUMERAL_CHARS for ch in run)
                and len(run) == 1
                and before
                and not is_separator(before)
                and not (pm.group("approx") or pm.group("neg"))
            ):
                continue
        value = -value if pm.group("neg") else value
        each = False
        if kind == "money":
            after_each = _EACH_AFTER.match(scan, end)
            before_each = _EACH_BEFORE.search(scan, max(0, pstart - 8), pstart)
            if after_each is not None:
                end, each = after_each.end(), True
            elif before_each is not None:
                pstart, each = before_each.start(), True
        marked = bool(pm.group("value")) or (
            kind == "money" and scan[end:].lstrip().startswith("的")
        )
        found.append(
            _Candidate(
                start=pstart,
                end=end,
                value=value,
                approximate=approximate,
                kind=kind,
                code=code,
                marked=marked,
                keep_from=keep_from if keep_from >= 0 else end,
                each=each,
                yuan=yuan,
            )
        )
    return found


def _minor_units(scan: str, end: int, value: Decimal, *, spoken: bool) -> tuple[int, Decimal]:
    """Add the 角 and 分 written after a currency at `end`; the new end and the value."""
    m = _MINOR.match(scan, end)
    assert m is not None  # every part is optional
    jiao, fen = m.group("jiao"), m.group("fen")
    if jiao is None and fen is None and spoken:
        sp = _SPOKEN_JIAO.match(scan, end)
        if sp is not None and (end == 0 or scan[end - 1] in "块"):
            jiao = sp.group("jiao")
            m = _MINOR.match(scan, sp.end())
            assert m is not None
            if m.group("jiao") or m.group("fen"):
                return end, value  # 三块五五分 is no amount; left for the numeral check
    if jiao is None and fen is None:
        return m.end("end"), value
    tenths = Decimal(_digit(jiao)) / 10 if jiao else Decimal(0)
    hundredths = Decimal(_digit(fen)) / 100 if fen else Decimal(0)
    return m.end(), value + tenths + hundredths


def _digit(ch: str) -> int:
    return int(ch) if ch.isdigit() and ch.isascii() else CN_DIGIT_VALUES[ch]


def _item_text(norm: str, scan: str, used: list[_Candidate]) -> str | None:
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


def _check(c: _Candidate, norm: str) -> None:
    text = snippet(norm[c.start : c.end])
    if c.value <= 0:
        raise InvalidInput(messages.NOT_POSITIVE, text=text)
    if c.value > LIMIT:
        raise InvalidInput(messages.TOO_LARGE, text=text, limit=f"{LIMIT:,}")
    places = decimal_places(c.value)
    money = c.kind == "money"
    allowed = currency_of(c.code).exponent if money else get_unit(c.code).decimals
    if places > allowed:
        if allowed == 0 and c.kind == "quantity":
            raise InvalidInput(messages.NOT_WHOLE, text=text)
        raise InvalidInput(messages.TOO_MANY_DECIMALS, text=text, places=allowed)


def parse_offer_text(
    text: str, *, default_currency: str = "CNY", each_of: Decimal | None = None
) -> ParsedOffer:
    """Read one pledge, need or offer line; InvalidInput (only) when it cannot be read.

    A price per piece (`每个1.5元`, `1.5元/个`, `1.5 yuan each`) is multiplied by the line's
    quantity, or else by `each_of` (the quantity known from elsewhere, as an offer's price
    step knows it); with neither it is refused (`UNIT_PRICE_ALONE`).
    """
    currency_of(default_currency)
    _fail_too_long(text)
    norm = normalize(text)
    scan = simplify(norm)
    if len(scan) != len(norm):  # cannot happen: simplify maps one character to one
        raise InvalidInput(messages.NO_AMOUNT, text=snippet(text))
    rough = _ROUGH.search(scan)
    if rough is not None:
        raise InvalidInput(
            messages.ROUGH, text=snippet(text), part=norm[rough.start() : rough.end()]
        )
    found = _scan(norm, scan)
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
        _check(c, norm)
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
    _fail_too_long(text)
    try:
        parsed = parse_number(text)
    except InvalidInput:
        return None
    norm = normalize(text).strip()
    _check(
        _Candidate(0, len(norm), parsed.value, parsed.approximate, "quantity", unit, False, 0),
        norm,
    )
    return ParsedOffer(
        item=None,
        money=None,
        quantity=Quantity(tidy(parsed.value), unit),
        estimated_value=None,
        approximate=parsed.approximate,
    )
