"""Receipts, bank slips and Traditional script (issue 16): amounts as people write them.

`tests/domain/parsing/test_amounts.py` reads each; `tests/handlers/test_amount_forms.py`
sends each through the one-line /pledge form as well.
"""

from __future__ import annotations

RECEIPT_FORMS: list[tuple[str, str]] = [
    ("玖佰贰拾伍元贰角", "925.20"),
    ("叁仟壹佰陆拾伍元壹角壹分", "3165.11"),
    ("人民币叁万元零伍分", "30000.05"),
    ("壹拾万元整", "100000"),
    ("伍佰元正", "500"),
    ("5元5角", "5.50"),
    ("十二元五角", "12.50"),
    ("三块五", "3.50"),
    ("两块五毛钱", "2.50"),
    ("贰角", "0.20"),
    ("參仟壹佰陸拾伍元", "3165"),
    ("參佰元", "300"),
    ("叄萬伍仟圓整", "35000"),
    ("貳拾萬元", "200000"),
    ("壹佰萬零陸拾元", "1000060"),
    ("三點五萬元", "35000"),
    ("九百二十五點二元", "925.20"),
    ("零点五元", "0.50"),
    ("两万", "20000"),
    ("三万五", "35000"),
    ("一万二", "12000"),
    ("五千块左右", "5000"),
    ("5000块左右", "5000"),
]
