"""One flood budget per bot token: every Bot API call the bot makes draws from one pace.

Telegram counts messages per token: about 30 a second overall, about one a second per chat
(with a small burst), at most 20 a minute per group. The budget hands out send slots so
that no sliding one-second window ever holds more than the overall rate, and no chat gets
more than its own share. Waiting callers are served by lane, highest first:

* ``ANSWER`` — an answer to a person who is talking to the bot now (the default);
* ``NOTICE`` — notices, reminders, digests and reports from the outbox;
* ``BULK``   — appeal broadcasts and live-board and progress edits.

A bulk message waits while an answer is ready to go, so answers never queue behind a
broadcast. The lane of a call comes from the calling task (`in_lane`), so handlers need not
say anything: what runs while an update is handled is an answer.

`bot/rate_limiter.py` puts the budget under PTB. The paced sender takes its slots itself
(`prepaid`) and handles a 429 by putting the message back in the outbox.

The budget is in memory and per process: docs/architecture.md says how replicas share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

Sleep = Callable[[float], Awaitable[None]]
Now = Callable[[], float]

#: The overall pace, below Telegram's 30 a second so a little network jitter cannot push
#: 31 sends into one second at Telegram's end.
RATE = 28.0
#: Telegram's own overall limit in any one-second window. Each send is counted in it
#: until a second after Telegram answered it (it surely arrived by then), but never longer
#: than a second and JITTER after it left, which is safe as long as requests do not
#: overtake each other on the way by more than JITTER (measured on the bench: 50 ms at
#: worst on a loaded machine).
GLOBAL_LIMIT = 30
GLOBAL_WINDOW = 1.0
JITTER = 0.1
#: Per chat: a bucket of this many messages, refilled at one a second.
CHAT_BURST = 3.0
CHAT_RATE = 1.0
#: An edit costs half a message of its chat's allowance (Telegram is more lenient there).
EDIT_COST = 0.5
#: Per group: at most this many messages in any minute.
GROUP_PER_MINUTE = 20
GROUP_WINDOW = 60.0
#: Added to every per-chat wait: requests reach Telegram a few milliseconds apart from
#: when they left, and a refusal costs far more than this.
MARGIN = 0.1
#: Bulk lanes leave a chat this long between two of their messages (no burst for them).
BULK_CHAT_GAP = 1.0
#: Two sends are never granted closer than this many pace intervals apart.
MIN_GAP = 0.5
#: A waiter woken this many intervals late still gets its place on the pace's grid (the
#: next few sends catch up, MIN_GAP apart); later than that counts as idle: nothing banked.
BANK = 6.0
#: Waits shorter than this are not worth a timer (and a clock counting in microseconds
#: could not move by them).
EPSILON = 1e-4


class Lane(IntEnum):
    """Who is waiting for a slot, highest priority first."""

    ANSWER = 0
    NOTICE = 1
    BULK = 2


_lane: ContextVar[Lane] = ContextVar("flood_lane", default=Lane.ANSWER)
_prepaid: ContextVar[bool] = ContextVar("flood_prepaid", default=False)


@contextlib.contextmanager
def in_lane(lane: Lane, *, prepaid: bool = False) -> Iterator[None]:
    """Run the block's Bot API calls in `lane` (prepaid: the slot was already taken)."""
    lane_token = _lane.set(lane)
    paid_token = _prepaid.set(prepaid)
    try:
        yield
    finally:
        _prepaid.reset(paid_token)
        _lane.reset(lane_token)


def current_lane() -> Lane:
    """The lane of the running task's Bot API calls."""
    return _lane.get()


def is_prepaid() -> bool:
    """Whether the running task's Bot API calls already hold their slots."""
    return _prepaid.get()


def retry_seconds(error: RetryAfter) -> float:
    """`retry_after` of a 429, in seconds."""
    # PTB 22 warns on reading it as an int until PTB_TIMEDELTA is set process-wide; either
    # type is handled here, so the warning says nothing to us (no await: the filter is local).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass
class _Chat:
    tokens: float = CHAT_BURST
    at: float = 0.0
    last_send: float = float("-inf")
    paused_until: float = 0.0
    group_sends: deque[float] = field(default_factory=deque)


