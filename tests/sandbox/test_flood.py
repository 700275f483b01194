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
        request = HTTPXRequest(connection_pool_size=50)
        async with Bot(TOKEN, base_url=sb.base_url, request=request) as bot:
            results = await asyncio.gather(
                *(bot.send_message(g, "alert") for g in groups), return_exceptions=True
            )
        errors = [r for r in results if isinstance(r, RetryAfter)]
        assert 60 <= len(errors) <= 75, len(errors)
        assert all(1 <= _seconds(e.retry_after) <= 2 for e in errors)
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
        for _ in range(5):  # the burst allowance
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
    assert lim.check_edit(1, now) is None
