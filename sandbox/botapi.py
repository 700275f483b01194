"""Bot API methods: each takes the parsed parameters and returns the ``result``."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sandbox.errors import ApiError, bad_request, forbidden, too_many_requests
from sandbox.formatting import Entity
from sandbox.rules import checked_caption, checked_reply_markup, checked_text, parse_json_field
from sandbox.world import (
    DEFAULT_ALLOWED_UPDATES,
    MEMBER_STATUSES,
    Chat,
    Json,
    StoredFile,
    Webhook,
    World,
    admin_rights,
)

_INT_RE = re.compile(r"^-?\d+$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None
    content_type: str | None


class Params:
    """Typed access to request parameters with Telegram's error messages."""

    def __init__(self, data: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.data = data
        self.files = files or {}

    def raw(self, name: str) -> Any:
        """The raw value (``None`` when absent)."""
        return self.data.get(name)

    def str_(self, name: str) -> str | None:
        """A string parameter (numbers are converted)."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise bad_request(f"parameter \"{name}\" must be a string")

    def int_(self, name: str) -> int | None:
        """An integer parameter (numeric strings accepted)."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_RE.match(value.strip()):
            return int(value.strip())
        raise bad_request(f"invalid {name} specified")

    def float_(self, name: str, default: float) -> float:
        """A numeric parameter with a default."""
        value = self.data.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def bool_(self, name: str) -> bool:
        """A boolean parameter (``true``/``1`` style strings accepted)."""
        value = self.data.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def json_(self, name: str, what: str | None = None) -> Any:
        """A JSON-serialised (or already structured) parameter."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        return parse_json_field(value, what or name)

    def entities(self, name: str) -> list[Entity] | None:
        """An ``entities``-style list of MessageEntity."""
        value = self.json_(name, "entities")
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
            raise bad_request("can't parse entities JSON object")
        return value

    def chat_ref(self) -> int | str:
        """``chat_id``: an integer id or an ``@username``."""
        value = self.data.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            v = value.strip()
            if _INT_RE.match(v):
                return int(v)
            if v.startswith("@") and len(v) > 1:
                return v[1:].lower()
        raise bad_request("chat not found")

    def message_id(self) -> int:
        """``message_id``, required."""
        mid = self.int_("message_id")
        if mid is None:
            raise bad_request("message identifier is not specified")
        return mid


Handler = Callable[["BotApi", Params], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a Bot API method under its (case-insensitive) name."""

    def register(func: Handler) -> Handler:
        METHODS[name.lower()] = (name, func)
        return func

    return register


class BotApi:
    """Executes Bot API methods against a :class:`World`."""

    def __init__(self, world: World, stopping: asyncio.Event) -> None:
        self.world = world
        self.stopping = stopping
        self._poll_generation = 0

    # ------------------------------------------------------------ chat access

    def resolve_chat(self, p: Params, write: bool = True) -> Chat:
        """Find the target chat and check the bot may act in it."""
        w = self.world
        ref = p.chat_ref()
        chat: Chat | None
        if isinstance(ref, str):
            chat = next((c for c in w.chats.values()
                         if c.username and c.username.lower() == ref), None)
        else:
            chat = w.chats.get(ref)
            if chat is None and ref > 0 and ref in w.users and ref != w.the_bot().id:
                known = w.users[ref]
                if known.is_bot:
                    raise forbidden("bot can't send messages to bots")
                raise forbidden("bot can't initiate conversation with a user")
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.type == "private":
            user = chat.user
            if write and user is not None:
                if user.is_bot:
                    raise forbidden("bot can't send messages to bots")
                if user.blocked:
                    raise forbidden("bot was blocked by the user")
                if not user.started:
                    raise forbidden("bot can't initiate conversation with a user")
            return chat
        status = w.bot_status(chat)
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if status not in MEMBER_STATUSES:
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        if write and chat.type == "channel" and status == "member":
            raise bad_request("need administrator rights in the channel chat")
        return chat

    def _flood_send(self, chat: Chat) -> None:
        w = self.world
        if w.flood_enabled:
            retry = w.flood.check_send(chat.id, chat.is_group, w.flood.clock())
            if retry is not None:
                raise too_many_requests(retry)

    def _flood_edit(self, chat: Chat) -> None:
        w = self.world
        if w.flood_enabled:
            retry = w.flood.check_edit(chat.id, w.flood.clock())
            if retry is not None:
                raise too_many_requests(retry)

    def _reply(self, chat: Chat, p: Params) -> Json:
        mid = p.int_("reply_to_message_id")
        allow = p.bool_("allow_sending_without_reply")
        rp = p.json_("reply_parameters")
        if isinstance(rp, dict):
            raw = rp.get("message_id")
            mid = raw if isinstance(raw, int) else None
            allow = bool(rp.get("allow_sending_without_reply", allow))
        elif rp is not None:
            raise bad_request("can't parse reply parameters JSON object")
        if mid is None:
            return {}
        snap = self.world.reply_snapshot(chat, mid)
        if snap is None:
            if allow:
                return {}
            raise bad_request("message to be replied not found")
        return {"reply_to_message": snap}

    def _bot_message(self, chat: Chat, fields: Json, markup: Json | None,
                     parse_mode: str | None) -> Json:
        if markup is not None and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        msg = self.world.new_message(chat, self.world.the_bot(), fields)
        chat.bot_message_ids.append(msg["message_id"])
        meta: Json = {}
        if parse_mode:
            meta["parse_mode"] = parse_mode
        if markup is not None and "inline_keyboard" not in markup:
            meta["reply_markup"] = markup
        if meta:
            chat.meta[msg["message_id"]] = meta
        self.world.notifier.notify()
        return msg

    def _editable(self, chat: Chat, p: Params) -> Json:
        if p.raw("inline_message_id"):
            raise bad_request("message to edit not found")
        mid = p.message_id()
        msg = chat.messages.get(mid)
        if msg is None or mid in chat.deleted:
            raise bad_request("message to edit not found")
        if msg.get("from", {}).get("id") != self.world.the_bot().id:
            raise bad_request("message can't be edited")
        return msg

    def _upload(self, p: Params, field: str) -> StoredFile:
        kind = "photo" if field == "photo" else "document"
        upload = p.files.get(field)
        value = p.raw(field)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = p.files.get(value[len("attach://"):])
        if upload is not None:
            if not upload.data:
                raise bad_request("file must be non-empty")
            return self.world.store_file(upload.data, kind, upload.filename, upload.content_type)
        if isinstance(value, str) and value:
            if value.startswith(("http://", "https://")):
                raise bad_request("failed to get HTTP URL content")
            stored = self.world.files.get(value)
            if stored is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            return stored
        raise bad_request(f"there is no {field} in the request")


# ---------------------------------------------------------------- identity


@method("getMe")
async def get_me(api: BotApi, p: Params) -> Json:
    """Return the bot user."""
    return api.world.the_bot().to_api() | {
        "can_join_groups": True,
        "can_read_all_group_messages": not api.world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("logOut")
async def log_out(api: BotApi, p: Params) -> bool:
    """Accepted and ignored."""
    return True


@method("close")
async def close(api: BotApi, p: Params) -> bool:
    """Accepted and ignored."""
    return True


# ---------------------------------------------------------------- updates


@method("getUpdates")
async def get_updates(api: BotApi, p: Params) -> list[Json]:
    """Long polling with Telegram's offset confirmation semantics."""
    w = api.world
    if w.webhook is not None:
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                       "use deleteWebhook to delete the webhook first")
    offset = p.int_("offset")
    limit = p.int_("limit") or 100
    limit = min(max(limit, 1), 100)
    timeout = max(0.0, p.float_("timeout", 0.0))
    allowed = p.json_("allowed_updates", "allowed updates")
    if isinstance(allowed, list):
        w.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
    if offset is not None:
        w.confirm_updates(offset)
    if not w.updates and timeout > 0:
        api._poll_generation += 1
        generation = api._poll_generation
        await w.notifier.wait_until(
            lambda: bool(w.updates) or api._poll_generation != generation or w.webhook is not None,
            timeout,
            api.stopping,
        )
        if api._poll_generation != generation:
            raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure "
                           "that only one bot instance is running")
    return [u for u in list(w.updates)[:limit] if next(k for k in u if k != "update_id")
            in w.allowed_updates]


