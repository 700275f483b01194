"""The lead among replicas: only the leading one runs the sender and the scheduled jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot.metrics import Metrics
from bot.sender import PacedSender
from handlers.context import TongxinContext
from storage.leadership import Leadership

log = logging.getLogger(__name__)

#: How often the sending replica checks it still holds the sender lock.
LEAD_CHECK_SECONDS = 5.0
#: How often a standby tries for the lead: a dead leader's lock goes with its connection at
#: once, so a standby takes over within this (plus its sender's start).
LEAD_RETRY_SECONDS = 2.0

Job = Callable[[TongxinContext], Coroutine[Any, Any, None]]


class Lead:
    """Whether this replica leads, and what runs only while it does."""

    def __init__(self, replica: str, metrics: Metrics) -> None:
        self.replica = replica
        self._metrics = metrics
        #: True while this process holds the lead: it runs the sender and the scheduled jobs.
        self.leading = False

    def only(self, job: Job) -> Job:
        """The job, run by the leading replica only (each replica schedules every job)."""

        async def run(context: TongxinContext) -> None:
            if self.leading:
                await job(context)

        return run

    async def send_while_leading(
        self, sender: PacedSender, leadership: Leadership, stop: asyncio.Event, idle: float
    ) -> None:
        """Run the sender only while this process holds the lead (one sender per token)."""
        while await leadership.wait_until_leader(stop, retry=LEAD_RETRY_SECONDS):
            log.info("leading: this replica (%s) runs the sender and the jobs", self.replica)
            self.leading = True
            self._metrics.leader.set(1)
            halt = asyncio.Event()
            watch = asyncio.create_task(self._watch(leadership, stop, halt))
            try:
                await sender.run(halt, idle=idle)
            finally:
                self.leading = False
                self._metrics.leader.set(0)
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch
            if stop.is_set():
                break
        await leadership.release()

    async def _watch(
        self, leadership: Leadership, stop: asyncio.Event, halt: asyncio.Event
    ) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), LEAD_CHECK_SECONDS)
            if not stop.is_set() and not await leadership.held():
                break
        halt.set()
