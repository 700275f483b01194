"""The paced sender rides out an unreachable database with one line, not a traceback a tick."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import InterfaceError, ProgrammingError

from bot.sender import PacedSender
from domain.clock import FakeClock
from domain.outbox.models import Delivery


class FlakyOutbox:
    """An outbox whose database fails `failures` looks in a row, then answers empty."""

    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.looks = 0

    async def recover(self) -> int:
        return 0

    async def claim(self, now: datetime, limit: int, lease: Any = None) -> list[Delivery]:
        self.looks += 1
        if self.failures:
            raise self.failures.pop(0)
        return []

    async def next_due(self, include_leases: bool = False) -> datetime | None:
        return None


def unreachable() -> InterfaceError:
    return InterfaceError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


async def run_until(outbox: FlakyOutbox, looks: int) -> None:
    clock = FakeClock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    stop = asyncio.Event()

    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=max(0.0, seconds)))
        if outbox.looks >= looks:
            stop.set()
        await asyncio.sleep(0)

    sender = PacedSender(object(), outbox, clock, sleep=sleep)  # type: ignore[arg-type]
    await asyncio.wait_for(sender.run(stop, idle=1.0), timeout=10)


async def test_an_outage_is_logged_once_and_its_end_once(caplog: pytest.LogCaptureFixture) -> None:
    outbox = FlakyOutbox([unreachable() for _ in range(5)])
    with caplog.at_level(logging.WARNING, logger="bot.sender"):
        await run_until(outbox, looks=8)
    messages = [r.getMessage() for r in caplog.records]
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING]
    assert "unreachable" in messages[0] and "answers again" in messages[1]
    assert all(r.exc_info is None for r in caplog.records)


async def test_a_bug_still_logs_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    bug = ProgrammingError("SELECT nope", {}, Exception("no such column"))
    outbox = FlakyOutbox([bug, bug])
    with caplog.at_level(logging.WARNING, logger="bot.sender"):
        await run_until(outbox, looks=4)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2 and all(r.exc_info for r in errors)
