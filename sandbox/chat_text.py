"""What the terminal chat prints and reads: bot messages as text, button numbers, deep links,
and the world summary's users and groups."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

Json = dict[str, Any]

HELP = """terminal chat commands (any other line is sent to the bot as you):
  #N  or  /press N     press button N of the last message with buttons
  /press M.N           press button N of message M (/buttons lists them)
  /buttons             every message with buttons in this chat, with their numbers
  /reply M TEXT        send TEXT as a reply to message M
  /photo PATH [TEXT]   send a photo (e.g. a receipt as proof), TEXT as its caption
  /file PATH [TEXT]    send a file as a document
  /private             show your private chat with the bot in this window
  /group [ID]          show the group (the one of --group without ID)
  /clock [+2d|+3h|+30m]  the sandbox's time, or move it forward (reminders fall due)
  /chathelp            this list
  a line ending in \\   goes on on the next line (one message of several lines)
  a link button to the bot (deep link) opens the private chat with /start PAYLOAD
  Ctrl-D quits"""


def render(msg: Json, label: str) -> tuple[str, list[Json]]:
    """Format a bot message and return the flat list of its inline buttons."""
    body = msg.get("text") or msg.get("caption") or ""
    if "document" in msg:
        body = f"[document {msg['document'].get('file_name', '')}] {body}"
    if "photo" in msg:
        body = f"[photo] {body}"
    if msg.get("edit_date"):
        body += "  (edited)"
    if msg.get("deleted"):
        body += "  (deleted)"
    lines = [f"{label} #{msg['message_id']}: {body}"]
    buttons: list[Json] = []
    for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []):
        cells = []
        for b in row:
            buttons.append(b)
            link = f" -> {b['url']}" if "url" in b else ""
            cells.append(f"[{len(buttons)}] {b['text']}{link}")
        lines.append("    " + "   ".join(cells))
    for row in (msg.get("reply_markup") or {}).get("keyboard", []):
        texts = [b if isinstance(b, str) else b.get("text", "") for b in row]
        lines.append("    keyboard: " + " | ".join(texts))
    return "\n".join(lines), buttons


def inline_buttons(msg: Json) -> list[Json]:
    """The inline buttons of a message, row by row."""
    return [b for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def deep_link_payload(url: str, bot_username: str) -> str | None:
    """The ``/start`` payload of a link that opens the private chat with this bot ("" for a
    plain link to it); None for any other link."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.scheme in ("http", "https") and parts.netloc.lower() in ("t.me", "telegram.me"):
        name = parts.path.strip("/")
    elif parts.scheme == "tg" and parts.netloc == "resolve":
        name = query.get("domain", [""])[0]
    else:
        return None
    if name.lower() != bot_username.lower():
        return None
    return query.get("start", [""])[0]


def parse_press(ref: str) -> tuple[int | None, int] | None:
    """``N`` (the last message's button N) or ``M.N`` (message M's); None when malformed."""
    message, dot, index = ref.strip().partition(".")
    if not dot:
        message, index = "", message
    elif not _ascii_number(message, 12):
        return None
    if not _ascii_number(index, 4):
        return None
    return (int(message) if message else None), int(index)


def _ascii_number(text: str, digits: int) -> bool:
    return 0 < len(text) <= digits and text.isascii() and text.isdigit()


def group_titles(world: Json) -> dict[int, str]:
    """The title of every group, supergroup and channel in a world summary."""
    return {int(c["id"]): str(c.get("title", c["id"])) for c in world["chats"]
            if c.get("type") != "private"}


def start_problem(world: Json, user_ref: str, group: int | None) -> Json | str:
    """The user to chat as, or the one line that says why the chat cannot start."""
    ref = user_ref.lstrip("@")
    users = [u for u in world["users"] if not u.get("is_bot")]
    user = next((dict(u) for u in users
                 if str(u["id"]) == ref or (u.get("username") or "").lower() == ref.lower()),
                None)
    if user is None:
        known = ", ".join(str(u.get("username") or u["id"]) for u in users[:20]) or "none yet"
        return f"no user {ref!r} in the sandbox; its users: {known}"
    if group is None:
        return user
    chat = next((c for c in world["chats"] if c["id"] == group and c.get("type") != "private"),
                None)
    if chat is None:
        known = ", ".join(f"{t} ({i})" for i, t in group_titles(world).items()) or "none yet"
        return f"no group {group} in the sandbox; its groups: {known}"
    if chat.get("members", {}).get(str(user["id"])) not in ("creator", "administrator",
                                                             "member"):
        return f"{user['first_name']} is not a member of {chat.get('title', group)} ({group})"
    return user
