"""Telegram's rules: text and markup limits, flood control."""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from sandbox.errors import bad_request
from sandbox.formatting import Entity, parse_text, u16len

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_BUTTONS = 100
MAX_CALLBACK_DATA = 64
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "web_app",
    "callback_game",
    "pay",
    "copy_text",
)


def checked_text(
    text: str | None, parse_mode: str | None, entities: list[Entity] | None
) -> tuple[str, list[Entity]]:
    """Validate a message text (1–4096 after parsing) and return (text, entities)."""
    if text is None or not text.strip():
        raise bad_request("message text is empty")
    plain, parsed = (text, entities or []) if entities else parse_text(text, parse_mode)
    if not plain.strip():
        raise bad_request("message text is empty")
    if u16len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, parsed


def checked_caption(
    caption: str | None, parse_mode: str | None, entities: list[Entity] | None
) -> tuple[str | None, list[Entity]]:
    """Validate an optional media caption (≤1024 after parsing)."""
    if not caption:
        return None, []
    plain, parsed = (caption, entities or []) if entities else parse_text(caption, parse_mode)
    if u16len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return plain, parsed


def parse_json_field(raw: Any, what: str) -> Any:
    """Decode a JSON-serialised parameter (as PTB sends in form bodies)."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            raise bad_request(f"can't parse {what} JSON object") from None
    return raw


def checked_reply_markup(raw: Any) -> dict[str, Any] | None:
    """Validate reply_markup (inline keyboards strictly) and return it as a dict."""
    if raw is None or raw == "":
        return None
    markup = parse_json_field(raw, "reply keyboard markup")
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup "
                              "should be an Array of Arrays")
        count = 0
        for row in rows:
            for button in row:
                count += 1
                _check_button(button)
        if count > MAX_BUTTONS:
            raise bad_request("reply markup is too long")
        return markup
    if "keyboard" in markup or "remove_keyboard" in markup or "force_reply" in markup:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Field \"text\" must be "
                          "of type String")
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [k for k in _BUTTON_ACTIONS if k in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are "
                          "unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise bad_request("BUTTON_URL_INVALID")


class FloodLimiter:
    """Telegram-like flood control on a monotonic clock, as strict as Telegram.

    * overall: at most ``global_per_second`` messages *and edits* in any sliding one-second
      window (not per calendar second: 30 at 0.5–0.99 s and one more at 1.2 s is refused);
    * per chat: a token bucket refilling ``chat_per_second`` with a small burst
      ``chat_burst`` (three messages at once, then one a second);
    * per group/supergroup: at most ``group_per_minute`` messages in any 60-second window.

    An edit draws ``edit_cost`` from its chat's bucket and a full place in the overall window.
    """

    def __init__(
        self,
        global_per_second: int = 30,
        chat_per_second: float = 1.0,
        chat_burst: float = 3.0,
        group_per_minute: int = 20,
        edit_cost: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        #: the seconds the rules are counted in; a test may hold it still to make a burst
        self.clock = clock
        self.global_per_second = global_per_second
        self.chat_per_second = chat_per_second
        self.chat_burst = chat_burst
        self.group_per_minute = group_per_minute
        self.edit_cost = edit_cost
        self._global: deque[float] = deque()
        self._buckets: dict[int, tuple[float, float]] = {}
        self._groups: dict[int, deque[float]] = {}

    def reset(self) -> None:
        """Forget all recorded sends."""
        self._global.clear()
        self._buckets.clear()
        self._groups.clear()

    def _bucket(self, chat_id: int, now: float) -> float:
        tokens, last = self._buckets.get(chat_id, (self.chat_burst, now))
        return min(self.chat_burst, tokens + (now - last) * self.chat_per_second)

    def _global_wait(self, now: float) -> float | None:
        """Seconds until the sliding one-second window has room, or None if it has now."""
        g = self._global
        while g and g[0] <= now - 1.0:
            g.popleft()
        if len(g) >= self.global_per_second:
            return g[0] + 1.0 - now
        return None

    def check_send(self, chat_id: int, is_group: bool, now: float) -> int | None:
        """Record a message-producing call; return ``retry_after`` seconds if refused."""
        waits: list[float] = []
        overall = self._global_wait(now)
        if overall is not None:
            waits.append(overall)
        tokens = self._bucket(chat_id, now)
        if tokens < 1.0:
            waits.append((1.0 - tokens) / self.chat_per_second)
        window: deque[float] | None = None
        if is_group:
            window = self._groups.setdefault(chat_id, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= self.group_per_minute:
                waits.append(window[0] + 60.0 - now)
        if waits:
            return max(1, math.ceil(max(waits)))
        self._global.append(now)
        self._buckets[chat_id] = (tokens - 1.0, now)
        if window is not None:
            window.append(now)
        return None

    def check_edit(self, chat_id: int, now: float) -> int | None:
        """Record an edit (cheaper for its chat); return ``retry_after`` if refused."""
        waits: list[float] = []
        overall = self._global_wait(now)
        if overall is not None:
            waits.append(overall)
        tokens = self._bucket(chat_id, now)
        if tokens < self.edit_cost:
            waits.append((self.edit_cost - tokens) / self.chat_per_second)
        if waits:
            return max(1, math.ceil(max(waits)))
        self._global.append(now)
        self._buckets[chat_id] = (tokens - self.edit_cost, now)
        return None
