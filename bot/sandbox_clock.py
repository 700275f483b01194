"""The bot's clock when it runs against the sandbox: real time plus the sandbox's offset.

The sandbox's control API can move its time forward (`/_sandbox/advanceClock`), so a test
or a coordinator's rehearsal watches a week of reminders in a minute. The bot follows: this
clock reads `/_sandbox/clock` once before anything reads the time (at start-up, so a bot
restarted after an advance starts in the sandbox's day), then once a tick while it runs, and
adds the offset to the real time. `now()` stays a cheap, synchronous call, and the repeating
jobs (reminders, escalation, digests, nudges), which tick at the same interval, see an
advance at their next tick or the one after, without a restart.

Chosen only by `CLOCK=sandbox`, which the settings refuse unless the Bot API is on this
machine: against Telegram the clock is the real one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import aiohttp

from bot.settings import Settings
from domain.clock import Clock, SystemClock

log = logging.getLogger(__name__)

#: One look at the sandbox's clock may take this long; it is on this machine.
LOOK_TIMEOUT = aiohttp.ClientTimeout(total=5)


class SandboxClockError(RuntimeError):
    """The sandbox did not say what time it is."""


def control_url(bot_api_base_url: str) -> str:
    """The sandbox's control API beside its Bot API (`http://127.0.0.1:8081/_sandbox`)."""
    parts = urlsplit(bot_api_base_url)
    return f"{parts.scheme}://{parts.netloc}/_sandbox"


class SandboxClock:
    """Real time plus the offset the sandbox's clock was last seen to have."""

    def __init__(self, bot_api_base_url: str, real: Clock | None = None) -> None:
        self.url = f"{control_url(bot_api_base_url)}/clock"
        self._real = real or SystemClock()
        self._offset = timedelta(0)
        self._session: aiohttp.ClientSession | None = None
        self._stop = asyncio.Event()
        self._following: asyncio.Task[None] | None = None
        self._moved = asyncio.Condition()

    @property
    def offset(self) -> timedelta:
        """How far ahead of real time the sandbox was at the last look."""
        return self._offset

    def now(self) -> datetime:
        """The sandbox's time, as of the last look at its offset (UTC, aware)."""
        return self._real.now() + self._offset

    async def refresh(self) -> timedelta:
        """Read the sandbox's offset now; raise `SandboxClockError` if it does not answer."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=LOOK_TIMEOUT)
        try:
            async with self._session.get(self.url) as response:
                body = await response.json(content_type=None)
            seconds = float(body["result"]["offset_seconds"])
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as error:
            raise SandboxClockError(
                f"CLOCK=sandbox, but {self.url} did not say the time: {error!r}"
            ) from error
        # The sandbox's clock only moves forward; never let a stale answer move ours back.
        seen = timedelta(seconds=seconds)
        if seen > self._offset:
            self._offset = seen
            async with self._moved:
                self._moved.notify_all()
        return self._offset

    async def reaches(self, offset: timedelta) -> None:
        """Return once this clock has seen the sandbox at least `offset` ahead of real time."""
        async with self._moved:
            await self._moved.wait_for(lambda: self._offset >= offset)

    async def start(self, interval: float) -> None:
        """Read the sandbox's time now (raising if it does not answer), then every `interval`."""
        offset = await self.refresh()
        log.info("following the sandbox's clock, %s ahead of real time", offset)
        self._stop = asyncio.Event()
        self._following = asyncio.create_task(self._follow(interval), name="sandbox-clock")

    async def stop(self) -> None:
        """Stop following and close the HTTP session (the last offset stays)."""
        if self._following is not None:
            self._stop.set()
            await self._following
            self._following = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _follow(self, interval: float) -> None:
        """Refresh every `interval` seconds until stopped; a missed look keeps the last."""
        failing = False
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), interval)
                break
            before = self._offset
            try:
                if await self.refresh() != before:
                    log.info("the sandbox's clock moved: %s ahead of real time", self._offset)
            except SandboxClockError as error:
                if not failing:
                    log.warning("%s; keeping offset %s", error, self._offset)
                failing = True
            else:
                failing = False


def clock_for(settings: Settings) -> Clock:
    """The real clock, or with `CLOCK=sandbox` (loopback only) the sandbox's movable one."""
    if settings.clock == "sandbox":
        return SandboxClock(settings.bot_api_base_url)
    return SystemClock()
