"""A terminal chat client: talk to the bot as a sandbox user."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from datetime import timedelta
from typing import Any, TextIO

from sandbox.client import SandboxClient, SandboxError, SandboxTimeout

Json = dict[str, Any]
#: ``/clock +2d``, ``+3h``, ``+30m``: how far to move the sandbox's clock forward.
CLOCK_STEP = re.compile(r"^\+(\d{1,6})([dhm])$")
CLOCK_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


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


class ChatSession:
    """State of one terminal chat session."""

    def __init__(self, client: SandboxClient, user: Json, group: int | None,
                 out: TextIO = sys.stdout) -> None:
        self.client = client
        self.user = user
        self.group = group
        self.out = out
        self.last: tuple[int, Json] | None = None  # (chat_id, message with buttons)

    def show(self, chat_id: int, msg: Json) -> None:
        """Print a bot message and remember it if it has buttons."""
        label = "bot" if chat_id == self.user["id"] else f"bot@{chat_id}"
        text, buttons = render(msg, label)
        print(text, file=self.out, flush=True)
        if buttons:
            self.last = (chat_id, msg)

    async def follow(self, chat_id: int) -> None:
        """Print every new bot message in ``chat_id`` as it arrives."""
        seen = await self.client.bot_messages(chat_id) if chat_id else []
        after = max((m["message_id"] for m in seen), default=0)
        while True:
            try:
                msgs = await self.client.wait_for_bot_messages(
                    chat_id, 1, timeout=20, after_message_id=after
                )
            except SandboxTimeout:
                continue
            for m in msgs:
                self.show(chat_id, m)
                after = max(after, m["message_id"])

    async def press(self, n: int) -> None:
        """Press button ``n`` of the last message with buttons."""
        if self.last is None:
            print("(no buttons to press)", file=self.out, flush=True)
            return
        chat_id, msg = self.last
        buttons = [b for row in msg["reply_markup"]["inline_keyboard"] for b in row]
        if not 1 <= n <= len(buttons):
            print(f"(choose 1..{len(buttons)})", file=self.out, flush=True)
            return
        button = buttons[n - 1]
        if "callback_data" not in button:
            print(f"(link: {button.get('url', '?')})", file=self.out, flush=True)
            return
        qid = await self.client.press_button(self.user["id"], chat_id, msg["message_id"],
                                             callback_data=button["callback_data"])
        try:
            answer = await self.client.wait_for_callback_answer(qid, timeout=5)
        except SandboxTimeout:
            print("(the bot did not answer the button press)", file=self.out, flush=True)
            return
        if answer.get("text"):
            kind = "alert" if answer.get("show_alert") else "toast"
            print(f"({kind}: {answer['text']})", file=self.out, flush=True)
        for m in await self.client.bot_messages(chat_id):
            if m["message_id"] == msg["message_id"] and m != msg:
                self.show(chat_id, m)

    async def clock(self, step: str) -> None:
        """Show the sandbox's time (``/clock``) or move it forward (``/clock +2d``)."""
        if step:
            match = CLOCK_STEP.match(step)
            if match is None:
                print("(usage: /clock, or /clock +2d, +3h, +30m to move time forward)",
                      file=self.out, flush=True)
                return
            amount, unit = int(match.group(1)), CLOCK_UNITS[match.group(2)]
            shown = await self.client.advance_clock(**{unit: amount})
        else:
            shown = await self.client.clock()
        offset = timedelta(seconds=shown["offset_seconds"])
        print(f"(sandbox time {shown['now']}, {offset} ahead of real time)",
              file=self.out, flush=True)

    async def handle_line(self, line: str) -> None:
        """Act on one input line."""
        line = line.rstrip("\n")
        if not line.strip():
            return
        stripped = line.strip()
        target = stripped[1:] if stripped.startswith("#") else None
        if stripped.startswith("/press "):
            target = stripped[len("/press "):]
        if target is not None and target.strip().isdigit():
            await self.press(int(target))
            return
        if stripped == "/clock" or stripped.startswith("/clock "):
            await self.clock(stripped[len("/clock"):].strip())
            return
        await self.client.send_text(self.user["id"], line, chat_id=self.group)


async def _resolve_user(client: SandboxClient, ref: str) -> Json:
    world = await client.world()
    ref = ref.lstrip("@")
    for u in world["users"]:
        if str(u["id"]) == ref or (u.get("username") or "").lower() == ref.lower():
            return dict(u)
    raise SystemExit(f"no user {ref!r} in the sandbox (create one with the control API)")


async def run_chat(url: str, user_ref: str, group: int | None) -> None:
    """Run the interactive loop until EOF on stdin."""
    async with SandboxClient(url) as client:
        user = await _resolve_user(client, user_ref)
        session = ChatSession(client, user, group)
        where = f"group {group}" if group is not None else "private chat"
        print(f"chatting as {user['first_name']} ({user['id']}) in {where}; "
              "type text, '#N' or '/press N' to press a button, Ctrl-D to quit", flush=True)
        chats = [user["id"]] + ([group] if group is not None else [])
        followers = []
        for chat_id in chats:
            with contextlib.suppress(SandboxError):
                await client.bot_messages(chat_id)
            followers.append(asyncio.create_task(session.follow(chat_id)))
        loop = asyncio.get_running_loop()
        try:
            while True:
                line = await loop.run_in_executor(None, sys.stdin.readline)
                if not line:
                    break
                try:
                    await session.handle_line(line)
                except SandboxError as exc:
                    print(f"(sandbox: {exc.message})", flush=True)
        finally:
            for task in followers:
                task.cancel()
            await asyncio.gather(*followers, return_exceptions=True)
