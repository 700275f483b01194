"""Flood limits on the sandbox's real monotonic clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from telegram import Bot
from telegram.error import RetryAfter
from telegram.request import HTTPXRequest

from sandbox.client import SandboxClient
from sandbox.rules import FloodLimiter
from sandbox.server import SandboxServer
from tests.sandbox.conftest import TOKEN


def _seconds(value: int | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def _world_with_groups(control: SandboxClient, n: int) -> list[int]:
    user = await control.create_user("Owner")
    ids = []
    for i in range(n):
        g = await control.create_group(f"g{i}", members=[int(user["id"])])
        await control.add_bot(int(g["id"]), int(user["id"]))
        ids.append(int(g["id"]))
    return ids


async def test_burst_to_100_groups_gets_429() -> None:
    async with SandboxServer(token=TOKEN) as sb, sb.client() as control:
        groups = await _world_with_groups(control, 100)
        # The burst is one instant on the limiter's clock however slowly a loaded machine
        # serves the 100 calls (on real time they spread over seconds and all fit).
        instant = time.monotonic()
        sb.world.flood.clock = lambda: instant
        request = HTTPXRequest(connection_pool_size=50)
        async with Bot(TOKEN, base_url=sb.base_url, request=request) as bot:
            results = await asyncio.gather(
                *(bot.send_message(g, "alert") for g in groups), return_exceptions=True
            )
        errors = [r for r in results if isinstance(r, RetryAfter)]
        # 30 fit in the one second and the other 70 are told to come back in a second
        assert len(errors) == 70, len(errors)
        assert all(_seconds(e.retry_after) == 1 for e in errors)
        assert all(not isinstance(r, Exception) or isinstance(r, RetryAfter) for r in results)


async def test_paced_25_per_second_gets_none() -> None:
    async with SandboxServer(token=TOKEN) as sb, sb.client() as control:
        groups = await _world_with_groups(control, 50)
        async with Bot(TOKEN, base_url=sb.base_url) as bot:
            start = time.monotonic()
            for i, g in enumerate(groups):  # 2 s worth of sends at 25/s
                delay = start + i / 25 - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)  # pacing the sender, not waiting for a result
                await bot.send_message(g, "paced")
        calls = await control.calls(method="sendMessage")
        assert len(calls) == 50 and all(c["ok"] for c in calls)


async def test_per_chat_and_group_limits_and_switch(sandbox: SandboxServer,
                                                    control: SandboxClient) -> None:
    await control.set_flood_limits(True)
    user = await control.create_user("U")
    uid = int(user["id"])
    await control.send_text(uid, "/start")
    async with Bot(TOKEN, base_url=sandbox.base_url) as bot:
        for _ in range(3):  # the burst allowance
            await bot.send_message(uid, "x")
        try:
            await bot.send_message(uid, "x")
            raise AssertionError("expected RetryAfter")
        except RetryAfter as exc:
            assert _seconds(exc.retry_after) == 1
        await control.set_flood_limits(False)
        for _ in range(20):
            await bot.send_message(uid, "x")


def test_limiter_units() -> None:
    lim = FloodLimiter()
    now = 1000.0
    for i in range(20):  # one group, spread out so the per-chat bucket never binds
        assert lim.check_send(-1, True, now + i * 1.5) is None
    retry = lim.check_send(-1, True, now + 30.0)
    assert retry == 30  # the first of the 20 leaves the 60 s window at now + 60
    assert lim.check_send(-1, True, now + 60.5) is None
    lim.reset()
    assert all(lim.check_send(i, False, now) is None for i in range(30))
    assert lim.check_send(99, False, now + 0.5) == 1
    assert lim.check_edit(1, now) == 1  # edits share the overall window
    assert lim.check_edit(1, now + 1.0) is None


def test_the_overall_limit_holds_in_any_sliding_second_not_per_calendar_second() -> None:
    lim = FloodLimiter()
    # 30 sends late in one calendar second: a per-second counter would take one more at
    # 1.2 s (a new second); Telegram counts any one-second window, so it is refused.
    for i in range(30):
        assert lim.check_send(i, False, 100.5 + i * 0.016) is None
    assert lim.check_send(99, False, 101.2) == 1
    # Once the first of them is a second old there is room again.
    assert lim.check_send(99, False, 101.51) is None


def test_edits_take_a_place_in_the_overall_window_and_half_a_chat_message() -> None:
    lim = FloodLimiter()
    for i in range(30):
        assert lim.check_edit(i, 10.0 + i * 0.01) is None
    assert lim.check_send(500, False, 10.5) == 1
    lim.reset()
    assert lim.check_send(7, False, 0.0) is None
    assert lim.check_send(7, False, 0.0) is None
    assert lim.check_edit(7, 0.0) is None
    assert lim.check_edit(7, 0.0) is None
    assert lim.check_edit(7, 0.0) == 1


def test_a_chat_gets_a_burst_of_three_then_one_a_second() -> None:
    lim = FloodLimiter()
    assert [lim.check_send(5, False, 0.0) for _ in range(3)] == [None, None, None]
    assert lim.check_send(5, False, 0.5) == 1
    assert lim.check_send(5, False, 1.0) is None
    assert lim.check_send(5, False, 1.5) == 1
    assert lim.check_send(5, False, 2.0) is None
