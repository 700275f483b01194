"""The sandbox world: users, chats, messages, updates, files and the call log."""

from __future__ import annotations

import asyncio
import itertools
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.clock import SandboxClock
from sandbox.errors import ApiError, ControlError
from sandbox.formatting import detect_entities
from sandbox.rules import FloodLimiter

TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{20,}$")
DEFAULT_TOKEN = "7000000001:sandbox-default-token-0000"
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
MEMBER_STATUSES = ("creator", "administrator", "member")
Json = dict[str, Any]


class Notifier:
    """Wakes every waiter whenever something in the world changes."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        """Signal a change (cheap when nobody waits)."""
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float, stop: asyncio.Event | None = None  # noqa: ASYNC109
    ) -> bool:
        """Wait until ``predicate()`` holds or ``timeout`` passes; return the predicate."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0 or (stop is not None and stop.is_set()):
                return False
            if self._event is None:
                self._event = asyncio.Event()
            event = self._event
            waiters = [asyncio.ensure_future(event.wait())]
            if stop is not None:
                waiters.append(asyncio.ensure_future(stop.wait()))
            try:
                await asyncio.wait(waiters, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waiters:
                    w.cancel()
        return True


@dataclass
class User:
    """A Telegram user (or another bot) living in the sandbox."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False
    started: bool = False
    blocked: bool = False

    def to_api(self) -> Json:
        """Serialise as a Bot API ``User``."""
        data: Json = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    """A private chat, group, supergroup or channel."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    user: User | None = None  # the other side of a private chat
    members: dict[int, str] = field(default_factory=dict)
    migrated_to: int | None = None
    migrated_from: int | None = None
    messages: dict[int, Json] = field(default_factory=dict)
    bot_message_ids: list[int] = field(default_factory=list)
    deleted: set[int] = field(default_factory=set)
    pinned: list[int] = field(default_factory=list)
    meta: dict[int, Json] = field(default_factory=dict)  # per bot message: parse_mode etc.
    next_message_id: int = 1

    @property
    def is_group(self) -> bool:
        """True for groups and supergroups."""
        return self.type in ("group", "supergroup")

    def to_api(self) -> Json:
        """Serialise as a Bot API ``Chat`` (short form, as inside messages)."""
        if self.type == "private" and self.user is not None:
            data: Json = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        data = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class StoredFile:
    """A file the bot (or a user) sent, kept in memory."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class CallbackQuery:
    """A button press and the bot's answer to it."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: Json | None = None


@dataclass
class Fault:
    """A scheduled failure for the next ``count`` matching API calls."""

    count: int
    kind: str  # "429" | "502" | "timeout"
    retry_after: int = 5
    method: str | None = None  # lower-case method name
    chat_ids: set[int] | None = None
    delay: float = 30.0


@dataclass
class Webhook:
    """The webhook configuration (as setWebhook stores it)."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class World:
    """All sandbox state. Not thread-safe: use it from the server's event loop."""

    def __init__(
        self,
        token: str | None = None,
        bot_username: str = "tongxin_bot",
        bot_first_name: str = "Tongxin",
        privacy_mode: bool = True,
        flood_limits: bool = True,
        call_log_size: int = 50_000,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.privacy_mode = privacy_mode
        self.flood_enabled = flood_limits
        self.flood = FloodLimiter()
        self.notifier = Notifier()
        #: Stamps message dates; the control API moves it forward (never back, not on reset).
        self.clock = SandboxClock()
        self.token: str | None = None
        self.bot: User | None = None
        if token is not None:
            self.bind(token)
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._supergroup_ids = itertools.count(1_000_000_001)
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._call_seq = itertools.count(1)
        self.calls: deque[Json] = deque(maxlen=call_log_size)
        self.last_call_seq = 0
        self._clear()

    def _clear(self) -> None:
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.updates: deque[Json] = deque()
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.webhook: Webhook | None = None
        self.commands: dict[tuple[str, str], list[Json]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.faults: list[Fault] = []
        self.calls.clear()
        self.flood.reset()
        if self.bot is not None:
            self.users[self.bot.id] = self.bot

    def reset(self) -> None:
        """Forget the world (users, chats, updates, log); keep the bot and settings."""
        self._clear()
        self.notifier.notify()

    # ------------------------------------------------------------------ the bot

    def bind(self, token: str) -> User:
        """Accept ``token`` as the bot's token, or raise 401 for a different bot."""
        if self.token == token and self.bot is not None:
            return self.bot
        m = TOKEN_RE.match(token)
        if m is None:
            raise ApiError(404, "Not Found")
        if self.token is not None:
            raise ApiError(401, "Unauthorized")
        self.token = token
        self.bot = User(
            id=int(m.group(1)),
            first_name=self.bot_first_name,
            username=self.bot_username,
            is_bot=True,
            language_code=None,
        )
        if hasattr(self, "users"):
            self.users[self.bot.id] = self.bot
        return self.bot

    def the_bot(self) -> User:
        """The bot user, binding the default token if no bot has called yet."""
        return self.bot if self.bot is not None else self.bind(DEFAULT_TOKEN)

    # ------------------------------------------------------------------ updates

    def push_update(self, kind: str, payload: Json) -> Json | None:
        """Queue an update for the bot unless its type is not allowed."""
        if kind not in self.allowed_updates:
            return None
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        self.notifier.notify()
        return update

    def confirm_updates(self, offset: int) -> None:
        """Forget updates with ``update_id < offset`` (negative: keep the last -offset)."""
        q = self.updates
        if offset < 0:
            while len(q) > -offset:
                q.popleft()
            return
        while q and q[0]["update_id"] < offset:
            q.popleft()

    # ------------------------------------------------------------------ the log

    def log_call(self, method: str, params: Json, ok: bool, error_code: int | None,
                 description: str | None) -> None:
        """Append one API call to the bounded call log."""
        seq = next(self._call_seq)
        self.last_call_seq = seq
        self.calls.append(
            {
                "seq": seq,
                "monotonic": time.monotonic(),
                "unix": time.time(),
                "method": method,
                "params": params,
                "ok": ok,
                "error_code": error_code,
                "description": description,
            }
        )
        self.notifier.notify()

    def take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        """Consume one matching injected fault, if any."""
        for fault in self.faults:
            if fault.method is not None and fault.method != method:
                continue
            if fault.chat_ids is not None and chat_id not in fault.chat_ids:
                continue
            fault.count -= 1
            if fault.count <= 0:
                self.faults.remove(fault)
            return fault
        return None

    # ------------------------------------------------------------------ files

    def store_file(self, data: bytes, kind: str, file_name: str | None,
                   mime_type: str | None) -> StoredFile:
        """Keep uploaded bytes and give them a file_id and a download path."""
        n = next(self._file_ids)
        prefix = "AgAC" if kind == "photo" else "BQAC"
        ext = ""
        if file_name and "." in file_name:
            ext = file_name.rsplit(".", 1)[1][:8]
        elif kind == "photo":
            ext = "jpg"
        folder = "photos" if kind == "photo" else "documents"
        path = f"{folder}/file_{n}" + (f".{ext}" if ext else "")
        stored = StoredFile(
            file_id=f"{prefix}{n:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQAD{n:06d}",
            data=data,
            file_path=path,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[path] = stored
        return stored

    # ------------------------------------------------------------------ lookups

    def user(self, user_id: int) -> User:
        """Find a user or raise a control error."""
        user = self.users.get(user_id)
        if user is None:
            raise ControlError(f"user {user_id} not found", 404)
        return user

    def find_user(self, ref: str) -> User:
        """Find a user by id or (@)username."""
        ref = ref.lstrip("@")
        if ref.lstrip("-").isdigit():
            return self.user(int(ref))
        for u in self.users.values():
            if u.username and u.username.lower() == ref.lower():
                return u
        raise ControlError(f"user {ref!r} not found", 404)

    def chat(self, chat_id: int) -> Chat:
        """Find a chat or raise a control error."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ControlError(f"chat {chat_id} not found", 404)
        return chat

    def bot_status(self, chat: Chat) -> str:
        """The bot's membership status in ``chat``."""
        if chat.type == "private":
            user = chat.user
            return "kicked" if user is not None and user.blocked else "member"
        return chat.members.get(self.the_bot().id, "left")

    def chat_instance(self, chat_id: int) -> str:
        """A stable opaque chat_instance for callback queries."""
        return str((chat_id * 2_654_435_761) % 10**19)

    # ------------------------------------------------------------------ messages

    def new_message(self, chat: Chat, sender: User | None, fields: Json) -> Json:
        """Create and store a message in ``chat``."""
        message_id = chat.next_message_id
        chat.next_message_id += 1
        msg: Json = {"message_id": message_id}
        if sender is not None:
            msg["from"] = sender.to_api()
        elif chat.type == "channel":
            msg["sender_chat"] = chat.to_api()
        msg["chat"] = chat.to_api()
        msg["date"] = int(self.clock.unix())
        msg.update(fields)
        chat.messages[message_id] = msg
        return msg

    def reply_snapshot(self, chat: Chat, message_id: int) -> Json | None:
        """A message as embedded in ``reply_to_message`` (without its own reply)."""
        msg = chat.messages.get(message_id)
        if msg is None or message_id in chat.deleted:
            return None
        return {k: v for k, v in msg.items() if k != "reply_to_message"}

    def _deliver_message(self, chat: Chat, msg: Json, kind: str = "message",
                         service: bool = False) -> None:
        if self.bot_status(chat) not in MEMBER_STATUSES:
            return
        if chat.is_group and not service and self._hidden_by_privacy(chat, msg):
            return
        self.push_update(kind, msg)

    def _hidden_by_privacy(self, chat: Chat, msg: Json) -> bool:
        if not self.privacy_mode:
            return False
        bot = self.the_bot()
        if chat.members.get(bot.id) in ("creator", "administrator"):
            return False
        reply = msg.get("reply_to_message")
        if reply is not None and reply.get("from", {}).get("id") == bot.id:
            return False
        text = msg.get("text") or msg.get("caption") or ""
        for e in msg.get("entities", []):
            if e["type"] == "bot_command":
                return False
            if e["type"] == "mention" and self.bot_username.lower() in text.lower():
                return False
        return True

    # ------------------------------------------------------------ control actions

    def create_user(self, first_name: str, username: str | None = None,
                    language_code: str | None = "en", user_id: int | None = None,
                    last_name: str | None = None, is_bot: bool = False) -> User:
        """Add a user (or another bot) to the world."""
        uid = user_id if user_id is not None else next(self._user_ids)
        while user_id is None and uid in self.users:
            uid = next(self._user_ids)
        if uid in self.users or uid <= 0:
            raise ControlError(f"user id {uid} already exists or is invalid", 409)
        user = User(uid, first_name, username, last_name, language_code, is_bot)
        self.users[uid] = user
        self.notifier.notify()
        return user

    def create_group(self, title: str, kind: str = "group", members: list[int] | None = None,
                     admins: list[int] | None = None, creator: int | None = None,
                     username: str | None = None, chat_id: int | None = None) -> Chat:
        """Add a group, supergroup or channel with members and admins."""
        if kind not in ("group", "supergroup", "channel"):
            raise ControlError("kind must be group, supergroup or channel")
        if chat_id is None:
            if kind == "group":
                chat_id = -next(self._group_ids)
            else:
                chat_id = -(1_000_000_000_000 + next(self._supergroup_ids))
        if chat_id in self.chats or chat_id >= 0:
            raise ControlError(f"chat id {chat_id} already exists or is invalid", 409)
        chat = Chat(id=chat_id, type=kind, title=title, username=username)
        everyone = list(dict.fromkeys([*(members or []), *(admins or [])]))
        if creator is None and everyone:
            creator = (admins or everyone)[0]
        for uid in everyone:
            self.user(uid)
            chat.members[uid] = "member"
        for uid in admins or []:
            chat.members[uid] = "administrator"
        if creator is not None:
            self.user(creator)
            chat.members[creator] = "creator"
        self.chats[chat_id] = chat
        self.notifier.notify()
        return chat

    def private_chat(self, user: User) -> Chat:
        """The user's private chat with the bot (created on first use)."""
        chat = self.chats.get(user.id)
        if chat is None:
            chat = Chat(id=user.id, type="private", user=user)
            self.chats[user.id] = chat
        return chat

    def _member_change(self, chat: Chat, actor: User, subject: User, old: str,
                       new: str) -> Json:
        def member(status: str) -> Json:
            data: Json = {"user": subject.to_api(), "status": status}
            if status == "kicked":
                data["until_date"] = 0
            if status == "administrator":
                data.update(_ADMIN_RIGHTS)
            if status == "creator":
                data["is_anonymous"] = False
            return data

        return {
            "chat": chat.to_api(),
            "from": actor.to_api(),
            "date": int(self.clock.unix()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }

    def add_bot(self, chat_id: int, by_user_id: int, admin: bool = False) -> Json:
        """A user adds the bot to a group (my_chat_member + new_chat_members)."""
        chat = self.chat(chat_id)
        actor = self.user(by_user_id)
        bot = self.the_bot()
        if not chat.is_group and chat.type != "channel":
            raise ControlError("bots are added to groups, supergroups and channels only")
        old = chat.members.get(bot.id, "left")
        new = "administrator" if admin or chat.type == "channel" else "member"
        chat.members[bot.id] = new
        self.push_update("my_chat_member", self._member_change(chat, actor, bot, old, new))
        if chat.type == "channel":
            self.notifier.notify()
            return {}
        msg = self.new_message(chat, actor, {
            "new_chat_members": [bot.to_api()],
            "new_chat_member": bot.to_api(),
            "new_chat_participant": bot.to_api(),
        })
        self._deliver_message(chat, msg, service=True)
        return msg

    def remove_bot(self, chat_id: int, by_user_id: int) -> Json:
        """A user removes (kicks) the bot from a group."""
        chat = self.chat(chat_id)
        actor = self.user(by_user_id)
        bot = self.the_bot()
        old = chat.members.get(bot.id, "left")
        if old not in MEMBER_STATUSES:
            raise ControlError("the bot is not a member of this chat", 409)
        msg = self.new_message(chat, actor, {
            "left_chat_member": bot.to_api(),
            "left_chat_participant": bot.to_api(),
        })
        self._deliver_message(chat, msg, service=True)
        chat.members[bot.id] = "kicked"
        self.push_update("my_chat_member", self._member_change(chat, actor, bot, old, "kicked"))
        return msg

    def add_member(self, chat_id: int, user_id: int, by_user_id: int | None = None) -> Json:
        """A user joins (or is added to) a group: ``new_chat_members`` service message."""
        chat = self.chat(chat_id)
        user = self.user(user_id)
        actor = self.user(by_user_id) if by_user_id is not None else user
        old = chat.members.get(user.id, "left")
        chat.members[user.id] = "member"
        msg = self.new_message(chat, actor, {
            "new_chat_members": [user.to_api()],
            "new_chat_member": user.to_api(),
            "new_chat_participant": user.to_api(),
        })
        self._deliver_message(chat, msg, service=True)
        if self.bot_status(chat) == "administrator":
            self.push_update("chat_member", self._member_change(chat, actor, user, old, "member"))
        return msg

    def remove_member(self, chat_id: int, user_id: int, by_user_id: int | None = None) -> Json:
        """A member leaves (or is removed): ``left_chat_member`` service message."""
        chat = self.chat(chat_id)
        user = self.user(user_id)
        actor = self.user(by_user_id) if by_user_id is not None else user
        old = chat.members.get(user.id, "left")
        new = "left" if actor.id == user.id else "kicked"
        chat.members[user.id] = new
        msg = self.new_message(chat, actor, {
            "left_chat_member": user.to_api(),
            "left_chat_participant": user.to_api(),
        })
        self._deliver_message(chat, msg, service=True)
        if self.bot_status(chat) == "administrator":
            self.push_update("chat_member", self._member_change(chat, actor, user, old, new))
        return msg

    def _sending_chat(self, user: User, chat_id: int | None) -> Chat:
        if chat_id is None or chat_id == user.id:
            chat = self.private_chat(user)
            if user.blocked:
                self.unblock_bot(user.id)
            user.started = True
            return chat
        chat = self.chat(chat_id)
        if chat.migrated_to is not None:
            raise ControlError(f"chat was migrated to {chat.migrated_to}", 409)
        if chat.type == "channel":
            raise ControlError("use channel_post to post in a channel")
        if chat.members.get(user.id) not in MEMBER_STATUSES:
            raise ControlError(f"user {user.id} is not a member of chat {chat.id}", 409)
        return chat

    def _reply_field(self, chat: Chat, reply_to_message_id: int | None) -> Json:
        if reply_to_message_id is None:
            return {}
        snap = self.reply_snapshot(chat, reply_to_message_id)
        if snap is None:
            raise ControlError(f"message {reply_to_message_id} not found in {chat.id}", 404)
        return {"reply_to_message": snap}

    def send_text(self, user_id: int, text: str, chat_id: int | None = None,
                  reply_to_message_id: int | None = None) -> Json:
        """A user sends a text message (entities detected as Telegram does)."""
        if not text:
            raise ControlError("text is empty")
        user = self.user(user_id)
        chat = self._sending_chat(user, chat_id)
        fields: Json = {**self._reply_field(chat, reply_to_message_id), "text": text}
        entities = detect_entities(text)
        if entities:
            fields["entities"] = entities
        msg = self.new_message(chat, user, fields)
        self._deliver_message(chat, msg)
        return msg

    def send_media(self, user_id: int, kind: str, chat_id: int | None = None,
                   caption: str | None = None, data: bytes = b"\x89PNG sandbox",
                   emoji: str = "👍") -> Json:
        """A user sends a photo, document or sticker."""
        user = self.user(user_id)
        chat = self._sending_chat(user, chat_id)
        stored = self.store_file(data, "photo" if kind == "photo" else "document",
                                 None if kind == "photo" else f"{kind}.bin", None)
        ref = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
               "file_size": len(data)}
        fields: Json
        if kind == "photo":
            fields = {"photo": [{**ref, "width": 90, "height": 90}]}
        elif kind == "sticker":
            fields = {"sticker": {**ref, "type": "regular", "width": 512, "height": 512,
                                  "is_animated": False, "is_video": False, "emoji": emoji}}
        elif kind == "document":
            fields = {"document": {**ref, "file_name": "document.bin"}}
        else:
            raise ControlError("kind must be photo, sticker or document")
        if caption:
            fields["caption"] = caption
        msg = self.new_message(chat, user, fields)
        self._deliver_message(chat, msg)
        return msg

    def edit_text(self, user_id: int, chat_id: int | None, message_id: int, text: str) -> Json:
        """A user edits one of their messages (``edited_message`` update)."""
        user = self.user(user_id)
        chat = self.chat(user.id if chat_id is None else chat_id)
        msg = chat.messages.get(message_id)
        if msg is None or msg.get("from", {}).get("id") != user.id or "text" not in msg:
            raise ControlError("message to edit not found", 404)
        msg["text"] = text
        entities = detect_entities(text)
        if entities:
            msg["entities"] = entities
        else:
            msg.pop("entities", None)
        msg["edit_date"] = int(self.clock.unix())
        self._deliver_message(chat, dict(msg), kind="edited_message")
        return msg

    def channel_post(self, chat_id: int, text: str) -> Json:
        """A post appears in a channel (``channel_post`` update if the bot is in it)."""
        chat = self.chat(chat_id)
        if chat.type != "channel":
            raise ControlError("not a channel")
        fields: Json = {"text": text}
        entities = detect_entities(text)
        if entities:
            fields["entities"] = entities
        msg = self.new_message(chat, None, fields)
        self._deliver_message(chat, msg, kind="channel_post", service=True)
        return msg

    def press_button(self, user_id: int, chat_id: int | None, message_id: int,
                     callback_data: str | None = None, button_text: str | None = None,
                     forged: bool = False) -> Json:
        """A user presses an inline button; a ``callback_query`` update follows.

        ``forged=True`` sends ``callback_data`` whatever the message's buttons say, as a
        modified client can: the bot must treat callback data as untrusted input.
        """
        user = self.user(user_id)
        chat = self.chat(user.id if chat_id is None else chat_id)
        msg = chat.messages.get(message_id)
        if msg is None or message_id in chat.deleted:
            raise ControlError("message not found", 404)
        markup = msg.get("reply_markup") or {}
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        chosen = None
        for b in buttons:
            if (callback_data is not None and b.get("callback_data") == callback_data) or (
                button_text is not None and b.get("text") == button_text
            ):
                chosen = b
                break
        if callback_data is None and button_text is None and len(buttons) == 1:
            chosen = buttons[0]
        if forged and callback_data is not None:
            chosen = {"text": "forged", "callback_data": callback_data}
        if chosen is None:
            raise ControlError("no such button on that message", 404)
        if "callback_data" not in chosen:
            raise ControlError("that button has no callback_data (url buttons open a link)")
        if chat.type == "private" and user.blocked:
            raise ControlError("the user has blocked the bot", 409)
        qid = f"{next(self._query_ids)}{secrets.randbelow(10**9):09d}"
        query = CallbackQuery(qid, user.id, chat.id, message_id, chosen["callback_data"])
        self.callback_queries[qid] = query
        self.push_update("callback_query", {
            "id": qid,
            "from": user.to_api(),
            "message": dict(msg),
            "chat_instance": self.chat_instance(chat.id),
            "data": chosen["callback_data"],
        })
        return {"callback_query_id": qid, "data": chosen["callback_data"]}

    def block_bot(self, user_id: int) -> None:
        """The user blocks the bot (``my_chat_member``: member → kicked)."""
        user = self.user(user_id)
        if user.blocked:
            return
        chat = self.private_chat(user)
        user.blocked = True
        self.push_update(
            "my_chat_member", self._member_change(chat, user, self.the_bot(), "member", "kicked")
        )

    def unblock_bot(self, user_id: int) -> None:
        """The user unblocks the bot (``my_chat_member``: kicked → member)."""
        user = self.user(user_id)
        if not user.blocked:
            return
        chat = self.private_chat(user)
        user.blocked = False
        self.push_update(
            "my_chat_member", self._member_change(chat, user, self.the_bot(), "kicked", "member")
        )

    def migrate_group(self, chat_id: int) -> int:
        """Upgrade a group to a supergroup; return the new chat id."""
        old = self.chat(chat_id)
        if old.type != "group" or old.migrated_to is not None:
            raise ControlError("only a (not yet migrated) basic group can be migrated")
        new = Chat(
            id=-(1_000_000_000_000 + next(self._supergroup_ids)),
            type="supergroup",
            title=old.title,
            members=dict(old.members),
            migrated_from=old.id,
        )
        self.chats[new.id] = new
        old.migrated_to = new.id
        actor = next(
            (self.users[u] for u, s in old.members.items() if s == "creator"), self.the_bot()
        )
        msg_old = self.new_message(old, actor, {"migrate_to_chat_id": new.id})
        self._deliver_message(old, msg_old, service=True)
        msg_new = self.new_message(new, None, {"migrate_from_chat_id": old.id})
        msg_new["sender_chat"] = new.to_api()
        self._deliver_message(new, msg_new, service=True)
        return new.id

    def rename_group(self, chat_id: int, title: str, by_user_id: int) -> Json:
        """A user changes the group title (``new_chat_title`` service message)."""
        chat = self.chat(chat_id)
        actor = self.user(by_user_id)
        if not title:
            raise ControlError("title is empty")
        chat.title = title
        msg = self.new_message(chat, actor, {"new_chat_title": title})
        self._deliver_message(chat, msg, service=True)
        return msg

    def bot_messages(self, chat_id: int) -> list[Json]:
        """Messages the bot sent in a chat (current content, with a ``deleted`` flag)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return [
            {**chat.meta.get(mid, {}), **chat.messages[mid], "deleted": mid in chat.deleted}
            for mid in chat.bot_message_ids
        ]

    def to_api_summary(self) -> Json:
        """A JSON summary of the world for tools and debugging."""
        return {
            "bot": self.bot.to_api() if self.bot else None,
            "flood_limits": self.flood_enabled,
            "privacy_mode": self.privacy_mode,
            "users": [u.to_api() | {"blocked": u.blocked, "started": u.started}
                      for u in self.users.values()],
            "chats": [
                c.to_api() | {"members": {str(k): v for k, v in c.members.items()},
                              "migrated_to": c.migrated_to,
                              "message_count": len(c.messages)}
                for c in self.chats.values()
            ],
            "pending_updates": len(self.updates),
            "webhook": self.webhook.url if self.webhook else None,
        }


_ADMIN_RIGHTS: Json = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def admin_rights() -> Json:
    """The administrator rights reported for admins (a fresh copy)."""
    return dict(_ADMIN_RIGHTS)
