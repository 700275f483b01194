"""Handling updates concurrently without reordering any person's or chat's updates.

Each update waits for the earlier updates it shares a person or a chat with (the polling
rule, `bot.polling.ordering_keys`); updates of different people run side by side.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable

from telegram import Update

from bot.polling import ordering_keys

log = logging.getLogger(__name__)


class OrderedDispatcher:
    """Starts a task per update, chained behind the tasks of the same person and chat.

    The first failure of a handler stops further handling (what is kept but unhandled is
    handled after a restart, in order) and is kept in `failure`; `failed` is then set.
    """

    def __init__(self, handle: Callable[[Update], Awaitable[None]], max_in_hand: int) -> None:
        self._handle_update = handle
        self._max_in_hand = max_in_hand
        self._tasks: set[asyncio.Task[None]] = set()
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._room = asyncio.Condition()
        self.failure: BaseException | None = None
        self.failed = asyncio.Event()

    @property
    def in_hand(self) -> int:
        """Updates started and not finished."""
        return len(self._tasks)

    async def wait_for_room(self) -> None:
        """Wait until fewer than `max_in_hand` updates are being handled."""
        async with self._room:
            await self._room.wait_for(lambda: len(self._tasks) < self._max_in_hand)

    def dispatch(self, update: Update) -> None:
        """Start handling `update` after the earlier ones of its person and chat."""
        keys = ordering_keys(update)
        before = {self._tails[key] for key in keys if key in self._tails}
        task = asyncio.create_task(self._run(update, before))
        self._tasks.add(task)
        for key in keys:
            self._tails[key] = task
        task.add_done_callback(lambda done: self._finished(done, keys))

    async def drain(self) -> None:
        """Wait for every update in hand."""
        if self._tasks:
            await asyncio.wait(set(self._tasks))

    async def _run(self, update: Update, before: set[asyncio.Task[None]]) -> None:
        if before:
            await asyncio.wait(before)
        if self.failure is not None:
            return  # kept but not handled: handled after the restart
        try:
            await self._handle_update(update)
        except Exception as error:
            log.exception("update %s could not be handled", update.update_id)
            self.failure = error
            self.failed.set()

    def _finished(self, task: asyncio.Task[None], keys: tuple[Hashable, ...]) -> None:
        self._tasks.discard(task)
        for key in keys:
            if self._tails.get(key) is task:
                del self._tails[key]
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._room:
            self._room.notify_all()
