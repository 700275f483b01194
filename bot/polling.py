"""Long polling that keeps each fetched update before Telegram is told it arrived.

PTB's Updater confirms each batch as soon as it fetches the next one, so a `kill -9` while an
update is being handled loses it. Here each fetched batch is first kept in the database
(`UpdateInbox.keep`); only then does the next `getUpdates` confirm it. After a crash, the
kept updates that no handler finished (no `processed_update` row) are handled first, and the
`processed_update` rows make redelivered work a no-op where it was already committed.

Updates of different people (and chats) are handled concurrently; the updates of one person
or one chat are handled one at a time, in the order Telegram delivered them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import warnings
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Protocol

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ExtBot
from telegram.warnings import PTBUserWarning

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
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


def ordering_keys(update: Update) -> tuple[Hashable, ...]:
    """What an update must wait for: earlier updates of the same person or the same chat."""
    keys: list[Hashable] = []
    user = update.effective_user
    if user is not None:
        keys.append(("user", user.id))
    chat = update.effective_chat
    if chat is not None:
        keys.append(("chat", chat.id))
    return tuple(keys) or (("other",),)


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
        self._max_in_hand = max_in_hand
        self._highest: int | None = None  # the newest update kept
        self._tasks: set[asyncio.Task[None]] = set()
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._progress = asyncio.Event()
        self._failure: BaseException | None = None
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
                self._dispatch(self._parse(json.loads(payload)))
            if self._tasks:
                log.warning("handling %d updates kept before a restart", len(self._tasks))
            first = True
            while not stop.is_set() and self._failure is None:
                if len(self._tasks) >= self._max_in_hand:
                    await self._wait_for_progress(stop)
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
                    backoff = min(backoff * 2, MAX_BACKOFF)
                    continue
                backoff = 1.0
                first = False
        finally:
            if self._tasks:
                await asyncio.wait(set(self._tasks))
        await self._confirm()
        if self._failure is not None:
            raise self._failure

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
                self._dispatch(self._parse(data))

    def _parse(self, data: dict[str, Any]) -> Update:
        bot = self._app.bot
        update = Update.de_json(data, bot)
        if isinstance(bot, ExtBot):
            bot.insert_callback_data(update)
        return update

    def _dispatch(self, update: Update) -> None:
        """Start handling an update after the earlier ones it shares a person or chat with."""
        keys = ordering_keys(update)
        before = {self._tails[key] for key in keys if key in self._tails}
        task = asyncio.create_task(self._handle(update, before))
        self._tasks.add(task)
        for key in keys:
            self._tails[key] = task
        task.add_done_callback(lambda done: self._finished(done, keys))

    async def _handle(self, update: Update, before: set[asyncio.Task[None]]) -> None:
        if before:
            await asyncio.wait(before)
        if self._failure is not None:
            return  # kept but not handled: handled after the restart
        try:
            await self._app.process_update(update)
        except Exception as error:
            log.exception("update %s could not be handled", update.update_id)
            self._failure = error

    def _finished(self, task: asyncio.Task[None], keys: tuple[Hashable, ...]) -> None:
        self._tasks.discard(task)
        for key in keys:
            if self._tails.get(key) is task:
                del self._tails[key]
        self._progress.set()

    async def _wait_for_progress(self, stop: asyncio.Event) -> None:
        """Wait until an update is finished (or `stop`)."""
        self._progress.clear()
        progressed = asyncio.ensure_future(self._progress.wait())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({progressed, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (progressed, stopped):
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
