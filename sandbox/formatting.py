"""Text formatting: parse_mode parsers (HTML, MarkdownV2, Markdown) and entity detection.

All entity offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import html
import re
from typing import Any

from sandbox.errors import ApiError, bad_request

Entity = dict[str, Any]


def u16len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _sorted(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# --------------------------------------------------------------------------- HTML

_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9_-]*"
    r"(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR_RE = re.compile(
    r"([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?"
)
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_ALL_TAGS = {*_SIMPLE_TAGS, "a", "span", "tg-emoji"}


def _attrs(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR_RE.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        if value is None:
            value = m.group(4) if m.group(4) is not None else ""
        out[m.group(1).lower()] = html.unescape(value)
    return out


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram-flavoured HTML into plain text and entities, or raise 400."""
    if "<" not in text and "&" not in text:
        return text, []
    out: list[str] = []
    pos = 0  # UTF-16 offset in the output
    stack: list[tuple[str, Entity | None, int]] = []  # (tag, entity template, start)
    entities: list[Entity] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "<":
            m = _TAG_RE.match(text, i)
            if m is None:
                raise _parse_error(
                    f"Unsupported start tag at byte offset {_byte_offset(text, i)}"
                )
            closing, name = m.group(1) == "/", m.group(2).lower()
            if not closing:
                if name not in _ALL_TAGS:
                    raise _parse_error(
                        f'Unsupported start tag "{name}" at byte offset '
                        f"{_byte_offset(text, i)}"
                    )
                attrs = _attrs(m.group(3))
                template: Entity | None
                if name == "a":
                    href = attrs.get("href")
                    template = {"type": "text_link", "url": href} if href else None
                elif name == "span":
                    if attrs.get("class") != "tg-spoiler":
                        raise _parse_error(
                            'Tag "span" must have class "tg-spoiler" at byte offset '
                            f"{_byte_offset(text, i)}"
                        )
                    template = {"type": "spoiler"}
                elif name == "tg-emoji":
                    emoji_id = attrs.get("emoji-id")
                    if not emoji_id:
                        raise _parse_error(
                            'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                            f"{_byte_offset(text, i)}"
                        )
                    template = {"type": "custom_emoji", "custom_emoji_id": emoji_id}
                elif name == "code" and stack and stack[-1][0] == "pre":
                    lang = attrs.get("class", "")
                    pre = stack[-1][1]
                    if pre is not None and lang.startswith("language-"):
                        pre["language"] = lang[len("language-") :]
                    template = None
                elif name == "blockquote" and "expandable" in attrs:
                    template = {"type": "expandable_blockquote"}
                else:
                    template = {"type": _SIMPLE_TAGS[name]}
                stack.append((name, template, pos))
            else:
                if not stack:
                    raise _parse_error(
                        f'Unexpected end tag at byte offset {_byte_offset(text, i)}'
                    )
                open_name, template, start = stack.pop()
                if open_name != name:
                    raise _parse_error(
                        f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                        f'expected "</{open_name}>", found "</{name}>"'
                    )
                if template is not None and pos > start:
                    entity = {**template, "offset": start, "length": pos - start}
                    entities.append(entity)
            i = m.end()
            continue
        if c == "&":
            m = _ENTITY_RE.match(text, i)
            if m is not None:
                body = m.group(1)
                decoded: str | None
                if body.startswith("#"):
                    try:
                        num = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
                        decoded = chr(num)
                    except (ValueError, OverflowError):
                        decoded = None
                else:
                    decoded = _NAMED.get(body)
                if decoded is not None:
                    out.append(decoded)
                    pos += u16len(decoded)
                    i = m.end()
                    continue
            out.append("&")
            pos += 1
            i += 1
            continue
        j = i
        while j < n and text[j] not in "<&":
            j += 1
        chunk = text[i:j]
        out.append(chunk)
        pos += u16len(chunk)
        i = j
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), _sorted(entities)


# --------------------------------------------------------------------- MarkdownV2

RESERVED_V2 = set("_*[]()~`>#+-=|{}.!")
_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}


