"""Text normalisation shared by the parsers (private to the package)."""

from __future__ import annotations

import unicodedata

# Traditional -> simplified for the characters the parsers and the item table care about.
# Every mapping is one character to one character, so positions survive the translation.
_PAIRS = (
    "萬万億亿兩两個个隻只塊块圓圆錢钱幣币資资現现贈赠獻献價价約约餘余來来後后時时週周號号"
    "噸吨張张條条頂顶臺台檯台聽听捲卷雙双對对項项貳贰陸陆護护劑剂體体溫温計计槍枪鏡镜應应"
    "飲饮礦矿願愿義义藥药醫医療疗單单傳传帳帐糧粮麵面餅饼乾干鹽盐雞鸡魚鱼衛卫紙纸潔洁淨净"
    "噴喷霧雾電电燈灯車车輛辆裝装員员們们為为與与務务區区門门廠厂氣气熱热測测檢检驗验試试"
    "補补給给濕湿簽签籤签繃绷帶带膠胶滅灭紗纱鐘钟頭头禮礼總总認认費费種种設设備备儀仪襪袜"
    "褲裤級级紅红線线織织於于從从這这歐欧國国幾几歲岁點点內内會会開开關关見见間间問问聯联"
    "協协黨党團团組组貨货禦御夠够據据過过將将還还並并臨临續续額额"
)
_TABLE = {ord(_PAIRS[i]): _PAIRS[i + 1] for i in range(0, len(_PAIRS), 2)}


def normalize(text: str) -> str:
    """NFKC (full-width digits, letters and punctuation become ASCII), plus dash and tilde forms."""
    return unicodedata.normalize("NFKC", text).translate(
        {ord("\u301c"): "~", ord("\u2212"): "-", ord("\u2013"): "-", ord("\u2014"): "-"}
    )


def simplify(text: str) -> str:
    """Map common traditional characters to simplified ones, one character for one."""
    return text.translate(_TABLE)


def is_cjk(ch: str) -> bool:
    """Whether the character is a CJK ideograph (including 〇)."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x2FA1F
        or o == 0x3007
    )


def is_separator(ch: str) -> bool:
    """Whether the character is whitespace, punctuation or a symbol (not a letter or digit)."""
    if ch.isspace():
        return True
    cat = unicodedata.category(ch)
    return cat[0] in "PSZC"


def snippet(text: str, limit: int = 40) -> str:
    """A short, one-line quotation of what the person wrote, for an error message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
