"""The paced sender: drains the outbox within Telegram's flood limits, once per message.

Pacing lives in memory (it only concerns the next minute); what was sent lives in the
database, recorded right after Telegram acknowledges each message, so a restart resumes
where the last one stopped and resends only what was in flight and unacknowledged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.outbox_calls import deliver
from bot.pace import FloodBudget, Lane, Slot, in_lane, retry_seconds
from domain.clock import Clock
from domain.outbox.models import BULK_PURPOSES, Delivery, FailureReason
from domain.outbox.service import OutboxService
from storage.database import is_unavailable

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

#: Telegram allows about one message a second to the same chat (the budget's bulk gap).
CHAT_GAP = 1.0
#: A message whose chat is busy for longer than this goes back to the outbox until then.
LONG_CHAT_WAIT = 5.0
#: Broadcasts and board edits yield to notices and reminders (and both to answers).
#: Transient failures (5xx, connection drops) are retried this many times in all.
MAX_ATTEMPTS = 5
TIMEOUT_MARK = "timed out"
#: A send that timed out has already waited out the read timeout; its one retry needs no
#: further back-off (the pace and the per-chat gap still apply to it).
TIMEOUT_RETRY = 0.0
#: While sends are in flight the loop wakes for a message due within this many seconds;
#: later ones are looked at again when a send finishes (within one read timeout).
IN_FLIGHT_HORIZON = 5.0


class ChatEvents:
    """What the sender tells the network about chats it learnt something about."""

    async def left(self, chat_id: int) -> None:
        """The bot was blocked or removed from this chat."""

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup under a new id."""


class _OutageLog:
    """Logs an unreachable database once per outage, not a traceback every tick."""

    def __init__(self) -> None:
        self._down = False

    def failed(self, what: str, error: Exception) -> None:
        """Record a failed look at the outbox: a traceback for a bug, one line for an outage."""
        if not is_unavailable(error):
            log.exception(what)
        elif not self._down:
            self._down = True
            log.warning("%s: the database is unreachable; the outbox waits for it", what)

    def ended(self) -> None:
        """The outbox answered again."""
        if self._down:
            self._down = False
            log.warning("the database answers again; the outbox resumes")