def _reserved(text: str, i: int) -> ApiError:
    return _parse_error(
        f"Character '{text[i]}' is reserved and must be escaped with the preceding '\\'"
    )


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 into plain text and entities, or raise 400 like Telegram."""
    out: list[str] = []
    pos = 0
    stack: list[tuple[str, int, int]] = []  # (kind, start pos, source index)
    entities: list[Entity] = []
    quote_start: int | None = None
    i = 0
    n = len(text)

    def emit(s: str) -> None:
        nonlocal pos
        out.append(s)
        pos += u16len(s)

    def toggle(kind: str, src: int) -> None:
        if stack and stack[-1][0] == kind:
            _, start, _ = stack.pop()
            if pos > start:
                entities.append({"type": kind, "offset": start, "length": pos - start})
        elif any(k == kind for k, _, _ in stack):
            top = stack[-1]
            raise _parse_error(
                f"Can't find end of {_V2_NAMES.get(top[0], top[0])} entity at byte offset "
                f"{_byte_offset(text, top[2])}"
            )
        else:
            stack.append((kind, pos, src))

    while i < n:
        c = text[i]
        if quote_start is None and c == ">" and (i == 0 or text[i - 1] == "\n"):
            quote_start = pos
            i += 1
            continue
        if quote_start is not None and c == ">" and i > 0 and text[i - 1] == "\n":
            i += 1
            continue
        if c == "\\":
            if i + 1 < n and 0 < ord(text[i + 1]) < 127:
                emit(text[i + 1])
                i += 2
                continue
            raise _reserved(text, i)
        if c == "`":
            fence = text.startswith("```", i)
            marker = "```" if fence else "`"
            j = i + len(marker)
            body: list[str] = []
            while j < n and not text.startswith(marker, j):
                if text[j] == "\\" and j + 1 < n and text[j + 1] in "`\\":
                    body.append(text[j + 1])
                    j += 2
                    continue
                body.append(text[j])
                j += 1
            if j >= n:
                kind = "Pre" if fence else "Code"
                raise _parse_error(
                    f"Can't find end of {kind} entity at byte offset {_byte_offset(text, i)}"
                )
            content = "".join(body)
            entity: Entity = {"type": "pre" if fence else "code"}
            if fence:
                first, sep, rest = content.partition("\n")
                if sep and first and " " not in first:
                    entity["language"] = first
                    content = rest
                elif sep and not first:
                    content = rest
            start = pos
            emit(content)
            if pos > start:
                entity.update(offset=start, length=pos - start)
                entities.append(entity)
            i = j + len(marker)
            continue
        if c == "*":
            toggle("bold", i)
            i += 1
            continue
        if c == "_":
            if text.startswith("__", i) and not (stack and stack[-1][0] == "italic"):
                toggle("underline", i)
                i += 2
            else:
                toggle("italic", i)
                i += 1
            continue
        if c == "~":
            toggle("strikethrough", i)
            i += 1
            continue
        if c == "|":
            if text.startswith("||", i):
                toggle("spoiler", i)
                i += 2
                continue
            raise _reserved(text, i)
        if c == "[":
            stack.append(("text_link", pos, i))
            i += 1
            continue
        if c == "]":
            if not stack or stack[-1][0] != "text_link":
                raise _reserved(text, i)
            if i + 1 >= n or text[i + 1] != "(":
                raise _reserved(text, i)
            j = i + 2
            url: list[str] = []
            while j < n and text[j] != ")":
                if text[j] == "\\" and j + 1 < n:
                    url.append(text[j + 1])
                    j += 2
                    continue
                url.append(text[j])
                j += 1
            if j >= n:
                raise _parse_error(
                    f"Can't find end of a URL at byte offset {_byte_offset(text, i + 1)}"
                )
            _, start, _ = stack.pop()
            if pos > start:
                entities.append(
                    {"type": "text_link", "offset": start, "length": pos - start,
                     "url": "".join(url)}
                )
            i = j + 1
            continue
        if c in RESERVED_V2:
            raise _reserved(text, i)
        if c == "\n" and quote_start is not None and not text.startswith(">", i + 1):
            if pos > quote_start:
                entities.append(
                    {"type": "blockquote", "offset": quote_start, "length": pos - quote_start}
                )
            quote_start = None
        emit(c)
        i += 1
    if stack:
        kind, _, src = stack[-1]
        raise _parse_error(
            f"Can't find end of {_V2_NAMES.get(kind, kind)} entity at byte offset "
            f"{_byte_offset(text, src)}"
        )
    if quote_start is not None and pos > quote_start:
        entities.append({"type": "blockquote", "offset": quote_start, "length": pos - quote_start})
    return "".join(out), _sorted(entities)


# ----------------------------------------------------------------- legacy Markdown

_MD_KINDS = {"*": "bold", "_": "italic", "`": "code"}


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Parse legacy Markdown (``*bold*``, ``_italic_``, code, links) or raise 400."""
    out: list[str] = []
    pos = 0
    entities: list[Entity] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "*_`[":
            out.append(text[i + 1])
            pos += 1
            i += 2
            continue
        if c in _MD_KINDS or c == "[":
            if c == "`" and text.startswith("```", i):
                end = text.find("```", i + 3)
                marker_len = 3
                kind = "pre"
            elif c == "[":
                close = text.find("](", i + 1)
                end = text.find(")", close + 2) if close != -1 else -1
                if close == -1 or end == -1:
                    raise _parse_error(
                        "Can't find end of the entity starting at byte offset "
                        f"{_byte_offset(text, i)}"
                    )
                label = text[i + 1 : close]
                start = pos
                out.append(label)
                pos += u16len(label)
                if pos > start:
                    entities.append({"type": "text_link", "offset": start,
                                     "length": pos - start, "url": text[close + 2 : end]})
                i = end + 1
                continue
            else:
                end = text.find(c, i + 1)
                marker_len = 1
                kind = _MD_KINDS[c]
            if end == -1:
                raise _parse_error(
                    "Can't find end of the entity starting at byte offset "
                    f"{_byte_offset(text, i)}"
                )
            inner = text[i + marker_len : end]
            start = pos
            out.append(inner)
            pos += u16len(inner)
            if pos > start:
                entities.append({"type": kind, "offset": start, "length": pos - start})
            i = end + marker_len
            continue
        out.append(c)
        pos += u16len(c)
        i += 1
    return "".join(out), _sorted(entities)


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Apply ``parse_mode`` (case-insensitive) to ``text``; no mode means plain text."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise bad_request(f"unsupported parse_mode {parse_mode}")


# --------------------------------------------------------- entities in user text

_AUTO_RE = re.compile(
    r"(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/]))"
    r"|(?P<mention>(?<![\w@])@[A-Za-z0-9_]{5,32}(?![\w@]))"
    r"|(?P<hashtag>(?<![\w#])#[^\W\d_][\w]*)"
    r"|(?P<url>https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'])"
)


def detect_entities(text: str) -> list[Entity]:
    """Find bot_command, mention, hashtag and url entities in text a user typed."""
    entities: list[Entity] = []
    for m in _AUTO_RE.finditer(text):
        kind = m.lastgroup or "url"
        start = u16len(text[: m.start()])
        entities.append({"type": kind, "offset": start, "length": u16len(m.group(0))})
    return entities
