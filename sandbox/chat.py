"""A terminal chat client: talk to the bot as a sandbox user.

One window shows one chat (the private chat, or a group); what the bot sends there, and every
later edit of it, is printed as it happens. Lines are sent as the user; a few commands of the
terminal's own (``/chathelp``) press buttons, reply, send files and switch chats.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import sys
import threading
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from sandbox.chat_text import (
    HELP,
    deep_link_payload,
    group_titles,
    inline_buttons,
    parse_press,
    render,
    start_problem,
)
from sandbox.client import SandboxClient, SandboxError, SandboxTimeout, SandboxUnreachable

Json = dict[str, Any]
#: ``/clock +2d``, ``+3h``, ``+30m``: how far to move the sandbox's clock forward.
CLOCK_STEP = re.compile(r"^\+(\d{1,6})([dhm])$")
CLOCK_UNITS = {"d": "days", "h": "hours", "m": "minutes"}

#: Telegram lets a user send files up to 2 GB; the sandbox keeps uploads in memory.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: Earlier bot messages shown when a window opens on a chat.
HISTORY_SHOWN = 3

def _read_upload(path: Path) -> bytes | str:
    """The file's bytes, or the line that says why it cannot be sent."""
    if not path.is_file():
        return f"(no file at {path})"
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        return f"({path} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB)"
    try:
        return path.read_bytes()
    except OSError as error:
        return f"(cannot read {path}: {error.strerror})"


