"""PTB's rate limiter on the flood budget (`ApplicationBuilder.rate_limiter`).

Every call of the application's bot passes through it. A 429 is obeyed: the chat (and, for
bulk lanes, the whole bot) waits `retry_after`, and the call is tried again rather than
answered with another message.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.pace import FloodBudget, Lane, current_lane, is_prepaid, retry_seconds

log = logging.getLogger(__name__)

#: A direct answer refused with 429 is tried again at most this many times.
MAX_RETRIES = 3


#: Bot API methods that put a message in a chat (Telegram's flood limits count them).
_SENDS = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages",
                    "sendpoll", "senddice", "sendinvoice", "sendgame"})


def message_kind(endpoint: str) -> str | None:
    """"send", "edit" or None (a call that puts no message anywhere, e.g. answering a press)."""
    name = endpoint.lower()
    if name.startswith("edit"):
        return "edit"
    if (name.startswith("send") and name != "sendchataction") or name in _SENDS:
        return "send"
    return None


def _chat_of(data: dict[str, Any]) -> int | None:
    chat_id = data.get("chat_id")
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str) and chat_id.lstrip("-").isascii() and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return None


class BudgetRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """PTB's rate limiter on the flood budget: every call of the bot passes through here.

    `rate_limit_args={"lane": Lane.NOTICE}` on a call overrides the task's lane.
    """

    def __init__(self, budget: FloodBudget, max_retries: int = MAX_RETRIES) -> None:
        self.budget = budget
        self._max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up: the budget lives in memory."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Take a slot in the call's lane, make the call, and obey a 429 by waiting."""
        lane = Lane((rate_limit_args or {}).get("lane", current_lane()))
        kind = message_kind(endpoint)
        chat_id = _chat_of(data)
        prepaid = is_prepaid()
        for attempt in itertools.count():
            slot = None
            if kind is not None and not prepaid:
                slot = await self.budget.acquire(lane, chat_id, edit=kind == "edit")
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if slot is not None:
                    self.budget.done(slot)
                    slot = None
                until = self.budget.refused(chat_id, retry_seconds(error), lane)
                if prepaid or attempt >= self._max_retries:
                    raise
                log.info("%s to %s refused for %.0f s; waiting to try again",
                         endpoint, chat_id, retry_seconds(error))
                if kind is None:  # not paced by the budget: wait here
                    await self.budget.sleep_until(until)
            finally:
                if slot is not None:
                    self.budget.done(slot)
        raise AssertionError("unreachable")