@method("setWebhook")
async def set_webhook(api: BotApi, p: Params) -> bool:
    """Set (or with an empty url, remove) the webhook."""
    w = api.world
    url = p.str_("url") or ""
    if p.bool_("drop_pending_updates"):
        w.updates.clear()
    if not url:
        w.webhook = None
        w.notifier.notify()
        return True
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.str_("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = p.json_("allowed_updates", "allowed updates")
    if isinstance(allowed, list):
        w.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
    w.webhook = Webhook(
        url=url,
        secret_token=secret,
        max_connections=p.int_("max_connections") or 40,
        allowed_updates=allowed if isinstance(allowed, list) else None,
    )
    w.notifier.notify()
    return True


@method("deleteWebhook")
async def delete_webhook(api: BotApi, p: Params) -> bool:
    """Remove the webhook (optionally dropping pending updates)."""
    w = api.world
    w.webhook = None
    if p.bool_("drop_pending_updates"):
        w.updates.clear()
    w.notifier.notify()
    return True


@method("getWebhookInfo")
async def get_webhook_info(api: BotApi, p: Params) -> Json:
    """Describe the webhook and the pending update count."""
    w = api.world
    hook = w.webhook
    info: Json = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(w.updates),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        info["ip_address"] = "127.0.0.1"
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


# ---------------------------------------------------------------- messages


@method("sendMessage")
async def send_message(api: BotApi, p: Params) -> Json:
    """Send a text message."""
    chat = api.resolve_chat(p)
    parse_mode = p.str_("parse_mode")
    text, entities = checked_text(p.str_("text"), parse_mode, p.entities("entities"))
    markup = checked_reply_markup(p.raw("reply_markup"))
    fields = api._reply(chat, p)
    api._flood_send(chat)
    fields["text"] = text
    if entities:
        fields["entities"] = entities
    return api._bot_message(chat, fields, markup, parse_mode)


async def _send_media(api: BotApi, p: Params, field: str) -> Json:
    chat = api.resolve_chat(p)
    parse_mode = p.str_("parse_mode")
    caption, entities = checked_caption(p.str_("caption"), parse_mode,
                                        p.entities("caption_entities"))
    markup = checked_reply_markup(p.raw("reply_markup"))
    fields = api._reply(chat, p)
    api._flood_send(chat)
    stored = api._upload(p, field)
    ref: Json = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                 "file_size": len(stored.data)}
    if field == "photo":
        width, height = _image_size(stored.data)
        fields["photo"] = [ref | {"width": width, "height": height}]
    else:
        doc = dict(ref)
        if stored.file_name:
            doc["file_name"] = stored.file_name
        if stored.mime_type:
            doc["mime_type"] = stored.mime_type
        fields["document"] = doc
    if caption:
        fields["caption"] = caption
        if entities:
            fields["caption_entities"] = entities
    return api._bot_message(chat, fields, markup, parse_mode)


