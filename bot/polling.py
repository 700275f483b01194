"""Long polling that confirms an update to Telegram only after the bot has handled it.

PTB's Updater confirms each batch as soon as it is fetched, so a `kill -9` while an update
is being handled loses it. Here the offset moves past an update only once
`Application.process_update` returned; a crash means Telegram redelivers it, and the
`processed_update` rows make that redelivery a no-op where the work was already committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0


class DurablePoller:
    """Fetches updates, handles each one, then confirms it (by the next call's offset)."""

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
        self._offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; the update in hand is finished first."""
        backoff = 1.0
        while not stop.is_set():
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
            for update in updates:
                await self._app.process_update(update)
                self._offset = update.update_id + 1
        await self._confirm()

    async def _fetch(self, stop: asyncio.Event) -> tuple[Update, ...]:
        fetch = asyncio.ensure_future(
            self._app.bot.get_updates(
                offset=self._offset,
                limit=self._batch,
                timeout=self._poll_timeout,
                allowed_updates=Update.ALL_TYPES,
                read_timeout=self._poll_timeout + 10,
            )
        )
        stopped = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if fetch not in done:
            # Nothing fetched by a cancelled call is confirmed: Telegram redelivers it.
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, NetworkError):
                await fetch
            return ()
        stopped.cancel()
        updates: tuple[Update, ...] = fetch.result()
        return updates

    async def _confirm(self) -> None:
        """Tell Telegram that everything handled so far was received."""
        if self._offset is None:
            return
        with contextlib.suppress(NetworkError):
            await self._app.bot.get_updates(offset=self._offset, limit=1, timeout=0)


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
