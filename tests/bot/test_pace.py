"""The flood budget's rules on a fake clock: lanes, the sliding window, per-chat bursts."""

from __future__ import annotations

import asyncio
import itertools
import random
import warnings

from telegram.error import RetryAfter

from bot.pace import (
    CHAT_BURST,
    GLOBAL_LIMIT,
    JITTER,
    MIN_GAP,
    RATE,
    FloodBudget,
    Lane,
    retry_seconds,
)
from bot.rate_limiter import message_kind
from sandbox.rules import FloodLimiter


class Time:
    """A clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Move the clock instead of waiting."""
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def test_an_answer_waiting_beside_a_broadcast_gets_the_next_slot() -> None:
    time = Time()
    budget = FloodBudget(28.0, now=time, sleep=time.sleep)
    order: list[str] = []

    async def take(name: str, lane: Lane, chat: int) -> None:
        slot = await budget.acquire(lane, chat)
        order.append(name)
        budget.done(slot)

    await take("bulk 0", Lane.BULK, -1)
    # The next slot is 1/28 s away; a broadcast message and an answer both wait for it.
    await asyncio.gather(take("bulk 1", Lane.BULK, -2), take("answer", Lane.ANSWER, 7))
    assert order == ["bulk 0", "answer", "bulk 1"]


async def test_a_chat_gets_its_burst_then_one_a_second_from_telegrams_answer() -> None:
    time = Time()
    budget = FloodBudget(28.0, now=time, sleep=time.sleep)
    granted = []
    for _ in range(int(CHAT_BURST) + 1):
        slot = await budget.acquire(Lane.ANSWER, 5)
        granted.append(time.now)
        time.now += 0.2  # Telegram took this long to answer
        budget.done(slot)
    burst, after = granted[: int(CHAT_BURST)], granted[-1]
    assert burst[-1] - burst[0] < 1.0
    # The fourth waits a second from the moment the third was answered.
    assert after >= burst[-1] + 0.2 + 1.0


async def test_no_more_than_telegrams_limit_leave_within_a_second_and_the_jitter() -> None:
    time = Time()
    budget = FloodBudget(1000.0, now=time, sleep=time.sleep)  # a pace that would not bind
    started = time.now
    # Telegram has not answered these yet: they may still arrive late at its end.
    in_flight = [await budget.acquire(Lane.BULK, None) for _ in range(GLOBAL_LIMIT)]
    assert time.now - started < 0.1
    budget.done(await budget.acquire(Lane.BULK, None))
    # The 31st leaves only once the first is surely out of Telegram's sliding second.
    assert time.now >= started + 1.0 + JITTER
    for slot in in_flight:
        budget.done(slot)


async def test_a_send_telegram_answered_counts_for_a_second_from_its_answer() -> None:
    time = Time()
    budget = FloodBudget(1000.0, now=time, sleep=time.sleep)
    started = time.now
    for _ in range(GLOBAL_LIMIT):
        slot = await budget.acquire(Lane.BULK, None)
        time.now += 0.001  # Telegram answered a millisecond later: it arrived by then
        budget.done(slot)
    budget.done(await budget.acquire(Lane.BULK, None))
    # Out of the window a second after the first answer, not JITTER later.
    assert started + 1.0 + 0.001 <= time.now < started + 1.0 + JITTER


class LateTime(Time):
    """A busy event loop: every sleep wakes up a little late."""

    def __init__(self) -> None:
        super().__init__()
        self._late = random.Random(9)

    async def sleep(self, seconds: float) -> None:
        """Oversleep by up to 10 ms (the bench measured 2-10 ms on a loaded machine)."""
        await super().sleep(seconds + self._late.uniform(0.0, 0.010))


async def test_a_late_waking_loop_keeps_the_pace_without_bunching_or_exceeding_the_window(
) -> None:
    time = LateTime()
    budget = FloodBudget(RATE, now=time, sleep=time.sleep)
    granted: list[float] = []
    started = time.now
    for number in range(10 * int(RATE)):  # the paced sender asks for one slot at a time
        slot = await budget.acquire(Lane.BULK, -1 - number)
        granted.append(time.now)
        time.now += 0.002  # Telegram's answer
        budget.done(slot)
    # Ten seconds' worth of slots took ten seconds (not 10 % more for the late wake-ups)...
    assert time.now - started < 10.0 + 0.1
    # ...no two sends went a few milliseconds apart to catch up...
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    assert min(gaps) >= MIN_GAP / RATE - 1e-9
    # ...and the sandbox's own rules (Telegram's, sliding second) refuse none of them.
    telegram = FloodLimiter()
    assert [t for n, t in enumerate(granted) if telegram.check_send(-1 - n, True, t)] == []


def test_which_calls_are_messages() -> None:
    assert message_kind("sendMessage") == "send"
    assert message_kind("sendPhoto") == "send"
    assert message_kind("copyMessage") == "send"
    assert message_kind("editMessageText") == "edit"
    assert message_kind("answerCallbackQuery") is None
    assert message_kind("sendChatAction") is None
    assert message_kind("getMe") is None


def test_reading_a_429s_wait_raises_no_deprecation_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB's own constructor reads the property
        refused = RetryAfter(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert retry_seconds(refused) == 3.0