def _image_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 320, 320


@method("sendDocument")
async def send_document(api: BotApi, p: Params) -> Json:
    """Send a document (uploaded or by file_id)."""
    return await _send_media(api, p, "document")


@method("sendPhoto")
async def send_photo(api: BotApi, p: Params) -> Json:
    """Send a photo (uploaded or by file_id)."""
    return await _send_media(api, p, "photo")


@method("editMessageText")
async def edit_message_text(api: BotApi, p: Params) -> Json:
    """Edit the text (and inline keyboard) of a bot message."""
    chat = api.resolve_chat(p)
    msg = api._editable(chat, p)
    if "text" not in msg:
        raise bad_request("there is no text in the message to edit")
    parse_mode = p.str_("parse_mode")
    text, entities = checked_text(p.str_("text"), parse_mode, p.entities("entities"))
    markup = checked_reply_markup(p.raw("reply_markup"))
    inline = markup if markup is not None and "inline_keyboard" in markup else None
    if (text == msg["text"] and entities == msg.get("entities", [])
            and inline == msg.get("reply_markup")):
        raise bad_request(_NOT_MODIFIED)
    api._flood_edit(chat)
    msg["text"] = text
    if entities:
        msg["entities"] = entities
    else:
        msg.pop("entities", None)
    if inline is not None:
        msg["reply_markup"] = inline
    else:
        msg.pop("reply_markup", None)
    msg["edit_date"] = int(api.world.clock.unix())
    if parse_mode:
        chat.meta.setdefault(msg["message_id"], {})["parse_mode"] = parse_mode
    api.world.notifier.notify()
    return dict(msg)


