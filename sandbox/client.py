"""Async Python client for the sandbox control API."""

from __future__ import annotations

import base64
from types import TracebackType
from typing import Any

import aiohttp

Json = dict[str, Any]


class SandboxError(Exception):
    """The control API refused an action."""

    def __init__(self, status: int, message: str, partial: Any = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.partial = partial


class SandboxTimeout(SandboxError, TimeoutError):
    """A ``wait_for_*`` call timed out (``partial`` holds what was seen)."""


class SandboxUnreachable(SandboxError, aiohttp.ClientConnectionError):
    """No sandbox answers at the URL: not started, stopped, or another server on the port.

    Still an ``aiohttp.ClientConnectionError``, so callers that caught aiohttp's catch it.
    """

    def __init__(self, url: str, why: str, answered: bool = False) -> None:
        super().__init__(0, f"no sandbox answers at {url} ({why})")
        self.url = url
        #: something listens at the URL, but it is not the sandbox's control API
        self.answered = answered


class SandboxClient:
    """Drives a running sandbox: ``async with SandboxClient("http://127.0.0.1:8081") as sb``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        if self.base_url.endswith("/_sandbox"):
            self.base_url = self.base_url[: -len("/_sandbox")]
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, action: str, **args: Any) -> Any:
        """POST ``/_sandbox/<action>`` with JSON ``args`` (``None`` values dropped)."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        body = {k: v for k, v in args.items() if v is not None}
        try:
            async with self._session.post(f"{self.base_url}/_sandbox/{action}",
                                          json=body) as resp:
                data = await resp.json(content_type=None)
        except aiohttp.InvalidURL:
            raise SandboxUnreachable(self.base_url, "not a valid URL") from None
        except aiohttp.ClientConnectionError as error:
            raise SandboxUnreachable(self.base_url, str(error) or type(error).__name__) from None
        except ValueError:  # an answer that is not JSON: another server on the port
            raise SandboxUnreachable(self.base_url, "the answer is not the sandbox's",
                                     answered=True) from None
        if not isinstance(data, dict) or ("result" not in data and "error" not in data):
            raise SandboxUnreachable(self.base_url, "the answer is not the sandbox's",
                                     answered=True)
        if resp.status == 408:
            raise SandboxTimeout(408, data.get("error", "timeout"), data.get("result"))
        if not data.get("ok"):
            raise SandboxError(resp.status, data.get("error", "error"))
        return data["result"]

    # ------------------------------------------------------------ world

    async def health(self) -> Json:
        """Server URL and bot identity."""
        result: Json = await self.call("health")
        return result

    async def world(self) -> Json:
        """A summary of users, chats and settings."""
        result: Json = await self.call("world")
        return result

    async def reset(self) -> None:
        """Forget users, chats, messages, updates, the call log and faults."""
        await self.call("reset")

    async def create_user(self, first_name: str, username: str | None = None,
                          language_code: str = "en", user_id: int | None = None,
                          last_name: str | None = None, is_bot: bool = False) -> Json:
        """Create a user (``is_bot=True`` for another bot)."""
        result: Json = await self.call(
            "create_user", first_name=first_name, username=username,
            language_code=language_code, user_id=user_id, last_name=last_name, is_bot=is_bot,
        )
        return result

    async def create_group(self, title: str, kind: str = "group",
                           members: list[int] | None = None, admins: list[int] | None = None,
                           creator: int | None = None, username: str | None = None) -> Json:
        """Create a group, supergroup or channel (the bot is not in it yet)."""
        result: Json = await self.call(
            "create_group", title=title, kind=kind, members=members or [],
            admins=admins or [], creator=creator, username=username,
        )
        return result

    async def add_bot(self, chat_id: int, by_user_id: int, admin: bool = False) -> Json:
        """A user adds the bot to a chat."""
        result: Json = await self.call("add_bot", chat_id=chat_id, by_user_id=by_user_id,
                                       admin=admin)
        return result

    async def remove_bot(self, chat_id: int, by_user_id: int) -> Json:
        """A user removes (kicks) the bot from a chat."""
        result: Json = await self.call("remove_bot", chat_id=chat_id, by_user_id=by_user_id)
        return result

    async def add_member(self, chat_id: int, user_id: int,
                         by_user_id: int | None = None) -> Json:
        """A user joins a group."""
        result: Json = await self.call("add_member", chat_id=chat_id, user_id=user_id,
                                       by_user_id=by_user_id)
        return result

    async def remove_member(self, chat_id: int, user_id: int,
                            by_user_id: int | None = None) -> Json:
        """A user leaves (or is removed from) a group."""
        result: Json = await self.call("remove_member", chat_id=chat_id, user_id=user_id,
                                       by_user_id=by_user_id)
        return result

    async def send_text(self, user_id: int, text: str, chat_id: int | None = None,
                        reply_to_message_id: int | None = None) -> Json:
        """A user sends text (``chat_id=None``: their private chat with the bot)."""
        result: Json = await self.call("send_text", user_id=user_id, text=text, chat_id=chat_id,
                                       reply_to_message_id=reply_to_message_id)
        return result

    async def _media(self, kind: str, user_id: int, chat_id: int | None,
                     caption: str | None, data: bytes | None) -> Json:
        b64 = base64.b64encode(data).decode() if data is not None else None
        result: Json = await self.call(f"send_{kind}", user_id=user_id, chat_id=chat_id,
                                       caption=caption, data_base64=b64)
        return result

    async def send_photo(self, user_id: int, chat_id: int | None = None,
                         caption: str | None = None, data: bytes | None = None) -> Json:
        """A user sends a photo."""
        return await self._media("photo", user_id, chat_id, caption, data)

    async def send_document(self, user_id: int, chat_id: int | None = None,
                            caption: str | None = None, data: bytes | None = None) -> Json:
        """A user sends a document."""
        return await self._media("document", user_id, chat_id, caption, data)

    async def send_sticker(self, user_id: int, chat_id: int | None = None) -> Json:
        """A user sends a sticker."""
        return await self._media("sticker", user_id, chat_id, None, None)

    async def edit_text(self, user_id: int, message_id: int, text: str,
                        chat_id: int | None = None) -> Json:
        """A user edits their message (``edited_message`` update)."""
        result: Json = await self.call("edit_text", user_id=user_id, chat_id=chat_id,
                                       message_id=message_id, text=text)
        return result

    async def channel_post(self, chat_id: int, text: str) -> Json:
        """A post in a channel (``channel_post`` update)."""
        result: Json = await self.call("channel_post", chat_id=chat_id, text=text)
        return result

    async def press_button(self, user_id: int, chat_id: int | None, message_id: int,
                           callback_data: str | None = None,
                           button_text: str | None = None, forged: bool = False) -> str:
        """Press an inline button (``forged``: any data, as a modified client); return its id."""
        result = await self.call("press_button", user_id=user_id, chat_id=chat_id,
                                 message_id=message_id, callback_data=callback_data,
                                 button_text=button_text, forged=forged or None)
        return str(result["callback_query_id"])

    async def block_bot(self, user_id: int) -> None:
        """The user blocks the bot."""
        await self.call("block_bot", user_id=user_id)

    async def unblock_bot(self, user_id: int) -> None:
        """The user unblocks the bot."""
        await self.call("unblock_bot", user_id=user_id)

    async def migrate_group(self, chat_id: int) -> int:
        """Upgrade a group to a supergroup; return the new chat id."""
        result = await self.call("migrate_group", chat_id=chat_id)
        return int(result["new_chat_id"])

    async def rename_group(self, chat_id: int, title: str, by_user_id: int) -> Json:
        """A user renames a group."""
        result: Json = await self.call("rename_group", chat_id=chat_id, title=title,
                                       by_user_id=by_user_id)
        return result

    # ------------------------------------------------------------ faults & limits

    async def inject_faults(self, count: int, kind: str = "429", retry_after: int = 5,
                            method: str | None = None, chat_ids: list[int] | None = None,
                            delay: float | None = None) -> None:
        """Make the next ``count`` matching calls fail (429, 502 or timeout)."""
        await self.call("inject_faults", count=count, kind=kind, retry_after=retry_after,
                        method=method, chat_ids=chat_ids, delay=delay)

    async def clear_faults(self) -> None:
        """Drop all pending injected faults."""
        await self.call("clear_faults")

    async def set_flood_limits(self, enabled: bool) -> None:
        """Switch flood limits on or off (and forget past sends)."""
        await self.call("set_flood_limits", enabled=enabled)

    async def set_privacy_mode(self, enabled: bool) -> None:
        """Switch group privacy mode on or off."""
        await self.call("set_privacy_mode", enabled=enabled)

    # ------------------------------------------------------------ time

    async def clock(self) -> Json:
        """The sandbox's time: ``{"now": ISO-8601, "offset_seconds": n}``."""
        result: Json = await self.call("clock")
        return result

    async def advance_clock(self, seconds: float = 0, minutes: float = 0, hours: float = 0,
                            days: float = 0) -> Json:
        """Move the sandbox's clock forward by the sum given; return the new time."""
        total = seconds + 60 * minutes + 3_600 * hours + 86_400 * days
        result: Json = await self.call("advanceClock", seconds=total)
        return result

    # ------------------------------------------------------------ inspection

    async def bot_messages(self, chat_id: int, after_message_id: int | None = None
                           ) -> list[Json]:
        """Messages the bot sent in a chat (current content, ``deleted`` flag)."""
        result: list[Json] = await self.call("bot_messages", chat_id=chat_id,
                                             after_message_id=after_message_id)
        return result

    async def messages(self, chat_id: int) -> list[Json]:
        """All messages in a chat (users' and the bot's)."""
        result: list[Json] = await self.call("messages", chat_id=chat_id)
        return result

    async def calls(self, since: int = 0, method: str | None = None) -> list[Json]:
        """The API call log after sequence number ``since``."""
        result: list[Json] = await self.call("calls", since=since, method=method)
        return result

    async def callback_answer(self, callback_query_id: str) -> Json | None:
        """The bot's answerCallbackQuery for a press (``None`` if not answered yet)."""
        result: Json | None = await self.call("callback_answer",
                                              callback_query_id=callback_query_id)
        return result

    async def commands(self) -> list[Json]:
        """All stored command lists with their scope and language."""
        result: list[Json] = await self.call("commands")
        return result

    async def pending_updates(self) -> list[Json]:
        """Updates not yet confirmed by the bot."""
        result: list[Json] = await self.call("updates")
        return result

    async def wait_for_bot_messages(self, chat_id: int, count: int = 1, timeout: float = 5.0,  # noqa: ASYNC109
                                    after_message_id: int | None = None) -> list[Json]:
        """Block (server-side) until the bot has sent ``count`` messages in the chat."""
        result: list[Json] = await self.call(
            "wait_for_bot_messages", chat_id=chat_id, count=count, timeout=timeout,
            after_message_id=after_message_id,
        )
        return result

    async def wait_for_calls(self, method: str | None = None, count: int = 1,
                             timeout: float = 5.0, since: int = 0) -> list[Json]:  # noqa: ASYNC109
        """Block until ``count`` calls of ``method`` were logged after ``since``."""
        result: list[Json] = await self.call("wait_for_calls", method=method, count=count,
                                             timeout=timeout, since=since)
        return result

    async def wait_for_callback_answer(self, callback_query_id: str,
                                       timeout: float = 5.0) -> Json:  # noqa: ASYNC109
        """Block until the bot answers the callback query."""
        result: Json = await self.call("wait_for_callback_answer",
                                       callback_query_id=callback_query_id, timeout=timeout)
        return result

    async def wait_for_updates_consumed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Block until the bot has confirmed every pending update."""
        await self.call("wait_for_updates_consumed", timeout=timeout)
