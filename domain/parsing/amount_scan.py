"""Finding the amounts in a line: each number with its currency or unit, where it stands.

`amounts.parse_offer_text` decides what the amounts found mean (money, quantity, value);
this module reads each one: the number, the currency or unit written before or after it,
角 and 分 after 元, "about" marks, a price per piece, and what is a name rather than an amount
(N95, 75%, dates, clock times).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import InvalidInput
from domain.parsing import messages
from domain.parsing._text import is_cjk, is_separator, simplify, snippet
from domain.parsing.money import LIMIT, currency_of, decimal_places
from domain.parsing.numbers import (
    APPROX_POST,
    APPROX_PREFIX,
    APPROX_SUFFIX,
    CN_DIGIT_VALUES,
    CN_NUMERAL_CHARS,
    NUMBER_RUN,
    read_numeral,
)
from domain.parsing.units import get_unit, written_forms

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


@dataclass
class Candidate:
    """One amount found in a line: where it stands, its value, and what it measures."""

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


def fail_too_long(text: str) -> None:
    """Refuse a line longer than anyone types in chat."""
    if len(text) > messages.MAX_TEXT_LENGTH:
        raise InvalidInput(messages.TOO_LONG, length=len(text), limit=messages.MAX_TEXT_LENGTH)


def scan_amounts(norm: str, scan: str) -> list[Candidate]:
    """Every amount in `scan` (the simplified `norm`), in the order written."""
    masked = [m.span() for m in _MASKED.finditer(scan)]
    found: list[Candidate] = []
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
            Candidate(
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


def check_amount(c: Candidate, norm: str) -> None:
    """Refuse an amount that is not positive, too large, or too finely divided."""
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