@dataclass(order=True)
class _Waiter:
    lane: Lane
    seq: int
    chat_id: int | None = field(compare=False)
    cost: float = field(compare=False)
    #: When it began to wait.
    since: float = field(compare=False, default=0.0)


@dataclass
class Slot:
    """A granted send; `FloodBudget.done` is told when Telegram's answer came back."""

    chat_id: int | None
    settled: bool = False
    #: When the send leaves Telegram's sliding second for sure (on the budget's clock).
    out_at: float = float("inf")


@dataclass
class BudgetStats:
    """Counters since start, for logs and benchmarks."""

    granted: dict[Lane, int] = field(default_factory=lambda: dict.fromkeys(Lane, 0))
    refused: int = 0


class FloodBudget:
    """Hands out send slots within Telegram's limits, answers first."""

    def __init__(
        self,
        rate: float = RATE,
        *,
        now: Now = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        chat_burst: float = CHAT_BURST,
        group_per_minute: int = GROUP_PER_MINUTE,
    ) -> None:
        self.interval = 1.0 / rate
        self._now = now
        self._sleep = sleep
        self._chat_burst = chat_burst
        self._group_per_minute = group_per_minute
        self._next_slot = float("-inf")
        self._bulk_paused_until = 0.0
        #: The sends that may still be inside Telegram's sliding second.
        self._sent: deque[Slot] = deque()
        self._chats: dict[int, _Chat] = {}
        self._waiting: list[_Waiter] = []
        self._seq = itertools.count()
        self._changed = asyncio.Event()
        self.stats = BudgetStats()

    # -- what callers use -------------------------------------------------------------------

    async def acquire(self, lane: Lane, chat_id: int | None, *, edit: bool = False) -> Slot:
        """Wait for a slot for one message (or edit) to `chat_id` in `lane`.

        The caller tells `done(slot)` once Telegram answered (whatever it answered).
        """
        waiter = _Waiter(lane, next(self._seq), chat_id, EDIT_COST if edit else 1.0, self._now())
        self._waiting.append(waiter)
        try:
            while True:
                now = self._now()
                ready = self._ready_at(waiter)
                if ready <= now + EPSILON and self._first_ready(now + EPSILON) is waiter:
                    return self._grant(waiter, now, max(ready, waiter.since))
                wait = ready - now
                await self._wait(wait if EPSILON < wait < float("inf") else None)
        finally:
            self._waiting.remove(waiter)
            self._notify()

    def done(self, slot: Slot) -> None:
        """Telegram answered a granted send: its chat's allowance refills from this moment.

        The request reached Telegram somewhere between its grant and now; refilling its
        chat only from now is safe whatever the network did to it on the way.
        """
        if slot.settled:
            return
        slot.settled = True
        now = self._now()
        # It reached Telegram by now: a second from now it is out of any window there.
        slot.out_at = min(slot.out_at, now + GLOBAL_WINDOW)
        if slot.chat_id is not None:
            chat = self._chat(slot.chat_id)
            if now > chat.at:
                chat.at = now  # no refill for the time the send was on its way
        self._notify()

    def chat_ready_at(self, chat_id: int, lane: Lane = Lane.BULK) -> float:
        """When a message of `lane` to this chat could go, on the budget's clock."""
        return self._chat_ready(chat_id, 1.0, lane)

    def now(self) -> float:
        """The budget's clock."""
        return self._now()

    async def sleep_until(self, moment: float) -> None:
        """Sleep until `moment` on the budget's clock."""
        delay = moment - self._now()
        if delay > 0:
            await self._sleep(delay)

    def refund(self) -> None:
        """A granted send was refused before delivery: Telegram did not count it."""
        self._next_slot = max(self._now(), self._next_slot - self.interval)
        self._notify()

    def refused(self, chat_id: int | None, seconds: float, lane: Lane) -> float:
        """Telegram answered 429: hold the chat, and the bulk lanes, for `seconds`.

        Returns the moment sending may resume. Answers to other people are not held up by
        a refusal in a broadcast; a broadcast stops for any refusal.
        """
        self.stats.refused += 1
        until = self._now() + seconds
        if chat_id is not None:
            chat = self._chat(chat_id)
            chat.paused_until = max(chat.paused_until, until)
        if lane is not Lane.ANSWER or chat_id is None:
            self._bulk_paused_until = max(self._bulk_paused_until, until)
        self._notify()
        return until

    # -- the rules --------------------------------------------------------------------------

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(tokens=self._chat_burst, at=self._now())
        return chat

    def _tokens(self, chat: _Chat, at: float) -> float:
        return min(self._chat_burst, chat.tokens + (at - chat.at) * CHAT_RATE)

    def _chat_ready(self, chat_id: int, cost: float, lane: Lane) -> float:
        chat = self._chats.get(chat_id)
        if chat is None:
            return 0.0
        now = self._now()
        tokens = self._tokens(chat, now)
        ready = chat.paused_until
        if tokens < cost:
            ready = max(ready, now + (cost - tokens) / CHAT_RATE + MARGIN)
        if lane is not Lane.ANSWER:
            ready = max(ready, chat.last_send + BULK_CHAT_GAP + MARGIN)
        if chat_id < 0 and cost >= 1.0:
            window = chat.group_sends
            while window and window[0] <= now - GROUP_WINDOW:
                window.popleft()
            if len(window) >= self._group_per_minute:
                ready = max(ready, window[0] + GROUP_WINDOW + MARGIN * 5)
        return ready

    def _window_ready(self) -> float:
        """When fewer than GLOBAL_LIMIT sends may still be inside Telegram's window."""
        now = self._now()
        sent = self._sent
        # Grants are in order and each is out by its grant + GLOBAL_WINDOW + JITTER.
        while sent and sent[0].out_at <= now:
            sent.popleft()
        inside = sorted(slot.out_at for slot in sent if slot.out_at > now)
        if len(inside) < GLOBAL_LIMIT:
            return float("-inf")
        return inside[len(inside) - GLOBAL_LIMIT] + EPSILON

    def _ready_at(self, waiter: _Waiter) -> float:
        ready = max(self._next_slot, self._window_ready())
        if waiter.lane is not Lane.ANSWER:
            ready = max(ready, self._bulk_paused_until)
        if waiter.chat_id is not None:
            ready = max(ready, self._chat_ready(waiter.chat_id, waiter.cost, waiter.lane))
        return ready

    def _first_ready(self, now: float) -> _Waiter | None:
        """The highest-priority waiter that could go now."""
        best: _Waiter | None = None
        for waiter in self._waiting:
            if (best is None or waiter < best) and self._ready_at(waiter) <= now:
                best = waiter
        return best

    def _grant(self, waiter: _Waiter, now: float, due: float) -> Slot:
        # `due` is when this waiter could have gone. Woken a little late (the loop was
        # busy: 1-10 ms a send on the bench, more under load), it keeps its place on the
        # pace's grid, or every millisecond of lateness would be a millisecond of rate lost
        # (the bench lost 10 % so); the next slot is still at least MIN_GAP intervals away,
        # so sends never bunch. An idle budget banks nothing (a waiter that came to a free
        # budget is due when it came), and a stall banks at most BANK intervals.
        grid = max(due, now - BANK * self.interval)
        self._next_slot = max(grid + self.interval, now + MIN_GAP * self.interval)
        slot = Slot(waiter.chat_id, out_at=now + GLOBAL_WINDOW + JITTER)
        self._sent.append(slot)
        self.stats.granted[waiter.lane] += 1
        if waiter.chat_id is not None:
            chat = self._chat(waiter.chat_id)
            chat.tokens = self._tokens(chat, now) - waiter.cost
            chat.at = now
            if waiter.cost >= 1.0:
                chat.last_send = now
                if waiter.chat_id < 0:
                    chat.group_sends.append(now)
        return slot

    # -- waiting ----------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, seconds: float | None) -> None:
        """Wait `seconds`, or until a slot was granted or a waiter came or went."""
        changed = asyncio.ensure_future(self._changed.wait())
        waits: set[asyncio.Future[Any]] = {changed}
        if seconds is not None:
            waits.add(asyncio.ensure_future(self._sleep(seconds)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in waits:
                pending.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
