"""Long polling that confirms an update to Telegram only after the bot has handled it.

PTB's Updater confirms each batch as soon as it is fetched, so a `kill -9` while an update
is being handled loses it. Here the offset moves past an update only once
`Application.process_update` returned for it *and for every update before it*; a crash means
Telegram redelivers everything from the oldest unfinished update on, and the
`processed_update` rows make that redelivery a no-op where the work was already committed.

Updates of different people (and chats) are handled concurrently; the updates of one person
or one chat are handled one at a time, in the order Telegram delivered them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Hashable
from typing import Any

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ExtBot
from telegram.warnings import PTBUserWarning

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0


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
    """Fetches updates, handles them (per person in order), confirms the handled prefix.

    The offset sent to Telegram is the oldest update not yet handled, so everything below it
    is confirmed and everything from it on is redelivered after a crash. While updates are in
    hand, a fetch with that offset returns them again at once; only the ones not seen before
    are dispatched, and with nothing new the poller waits until some update is finished.
    Updates come as JSON and only the new ones are parsed (parsing the ones in hand again and
    again cost more than handling them).
    """

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        *,
        poll_timeout: int = 10,
        batch: int = 100,
    ) -> None:
        self._app = app
        self._poll_timeout = poll_timeout
        self._batch = batch
        self._highest: int | None = None  # the newest update dispatched
        self._unhandled: set[int] = set()  # dispatched, process_update not yet returned
        self._tasks: set[asyncio.Task[None]] = set()
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._progress = asyncio.Event()
        self._stopping = False
        self._failure: BaseException | None = None
        # `getUpdates` is called through `do_api_request` to get the JSON; PTB suggests
        # `Bot.get_updates` instead, which parses every update, also the ones in hand.
        warnings.filterwarnings(
            "ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning
        )

    @property
    def _offset(self) -> int | None:
        """The offset that confirms exactly the updates handled with all their predecessors."""
        if self._unhandled:
            return min(self._unhandled)
        return None if self._highest is None else self._highest + 1

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; updates already being handled are finished first."""
        backoff = 1.0
        try:
            while not stop.is_set() and self._failure is None:
                self._progress.clear()
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
                backoff = 1.0
                fresh = self._new(updates)
                for update in fresh:
                    self._dispatch(update)
                if not fresh and self._tasks:
                    await self._wait_for_progress(stop)
        finally:
            self._stopping = True
            if self._tasks:
                await asyncio.wait(set(self._tasks))
        await self._confirm()
        if self._failure is not None:
            raise self._failure

    def _new(self, updates: list[Any]) -> list[Update]:
        """Parse the updates not dispatched before (the ones in hand come back each time)."""
        bot = self._app.bot
        fresh = []
        for data in updates:
            if self._highest is not None and int(data["update_id"]) <= self._highest:
                continue
            update = Update.de_json(data, bot)
            if isinstance(bot, ExtBot):
                bot.insert_callback_data(update)
            fresh.append(update)
        return fresh

    def _dispatch(self, update: Update) -> None:
        """Start handling an update after the earlier ones it shares a person or chat with."""
        keys = ordering_keys(update)
        before = {self._tails[key] for key in keys if key in self._tails}
        task = asyncio.create_task(self._handle(update, before))
        self._highest = update.update_id
        self._unhandled.add(update.update_id)
        self._tasks.add(task)
        for key in keys:
            self._tails[key] = task
        task.add_done_callback(lambda done: self._finished(done, keys))

    async def _handle(self, update: Update, before: set[asyncio.Task[None]]) -> None:
        if before:
            await asyncio.wait(before)
        if self._stopping or self._failure is not None:
            return  # not handled, so not confirmed: Telegram delivers it again
        try:
            await self._app.process_update(update)
        except Exception as error:
            log.exception("update %s could not be handled", update.update_id)
            self._failure = error
            return
        self._unhandled.discard(update.update_id)

    def _finished(self, task: asyncio.Task[None], keys: tuple[Hashable, ...]) -> None:
        self._tasks.discard(task)
        for key in keys:
            if self._tails.get(key) is task:
                del self._tails[key]
        self._progress.set()

    async def _wait_for_progress(self, stop: asyncio.Event) -> None:
        """Wait until an update is finished (or `stop`), then fetch again."""
        progressed = asyncio.ensure_future(self._progress.wait())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({progressed, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (progressed, stopped):
            waiter.cancel()

    async def _fetch(self, stop: asyncio.Event) -> list[Any]:
        timeout = 0 if self._tasks else self._poll_timeout
        parameters: dict[str, Any] = {
            "limit": self._batch,
            "timeout": timeout,
            "allowed_updates": list(Update.ALL_TYPES),
        }
        if self._offset is not None:
            parameters["offset"] = self._offset
        fetch = asyncio.ensure_future(
            self._app.bot.do_api_request(
                "getUpdates", api_kwargs=parameters, read_timeout=timeout + self._poll_timeout + 10
            )
        )
        stopped = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if fetch not in done:
            # Nothing fetched by a cancelled call is confirmed: Telegram redelivers it.
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, NetworkError):
                await fetch
            return []
        stopped.cancel()
        updates: list[Any] = fetch.result() or []
        return updates

    async def _confirm(self) -> None:
        """Tell Telegram that everything handled so far (with all before it) was received."""
        offset = self._offset
        if offset is None:
            return
        with contextlib.suppress(NetworkError):
            await self._app.bot.do_api_request(
                "getUpdates", api_kwargs={"offset": offset, "limit": 1, "timeout": 0}
            )


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
