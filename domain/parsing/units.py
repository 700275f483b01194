"""The unit vocabulary: canonical unit codes, their families and their written forms.

Money is not a unit here (see `amounts.Money`). Every quantity of goods, people or time
carries one of the codes in `UNITS`. Units of one family measure the same kind of thing
(`units_compatible`); within mass, volume, area and time most of them convert exactly
(`convert`). Count units (box, piece, bottle ...) never convert into each other: a box is
not a known number of pieces.

斤 (jin) is kept as its own unit, code `jin`, because people pledge in 斤 and expect to
see 斤 again; it converts exactly to 500 g. 个月 (`month`) is a time unit that does not
convert (months differ in length). 人次 (`person_time`, person-times: visits, checks,
screenings) belongs to the people family but does not convert to `person`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MASS = "mass"
VOLUME = "volume"
COUNT = "count"
AREA = "area"
TIME = "time"
PEOPLE = "people"

FAMILIES = (MASS, VOLUME, COUNT, AREA, TIME, PEOPLE)


@dataclass(frozen=True)
class Unit:
    """One unit: its code, family, canonical labels and the forms people write it in."""

    code: str
    family: str
    label: str  # canonical English label, singular noun ("kilogram", "box")
    en_one: str  # English display after 1 ("kg", "box")
    en_many: str  # English display after other numbers ("kg", "boxes")
    zh: str  # simplified Chinese display ("公斤", "箱")
    zh_hant: str  # traditional Chinese display ("公斤", "箱")
    factor: Decimal | None  # size in the family's base unit (g, mL, m2, hour); None: no conversion
    decimals: int  # decimal places a quantity in this unit may carry
    forms: tuple[str, ...]  # written forms the parser reads (Chinese either script, English)


def _u(
    code: str,
    family: str,
    label: str,
    en: tuple[str, str],
    zh: tuple[str, str],
    factor: str | None,
    decimals: int,
    forms: str,
) -> Unit:
    return Unit(
        code=code,
        family=family,
        label=label,
        en_one=en[0],
        en_many=en[1],
        zh=zh[0],
        zh_hant=zh[1],
        factor=None if factor is None else Decimal(factor),
        decimals=decimals,
        forms=tuple(f.strip() for f in forms.split("|")),
    )


# 量词 for goods: (code, measure word, English singular, plural, traditional form).
# Each is a count of its own; they do not convert into each other or into 个.
MEASURE_WORDS = (
    ("jian", "件", "piece", "pieces", "件"),  # 棉衣, 防护服, 物资
    ("zhi", "只", "piece", "pieces", "隻"),  # N95口罩, 手套
    ("stick", "支", "piece", "pieces", "支"),  # 体温计, 注射器
    ("ding", "顶", "piece", "pieces", "頂"),  # 帐篷, 帽子
    ("tai", "台", "unit", "units", "台"),  # 发电机, 呼吸机, 电脑
    ("chuang", "床", "piece", "pieces", "床"),  # 棉被, 被褥
    ("liang", "辆", "vehicle", "vehicles", "輛"),  # 救护车, 货车
    ("sou", "艘", "boat", "boats", "艘"),  # 冲锋舟
    ("jia", "架", "unit", "units", "架"),  # 无人机, 担架
    ("bu", "部", "unit", "units", "部"),  # 手机, 对讲机
    ("zhang", "张", "piece", "pieces", "張"),  # 床, 折叠床, 桌子
    ("tiao", "条", "piece", "pieces", "條"),  # 毛毯, 毛巾
    ("ba", "把", "piece", "pieces", "把"),  # 椅子, 铁锹, 手电筒
    ("gen", "根", "piece", "pieces", "根"),  # 管子, 拐杖
    ("kuai", "块", "piece", "pieces", "塊"),  # 肥皂, 电池
    ("zhan", "盏", "unit", "units", "盞"),  # 应急灯
    ("zuo", "座", "unit", "units", "座"),  # 板房
    ("jian4", "间", "room", "rooms", "間"),  # 房间, 板房
    ("he", "盒", "small box", "small boxes", "盒"),  # 药品, 口罩
    ("fen", "份", "portion", "portions", "份"),  # 盒饭, 物资包
)


def _measure_words() -> tuple[Unit, ...]:
    units = []
    for code, zh, en_one, en_many, zh_hant in MEASURE_WORDS:
        forms = [zh] if zh == zh_hant else [zh, zh_hant]
        if en_one not in ("piece", "unit"):  # "2 vehicles" reads back as 辆; "pieces" as 个
            forms += [en_one, en_many]
        units.append(
            _u(code, COUNT, en_one, (en_one, en_many), (zh, zh_hant), None, 0, "|".join(forms))
        )
    return tuple(units)


_ALL = (
    # mass: base gram
    _u(
        "kg",
        MASS,
        "kilogram",
        ("kg", "kg"),
        ("公斤", "公斤"),
        "1000",
        3,
        "公斤|千克|kg|kgs|kilo|kilos|kilogram|kilograms|kilogramme|kilogrammes",
    ),
    _u("g", MASS, "gram", ("g", "g"), ("克", "克"), "1", 3, "克|g|gram|grams|gramme|grammes"),
    _u(
        "t",
        MASS,
        "tonne",
        ("t", "t"),
        ("吨", "噸"),
        "1000000",
        3,
        "吨|噸|公吨|公噸|t|ton|tons|tonne|tonnes",
    ),
    _u("jin", MASS, "jin", ("jin", "jin"), ("斤", "斤"), "500", 3, "斤|市斤|jin"),
    # volume: base millilitre
    _u(
        "L",
        VOLUME,
        "litre",
        ("L", "L"),
        ("升", "升"),
        "1000",
        3,
        "升|公升|L|ltr|litre|litres|liter|liters",
    ),
    _u(
        "mL",
        VOLUME,
        "millilitre",
        ("mL", "mL"),
        ("毫升", "毫升"),
        "1",
        3,
        "毫升|mL|millilitre|millilitres|milliliter|milliliters",
    ),
    # area: base square metre
    _u(
        "m2",
        AREA,
        "square metre",
        ("m²", "m²"),
        ("平方米", "平方米"),
        "1",
        3,
        "平方米|平方公尺|平方|平米|平|m2|sqm|sq m|sq. m|square metre|square metres"
        "|square meter|square meters",
    ),
    # time: base hour
    _u(
        "hour",
        TIME,
        "hour",
        ("hour", "hours"),
        ("小时", "小時"),
        "1",
        2,
        "小时|小時|个小时|個小時|钟头|鐘頭|h|hr|hrs|hour|hours",
    ),
    _u("day", TIME, "day", ("day", "days"), ("天", "天"), "24", 2, "天|day|days"),
    _u(
        "week",
        TIME,
        "week",
        ("week", "weeks"),
        ("周", "週"),
        "168",
        2,
        "周|週|星期|个星期|個星期|week|weeks",
    ),
    _u(
        "month",
        TIME,
        "month",
        ("month", "months"),
        ("个月", "個月"),
        None,
        2,
        "个月|個月|month|months",
    ),
    # counts: no conversion between them
    _u(
        "box",
        COUNT,
        "box",
        ("box", "boxes"),
        ("箱", "箱"),
        None,
        0,
        "箱|box|boxes|case|cases|carton|cartons|ctn|ctns",
    ),
    _u(
        "piece",
        COUNT,
        "piece",
        ("piece", "pieces"),
        ("个", "個"),
        None,
        0,
        "个|個|枚|pc|pcs|piece|pieces",
    ),
    # Chinese measure words (量词) are kept as written: 棉衣 500件 stays 件, not 个
    *_measure_words(),
    _u(
        "item",
        COUNT,
        "item",
        ("item", "items"),
        ("项", "項"),
        None,
        0,
        "项|項|item|items|unit|units",
    ),
    _u(
        "bottle", COUNT, "bottle", ("bottle", "bottles"), ("瓶", "瓶"), None, 0, "瓶|bottle|bottles"
    ),
    _u("bag", COUNT, "bag", ("bag", "bags"), ("袋", "袋"), None, 0, "袋|bag|bags|sack|sacks"),
    _u(
        "pack",
        COUNT,
        "pack",
        ("pack", "packs"),
        ("包", "包"),
        None,
        0,
        "包|pack|packs|packet|packets|package|packages",
    ),
    _u(
        "pair", COUNT, "pair", ("pair", "pairs"), ("副", "副"), None, 0, "副|双|雙|对|對|pair|pairs"
    ),
    _u("set", COUNT, "set", ("set", "sets"), ("套", "套"), None, 0, "套|set|sets"),
    _u(
        "tablet",
        COUNT,
        "tablet",
        ("tablet", "tablets"),
        ("片", "片"),
        None,
        0,
        "片|粒|tablet|tablets|pill|pills",
    ),
    _u(
        "barrel",
        COUNT,
        "barrel",
        ("barrel", "barrels"),
        ("桶", "桶"),
        None,
        0,
        "桶|barrel|barrels|drum|drums",
    ),
    _u("can", COUNT, "can", ("can", "cans"), ("罐", "罐"), None, 0, "罐|听|聽|can|cans|tin|tins"),
    _u("roll", COUNT, "roll", ("roll", "rolls"), ("卷", "卷"), None, 0, "卷|捲|roll|rolls"),
    # people
    _u(
        "person",
        PEOPLE,
        "person",
        ("person", "people"),
        ("人", "人"),
        None,
        0,
        "人|名|位|个人|個人|person|persons|people|volunteer|volunteers",
    ),
    _u(
        "person_time",
        PEOPLE,
        "person-time",
        ("person-time", "person-times"),
        ("人次", "人次"),
        None,
        0,
        "人次|person-time|person-times|person time|person times",
    ),
)

UNITS: dict[str, Unit] = {u.code: u for u in _ALL}


def get_unit(code: str) -> Unit:
    """The unit with this code; ValueError for an unknown code (a programming error)."""
    try:
        return UNITS[code]
    except KeyError:
        raise ValueError(f"unknown unit code {code!r}") from None


def unit_family(code: str) -> str:
    """The family (mass, volume, count, area, time, people) of a unit code."""
    return get_unit(code).family


def units_compatible(a: str, b: str) -> bool:
    """Whether two units measure the same kind of thing (kg and t yes; kg and piece no)."""
    return get_unit(a).family == get_unit(b).family


def can_convert(a: str, b: str) -> bool:
    """Whether a quantity in unit `a` can be expressed exactly in unit `b`."""
    if a == b:
        get_unit(a)
        return True
    ua, ub = get_unit(a), get_unit(b)
    return ua.family == ub.family and ua.factor is not None and ub.factor is not None


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Express `value` in another unit of its family; ValueError when `can_convert` is false."""
    if from_unit == to_unit:
        get_unit(from_unit)
        return value
    if not can_convert(from_unit, to_unit):
        raise ValueError(f"cannot convert {from_unit} to {to_unit}")
    fa = get_unit(from_unit).factor
    fb = get_unit(to_unit).factor
    assert fa is not None and fb is not None
    return value * fa / fb


def written_forms() -> dict[str, str]:
    """Every written form the parser reads, lower-cased, mapped to its unit code."""
    out: dict[str, str] = {}
    for unit in _ALL:
        for form in unit.forms:
            out.setdefault(form.lower(), unit.code)
    return out
