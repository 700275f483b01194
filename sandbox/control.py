"""The control API: ``/_sandbox/<action>`` routes (JSON in, JSON out) for tests and tools."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.clock import advance_seconds
from sandbox.errors import ControlError
from sandbox.world import Fault, Json

if TYPE_CHECKING:
    from sandbox.server import SandboxServer

Action = Callable[["SandboxServer", "Args"], Awaitable[Any]]
ACTIONS: dict[str, Action] = {}
#: Actions that change the world in a way a GET (a browser's prefetch, a link) must not.
POST_ONLY = frozenset({"advanceClock"})


class Args:
    """Typed access to control-API arguments (JSON body merged with the query string)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def int_(self, name: str, default: int | None = None) -> int | None:
        """An optional integer."""
        value = self.data.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ControlError(f"{name} must be an integer") from None

    def req_int(self, name: str) -> int:
        """A required integer."""
        value = self.int_(name)
        if value is None:
            raise ControlError(f"{name} is required")
        return value

    def str_(self, name: str, default: str | None = None) -> str | None:
        """An optional string."""
        value = self.data.get(name)
        return default if value is None else str(value)

    def req_str(self, name: str) -> str:
        """A required string."""
        value = self.str_(name)
        if value is None:
            raise ControlError(f"{name} is required")
        return value

    def float_(self, name: str, default: float) -> float:
        """An optional number."""
        value = self.data.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ControlError(f"{name} must be a number") from None

    def bool_(self, name: str, default: bool = False) -> bool:
        """An optional boolean."""
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes", "on")
        return bool(value)

    def ints(self, name: str) -> list[int] | None:
        """An optional list of integers."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            value = [v for v in value.split(",") if v]
        if not isinstance(value, list):
            raise ControlError(f"{name} must be a list of integers")
        try:
            return [int(v) for v in value]
        except (TypeError, ValueError):
            raise ControlError(f"{name} must be a list of integers") from None


def action(name: str) -> Callable[[Action], Action]:
    """Register a control action."""

    def register(func: Action) -> Action:
        ACTIONS[name] = func
        return func

    return register


def _user_json(sb: SandboxServer, uid: int) -> Json:
    u = sb.world.user(uid)
    return u.to_api() | {"blocked": u.blocked, "started": u.started}


@action("health")
async def _health(sb: SandboxServer, a: Args) -> Json:
    bot = sb.world.bot
    return {"url": sb.url, "bot": bot.to_api() if bot else None}


@action("world")
async def _world(sb: SandboxServer, a: Args) -> Json:
    return sb.world.to_api_summary()


@action("reset")
async def _reset(sb: SandboxServer, a: Args) -> bool:
    sb.world.reset()
    return True


@action("create_user")
async def _create_user(sb: SandboxServer, a: Args) -> Json:
    u = sb.world.create_user(
        a.req_str("first_name"),
        username=a.str_("username"),
        language_code=a.str_("language_code", "en"),
        user_id=a.int_("user_id"),
        last_name=a.str_("last_name"),
        is_bot=a.bool_("is_bot"),
    )
    return _user_json(sb, u.id)


@action("create_group")
async def _create_group(sb: SandboxServer, a: Args) -> Json:
    chat = sb.world.create_group(
        a.req_str("title"),
        kind=a.str_("kind", "group") or "group",
        members=a.ints("members"),
        admins=a.ints("admins"),
        creator=a.int_("creator"),
        username=a.str_("username"),
        chat_id=a.int_("chat_id"),
    )
    return chat.to_api() | {"members": {str(k): v for k, v in chat.members.items()}}


@action("add_bot")
async def _add_bot(sb: SandboxServer, a: Args) -> Json:
    return sb.world.add_bot(a.req_int("chat_id"), a.req_int("by_user_id"), a.bool_("admin"))


@action("remove_bot")
async def _remove_bot(sb: SandboxServer, a: Args) -> Json:
    return sb.world.remove_bot(a.req_int("chat_id"), a.req_int("by_user_id"))


@action("add_member")
async def _add_member(sb: SandboxServer, a: Args) -> Json:
    return sb.world.add_member(a.req_int("chat_id"), a.req_int("user_id"), a.int_("by_user_id"))


@action("remove_member")
async def _remove_member(sb: SandboxServer, a: Args) -> Json:
    return sb.world.remove_member(
        a.req_int("chat_id"), a.req_int("user_id"), a.int_("by_user_id")
    )


@action("send_text")
async def _send_text(sb: SandboxServer, a: Args) -> Json:
    return sb.world.send_text(
        a.req_int("user_id"), a.req_str("text"), a.int_("chat_id"), a.int_("reply_to_message_id")
    )


def _media(kind: str) -> Action:
    async def send(sb: SandboxServer, a: Args) -> Json:
        raw = a.str_("data_base64")
        data = base64.b64decode(raw) if raw else b"\x89PNG sandbox " + kind.encode()
        return sb.world.send_media(
            a.req_int("user_id"), kind, a.int_("chat_id"), a.str_("caption"), data,
            a.str_("emoji", "👍") or "👍",
        )

    return send


action("send_photo")(_media("photo"))
action("send_sticker")(_media("sticker"))
action("send_document")(_media("document"))


@action("edit_text")
async def _edit_text(sb: SandboxServer, a: Args) -> Json:
    return sb.world.edit_text(
        a.req_int("user_id"), a.int_("chat_id"), a.req_int("message_id"), a.req_str("text")
    )


@action("channel_post")
async def _channel_post(sb: SandboxServer, a: Args) -> Json:
    return sb.world.channel_post(a.req_int("chat_id"), a.req_str("text"))


@action("press_button")
async def _press_button(sb: SandboxServer, a: Args) -> Json:
    return sb.world.press_button(
        a.req_int("user_id"), a.int_("chat_id"), a.req_int("message_id"),
        a.str_("callback_data"), a.str_("button_text"), forged=a.bool_("forged"),
    )


@action("block_bot")
async def _block(sb: SandboxServer, a: Args) -> bool:
    sb.world.block_bot(a.req_int("user_id"))
    return True


@action("unblock_bot")
async def _unblock(sb: SandboxServer, a: Args) -> bool:
    sb.world.unblock_bot(a.req_int("user_id"))
    return True


@action("migrate_group")
async def _migrate(sb: SandboxServer, a: Args) -> Json:
    return {"new_chat_id": sb.world.migrate_group(a.req_int("chat_id"))}


@action("rename_group")
async def _rename(sb: SandboxServer, a: Args) -> Json:
    return sb.world.rename_group(a.req_int("chat_id"), a.req_str("title"), a.req_int("by_user_id"))


@action("inject_faults")
async def _inject(sb: SandboxServer, a: Args) -> bool:
    kind = a.str_("kind", "429") or "429"
    if kind not in ("429", "502", "timeout"):
        raise ControlError("kind must be 429, 502 or timeout")
    method = a.str_("method")
    chat_ids = a.ints("chat_ids")
    sb.world.faults.append(
        Fault(
            count=a.int_("count", 1) or 1,
            kind=kind,
            retry_after=a.int_("retry_after", 5) or 5,
            method=method.lower() if method else None,
            chat_ids=set(chat_ids) if chat_ids is not None else None,
            delay=a.float_("delay", sb.timeout_fault_delay),
        )
    )
    return True


@action("clear_faults")
async def _clear_faults(sb: SandboxServer, a: Args) -> bool:
    sb.world.faults.clear()
    return True


@action("set_flood_limits")
async def _flood(sb: SandboxServer, a: Args) -> bool:
    sb.world.flood_enabled = a.bool_("enabled", True)
    sb.world.flood.reset()
    return True


@action("set_privacy_mode")
async def _privacy(sb: SandboxServer, a: Args) -> bool:
    sb.world.privacy_mode = a.bool_("enabled", True)
    return True


@action("clock")
async def _clock(sb: SandboxServer, a: Args) -> Json:
    return sb.world.clock.to_api()


@action("advanceClock")
async def _advance_clock(sb: SandboxServer, a: Args) -> Json:
    sb.world.clock.advance(advance_seconds(a.data))
    sb.world.notifier.notify()
    return sb.world.clock.to_api()


def _after(msgs: list[Json], after: int | None) -> list[Json]:
    return msgs if after is None else [m for m in msgs if m["message_id"] > after]


@action("bot_messages")
async def _bot_messages(sb: SandboxServer, a: Args) -> list[Json]:
    return _after(sb.world.bot_messages(a.req_int("chat_id")), a.int_("after_message_id"))


@action("messages")
async def _messages(sb: SandboxServer, a: Args) -> list[Json]:
    chat = sb.world.chat(a.req_int("chat_id"))
    return [m | {"deleted": mid in chat.deleted} for mid, m in chat.messages.items()]


def _calls(sb: SandboxServer, since: int, method: str | None) -> list[Json]:
    m = method.lower() if method else None
    return [c for c in sb.world.calls
            if c["seq"] > since and (m is None or c["method"].lower() == m)]


@action("calls")
async def _calls_action(sb: SandboxServer, a: Args) -> list[Json]:
    return _calls(sb, a.int_("since", 0) or 0, a.str_("method"))


@action("callback_answer")
async def _callback_answer(sb: SandboxServer, a: Args) -> Json | None:
    q = sb.world.callback_queries.get(a.req_str("callback_query_id"))
    if q is None:
        raise ControlError("no such callback query", 404)
    return q.answer


@action("commands")
async def _commands(sb: SandboxServer, a: Args) -> list[Json]:
    return [
        {"scope": json.loads(scope), "language_code": lang, "commands": cmds}
        for (scope, lang), cmds in sb.world.commands.items()
    ]


@action("updates")
async def _updates(sb: SandboxServer, a: Args) -> list[Json]:
    return list(sb.world.updates)


class _Timeout(Exception):
    def __init__(self, message: str, partial: Any) -> None:
        super().__init__(message)
        self.partial = partial


@action("wait_for_bot_messages")
async def _wait_bot_messages(sb: SandboxServer, a: Args) -> list[Json]:
    chat_id = a.req_int("chat_id")
    count = a.int_("count", 1) or 1
    after = a.int_("after_message_id")
    w = sb.world

    def ready() -> bool:
        chat = w.chats.get(chat_id)
        if chat is None:
            return False
        ids = chat.bot_message_ids
        return len(ids if after is None else [i for i in ids if i > after]) >= count

    ok = await w.notifier.wait_until(ready, a.float_("timeout", 5.0), sb.stopping)
    msgs = _after(w.bot_messages(chat_id), after)
    if not ok:
        raise _Timeout(f"timed out: {len(msgs)} of {count} bot messages in {chat_id}", msgs)
    return msgs


@action("wait_for_calls")
async def _wait_calls(sb: SandboxServer, a: Args) -> list[Json]:
    method = a.str_("method")
    count = a.int_("count", 1) or 1
    since = a.int_("since", 0) or 0
    w = sb.world
    ok = await w.notifier.wait_until(
        lambda: len(_calls(sb, since, method)) >= count, a.float_("timeout", 5.0), sb.stopping
    )
    calls = _calls(sb, since, method)
    if not ok:
        raise _Timeout(f"timed out: {len(calls)} of {count} {method or ''} calls", calls)
    return calls


@action("wait_for_callback_answer")
async def _wait_answer(sb: SandboxServer, a: Args) -> Json:
    qid = a.req_str("callback_query_id")
    q = sb.world.callback_queries.get(qid)
    if q is None:
        raise ControlError("no such callback query", 404)
    ok = await sb.world.notifier.wait_until(
        lambda: q.answer is not None, a.float_("timeout", 5.0), sb.stopping
    )
    if not ok or q.answer is None:
        raise _Timeout("timed out waiting for answerCallbackQuery", None)
    return q.answer


@action("wait_for_updates_consumed")
async def _wait_consumed(sb: SandboxServer, a: Args) -> bool:
    w = sb.world
    ok = await w.notifier.wait_until(lambda: not w.updates, a.float_("timeout", 5.0),
                                     sb.stopping)
    if not ok:
        raise _Timeout(f"timed out: {len(w.updates)} updates still pending", None)
    return True


def add_control_routes(app: web.Application, sb: SandboxServer) -> None:
    """Mount ``/_sandbox/{action}`` (GET or POST) on ``app``."""

    async def handle(request: web.Request) -> web.Response:
        name = request.match_info["action"]
        if name not in ACTIONS:
            return web.json_response({"ok": False, "error": f"unknown action {name}"}, status=404)
        if name in POST_ONLY and request.method != "POST":
            return web.json_response({"ok": False, "error": f"{name} takes POST only"},
                                     status=405)
        data: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.body_exists:
            try:
                body = await request.json()
            except ValueError:
                return web.json_response({"ok": False, "error": "malformed JSON"}, status=400)
            if not isinstance(body, dict):
                return web.json_response({"ok": False, "error": "JSON object expected"},
                                         status=400)
            data.update(body)
        return await run_action(sb, name, data)

    app.router.add_route("*", "/_sandbox/{action}", handle)


async def run_action(sb: SandboxServer, name: str, data: dict[str, Any]) -> web.Response:
    """Run one control action on its arguments and answer as the control API does."""
    func = ACTIONS.get(name)
    if func is None:
        return web.json_response({"ok": False, "error": f"unknown action {name}"}, status=404)
    try:
        result = await func(sb, Args(data))
    except ControlError as exc:
        return web.json_response({"ok": False, "error": exc.message}, status=exc.status)
    except _Timeout as exc:
        return web.json_response({"ok": False, "error": str(exc), "result": exc.partial},
                                 status=408)
    return web.json_response({"ok": True, "result": result},
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))
