"""Splitting an HTML message into parts Telegram accepts (at most 4,096 after parsing).

Telegram counts a message's length in UTF-16 code units of the text after entity parsing:
`&amp;` is one character, `<b>` none, an emoji outside the BMP two. A part is never cut
inside an entity or a tag, and a tag open at a cut is closed at the end of the part and
opened again at the start of the next, so every part parses on its own.
"""

from __future__ import annotations

import re

MAX_TEXT = 4096
_TOKEN = re.compile(r"<[^<>]*>|&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{1,8});|.", re.DOTALL)
_TAG_NAME = re.compile(r"^</?\s*([A-Za-z][A-Za-z0-9-]*)")


def _width(token: str) -> int:
    """Characters a token counts for once parsed, in UTF-16 code units."""
    if token.startswith("<") and token.endswith(">") and len(token) > 1:
        return 0
    if token.startswith("&") and token.endswith(";") and len(token) > 1:
        return 1
    return 2 if ord(token) > 0xFFFF else 1


def _closing(opened: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(opened))


def _reopening(opened: list[tuple[str, str]]) -> str:
    return "".join(raw for _, raw in opened)


def _follow(opened: list[tuple[str, str]], token: str) -> None:
    """Keep the stack of tags open after `token`."""
    if not (token.startswith("<") and token.endswith(">") and len(token) > 1):
        return
    found = _TAG_NAME.match(token)
    if found is None or token.endswith("/>"):
        return
    name = found.group(1).lower()
    if token.startswith("</"):
        for index in range(len(opened) - 1, -1, -1):
            if opened[index][0] == name:
                del opened[index:]
                break
    else:
        opened.append((name, token))


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split HTML text into parts of at most `limit` parsed UTF-16 units, lines kept whole.

    A part ends at the last line break that fits when there is one in its second half;
    otherwise at the last token that fits.
    """
    tokens = _TOKEN.findall(text)
    if sum(_width(t) for t in tokens) <= limit:
        return [text]
    parts: list[str] = []
    opened: list[tuple[str, str]] = []
    current: list[str] = [_reopening(opened)]
    width = 0
    # where the last line break of the current part is: index in `current`, width, tags
    newline: tuple[int, int, list[tuple[str, str]]] | None = None
    for token in tokens:
        size = _width(token)
        if width + size > limit and width > 0:
            if newline is not None and newline[1] * 2 >= limit:
                cut, cut_width, cut_open = newline
                rest = current[cut + 1 :]
                parts.append("".join(current[:cut]) + _closing(cut_open))
                current = [_reopening(cut_open), *rest]
                width -= cut_width + 1
            else:
                parts.append("".join(current) + _closing(opened))
                current = [_reopening(opened)]
                width = 0
            newline = None
        if token == "\n":
            newline = (len(current), width, list(opened))
        current.append(token)
        width += size
        _follow(opened, token)
    if width > 0 or len(current) > 1:
        parts.append("".join(current) + _closing(opened))
    return [p for p in parts if p.strip()]