@method("editMessageCaption")
async def edit_message_caption(api: BotApi, p: Params) -> Json:
    """Edit the caption (and inline keyboard) of a bot's photo or document."""
    chat = api.resolve_chat(p)
    msg = api._editable(chat, p)
    if "photo" not in msg and "document" not in msg:
        raise bad_request("there is no caption in the message to edit")
    parse_mode = p.str_("parse_mode")
    caption, entities = checked_caption(p.str_("caption"), parse_mode,
                                        p.entities("caption_entities"))
    markup = checked_reply_markup(p.raw("reply_markup"))
    inline = markup if markup is not None and "inline_keyboard" in markup else None
    if (caption == msg.get("caption") and entities == msg.get("caption_entities", [])
            and inline == msg.get("reply_markup")):
        raise bad_request(_NOT_MODIFIED)
    api._flood_edit(chat)
    for key, value in (("caption", caption), ("caption_entities", entities),
                       ("reply_markup", inline)):
        if value:
            msg[key] = value
        else:
            msg.pop(key, None)
    msg["edit_date"] = int(api.world.clock.unix())
    if parse_mode:
        chat.meta.setdefault(msg["message_id"], {})["parse_mode"] = parse_mode
    api.world.notifier.notify()
    return dict(msg)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(api: BotApi, p: Params) -> Json:
    """Replace (or remove) the inline keyboard of a bot message."""
    chat = api.resolve_chat(p)
    msg = api._editable(chat, p)
    markup = checked_reply_markup(p.raw("reply_markup"))
    inline = markup if markup is not None and "inline_keyboard" in markup else None
    if inline == msg.get("reply_markup"):
        raise bad_request(_NOT_MODIFIED)
    api._flood_edit(chat)
    if inline is not None:
        msg["reply_markup"] = inline
    else:
        msg.pop("reply_markup", None)
    msg["edit_date"] = int(api.world.clock.unix())
    api.world.notifier.notify()
    return dict(msg)


@method("deleteMessage")
async def delete_message(api: BotApi, p: Params) -> bool:
    """Delete a message (the bot's own, or any if it is a group admin)."""
    chat = api.resolve_chat(p, write=False)
    mid = p.message_id()
    msg = chat.messages.get(mid)
    if msg is None or mid in chat.deleted:
        raise bad_request("message to delete not found")
    bot_id = api.world.the_bot().id
    if (chat.is_group and msg.get("from", {}).get("id") != bot_id
            and chat.members.get(bot_id) not in ("creator", "administrator")):
        raise bad_request("message can't be deleted")
    chat.deleted.add(mid)
    api.world.notifier.notify()
    return True


