"""The sandbox as a messenger page: static files, a JSON API for them and live updates (SSE).

It runs on its own port next to the Bot API (``python -m sandbox --web-port 8080``) and reads
and changes the same :class:`~sandbox.world.World` in the same event loop; what a person does
on the page goes through the control actions, exactly as tests do it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.control import run_action
from sandbox.errors import ControlError
from sandbox.webview import (
    chat_title,
    command_menu,
    message_view,
    page_language,
    visible_chats,
)
from sandbox.world import MEMBER_STATUSES, Chat, User

if TYPE_CHECKING:
    from sandbox.server import SandboxServer

Json = dict[str, Any]
WEB_ROOT = Path(__file__).resolve().parent / "web"
#: What the page may do: the control actions a person in a messenger does (no reset, faults).
PAGE_ACTIONS = frozenset({
    "send_text", "send_photo", "send_document", "press_button", "wait_for_callback_answer",
    "add_bot", "remove_bot", "block_bot", "unblock_bot", "migrate_group", "create_user",
    "create_group", "add_member", "clock", "advanceClock",
})
#: A silent event stream is kept open (and its end noticed) by a comment this often.
KEEPALIVE_SECONDS = 15.0
#: After a change, how long an event stream waits for the rest of its burst.
COALESCE_SECONDS = 0.1
#: The newest messages of a chat the page shows (older ones stay in the sandbox).
HISTORY = 300
_STATIC_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css",
                 ".json": "application/json", ".svg": "image/svg+xml"}


def _error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result},
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _next_change() -> Callable[[], bool]:
    """A predicate for ``Notifier.wait_until`` that holds from the next notification on."""
    asked: list[bool] = []

    def woken() -> bool:
        asked.append(True)
        return len(asked) > 1  # the first call is wait_until's look before it waits

    return woken


class WebUi:
    """The page's server; ``await WebUi(sandbox, port).start()`` once the sandbox runs."""

    def __init__(self, sandbox: SandboxServer, port: int = 8080,
                 host: str = "127.0.0.1") -> None:
        self.sandbox = sandbox
        self.world = sandbox.world
        self.host = host
        self.port = port
        #: (person, chat) -> the last message id the person has seen on the page
        self.last_read: dict[tuple[int, int], int] = {}
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The page's address."""
        return f"http://{self.host}:{self.port}/"

    def make_app(self) -> web.Application:
        """The aiohttp application: the page, its files and ``/api/…``."""
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/api/people", self._people)
        app.router.add_get("/api/state", self._state)
        app.router.add_get("/api/chat", self._chat)
        app.router.add_get("/api/events", self._events)
        app.router.add_get("/api/file/{file_id}", self._file)
        app.router.add_post("/api/do/{action}", self._do)
        return app

    async def start(self) -> None:
        """Listen (``port=0`` picks a free port, see ``.port``); OSError when it is busy."""
        self._runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listener and every event stream."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------ lookups

    def _person(self, request: web.Request) -> User:
        raw = request.query.get("user", "")
        if not raw.lstrip("-").isdigit():
            raise ControlError("user must be a person's id")
        user = self.world.user(int(raw))
        if user.is_bot:
            raise ControlError("the page speaks as a person, not as a bot")
        return user

    def _visible_chat(self, request: web.Request, user: User) -> Chat:
        raw = request.query.get("chat", "")
        if not raw.lstrip("-").isdigit():
            raise ControlError("chat must be a chat id")
        for chat in visible_chats(self.world, user):
            if chat.id == int(raw):
                return chat
        raise ControlError(f"chat {raw} is not one of this person's chats", 404)

    def _unread(self, user: User, chat: Chat) -> int:
        seen = self.last_read.get((user.id, chat.id), 0)
        return sum(1 for mid, msg in chat.messages.items()
                   if mid > seen and mid not in chat.deleted
                   and msg.get("from", {}).get("id") != user.id)

    def _history(self, chat: Chat) -> list[Json]:
        """The newest messages of a chat, as many as the page shows."""
        live = [m for mid, m in chat.messages.items() if mid not in chat.deleted]
        return live[-HISTORY:]

    def _fingerprint(self, user: User, open_chat: int | None) -> int:
        """Changes whenever what this person's page shows changes (the list, the open chat).

        Bounded work whatever the world's size: the list's last messages and one chat's
        shown history.
        """
        parts: list[Any] = [len(self.world.users), user.blocked]
        clock = getattr(self.world, "clock", None)
        if clock is not None:
            parts.append(clock.offset_seconds)
        for chat in visible_chats(self.world, user):
            history = self._history(chat)
            shown = history if chat.id == open_chat else history[-1:]
            parts.append((chat.id, chat.title, chat.type, self.world.bot_status(chat),
                          chat.next_message_id, len(chat.deleted), repr(shown)))
        return hash(tuple(parts))

    # ------------------------------------------------------------ routes

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(WEB_ROOT / "index.html",
                                headers={"Cache-Control": "no-store"})

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = WEB_ROOT / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return _error("not found", 404)
        return web.Response(body=path.read_bytes(), headers={"Cache-Control": "no-store"},
                            content_type=_STATIC_TYPES.get(path.suffix, "text/plain"),
                            charset="utf-8")

    async def _people(self, request: web.Request) -> web.Response:
        people = [
            {"id": u.id, "name": " ".join(p for p in (u.first_name, u.last_name) if p),
             "username": u.username, "language": page_language(u.language_code)}
            for u in self.world.users.values() if not u.is_bot
        ]
        return _ok({"people": people, "bot": self.world.bot_first_name})

    async def _state(self, request: web.Request) -> web.Response:
        try:
            user = self._person(request)
        except ControlError as exc:
            return _error(exc.message, exc.status)
        chats = []
        for chat in visible_chats(self.world, user):
            live = [m for mid, m in chat.messages.items() if mid not in chat.deleted]
            last = message_view(self.world, live[-1], user.id) if live else None
            chats.append({"id": chat.id, "title": chat_title(self.world, chat),
                          "type": chat.type, "unread": self._unread(user, chat),
                          "last": last})
        clock = getattr(self.world, "clock", None)
        return _ok({
            "me": {"id": user.id, "name": user.first_name, "username": user.username,
                   "language": page_language(user.language_code), "blocked": user.blocked},
            "chats": chats,
            "clock": clock.to_api() if clock is not None else None,
        })

    def _moved(self, request: web.Request, user: User) -> Json | None:
        """Where an open chat went: upgraded to a supergroup, or left by the person."""
        raw = request.query.get("chat", "")
        chat = self.world.chats.get(int(raw)) if raw.lstrip("-").isdigit() else None
        if chat is None or user.id not in chat.members:
            return None
        if chat.migrated_to is not None:
            return {"moved_to": chat.migrated_to}
        if chat.members[user.id] not in MEMBER_STATUSES:
            return {"gone": True}
        return None

    async def _chat(self, request: web.Request) -> web.Response:
        try:
            user = self._person(request)
            moved = self._moved(request, user)
            if moved is not None:  # the page was showing it a moment ago: not an error
                return _ok(moved)
            chat = self._visible_chat(request, user)
        except ControlError as exc:
            return _error(exc.message, exc.status)
        messages = [message_view(self.world, m, user.id) for m in self._history(chat)]
        if chat.messages:
            self.last_read[(user.id, chat.id)] = max(chat.messages)
        status = self.world.bot_status(chat)
        return _ok({
            "chat": {"id": chat.id, "title": chat_title(self.world, chat), "type": chat.type,
                     "bot_status": status, "admin": chat.members.get(user.id)
                     in ("creator", "administrator")},
            "messages": messages,
            "commands": command_menu(self.world, chat, user),
        })

    async def _events(self, request: web.Request) -> web.StreamResponse:
        try:
            user = self._person(request)
        except ControlError as exc:
            return _error(exc.message, exc.status)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                               "Cache-Control": "no-store"})
        await response.prepare(request)
        raw = request.query.get("chat", "")
        open_chat = int(raw) if raw.lstrip("-").isdigit() else None
        stopping = self.sandbox.stopping
        notifier = self.world.notifier
        seen = self._fingerprint(user, open_chat)
        revision = 0
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await response.write(b"event: change\ndata: 0\n\n")
            while not stopping.is_set():
                woken = await notifier.wait_until(_next_change(), KEEPALIVE_SECONDS, stopping)
                if stopping.is_set():
                    break
                if not woken:
                    await response.write(b": keepalive\n\n")
                    continue
                # The world changes in bursts (a broadcast, the bot's polls): look once per
                # burst, not once per change.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), COALESCE_SECONDS)
                now = self._fingerprint(user, open_chat)
                if now == seen:
                    continue
                seen = now
                revision += 1
                await response.write(f"event: change\ndata: {revision}\n\n".encode())
        return response

    async def _file(self, request: web.Request) -> web.StreamResponse:
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None:
            return _error("no such file", 404)
        headers = {}
        if request.query.get("download"):
            name = stored.file_name or stored.file_path.rsplit("/", 1)[-1]
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return web.Response(body=stored.data, headers=headers,
                            content_type=stored.mime_type or "application/octet-stream")

    async def _do(self, request: web.Request) -> web.Response:
        name = request.match_info["action"]
        if name not in PAGE_ACTIONS:
            return _error(f"the page cannot do {name}", 404)
        try:
            body = await request.json()
        except ValueError:
            return _error("malformed JSON")
        if not isinstance(body, dict):
            return _error("JSON object expected")
        response = await run_action(self.sandbox, name, body)
        # a message the bot does not receive (privacy mode) still changes the other tabs
        self.world.notifier.notify()
        return response
