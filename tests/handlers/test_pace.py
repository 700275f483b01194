"""The flood budget's rules on a fake clock: lanes, the sliding window, per-chat bursts."""

from __future__ import annotations

import asyncio

from bot.pace import CHAT_BURST, GLOBAL_LIMIT, JITTER, FloodBudget, Lane, message_kind


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
    for _ in range(GLOBAL_LIMIT):
        budget.done(await budget.acquire(Lane.BULK, None))
    assert time.now - started < 0.1
    budget.done(await budget.acquire(Lane.BULK, None))
    # The 31st leaves only once the first is surely out of Telegram's sliding second.
    assert time.now >= started + 1.0 + JITTER


def test_which_calls_are_messages() -> None:
    assert message_kind("sendMessage") == "send"
    assert message_kind("sendPhoto") == "send"
    assert message_kind("copyMessage") == "send"
    assert message_kind("editMessageText") == "edit"
    assert message_kind("answerCallbackQuery") is None
    assert message_kind("sendChatAction") is None
    assert message_kind("getMe") is None
