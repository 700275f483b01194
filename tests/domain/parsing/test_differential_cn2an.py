"""Differential test: an independent renderer (cn2an) writes random amounts, we read them back.

Each amount is written in every style people and receipts use: lower-case numerals
(九百二十五点二元), 大写 (玖佰贰拾伍点贰元), the RMB form with 角 and 分 and 整/正
(玖佰贰拾伍元贰角), that form in lower-case numerals, Traditional lower-case and 大写
(參仟壹佰陸拾伍圓, 三萬點五元) and the Traditional RMB form, decimal 万 in digits and
in numerals (3.5万元, 三点五万元), and digits with separators (¥1,234.56). The parser must read
each back to exactly the same money, or refuse it; a different reading is a failure.

`python -m tests.domain.parsing.test_differential_cn2an` prints the counts.
"""

from __future__ import annotations

import random
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from domain.errors import InvalidInput
from domain.parsing import Money, parse_offer_text

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    cn2an = pytest.importorskip("cn2an")

SEED = 20200220
AMOUNTS = 1500
_UP_TO_LOW = str.maketrans("壹贰叁肆伍陆柒捌玖拾佰仟", "一二三四五六七八九十百千")
_TRADITIONAL = str.maketrans({"贰": "貳", "陆": "陸", "万": "萬", "亿": "億", "点": "點"})


def _an2cn(value: Decimal, mode: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return str(cn2an.an2cn(format(value, "f"), mode))


def _traditional(text: str, rng: random.Random) -> str:
    three = rng.choice("參叄")
    return text.translate(_TRADITIONAL).replace("叁", three).replace("元", rng.choice("元圓"))


def _ten_thousands(value: Decimal) -> Decimal | None:
    scaled = value / 10_000
    exact = scaled == scaled.quantize(Decimal("0.01"))
    return scaled.normalize() if value >= 10_000 and exact else None


STYLES: dict[str, Callable[[Decimal, random.Random], str | None]] = {
    "lower": lambda v, r: _an2cn(v, "low") + "元",
    "daxie": lambda v, r: _an2cn(v, "up") + "元",
    "rmb": lambda v, r: _an2cn(v, "rmb"),
    "rmb-lower": lambda v, r: _an2cn(v, "rmb").translate(_UP_TO_LOW),
    "rmb-zheng": lambda v, r: _an2cn(v, "rmb").replace("整", "正"),
    "traditional-lower": lambda v, r: _traditional(_an2cn(v, "low") + "元", r),
    "traditional-daxie": lambda v, r: _traditional(_an2cn(v, "up") + "元", r),
    "traditional-rmb": lambda v, r: _traditional(_an2cn(v, "rmb"), r),
    "decimal-wan": lambda v, r: (
        None if (w := _ten_thousands(v)) is None else f"{format(w, 'f')}万元"
    ),
    "decimal-wan-numerals": lambda v, r: (
        None if (w := _ten_thousands(v)) is None else _an2cn(w, "low") + "万元"
    ),
    "digits": lambda v, r: f"¥{v:,}",
}


def _amounts(rng: random.Random) -> Iterator[Decimal]:
    """Amounts from 0.01 to 10^11 yuan, spread over every order of magnitude."""
    for _ in range(AMOUNTS):
        digits = rng.randint(1, 11)
        whole = rng.randint(10 ** (digits - 1), 10**digits - 1)
        if rng.random() < 0.3:  # round numbers, as drives ask for: 3万, 150万
            keep = rng.randint(1, 3)
            whole = round(whole, -max(0, digits - keep))
        cents = rng.choice((0, 0, rng.randint(0, 99), rng.randint(1, 9) * 10))
        if rng.random() < 0.05:
            whole = 0
            cents = rng.randint(1, 99)
        if whole == 0 and cents == 0:
            cents = 1
        yield Decimal(whole) + Decimal(cents) / 100


def run_differential(seed: int = SEED) -> tuple[Counter[str], list[tuple[str, str, str]]]:
    """Counts of tried/right/refused/misread, and every misreading (style, text, what we read)."""
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    misread: list[tuple[str, str, str]] = []
    for amount in _amounts(rng):
        expected = Money.from_major(amount, "CNY")
        for style, render in STYLES.items():
            text = render(amount, rng)
            if text is None:
                continue
            counts["tried"] += 1
            try:
                parsed = parse_offer_text(text)
            except InvalidInput:
                counts["refused"] += 1
                continue
            if parsed.money == expected and parsed.item is None and parsed.quantity is None:
                counts["right"] += 1
            else:
                counts["misread"] += 1
                misread.append((style, text, repr(parsed)))
    return counts, misread


def test_cn2an_renderings_read_back_to_the_same_money_or_are_refused() -> None:
    counts, misread = run_differential()
    assert misread == [], misread[:20]
    assert counts["tried"] >= 10_000
    assert counts["right"] == counts["tried"] - counts["refused"]
    # refusing is allowed, but a parser that refuses everything would pass the line above
    assert counts["refused"] <= counts["tried"] // 100, counts


if __name__ == "__main__":
    found, wrong = run_differential()
    print(
        f"forms tried {found['tried']}, read right {found['right']}, "
        f"refused {found['refused']}, misread {found['misread']}"
    )
    for style, text, parsed in wrong[:30]:
        print(style, text, parsed)
