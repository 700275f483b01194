"""What the sandbox page shows: messages as safe HTML, buttons, chats and command menus."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from sandbox.world import MEMBER_STATUSES, Chat, User, World

Json = dict[str, Any]

#: Entity type -> (opening tag, closing tag) of the page's markup.
_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
    "bot_command": ('<span class="command">', "</span>"),
}
_SAFE_URL = re.compile(r"^(https?|tg)://", re.IGNORECASE)
_SNIPPET = 80


_DEEP_LINKS = (
    re.compile(r"^https?://t\.me/(?P<bot>[A-Za-z0-9_]+)\?start=(?P<payload>[A-Za-z0-9_-]{1,64})$"),
    re.compile(r"^tg://resolve\?domain=(?P<bot>[A-Za-z0-9_]+)&start=(?P<payload>[A-Za-z0-9_-]{1,64})$"),
)


def deep_link_payload(url: str, bot_username: str) -> str | None:
    """The ``start`` payload of a deep link to this bot (``t.me/<bot>?start=…``), else None."""
    for pattern in _DEEP_LINKS:
        match = pattern.match(url)
        if match is not None and match.group("bot").lower() == bot_username.lower():
            return match.group("payload")
    return None


def _link_tag(url: str, bot_username: str) -> tuple[str, str]:
    payload = deep_link_payload(url, bot_username)
    if payload is not None:
        return (f'<a href="#" class="deeplink" data-payload="{html.escape(payload)}">', "</a>")
    if not _SAFE_URL.match(url):
        return ("<span>", "</span>")  # javascript: and the like stay text
    return (f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">', "</a>")


def _tags(entity: Json, text: str, bot_username: str) -> tuple[str, str]:
    kind = entity.get("type")
    if kind == "text_link":
        return _link_tag(str(entity.get("url", "")), bot_username)
    if kind == "url":
        return _link_tag(text, bot_username)
    if kind == "pre" and entity.get("language"):
        language = html.escape(str(entity["language"]))
        return (f'<pre data-language="{language}">', "</pre>")
    return _TAGS.get(str(kind), ("<span>", "</span>"))


def _unit_index(text: str) -> list[int]:
    """Map each UTF-16 code-unit offset to the Python index where it starts."""
    index: list[int] = []
    for position, char in enumerate(text):
        index.extend([position] * (2 if ord(char) > 0xFFFF else 1))
    index.append(len(text))
    return index


def render_entities(text: str, entities: list[Json], bot_username: str) -> str:
    """``text`` with its Bot API entities (UTF-16 offsets) as escaped HTML for the page."""
    index = _unit_index(text)
    last = len(index) - 1
    spans: list[tuple[int, int, int, Json]] = []
    for order, entity in enumerate(entities):
        start = index[min(max(int(entity.get("offset", 0)), 0), last)]
        end = index[min(max(int(entity.get("offset", 0)) + int(entity.get("length", 0)), 0),
                        last)]
        if end > start:
            spans.append((start, end, order, entity))
    spans.sort(key=lambda s: (s[0], -s[1], s[2]))
    out: list[str] = []
    open_spans: list[tuple[int, int, int, Json]] = []
    position = 0
    cuts = sorted({0, len(text), *(s[0] for s in spans), *(s[1] for s in spans)})
    for cut in cuts:
        out.append(html.escape(text[position:cut], quote=False))
        position = cut
        # close what ends here; entities opened inside one that ends are closed and reopened
        ending = [s for s in open_spans if s[1] <= cut]
        if ending:
            reopen: list[tuple[int, int, int, Json]] = []
            while ending:
                span = open_spans.pop()
                out.append(_tags(span[3], text[span[0]:span[1]], bot_username)[1])
                if span in ending:
                    ending.remove(span)
                else:
                    reopen.append(span)
            for span in reversed(reopen):
                out.append(_tags(span[3], text[span[0]:span[1]], bot_username)[0])
                open_spans.append(span)
        for span in spans:
            if span[0] == cut:
                out.append(_tags(span[3], text[span[0]:span[1]], bot_username)[0])
                open_spans.append(span)
    return "".join(out)


def _name(user: Json | None) -> str:
    if not user:
        return ""
    return " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p)


def _buttons(msg: Json, bot_username: str) -> list[list[Json]]:
    rows: list[list[Json]] = []
    for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []):
        keys: list[Json] = []
        for key in row:
            text = str(key.get("text", ""))
            if "callback_data" in key:
                keys.append({"text": text, "kind": "callback", "data": key["callback_data"]})
            elif "url" in key:
                payload = deep_link_payload(str(key["url"]), bot_username)
                if payload is not None:
                    keys.append({"text": text, "kind": "deeplink", "payload": payload})
                elif _SAFE_URL.match(str(key["url"])):
                    keys.append({"text": text, "kind": "link", "url": key["url"]})
                else:
                    keys.append({"text": text, "kind": "inert"})
            else:
                keys.append({"text": text, "kind": "inert"})
        rows.append(keys)
    return rows


def _service(msg: Json) -> Json | None:
    for kind in ("new_chat_members", "left_chat_member", "new_chat_title", "group_chat_created",
                 "migrate_to_chat_id", "migrate_from_chat_id", "supergroup_chat_created"):
        if kind in msg:
            value = msg[kind]
            if kind == "new_chat_members":
                subject = ", ".join(_name(u) for u in value)
            elif kind == "left_chat_member":
                subject = _name(value)
            else:
                subject = str(value) if not isinstance(value, bool) else ""
            return {"kind": kind, "actor": _name(msg.get("from")), "subject": subject}
    return None


def _snippet(msg: Json) -> str:
    text = str(msg.get("text") or msg.get("caption") or "")
    if not text:
        text = "📷" if "photo" in msg else "📎" if "document" in msg else ""
    return text if len(text) <= _SNIPPET else text[:_SNIPPET] + "…"


def message_view(world: World, msg: Json, viewer: int) -> Json:
    """One message as the page draws it (text already escaped HTML)."""
    bot_username = world.bot_username
    sender = msg.get("from")
    text = msg.get("text") if "text" in msg else msg.get("caption")
    entities = msg.get("entities") if "text" in msg else msg.get("caption_entities")
    view: Json = {
        "id": msg["message_id"],
        "date": msg.get("date"),
        "from": _name(sender),
        "from_id": sender.get("id") if sender else None,
        "is_bot": bool(sender and sender.get("is_bot")),
        "mine": bool(sender and sender.get("id") == viewer),
        "edited": "edit_date" in msg,
        "html": render_entities(str(text), list(entities or []), bot_username) if text else "",
        "buttons": _buttons(msg, bot_username),
        "service": _service(msg),
    }
    if msg.get("photo"):
        largest = msg["photo"][-1]
        view["photo"] = {"url": f"api/file/{largest['file_id']}",
                         "width": largest.get("width"), "height": largest.get("height")}
    if msg.get("document"):
        document = msg["document"]
        view["document"] = {"url": f"api/file/{document['file_id']}",
                            "name": document.get("file_name") or "file"}
    if msg.get("sticker"):
        view["sticker"] = msg["sticker"].get("emoji", "")
    reply = msg.get("reply_to_message")
    if reply:
        view["reply_to"] = {"id": reply["message_id"], "from": _name(reply.get("from")),
                            "snippet": _snippet(reply)}
    return view


def visible_chats(world: World, user: User) -> list[Chat]:
    """The chats a person sees: the private chat with the bot, then their current groups."""
    chats = [world.private_chat(user)]
    for chat in world.chats.values():
        if (chat.is_group and chat.migrated_to is None
                and chat.members.get(user.id) in MEMBER_STATUSES):
            chats.append(chat)
    return chats


def chat_title(world: World, chat: Chat) -> str:
    """The name a chat has in the list: the bot's name for the private chat."""
    if chat.type == "private":
        return world.bot_first_name
    return chat.title or str(chat.id)


