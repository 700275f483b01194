"""Item names reduced to a canonical key, so that offers and needs can be matched.

`item_key("N95口罩") == item_key("surgical masks") == "mask"`. The synonym table covers
the goods, services and people of the drive in simplified and traditional Chinese and
English. A name that is in no entry keeps a normalised form of itself (NFKC, lower case,
whitespace collapsed, common traditional characters simplified, English plurals reduced),
so "Hand Cream" and "hand creams" still match each other.

Alcohol (酒精) is kept apart from disinfectant (消毒液, 84消毒液/片): hospitals ask for
them separately, and one does not stand in for the other. Hand sanitiser is its own key.
"""

from __future__ import annotations

import re

from domain.parsing._text import is_cjk, normalize, simplify

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "mask": ("口罩", "n95", "kn95", "n95口罩", "kn95口罩", "医用口罩", "医用外科口罩",
             "外科口罩", "防护口罩", "一次性口罩", "mask", "face mask", "surgical mask",
             "medical mask", "n95 mask", "kn95 mask", "respirator"),
    "protective_suit": ("防护服", "医用防护服", "隔离服", "protective suit",
                        "protective clothing", "coverall", "hazmat suit"),
    "isolation_gown": ("隔离衣", "手术衣", "isolation gown", "surgical gown", "gown"),
    "goggles": ("护目镜", "防护眼镜", "goggle", "safety goggle", "safety glasses"),
    "face_shield": ("面罩", "防护面罩", "面屏", "防护面屏", "face shield"),
    "thermometer": ("体温计", "体温枪", "额温枪", "测温枪", "红外测温仪", "测温仪", "温度计",
                    "thermometer", "infrared thermometer", "forehead thermometer",
                    "thermometer gun"),
    "glove": ("手套", "医用手套", "乳胶手套", "一次性手套", "橡胶手套", "glove",
              "latex glove", "medical glove", "disposable glove"),
    "disinfectant": ("消毒液", "消毒水", "消毒剂", "84消毒液", "84消毒片", "84", "消毒片",
                     "含氯消毒片", "漂白水", "过氧乙酸", "disinfectant", "bleach",
                     "chlorine tablet", "disinfectant tablet", "84 disinfectant"),
    "alcohol": ("酒精", "医用酒精", "消毒酒精", "75%酒精", "乙醇", "alcohol",
                "medical alcohol", "ethanol", "rubbing alcohol", "disinfectant alcohol"),
    "hand_sanitizer": ("洗手液", "免洗洗手液", "免洗消毒液", "hand sanitizer",
                       "hand sanitiser", "sanitizer", "sanitiser", "hand wash"),
    "wipes": ("湿巾", "消毒湿巾", "wet wipe", "wipe", "disinfectant wipe"),
    "soap": ("肥皂", "香皂", "soap"),
    "food": ("应急食品", "食品", "食物", "干粮", "粮食", "food", "emergency food",
             "food supplies", "ration"),
    "instant_noodles": ("方便面", "泡面", "速食面", "instant noodle", "noodle"),
    "water": ("矿泉水", "饮用水", "瓶装水", "纯净水", "水", "water", "bottled water",
              "mineral water", "drinking water"),
    "rice": ("大米", "米", "稻米", "rice"),
    "cooking_oil": ("食用油", "油", "cooking oil"),
    "vegetables": ("蔬菜", "青菜", "菜", "vegetable"),
    "milk": ("牛奶", "奶", "milk"),
    "medicine": ("药品", "药物", "药", "医药", "medicine", "drug", "medication"),
    "volunteer": ("志愿者", "义工", "志愿", "志愿服务", "volunteer"),
    "staff": ("工作人员", "人员", "staff", "personnel", "worker"),
    "doctor": ("医生", "医师", "doctor"),
    "nurse": ("护士", "nurse"),
    "driver": ("司机", "driver"),
    "leaflet": ("宣传单", "传单", "宣传页", "宣传资料", "leaflet", "flyer", "pamphlet"),
    "tent": ("帐篷", "tent"),
    "sprayer": ("喷雾器", "喷壶", "sprayer"),
    "shoe_cover": ("鞋套", "shoe cover"),
    "cap": ("医用帽", "一次性帽子", "帽子", "surgical cap", "cap"),
    "rent_waiver": ("租金", "减免租金", "免租", "房租", "rent", "rent waiver", "rent relief"),
    "money": ("资金", "现金", "善款", "捐款", "钱", "money", "cash", "fund"),
}  # fmt: skip

PEOPLE_KEYS = frozenset({"volunteer", "staff", "doctor", "nurse", "driver"})

_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_WORD = re.compile(r"[a-z]+")


def _singular(match: re.Match[str]) -> str:
    word = match.group()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def normalize_name(name: str) -> str:
    """NFKC, simplified script, lower case, whitespace collapsed, edges trimmed, singular."""
    text = simplify(normalize(name)).casefold()
    text = " ".join(text.split())
    text = _EDGE.sub("", text)
    return _WORD.sub(_singular, text)


_EXACT: dict[str, str] = {}
_PHRASES: list[tuple[str, str]] = []
for _key, _names in _SYNONYMS.items():
    for _name in _names:
        _norm = normalize_name(_name)
        _EXACT.setdefault(_norm, _key)
        if len(_norm) >= 2 and not (len(_norm) <= 2 and _norm.isdigit()):
            _PHRASES.append((_norm, _key))
_PHRASES.sort(key=lambda pair: -len(pair[0]))


def _contains(text: str, phrase: str) -> bool:
    if is_cjk(phrase[0]) and is_cjk(phrase[-1]):
        return phrase in text
    pattern = r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])"
    if is_cjk(phrase[-1]):
        pattern = r"(?<![a-z0-9])" + re.escape(phrase)
    return re.search(pattern, text) is not None


def item_key(name: str) -> str:
    """Canonical key of an item name ("mask", "disinfectant" …), or its normalised form."""
    text = normalize_name(name)
    if text in _EXACT:
        return _EXACT[text]
    for phrase, key in _PHRASES:
        if _contains(text, phrase):
            return key
    return text


def items_match(a: str, b: str) -> bool:
    """Whether two item names denote the same thing (same non-empty canonical key)."""
    key = item_key(a)
    return key != "" and key == item_key(b)


def is_people_item(name: str) -> bool:
    """Whether the name denotes people (volunteers, staff …), counted in persons."""
    return item_key(name) in PEOPLE_KEYS