class ChatSession:
    """State of one terminal chat window: who types, which chat it shows, what it printed."""

    def __init__(self, client: SandboxClient, user: Json, group: int | None,
                 out: TextIO = sys.stdout) -> None:
        self.client = client
        self.user = user
        self.group = group
        self.out = out
        #: the chat this window shows: the group of --group, else the private chat
        self.chat_id: int = group if group is not None else int(user["id"])
        #: per chat, each bot message as it was last printed (to print edits only once)
        self.printed: dict[int, dict[int, Json]] = {}
        #: per chat, the last message with inline buttons (what ``#N`` presses)
        self.last_buttons: dict[int, int] = {}
        self.bot_username: str | None = None
        #: group titles, read from the sandbox when a window first shows the group
        self.titles: dict[int, str] = {}
        self._pending: list[str] = []  # lines of a multi-line message so far
        self._refreshing = asyncio.Lock()

    @property
    def user_id(self) -> int:
        """The user this window types as."""
        return int(self.user["id"])

    def say(self, text: str) -> None:
        """Print one line of the terminal's own."""
        print(text, file=self.out, flush=True)

    def show(self, chat_id: int, msg: Json) -> None:
        """Print a bot message and remember it (and that it has buttons)."""
        label = "bot" if chat_id == self.user_id else f"bot in {self.titles.get(chat_id, chat_id)}"
        text, buttons = render(msg, label)
        self.say(text)
        self.printed.setdefault(chat_id, {})[int(msg["message_id"])] = msg
        if buttons and not msg.get("deleted"):
            self.last_buttons[chat_id] = int(msg["message_id"])

    async def refresh(self, history: int = 0) -> None:
        """Print the current chat's new bot messages and the ones changed since printed.

        ``history``: on a chat not shown before, the last few earlier messages too.
        """
        async with self._refreshing:
            chat_id = self.chat_id
            messages = await self.client.bot_messages(chat_id)
            if chat_id not in self.printed:
                if chat_id != self.user_id:
                    self.titles.update(group_titles(await self.client.world()))
                self.printed[chat_id] = {}
                for m in messages[:max(0, len(messages) - history)]:
                    self.printed[chat_id][int(m["message_id"])] = m
            for m in messages:
                if self.printed[chat_id].get(int(m["message_id"])) != m:
                    self.show(chat_id, m)

    async def follow(self) -> None:
        """Print what the bot sends or edits in the shown chat, as it happens.

        Every Bot API call the sandbox logs wakes it (a long poll on the call log), so an edit
        a minute after a press is shown as surely as a new message.
        """
        since = 0
        while True:
            try:
                calls = await self.client.wait_for_calls(since=since, timeout=20)
            except SandboxTimeout:
                continue
            since = max([since, *(int(c["seq"]) for c in calls)])
            await self.refresh()

    async def open_chat(self, chat_id: int) -> None:
        """Show another chat in this window (with its last few messages)."""
        self.chat_id = chat_id
        where = "your private chat with the bot" if chat_id == self.user_id else f"group {chat_id}"
        self.say(f"(now showing {where})")
        await self.refresh(history=HISTORY_SHOWN)

    async def press(self, ref: str) -> None:
        """Press a button: ``N`` of the last message with buttons, or ``M.N``."""
        parsed = parse_press(ref)
        if parsed is None:
            self.say("(write /press N or /press M.N, e.g. /press 3.2; /buttons lists them)")
            return
        message_id, index = parsed
        if message_id is None:
            message_id = self.last_buttons.get(self.chat_id)
            if message_id is None:
                self.say("(no buttons to press)")
                return
        current = {int(m["message_id"]): m for m in await self.client.bot_messages(self.chat_id)}
        msg = current.get(message_id)
        buttons = inline_buttons(msg) if msg is not None and not msg.get("deleted") else []
        if not buttons:
            self.say(f"(message #{message_id} has no buttons here; /buttons lists them)")
            return
        if not 1 <= index <= len(buttons):
            self.say(f"(choose 1..{len(buttons)})")
            return
        button = buttons[index - 1]
        if "url" in button:
            await self.open_link(str(button["url"]))
        elif "callback_data" in button:
            await self._press_callback(message_id, str(button["callback_data"]))
        else:
            self.say("(this button does nothing in the terminal)")

    async def _press_callback(self, message_id: int, data: str) -> None:
        qid = await self.client.press_button(self.user_id, self.chat_id, message_id,
                                             callback_data=data)
        try:
            answer = await self.client.wait_for_callback_answer(qid, timeout=5)
        except SandboxTimeout:
            self.say("(the bot did not answer the button press)")
            return
        if answer.get("text"):
            kind = "alert" if answer.get("show_alert") else "toast"
            self.say(f"({kind}: {answer['text']})")
        await self.refresh()

    async def open_link(self, url: str) -> None:
        """A link button: a deep link to the bot opens the private chat with ``/start``."""
        if self.bot_username is None:
            self.bot_username = str((await self.client.health())["bot"]["username"])
        payload = deep_link_payload(url, self.bot_username)
        if payload is None:
            self.say(f"(a link outside the chat: {url})")
            return
        if self.chat_id != self.user_id:
            await self.open_chat(self.user_id)
            back = f" {self.group}" if self.group is not None else ""
            self.say(f"(the link opened your private chat with the bot; /group{back} goes back)")
        text = f"/start {payload}" if payload else "/start"
        await self.client.send_text(self.user_id, text)
        self.say(f"you: {text}")

    async def list_buttons(self) -> None:
        """Every message of the shown chat that has buttons, each button with its M.N."""
        found = False
        for m in await self.client.bot_messages(self.chat_id):
            buttons = [] if m.get("deleted") else inline_buttons(m)
            if buttons:
                found = True
                mid = m["message_id"]
                cells = [f"[{mid}.{n}] {b['text']}" for n, b in enumerate(buttons, start=1)]
                self.say(f"#{mid}: " + "   ".join(cells))
        if not found:
            self.say("(no message here has buttons)")

    async def send_file(self, kind: str, rest: str) -> None:
        """``/photo PATH [CAPTION]`` or ``/file PATH [CAPTION]``: a file from disk."""
        try:
            words = shlex.split(rest)
        except ValueError as error:
            self.say(f"(cannot read the path: {error})")
            return
        if not words:
            self.say(f"(write /{'photo' if kind == 'photo' else 'file'} PATH [CAPTION])")
            return
        path = Path(words[0]).expanduser()  # noqa: ASYNC240 - a local file, read once
        data = _read_upload(path)
        if isinstance(data, str):
            self.say(data)
            return
        caption = " ".join(words[1:]) or None
        send = self.client.send_photo if kind == "photo" else self.client.send_document
        sent = await send(self.user_id, chat_id=self._target(), caption=caption, data=data)
        self.say(f"(sent {path.name} as message #{sent['message_id']})")

    async def reply(self, rest: str) -> None:
        """``/reply M TEXT``: TEXT as a reply to message M of the shown chat."""
        number, _, text = rest.partition(" ")
        if not number.isdigit() or len(number) > 12 or not text.strip():
            self.say("(write /reply MESSAGE_NUMBER TEXT, e.g. /reply 3 5万元)")
            return
        await self.client.send_text(self.user_id, text, chat_id=self._target(),
                                    reply_to_message_id=int(number))

    async def switch_group(self, rest: str) -> None:
        """``/group [ID]``: show a group (the one of ``--group`` without ID)."""
        ref = rest.strip()
        if ref:
            if not ref.lstrip("-").isdigit() or len(ref) > 20:
                self.say("(write /group CHAT_ID, e.g. /group -4000000001)")
                return
            if int(ref) not in group_titles(await self.client.world()):
                self.say(f"(no group {ref} in the sandbox)")
                return
            self.group = int(ref)
        if self.group is None:
            self.say("(which group? write /group CHAT_ID)")
            return
        await self.open_chat(self.group)

    def _target(self) -> int | None:
        """The ``chat_id`` to send to: None means the private chat."""
        return None if self.chat_id == self.user_id else self.chat_id

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
        """Act on one input line (a line ending in a backslash waits for the next)."""
        line = line.rstrip("\r\n")
        if line.endswith("\\"):
            self._pending.append(line[:-1])
            return
        text = "\n".join([*self._pending, line])
        self._pending = []
        if not text.strip():
            return
        command, _, rest = text.strip().partition(" ")
        if command.startswith("#") and parse_press(command[1:]) is not None:
            await self.press(command[1:])
        elif command == "/press":
            await self.press(rest)
        elif command == "/buttons":
            await self.list_buttons()
        elif command == "/reply":
            await self.reply(rest)
        elif command in ("/photo", "/file"):
            await self.send_file(command[1:], rest)
        elif command == "/private":
            await self.open_chat(self.user_id)
        elif command == "/group":
            await self.switch_group(rest)
        elif command == "/clock":
            await self.clock(rest.strip())
        elif command == "/chathelp":
            self.say(HELP)
        else:
            await self.client.send_text(self.user_id, text, chat_id=self._target())