def command_menu(world: World, chat: Chat, user: User) -> list[Json]:
    """The bot's command menu in ``chat`` for ``user``, resolved as Telegram clients do."""
    scopes: list[Json] = []
    if chat.type == "private":
        scopes = [{"type": "chat", "chat_id": chat.id}, {"type": "all_private_chats"}]
    else:
        admin = chat.members.get(user.id) in ("creator", "administrator")
        scopes = [{"type": "chat_member", "chat_id": chat.id, "user_id": user.id}]
        if admin:
            scopes.append({"type": "chat_administrators", "chat_id": chat.id})
        scopes.append({"type": "chat", "chat_id": chat.id})
        if admin:
            scopes.append({"type": "all_chat_administrators"})
        scopes.append({"type": "all_group_chats"})
    scopes.append({"type": "default"})
    language = (user.language_code or "")[:2].lower()
    for scope in scopes:
        key = json.dumps(scope, sort_keys=True)
        for code in (language, ""):
            commands = world.commands.get((key, code))
            if commands:
                return list(commands)
    return []


def page_language(language_code: str | None) -> str:
    """The page's language for a person: zh-Hant, zh-Hans or en."""
    code = (language_code or "").lower()
    if code.startswith(("zh-hant", "zh-tw", "zh-hk", "zh-mo")):
        return "zh-Hant"
    if code.startswith("zh"):
        return "zh-Hans"
    return "en"