@method("answerCallbackQuery")
async def answer_callback_query(api: BotApi, p: Params) -> bool:
    """Answer a button press (once)."""
    qid = p.str_("callback_query_id")
    if not qid:
        raise bad_request("query_id is empty")
    query = api.world.callback_queries.get(qid)
    if query is None or query.answer is not None:
        raise bad_request(_QUERY_TOO_OLD)
    text = p.str_("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {
        "text": text,
        "show_alert": p.bool_("show_alert"),
        "url": p.str_("url"),
        "cache_time": p.int_("cache_time") or 0,
        "unix": time.time(),
    }
    api.world.notifier.notify()
    return True


@method("getFile")
async def get_file(api: BotApi, p: Params) -> Json:
    """Describe a stored file and give its download path."""
    fid = p.str_("file_id")
    if not fid:
        raise bad_request("file_id is empty")
    stored = api.world.files.get(fid)
    if stored is None:
        raise bad_request("invalid file_id")
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data), "file_path": stored.file_path}


@method("sendChatAction")
async def send_chat_action(api: BotApi, p: Params) -> bool:
    """Show a chat action (typing…)."""
    chat = api.resolve_chat(p)
    action = p.str_("action")
    if not action:
        raise bad_request("action is empty")
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    del chat
    return True


def _pin_rights(api: BotApi, chat: Chat) -> None:
    if chat.type in ("supergroup", "channel") and chat.members.get(
        api.world.the_bot().id
    ) not in ("creator", "administrator"):
        raise bad_request("not enough rights to manage pinned messages in the chat")


@method("pinChatMessage")
async def pin_chat_message(api: BotApi, p: Params) -> bool:
    """Pin a message."""
    chat = api.resolve_chat(p)
    mid = p.message_id()
    _pin_rights(api, chat)
    if mid not in chat.messages or mid in chat.deleted:
        raise bad_request("message to pin not found")
    if mid in chat.pinned:
        chat.pinned.remove(mid)
    chat.pinned.append(mid)
    return True


@method("unpinChatMessage")
async def unpin_chat_message(api: BotApi, p: Params) -> bool:
    """Unpin a message (the most recent pin when no message_id is given)."""
    chat = api.resolve_chat(p)
    _pin_rights(api, chat)
    mid = p.int_("message_id")
    if mid is None:
        if chat.pinned:
            chat.pinned.pop()
        return True
    if mid not in chat.pinned:
        raise bad_request("message to unpin not found")
    chat.pinned.remove(mid)
    return True


# ---------------------------------------------------------------- chats


@method("getChat")
async def get_chat(api: BotApi, p: Params) -> Json:
    """Full information about a chat."""
    chat = api.resolve_chat(p, write=False)
    info = chat.to_api() | {
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
    if chat.pinned:
        pinned = api.world.reply_snapshot(chat, chat.pinned[-1])
        if pinned is not None:
            info["pinned_message"] = pinned
    if chat.migrated_from is not None:
        info["migrated_from_chat_id"] = chat.migrated_from
    return info


def _member_json(api: BotApi, chat: Chat, user_id: int) -> Json:
    w = api.world
    user = w.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    if chat.type == "private":
        status = "member" if user_id in (chat.id, w.the_bot().id) else "left"
        if user_id == w.the_bot().id:
            status = w.bot_status(chat)
    else:
        status = chat.members.get(user_id, "left")
    data: Json = {"user": user.to_api(), "status": status}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(admin_rights())
    elif status == "kicked":
        data["until_date"] = 0
    return data


@method("getChatMember")
async def get_chat_member(api: BotApi, p: Params) -> Json:
    """A member's status in a chat."""
    chat = api.resolve_chat(p, write=False)
    uid = p.int_("user_id")
    if uid is None:
        raise bad_request("invalid user_id specified")
    return _member_json(api, chat, uid)


@method("getChatAdministrators")
async def get_chat_administrators(api: BotApi, p: Params) -> list[Json]:
    """The creator and administrators of a group."""
    chat = api.resolve_chat(p, write=False)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    return [_member_json(api, chat, uid) for uid, status in chat.members.items()
            if status in ("creator", "administrator")]


@method("getChatMemberCount")
async def get_chat_member_count(api: BotApi, p: Params) -> int:
    """How many members a chat has."""
    chat = api.resolve_chat(p, write=False)
    if chat.type == "private":
        return 2
    return sum(1 for s in chat.members.values() if s in MEMBER_STATUSES)


@method("leaveChat")
async def leave_chat(api: BotApi, p: Params) -> bool:
    """The bot leaves a group (my_chat_member + left_chat_member)."""
    chat = api.resolve_chat(p, write=False)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    w = api.world
    bot = w.the_bot()
    old = chat.members.get(bot.id, "left")
    if chat.type != "channel":
        msg = w.new_message(chat, bot, {"left_chat_member": bot.to_api(),
                                        "left_chat_participant": bot.to_api()})
        w.push_update("message", msg)
    chat.members[bot.id] = "left"
    w.push_update("my_chat_member", w._member_change(chat, bot, bot, old, "left"))
    return True


# ---------------------------------------------------------------- bot profile


def _scope_key(p: Params) -> tuple[str, str]:
    scope = p.json_("scope", "bot command scope")
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    lang = p.str_("language_code") or ""
    if lang and not re.match(r"^[a-z]{2}$", lang):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), lang


