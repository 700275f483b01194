"""Reading numbers as people write them: 1,582,000 · １２３ · 158.2万 · 三千五 · 3k · 2w · 50+.

Arabic digits (full-width ones too, and `,` thousands separators), Chinese numerals in
either script (including formal 壹贰叁參叄… and colloquial 三千五 = 3500, 一万二 = 12000),
Chinese decimals with 点/點 (九百二十五点二, 三点五万), 万 after 万 scaling the whole (四万万,
二万二千八百万 = 22800万),
multipliers 十 百 千 万 亿 (and 萬 億), k/K (thousand), w/W (万, as written in chat) and the
words thousand/million/billion, mixed forms (3万, 158.2万, 1.5亿, 3万5千). Approximate
markers keep the number and flag it: 余/餘 多 来/來 + (after the number or between the
digits and a multiplier: 30余万), 左右 以上 "or more" after it, 约/約/大约 about approx.
around roughly over "more than" "at least" ~ 超过 逾 近 至少 before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext

from domain.errors import InvalidInput
from domain.parsing import messages
from domain.parsing._text import normalize, simplify, snippet


@dataclass(frozen=True)
class ParsedNumber:
    """A number read from text, and whether the writer marked it as approximate."""

    value: Decimal
    approximate: bool


ARABIC = r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
CN_DIGIT_VALUES: dict[str, int] = {
    "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "參": 3, "叄": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
CN_ZEROS = "零〇"
CN_SMALL: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
LATIN_MULT: dict[str, int] = {"k": 1000, "w": 10_000}
WORD_MULT: dict[str, int] = {
    "thousand": 1000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
}
APPROX_CHARS = "余多来"  # after simplify(): 餘 -> 余, 來 -> 来

CN_NUMERAL_CHARS = "".join(CN_DIGIT_VALUES) + CN_ZEROS + "".join(CN_SMALL) + "".join(CN_BIG)
_MULT_CHARS = "".join(CN_SMALL) + "".join(CN_BIG)
CN_POINT = "点"  # 九百二十五点二 = 925.2, 三点五万 = 35000 (after simplify(): 點 -> 点)

# A run of characters that may form one number (on simplified, NFKC-normalised text).
NUMBER_RUN = re.compile(
    rf"(?:{ARABIC}|[{''.join(CN_DIGIT_VALUES)}{CN_ZEROS}十拾])"
    rf"(?:{ARABIC}"
    rf"|[{CN_NUMERAL_CHARS}]"
    rf"|{CN_POINT}(?=[{''.join(CN_DIGIT_VALUES)}{CN_ZEROS}])"
    rf"| [{''.join(CN_BIG)}千百]"
    rf"|[kKwW](?![A-Za-z])"
    rf"|\s*(?:thousand|million|billion)(?![A-Za-z])"
    rf"|[{APPROX_CHARS}](?=\s?[{_MULT_CHARS}kKwW]))*",
    re.IGNORECASE,
)

APPROX_PREFIX = (
    r"(?:(?<![A-Za-z])(?:about|approx\.?|approximately|around|roughly|over|more\s+than"
    r"|at\s+least|nearly|almost)(?![A-Za-z])|约|大约|大概|超过|逾|近|至少|不少于|~)"
)
APPROX_SUFFIX = r"[余多来+]"
APPROX_POST = r"(?:左右|以上|(?<![A-Za-z])or\s+more(?![A-Za-z]))"

_TOKEN = re.compile(rf"({ARABIC})|(thousand|million|billion)|(\S)", re.IGNORECASE)

_WHOLE = re.compile(
    rf"\s*(?P<pre>{APPROX_PREFIX}\s*)?(?P<neg>-\s*)?(?P<run>{NUMBER_RUN.pattern})"
    rf"(?P<suf>\s*{APPROX_SUFFIX})?(?P<post>\s*{APPROX_POST})?\s*",
    re.IGNORECASE,
)


def read_numeral(run: str) -> ParsedNumber | None:
    """Evaluate one run matched by `NUMBER_RUN` (simplified script); None if it is no number."""
    with localcontext() as ctx:
        ctx.prec = 2000
        parsed = _evaluate(run)
        if parsed is None:
            return None
        return ParsedNumber(tidy(parsed.value), parsed.approximate)


def tidy(value: Decimal) -> Decimal:
    """The same number without trailing zeros after the point and without an exponent."""
    with localcontext() as ctx:
        ctx.prec = 2000
        if value == value.to_integral_value():
            return Decimal(int(value))
        return Decimal(format(value.normalize(), "f"))


def _evaluate(run: str) -> ParsedNumber | None:
    if CN_POINT in run:
        return _evaluate_point(run)
    return _evaluate_whole(run)


def _evaluate_point(run: str) -> ParsedNumber | None:
    """A Chinese decimal: 九百二十五点二, 三万点零五, 三点五万 (the 万 scales the whole)."""
    head, _, fraction = run.partition(CN_POINT)
    scale = 1
    if fraction and fraction[-1] in CN_BIG:
        scale, fraction = CN_BIG[fraction[-1]], fraction[:-1]
    digits = [CN_DIGIT_VALUES.get(ch, 0) if ch in CN_DIGIT_VALUES or ch in CN_ZEROS else -1
              for ch in fraction]  # fmt: skip
    if not head or not digits or -1 in digits or any(ch.isascii() for ch in head):
        return None
    whole = _evaluate_whole(head)
    if whole is None:
        return None
    value = (whole.value + Decimal("0." + "".join(map(str, digits)))) * scale
    return ParsedNumber(value, whole.approximate)


def _evaluate_whole(run: str) -> ParsedNumber | None:
    # token kinds: ("num", value, single_digit) ("zero",) ("small", m) ("big", m)
    tokens: list[tuple[str, Decimal, bool]] = []
    approximate = False
    for m in _TOKEN.finditer(run):
        if m.group(1):
            text = m.group(1).replace(",", "")
            value = Decimal(text)
            single = "." not in text and len(text.lstrip("0")) == 1
            tokens.append(("num", value, single))
        elif m.group(2):
            tokens.append(("big", Decimal(WORD_MULT[m.group(2).lower()]), False))
        else:
            ch = m.group(3)
            if ch in APPROX_CHARS:
                approximate = True
            elif ch in CN_ZEROS:
                tokens.append(("zero", Decimal(0), True))
            elif ch in CN_DIGIT_VALUES:
                tokens.append(("num", Decimal(CN_DIGIT_VALUES[ch]), True))
            elif ch in CN_SMALL:
                tokens.append(("small", Decimal(CN_SMALL[ch]), False))
            elif ch.lower() == "k":
                tokens.append(("small", Decimal(1000), False))
            elif ch in CN_BIG:
                tokens.append(("big", Decimal(CN_BIG[ch]), False))
            elif ch.lower() == "w":
                tokens.append(("big", Decimal(10_000), False))
            else:
                return None
    if not tokens:
        return None
    # Chinese digits written one by one: 二〇二〇 = 2020.
    chinese_only = not any(ch.isascii() and ch.isdigit() for ch in run)
    if chinese_only and len(tokens) > 1 and all(k in ("num", "zero") and s for k, _, s in tokens):
        return ParsedNumber(Decimal("".join(str(int(v)) for _, v, _ in tokens)), approximate)
    total = Decimal(0)
    section = Decimal(0)
    cur: Decimal | None = None
    cur_single = False
    last_mult: Decimal | None = None
    last_big: Decimal | None = None
    prev_kind = ""
    before_cur = ""
    for kind, value, single in tokens:
        if kind == "num":
            if cur is not None:
                return None
            cur, cur_single, before_cur = value, single, prev_kind
        elif kind == "zero":
            if cur is not None:
                return None
        elif kind == "small":
            if cur is None:
                if value != 10 or prev_kind not in ("", "zero", "big"):
                    return None
                cur = Decimal(1)
            section += cur * value
            cur = None
            last_mult = value
        else:  # big
            x = section + (cur if cur is not None else 0)
            if x == 0 and (total == 0 or (last_big is not None and last_big > value)):
                return None  # 万 alone, 一亿万; but 四万万 is 4亿
            if last_big is None or last_big <= value:
                # 三万五千万 = 35000万, 一万亿: the multiplier scales everything before it
                total = (total + x) * value
            else:  # 一亿二千万: a smaller multiplier after a larger one adds a part
                total += x * value
            last_big = value
            section = Decimal(0)
            cur = None
            last_mult = value
        prev_kind = kind
    tail = Decimal(0)
    if cur is not None:
        colloquial = (
            cur_single
            and before_cur in ("small", "big")
            and last_mult is not None
            and last_mult >= 100
            and last_mult <= 100_000_000
        )
        tail = cur * last_mult / 10 if colloquial and last_mult is not None else cur
    return ParsedNumber(total + section + tail, approximate)


def parse_number(text: str) -> ParsedNumber:
    """Read text that is just a number (with approximate markers); InvalidInput otherwise."""
    if len(text) > messages.MAX_TEXT_LENGTH:
        raise InvalidInput(messages.TOO_LONG, length=len(text), limit=messages.MAX_TEXT_LENGTH)
    scan = simplify(normalize(text))
    m = _WHOLE.fullmatch(scan)
    parsed = read_numeral(m.group("run")) if m else None
    if m is None or parsed is None:
        raise InvalidInput(messages.NO_NUMBER, text=snippet(text))
    value = -parsed.value if m.group("neg") else parsed.value
    approximate = parsed.approximate or any(m.group(g) for g in ("pre", "suf", "post"))
    return ParsedNumber(value, approximate)