async def _next_line(lines: AsyncIterator[str]) -> str | None:
    return await anext(lines, None)


async def chat_loop(session: ChatSession, lines: AsyncIterator[str]) -> str | None:
    """Follow the shown chat and act on each line until the lines end or the sandbox stops.

    Returns None at the end of the lines, or the one line that says the sandbox went away.
    """
    follower = asyncio.create_task(session.follow())
    reading = asyncio.create_task(_next_line(lines))
    try:
        await session.refresh(history=HISTORY_SHOWN)
        while True:
            await asyncio.wait({reading, follower}, return_when=asyncio.FIRST_COMPLETED)
            if follower.done():
                follower.result()  # the follower only ends by raising
            line = reading.result()
            if line is None:
                return None
            reading = asyncio.create_task(_next_line(lines))
            try:
                await session.handle_line(line)
            except SandboxUnreachable:
                raise
            except SandboxError as exc:
                session.say(f"(sandbox: {exc.message})")
    except SandboxUnreachable as gone:
        return f"the sandbox stopped ({gone.url}); the chat ends"
    finally:
        for task in (follower, reading):
            task.cancel()
        await asyncio.gather(follower, reading, return_exceptions=True)


async def stdin_lines() -> AsyncIterator[str]:
    """Lines typed on stdin, read by a daemon thread (so quitting never waits for a line)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, "")

    threading.Thread(target=read, name="stdin", daemon=True).start()
    while line := await queue.get():
        yield line


async def run_chat(url: str, user_ref: str, group: int | None) -> int:
    """Run the interactive loop until EOF on stdin; the exit status."""
    async with SandboxClient(url) as client:
        try:
            user = start_problem(await client.world(), user_ref, group)
        except SandboxUnreachable as gone:
            user = (f"{url} answers, but not as the sandbox's control API: point --url at the "
                    "sandbox (`make run` prints its URL)" if gone.answered else
                    f"no sandbox is running at {url}: start one with `make run` "
                    "(or point --url at it)")
        if isinstance(user, str):
            print(user, file=sys.stderr)
            return 1
        session = ChatSession(client, user, group)
        where = f"group {group}" if group is not None else "your private chat with the bot"
        session.say(f"chatting as {user['first_name']} ({user['id']}) in {where}; type text, "
                    "'#N' or '/press N' to press a button, /chathelp for more, Ctrl-D to quit")
        gone = await chat_loop(session, stdin_lines())
        if gone is not None:
            print(gone, file=sys.stderr)
            return 1
    return 0
