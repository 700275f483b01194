"""Long polling that keeps each fetched update before Telegram is told it arrived.

PTB's Updater confirms each batch as soon as it fetches the next one, so a `kill -9` while an
update is being handled loses it. Here each fetched batch is first kept in the database
(`UpdateInbox.keep`); only then does the next `getUpdates` confirm it. After a crash, the
kept updates that no handler finished (no `processed_update` row) are handled first, and the
`processed_update` rows make redelivered work a no-op where it was already committed.

Updates are handled by the one ordering rule of both modes (`bot.ordering.OrderedDispatcher`):
different people (and chats) concurrently, one person's or one chat's updates one at a time,
in the order Telegram delivered them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ExtBot
from telegram.warnings import PTBUserWarning

from bot.ordering import OrderedDispatcher, ordering_keys

__all__ = ["MAX_IN_HAND", "DurablePoller", "UpdateInbox", "ordering_keys"]

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
#: Retrying a keep costs one connection attempt; a short cap keeps the wait after the
#: database returns short (the updates wait at Telegram meanwhile, unconfirmed).
KEEP_MAX_BACKOFF = 5.0
#: Updates handled at once at most; beyond it the poller waits before fetching more.
MAX_IN_HAND = 256


class UpdateInbox(Protocol):
    """Where fetched updates are kept until handled (`storage.inbox.SqlUpdateInbox`)."""

    async def keep(self, updates: Sequence[tuple[int, str]]) -> None:
        """Store fetched updates (id, JSON) durably."""

    async def known(self, update_ids: Iterable[int]) -> set[int]:
        """Which of these updates were kept before."""

    async def unhandled(self, limit: int = 10_000) -> list[str]:
        """The kept updates no handler finished, oldest first (JSON)."""


class DurablePoller:
    """Fetches updates, keeps them, handles them (per person in order), confirms them.

    A fetched batch is kept in the inbox before anything else happens; the next fetch's
    offset then confirms it to Telegram. At start, the kept updates that were never finished
    are handled before anything new. Telegram's updates come as JSON and are kept as JSON.
    """

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        inbox: UpdateInbox,
        *,
        poll_timeout: int = 10,
        batch: int = 100,
        max_in_hand: int = MAX_IN_HAND,
        first_delivery: Callable[[int], None] | None = None,
    ) -> None:
        self._app = app
        self._inbox = inbox
        # Told of each update fetched for the first time: nothing can have handled it yet,
        # so the handlers may skip looking for a replay (kept updates handed back may repeat).
        self._first_delivery = first_delivery
        self._poll_timeout = poll_timeout
        self._batch = batch
        self._highest: int | None = None  # the newest update kept
        self._dispatcher = OrderedDispatcher(app.process_update, max_in_hand)
        self._max_in_hand = max_in_hand
        # `getUpdates` is called through `do_api_request` to get the JSON to keep; PTB
        # suggests `Bot.get_updates`, which would parse it and lose the original.
        warnings.filterwarnings(
            "ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; updates already being handled are finished first."""
        backoff = 1.0
        try:
            for payload in await self._inbox.unhandled():
                self._dispatcher.dispatch(self._parse(json.loads(payload)))
            if self._dispatcher.in_hand:
                log.warning("handling %d updates kept before a restart",
                            self._dispatcher.in_hand)
            first = True
            while not stop.is_set() and self._dispatcher.failure is None:
                if self._dispatcher.in_hand >= self._max_in_hand:
                    await self._wait_for_room(stop)
                    continue
                try:
                    updates = await self._fetch(stop)
                except RetryAfter as error:
                    await _wait(stop, _seconds(error.retry_after))
                    continue
                except (TimedOut, NetworkError) as error:
                    log.warning("getUpdates failed (%s); retrying in %.0f s", error, backoff)
                    await _wait(stop, backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF)
                    continue
                try:
                    await self._take(updates, first)
                except Exception:  # the database is away: nothing kept, nothing confirmed
                    log.exception("could not keep %d fetched updates", len(updates))
                    await _wait(stop, backoff)
                    backoff = min(backoff * 2, KEEP_MAX_BACKOFF)
                    continue
                backoff = 1.0
                first = False
        finally:
            await self._dispatcher.drain()
        await self._confirm()
        if self._dispatcher.failure is not None:
            raise self._dispatcher.failure

    async def _take(self, updates: list[Any], first: bool) -> None:
        """Keep the new updates of a fetch, then start handling them."""
        fresh = [u for u in updates if self._highest is None or int(u["update_id"]) > self._highest]
        if not fresh:
            return
        if first:
            # Telegram redelivers what the last run kept but never confirmed: already here.
            kept_before = await self._inbox.known(int(u["update_id"]) for u in fresh)
        else:
            kept_before = set()
        await self._inbox.keep(
            [(int(u["update_id"]), json.dumps(u, ensure_ascii=False)) for u in fresh]
        )
        self._highest = int(fresh[-1]["update_id"])
        for data in fresh:
            update_id = int(data["update_id"])
            if update_id not in kept_before:
                if self._first_delivery is not None:
                    self._first_delivery(update_id)
                self._dispatcher.dispatch(self._parse(data))

    def _parse(self, data: dict[str, Any]) -> Update:
        bot = self._app.bot
        update = Update.de_json(data, bot)
        if isinstance(bot, ExtBot):
            bot.insert_callback_data(update)
        return update

    async def _wait_for_room(self, stop: asyncio.Event) -> None:
        """Wait until an update in hand is finished (or `stop`)."""
        room = asyncio.ensure_future(self._dispatcher.wait_for_room())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({room, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (room, stopped):
            waiter.cancel()

    async def _fetch(self, stop: asyncio.Event) -> list[Any]:
        parameters: dict[str, Any] = {
            "limit": self._batch,
            "timeout": self._poll_timeout,
            "allowed_updates": list(Update.ALL_TYPES),
        }
        if self._highest is not None:
            parameters["offset"] = self._highest + 1
        fetch = asyncio.ensure_future(
            self._app.bot.do_api_request(
                "getUpdates", api_kwargs=parameters, read_timeout=2 * self._poll_timeout + 10
            )
        )
        stopped = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if fetch not in done:
            # What a cancelled call fetched was not kept, so it is not confirmed either.
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, NetworkError):
                await fetch
            return []
        stopped.cancel()
        updates: list[Any] = fetch.result() or []
        return updates

    async def _confirm(self) -> None:
        """Tell Telegram that everything kept so far was received."""
        if self._highest is None:
            return
        with contextlib.suppress(NetworkError):
            await self._app.bot.do_api_request(
                "getUpdates", api_kwargs={"offset": self._highest + 1, "limit": 1, "timeout": 0}
            )


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