@method("setMyCommands")
async def set_my_commands(api: BotApi, p: Params) -> bool:
    """Store the command list for a scope and language."""
    commands = p.json_("commands", "bot commands")
    if commands is None:
        raise bad_request("parameter \"commands\" is required")
    if not isinstance(commands, list):
        raise bad_request("can't parse bot commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    clean: list[Json] = []
    for c in commands:
        if not isinstance(c, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name, desc = c.get("command"), c.get("description")
        if not isinstance(name, str) or not _COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(desc, str) or not 1 <= len(desc) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": name, "description": desc})
    key = _scope_key(p)
    if clean:
        api.world.commands[key] = clean
    else:
        api.world.commands.pop(key, None)
    return True


@method("getMyCommands")
async def get_my_commands(api: BotApi, p: Params) -> list[Json]:
    """The command list stored for exactly this scope and language."""
    return list(api.world.commands.get(_scope_key(p), []))


@method("deleteMyCommands")
async def delete_my_commands(api: BotApi, p: Params) -> bool:
    """Delete the command list for a scope and language."""
    api.world.commands.pop(_scope_key(p), None)
    return True


def _lang(p: Params) -> str:
    lang = p.str_("language_code") or ""
    if lang and not re.match(r"^[a-z]{2}$", lang):
        raise bad_request("invalid language code specified")
    return lang


def _set_text(store: dict[str, str], p: Params, field: str, limit: int) -> bool:
    value = p.str_(field) or ""
    if len(value) > limit:
        raise bad_request(f"{field.upper()}_INVALID".replace("SHORT_DESCRIPTION", "ABOUT"))
    lang = _lang(p)
    if value:
        store[lang] = value
    else:
        store.pop(lang, None)
    return True


@method("setMyDescription")
async def set_my_description(api: BotApi, p: Params) -> bool:
    """Set the bot description (≤512) for a language."""
    return _set_text(api.world.descriptions, p, "description", 512)


@method("getMyDescription")
async def get_my_description(api: BotApi, p: Params) -> Json:
    """Get the bot description for a language."""
    return {"description": api.world.descriptions.get(_lang(p), "")}


@method("setMyShortDescription")
async def set_my_short_description(api: BotApi, p: Params) -> bool:
    """Set the bot short description (≤120) for a language."""
    return _set_text(api.world.short_descriptions, p, "short_description", 120)


@method("getMyShortDescription")
async def get_my_short_description(api: BotApi, p: Params) -> Json:
    """Get the bot short description for a language."""
    return {"short_description": api.world.short_descriptions.get(_lang(p), "")}
