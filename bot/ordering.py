"""Handling updates concurrently without reordering any person's or chat's updates.

The one ordering rule of both receiving modes (long polling and webhook): each update waits
for the earlier updates it shares a person or a chat with (`ordering_keys`); updates of
different people run side by side.

Inside one process the rule is a chain of tasks per key. Across replicas (webhook mode on
PostgreSQL, where any replica may receive any update) it is kept in the database instead:
given `claims`, an update starts only when the kept-updates table says that no older update
of its person or chat is unfinished, and it is marked finished there once handled
(`storage.claims.SqlUpdateClaims`). An update finished here wakes the waiting ones at once;
one finished on another replica is seen on the next look (20 ms, doubling up to 0.5 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Protocol

from telegram import Update

from bot.observed import DatabaseUnavailable
from storage.claims import Turn

log = logging.getLogger(__name__)

#: Waiting for another replica to finish an older update: first retry, and the longest wait.
FIRST_RETRY = 0.02
LONGEST_RETRY = 0.5
#: Recording an update finished while the database is away: first retry, longest wait.
FIRST_FINISH_RETRY = 0.2
LONGEST_FINISH_RETRY = 5.0
#: Handling an update again while the database is away: first wait, and the longest.
OUTAGE_FIRST_RETRY = 1.0
OUTAGE_LONGEST_RETRY = 5.0


async def handle_despite_outages(
    handle: Callable[[Update], Awaitable[None]], update: Update, stop: asyncio.Event
) -> None:
    """Handle a kept update; while the database is away, again every few seconds.

    The updates queued behind it (same person or chat) wait meanwhile, so order holds. If
    `stop` comes first, the update stays kept and unhandled: handled after the restart.
    """
    delay = OUTAGE_FIRST_RETRY
    while True:
        try:
            await handle(update)
            return
        except DatabaseUnavailable:
            log.warning("update %s waits for the database; again in %.0f s",
                        update.update_id, delay)
        try:
            await asyncio.wait_for(stop.wait(), delay)
            return
        except TimeoutError:
            delay = min(delay * 2, OUTAGE_LONGEST_RETRY)


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


class UpdateClaims(Protocol):
    """The cross-replica half of the rule (`storage.claims.SqlUpdateClaims`)."""

    async def turn(self, update_id: int) -> Turn:
        """May this replica start handling the update now?"""

    async def finish(self, update_id: int) -> None:
        """Record the update as finished: later ones of its person and chat may start."""


class OrderedDispatcher:
    """Starts a task per update, chained behind the tasks of the same person and chat.

    The first failure of a handler stops further handling (what is kept but unhandled is
    handled after a restart, in order) and is kept in `failure`; `failed` is then set.
    """

    def __init__(
        self,
        handle: Callable[[Update], Awaitable[None]],
        max_in_hand: int,
        claims: UpdateClaims | None = None,
    ) -> None:
        self._handle_update = handle
        self._max_in_hand = max_in_hand
        self._claims = claims
        self._tasks: set[asyncio.Task[None]] = set()
        self._ids: set[int] = set()
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._room = asyncio.Condition()
        self._closing = asyncio.Event()
        self._progress = asyncio.Event()  # set (and renewed) whenever an update finishes
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

    def dispatch(self, update: Update, ready: bool = False) -> None:
        """Start handling `update` after the earlier ones of its person and chat.

        `ready`: the shared table already said it may start (when it was kept).
        """
        if update.update_id in self._ids:
            return  # taken over again while still in hand here: one handling is enough
        keys = ordering_keys(update)
        # With claims the table orders them (an older update taken over from a dead replica
        # may be dispatched after a newer one of its person: a local chain would deadlock).
        before = (
            {self._tails[key] for key in keys if key in self._tails}
            if self._claims is None else set()
        )
        task = asyncio.create_task(self._run(update, before, ready))
        self._tasks.add(task)
        self._ids.add(update.update_id)
        for key in keys:
            self._tails[key] = task
        task.add_done_callback(lambda done: self._finished(done, update.update_id, keys))

    async def drain(self) -> None:
        """Wait for every update in hand (those still waiting for another replica give up)."""
        self._closing.set()
        if self._tasks:
            await asyncio.wait(set(self._tasks))

    async def _run(self, update: Update, before: set[asyncio.Task[None]], ready: bool) -> None:
        if before:
            await asyncio.wait(before)
        if self.failure is not None:
            return  # kept but not handled: handled after the restart
        if self._claims is not None and not ready and not await self._my_turn(update.update_id):
            return
        try:
            await handle_despite_outages(self._handle_update, update, self._closing)
        except Exception as error:
            log.exception("update %s could not be handled", update.update_id)
            self.failure = error
            self.failed.set()
            return
        if self._claims is not None:
            await self._finish(update.update_id)

    async def _my_turn(self, update_id: int) -> bool:
        """Wait until the shared table lets this update start; False when it is not ours."""
        claims = self._claims
        assert claims is not None
        delay = FIRST_RETRY
        while True:
            try:
                turn = await claims.turn(update_id)
            except Exception as error:  # the database is away: the update stays kept
                log.warning("could not check the turn of update %s: %s", update_id,
                            type(error).__name__)
                turn = Turn.WAIT
            if turn is Turn.GO:
                return True
            if turn is Turn.GONE or self.failure is not None:
                return False
            # An older update of this person or chat is in hand, here or on another replica.
            if self._closing.is_set():
                return False  # stopping: the claim expires and another replica takes it
            progress = self._progress
            try:
                await asyncio.wait_for(_either(progress, self._closing), delay)
            except TimeoutError:
                delay = min(delay * 2, LONGEST_RETRY)

    async def _finish(self, update_id: int) -> None:
        """Record the update finished, retrying while the database is away.

        Its person's and chat's later updates wait for this mark on every replica, and
        nobody else closes it while this replica lives, so it is retried until it is
        written; only a stopping replica gives up (its lock goes with it, and the replica
        taking its updates over closes this one, handled, without handling it again).
        """
        claims = self._claims
        assert claims is not None
        delay = FIRST_FINISH_RETRY
        while True:
            try:
                await claims.finish(update_id)
                return
            except Exception as error:
                log.warning("could not mark update %s finished (%s); retrying in %.1f s",
                            update_id, type(error).__name__, delay)
            if self._closing.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), delay)
            delay = min(delay * 2, LONGEST_FINISH_RETRY)

    def _finished(self, task: asyncio.Task[None], update_id: int, keys: tuple[Hashable, ...]
                  ) -> None:
        self._tasks.discard(task)
        self._ids.discard(update_id)
        for key in keys:
            if self._tails.get(key) is task:
                del self._tails[key]
        progress, self._progress = self._progress, asyncio.Event()
        progress.set()
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._room:
            self._room.notify_all()


async def _either(first: asyncio.Event, second: asyncio.Event) -> None:
    """Wait until one of two events is set."""
    waiters = {asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())}
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