@dataclass
class SenderStats:
    """Counters since the sender started, for logs and benchmarks."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    rate_limited: int = 0
    migrated: int = 0
    by_reason: dict[FailureReason, int] = field(default_factory=dict)


def lane_of(delivery: Delivery) -> Lane:
    """The budget lane of an outbox message."""
    return Lane.BULK if delivery.purpose in BULK_PURPOSES else Lane.NOTICE


class PacedSender:
    """Sends outbox messages with slots of the bot's one flood budget, in their lanes.

    Without a `budget` the sender paces itself alone at `rate` (tests and benches).
    """

    def __init__(
        self,
        bot: Any,
        outbox: OutboxService,
        clock: Clock,
        *,
        chats: ChatEvents | None = None,
        rate: float = 28.0,
        batch: int = 100,
        sleep: Sleep = asyncio.sleep,
        retry_base: float = 2.0,
        timeout_retry: float = TIMEOUT_RETRY,
        monotonic: Callable[[], float] | None = None,
        budget: FloodBudget | None = None,
    ) -> None:
        self._bot = bot
        self._outbox = outbox
        self._clock = clock
        self._chats = chats or ChatEvents()
        self._batch = batch
        self._sleep = sleep
        self._retry_base = retry_base
        self._timeout_retry = timeout_retry
        # Pacing needs real elapsed time; by default it reads the injected clock (tests).
        self._monotonic = monotonic
        self._budget = budget or FloodBudget(rate, now=self._now, sleep=sleep)
        self._interval = self._budget.interval
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self.stats = SenderStats()
        self._outage = _OutageLog()

    # -- the loop ---------------------------------------------------------------------------

    async def drain_once(self) -> int:
        """Claim one batch of due messages, send them paced, wait for all; return how many."""
        dispatched = await self._dispatch_batch()
        await self.wait_in_flight()
        return dispatched

    async def run_until_idle(self, max_rounds: int = 10_000) -> None:
        """Send until nothing is left to send (waiting out retries); for tests and benches."""
        for _ in range(max_rounds):
            if await self._dispatch_batch():
                continue
            # Without sends in flight every lease left is a dead sender's: wait it out too.
            due = await self._outbox.next_due(include_leases=not self._in_flight)
            if due is None and not self._in_flight:
                return
            await self._wait_for_work(self._until(due))

    async def recover(self) -> int:
        """At start-up, take back what a killed sender had leased (it is the only sender)."""
        recovered = await self._outbox.recover()
        if recovered:
            log.warning("resuming %d messages a previous sender had in hand", recovered)
        return recovered

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Send until `stop` is set, waking when a message falls due and every `idle` seconds."""
        try:
            await self.recover()
        except Exception:  # the database may be down at start; leases then expire by themselves
            log.exception("could not recover leased messages")
        while not stop.is_set():
            try:
                dispatched = await self._dispatch_batch()
                self._outage.ended()
            except Exception as error:  # a database hiccup must not end the sender for good
                self._outage.failed("outbox claim failed", error)
                dispatched = 0
            if dispatched:
                continue
            try:
                due = await self._outbox.next_due(include_leases=not self._in_flight)
            except Exception as error:  # as above: look again after `idle`
                self._outage.failed("outbox look-up failed", error)
                due = None
            # New messages are not announced to the sender: look for them every `idle` seconds,
            # sooner when a retry or a paused message falls due.
            until = self._until(due)
            await self._wait_for_work(idle if until is None else min(idle, until), stop)
        await self.wait_in_flight()

    async def wait_in_flight(self) -> None:
        """Wait until every started send has been recorded."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight))

    def wake(self) -> None:
        """New messages may be waiting: look now rather than at the next idle look."""
        self._wake.set()

    # -- waiting ----------------------------------------------------------------------------

    def _until(self, due: datetime | None) -> float | None:
        """Seconds until `due`, if it is worth a timer; None to wait for a send to finish."""
        if due is None:
            return None
        # Not less than one pace interval, so a row another transaction still holds cannot
        # spin the loop.
        seconds = max(self._interval, (due - self._clock.now()).total_seconds())
        if self._in_flight and seconds > IN_FLIGHT_HORIZON:
            # A finishing send wakes the loop anyway; a long timer beside sends in flight
            # would only let a fake clock run past their leases.
            return None
        return seconds

    async def _wait_for_work(
        self, seconds: float | None, stop: asyncio.Event | None = None
    ) -> None:
        """Wait until a send in flight finishes, `seconds` pass, `stop` is set or `wake`."""
        timers: list[asyncio.Future[Any]] = []
        if stop is not None:
            if self._wake.is_set():
                self._wake.clear()
                return
            timers.append(asyncio.ensure_future(stop.wait()))
            timers.append(asyncio.ensure_future(self._wake.wait()))
        if seconds is not None:
            timers.append(asyncio.ensure_future(self._sleep(seconds)))
        waiting: set[asyncio.Future[Any]] = {*self._in_flight, *timers}
        if not waiting:
            return
        try:
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for timer in timers:
                timer.cancel()
            await asyncio.gather(*timers, return_exceptions=True)
            self._wake.clear()

    # -- pacing -----------------------------------------------------------------------------

    def _now(self) -> float:
        if self._monotonic is not None:
            return self._monotonic()
        return self._clock.now().timestamp()

    def _moment(self, at: float) -> datetime:
        """The business-clock moment of a pacing-clock time."""
        return self._clock.now() + timedelta(seconds=at - self._now())

    async def _dispatch_batch(self) -> int:
        claimed = await self._outbox.claim(self._clock.now(), self._batch)
        budget = self._budget
        # Notices ask for their slots before the batch's broadcast messages (each lane in
        # outbox order), so within what was claimed they are not queued behind bulk.
        claimed.sort(key=lane_of)
        for delivery in claimed:
            lane = lane_of(delivery)
            edit = delivery.edit_message_id is not None
            ready = budget.chat_ready_at(delivery.chat_id, lane)
            if ready > self._now() + LONG_CHAT_WAIT:
                # The chat is not free for a while (a group's minute is full): give it back
                # instead of holding a lease.
                await self._outbox.release(delivery.id, self._moment(ready))
                continue
            if ready > self._now() + CHAT_GAP / 10:
                # Its chat was just answered: it waits for its slot beside the others.
                task = asyncio.create_task(self._wait_and_send(delivery, lane, edit))
            else:
                slot = await budget.acquire(lane, delivery.chat_id, edit=edit)
                task = asyncio.create_task(self._send(delivery, lane, slot))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(claimed)

    # -- one message ------------------------------------------------------------------------

    async def _wait_and_send(self, delivery: Delivery, lane: Lane, edit: bool) -> None:
        slot = await self._budget.acquire(lane, delivery.chat_id, edit=edit)
        await self._send(delivery, lane, slot)

    async def _send(self, delivery: Delivery, lane: Lane, slot: Slot) -> None:
        try:
            with in_lane(lane, prepaid=True):
                await self._attempt(delivery, lane, slot)
        except Exception:  # recording failed: the lease expires and the message is retried
            log.exception("could not record delivery %s", delivery.id)

    async def _attempt(self, delivery: Delivery, lane: Lane, slot: Slot) -> None:
        try:
            try:
                message_id = await deliver(self._bot, delivery)
            finally:
                self._budget.done(slot)
        except RetryAfter as error:
            await self._rate_limited(delivery, error, lane)
        except ChatMigrated as error:
            self._budget.refund()
            await self._migrated(delivery, error)
        except Forbidden as error:
            self._budget.refund()
            await self._fail(delivery, FailureReason.BLOCKED, str(error))
            await self._chats.left(delivery.chat_id)
        except BadRequest as error:
            self._budget.refund()
            await self._bad_request(delivery, error)
        except TimedOut as error:
            await self._timed_out(delivery, error)
        except (NetworkError, TelegramError) as error:
            await self._transient(delivery, str(error))
        else:
            self.stats.sent += 1
            await self._outbox.sent(delivery.id, message_id, self._clock.now())

    async def _fail(self, delivery: Delivery, reason: FailureReason, error: str) -> None:
        self.stats.failed += 1
        self.stats.by_reason[reason] = self.stats.by_reason.get(reason, 0) + 1
        await self._outbox.failed(delivery.id, reason, error, self._clock.now())

    async def _rate_limited(self, delivery: Delivery, error: RetryAfter, lane: Lane) -> None:
        # The limit belongs to the whole bot: the budget pauses every bulk send.
        self.stats.rate_limited += 1
        wait = retry_seconds(error)
        until = self._budget.refused(delivery.chat_id, wait, lane)
        log.warning("Telegram asked to wait %.0f s; pausing bulk sends", wait)
        await self._outbox.release(delivery.id, self._moment(until))

    async def _migrated(self, delivery: Delivery, error: ChatMigrated) -> None:
        self.stats.migrated += 1
        new_id = int(error.new_chat_id)
        await self._chats.migrated(delivery.chat_id, new_id)
        await self._outbox.move_chat(delivery.chat_id, new_id)
        await self._outbox.release(delivery.id, self._clock.now())

    async def _bad_request(self, delivery: Delivery, error: BadRequest) -> None:
        text = str(error).lower()
        if "message is not modified" in text:
            self.stats.sent += 1
            await self._outbox.sent(delivery.id, delivery.edit_message_id, self._clock.now())
        elif "chat not found" in text:
            await self._fail(delivery, FailureReason.NOT_FOUND, str(error))
        else:
            await self._fail(delivery, FailureReason.OTHER, str(error))

    async def _timed_out(self, delivery: Delivery, error: TimedOut) -> None:
        # Telegram may have delivered what timed out: try once more at most.
        if (delivery.error or "").startswith(TIMEOUT_MARK):
            await self._fail(delivery, FailureReason.OTHER, f"{TIMEOUT_MARK} twice: {error}")
            return
        self.stats.retried += 1
        later = self._moment(self._now() + self._timeout_retry)
        await self._outbox.retry_later(delivery.id, later, f"{TIMEOUT_MARK}: {error}")

    async def _transient(self, delivery: Delivery, error: str) -> None:
        if delivery.attempts + 1 >= MAX_ATTEMPTS:
            await self._fail(delivery, FailureReason.OTHER, error)
            return
        self.stats.retried += 1
        backoff = self._retry_base * (2**delivery.attempts)
        await self._outbox.retry_later(delivery.id, self._moment(self._now() + backoff), error)
