"""The bot's clock follows the sandbox's (`CLOCK=sandbox`), and only on this machine."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from bot.runtime import Runtime
from bot.sandbox_clock import SandboxClock, SandboxClockError, clock_for, control_url
from bot.settings import Settings, SettingsError, load_settings
from domain.clock import FakeClock, SystemClock
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.harness import settings_for
from tests.sandbox.conftest import TOKEN as SANDBOX_TOKEN

TOKEN = "123456789:AAtongxin-sandbox-test-token-000"
START = datetime(2026, 2, 17, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.telegram.org/bot",
        "https://127.0.0.1:8081/bot",
        "http://10.1.2.3:8081/bot",
        "http://sandbox.example.org/bot",
        "not a url",
    ],
)
def test_the_sandbox_clock_is_refused_unless_the_bot_api_is_on_loopback(url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(bot_token=TOKEN, bot_api_base_url=url, clock="sandbox")
    assert "against Telegram the clock is the real one" in str(refused.value)


def test_a_refused_clock_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOCK", "sandbox")
    monkeypatch.delenv("BOT_API_BASE_URL", raising=False)
    with pytest.raises(SettingsError, match=r"^CLOCK: "):
        load_settings()
    monkeypatch.setenv("CLOCK", "fake")
    with pytest.raises(SettingsError, match=r"^CLOCK: "):
        load_settings()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8081/bot", "http://localhost:9/bot", "http://[::1]:8081/bot"]
)
def test_loopback_takes_the_sandbox_clock(url: str) -> None:
    settings = Settings(bot_token=TOKEN, bot_api_base_url=url, clock="sandbox")
    clock = clock_for(settings)
    assert isinstance(clock, SandboxClock)
    assert clock.url == f"{url.removesuffix('/bot')}/_sandbox/clock"
    assert control_url(url) == url.removesuffix("/bot") + "/_sandbox"


def test_against_telegram_the_clock_is_real() -> None:
    assert isinstance(clock_for(Settings(bot_token=TOKEN)), SystemClock)


async def test_it_follows_an_advance_within_a_tick(
    sandbox: SandboxServer, control: SandboxClient
) -> None:
    real = FakeClock(START)
    clock = SandboxClock(sandbox.base_url, real)
    await control.advance_clock(hours=1)
    await clock.start(interval=0.05)
    try:
        assert clock.now() == START + timedelta(hours=1), "read before anything else"
        await control.advance_clock(days=2)
        await asyncio.wait_for(clock.reaches(timedelta(days=2, hours=1)), 5)
        assert clock.now() == START + timedelta(days=2, hours=1)
        real.advance(timedelta(minutes=5))  # real time goes on underneath
        assert clock.now() == START + timedelta(days=2, hours=1, minutes=5)
    finally:
        await clock.stop()


async def test_a_sandbox_that_went_away_keeps_the_last_offset(
    sandbox: SandboxServer, control: SandboxClient
) -> None:
    await control.advance_clock(days=1)
    clock = SandboxClock(sandbox.base_url, FakeClock(START))
    await clock.start(interval=0.05)
    await sandbox.stop()
    with pytest.raises(SandboxClockError):
        await clock.refresh()
    assert clock.now() == START + timedelta(days=1)
    await clock.stop()


async def test_start_refuses_without_a_sandbox() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    clock = SandboxClock(f"http://127.0.0.1:{port}/bot")
    with pytest.raises(SandboxClockError, match="did not say the time"):
        await clock.start(interval=1)
    await clock.stop()


async def test_the_bot_in_process_follows_without_a_restart(
    database_url: str, sandbox: SandboxServer, control: SandboxClient
) -> None:
    settings = settings_for(
        database_url, sandbox, bot_token=SANDBOX_TOKEN, clock="sandbox", tick_seconds=0.1
    )
    runtime = Runtime(settings)
    assert isinstance(runtime.clock, SandboxClock)
    app = runtime.build()
    stop = asyncio.Event()
    serving = asyncio.create_task(runtime.serve(app, stop))
    try:
        await asyncio.wait_for(runtime.serving.wait(), 30)
        before = runtime.clock.now()
        await control.advance_clock(days=3)
        await asyncio.wait_for(runtime.clock.reaches(timedelta(days=3)), 5)
        assert runtime.clock.now() - before >= timedelta(days=3)
    finally:
        stop.set()
        await serving


