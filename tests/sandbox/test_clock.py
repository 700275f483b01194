"""The sandbox's movable clock: `/_sandbox/clock`, `/_sandbox/advanceClock`, `/clock` in chat."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from telegram import Bot

from sandbox.chat import ChatSession
from sandbox.client import SandboxClient, SandboxError
from sandbox.server import SandboxServer


def _moment(shown: dict[str, Any]) -> datetime:
    moment = datetime.fromisoformat(shown["now"])
    assert moment.tzinfo is not None, "the clock's time carries its offset"
    return moment


async def test_the_clock_starts_at_real_time(control: SandboxClient) -> None:
    shown = await control.clock()
    assert shown["offset_seconds"] == 0
    assert abs((_moment(shown) - datetime.now(UTC)).total_seconds()) < 5


async def test_advancing_moves_the_clock_and_message_dates(
    control: SandboxClient, alice: dict[str, Any], bot: Bot
) -> None:
    before = int(time.time())
    shown = await control.advance_clock(days=2)
    assert shown["offset_seconds"] == 2 * 86_400
    assert _moment(shown) - datetime.now(UTC) > timedelta(days=2, seconds=-5)
    shown = await control.call("advanceClock", hours=3)
    assert shown["offset_seconds"] == 2 * 86_400 + 3 * 3_600
    assert (await control.clock())["offset_seconds"] == 2 * 86_400 + 3 * 3_600

    user_id = int(alice["id"])
    said = await control.send_text(user_id, "two days later")
    assert said["date"] >= before + 2 * 86_400 + 3 * 3_600
    sent = await bot.send_message(user_id, "the bot's answer")
    assert sent.date.timestamp() >= before + 2 * 86_400 + 3 * 3_600
    edited = await bot.edit_message_text("edited", user_id, sent.message_id)
    assert not isinstance(edited, bool) and edited.edit_date is not None
    assert edited.edit_date.timestamp() >= before + 2 * 86_400


async def test_reset_keeps_the_clock_moving_only_forward(control: SandboxClient) -> None:
    await control.advance_clock(minutes=30)
    await control.reset()
    assert (await control.clock())["offset_seconds"] == 1_800


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"seconds": -5}, "only moves forward"),
        ({"days": 0}, "only moves forward"),
        ({"hours": "soon"}, "must be a number"),
        ({"days": True}, "must be a number"),
        ({"days": None}, "exactly one"),
        ({}, "exactly one"),
        ({"days": 1, "hours": 2}, "exactly one"),
        ({"days": 10**9}, "at most ten years"),
        ({"seconds": "nan"}, "only moves forward"),
    ],
)
async def test_bad_advances_are_refused_and_move_nothing(
    sandbox: SandboxServer, body: dict[str, Any], reason: str
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{sandbox.url}/_sandbox/advanceClock", json=body) as resp:
            assert resp.status == 400
            answer = await resp.json()
        assert answer["ok"] is False and reason in answer["error"]
        async with session.get(f"{sandbox.url}/_sandbox/clock") as resp:
            assert (await resp.json())["result"]["offset_seconds"] == 0


async def test_advancing_takes_post_only(sandbox: SandboxServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sandbox.url}/_sandbox/advanceClock?days=1") as resp:
            assert resp.status == 405
        async with session.get(f"{sandbox.url}/_sandbox/clock") as resp:
            assert (await resp.json())["result"]["offset_seconds"] == 0


async def test_the_client_refuses_a_zero_step(control: SandboxClient) -> None:
    with pytest.raises(SandboxError) as refused:
        await control.advance_clock()
    assert refused.value.status == 400


async def test_terminal_clock_command_shows_and_moves_time(control: SandboxClient) -> None:
    user = await control.create_user("Tess", username="tess")
    out = io.StringIO()
    session = ChatSession(control, user, None, out)
    await session.handle_line("/clock\n")
    assert "0:00:00 ahead" in out.getvalue()
    for step, seconds in (("+2d", 2 * 86_400), ("+3h", 3 * 3_600), ("+30m", 1_800)):
        before = (await control.clock())["offset_seconds"]
        await session.handle_line(f"/clock {step}\n")
        assert (await control.clock())["offset_seconds"] == before + seconds
    assert "2 days, 3:30:00 ahead" in out.getvalue()
    await session.handle_line("/clock -1d\n")
    await session.handle_line("/clock tomorrow\n")
    assert out.getvalue().count("usage: /clock") == 2
    assert (await control.clock())["offset_seconds"] == 2 * 86_400 + 3 * 3_600 + 1_800
    # the command is the terminal's: nothing of it reaches the bot
    assert await control.pending_updates() == []
