"""Starting while PostgreSQL is away: `wait_for_database` waits, says so, and gives way."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.engine import make_url

from bot import startup
from bot.startup import wait_for_database
from tests.tcpproxy import TcpProxy, line_to

pytestmark = pytest.mark.postgres


class Warnings(logging.Handler):
    """Collects the start-up warnings and wakes who waits for them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []
        self.changed = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the line."""
        self.lines.append(record.getMessage())
        self.changed.set()

    async def until(self, count: int) -> None:
        """Until `count` warnings were logged (bounded)."""
        async def wait() -> None:
            while len(self.lines) < count:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(wait(), 10)


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Warnings]:
    """The start-up module's warnings, with retries within milliseconds."""
    monkeypatch.setattr(startup, "FIRST_RETRY", 0.01)
    monkeypatch.setattr(startup, "LONGEST_RETRY", 0.05)
    handler = Warnings()
    startup.log.addHandler(handler)
    yield handler
    startup.log.removeHandler(handler)


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[TcpProxy]:
    """A cuttable line to the test's PostgreSQL."""
    async with line_to(database_url) as line:
        yield line


async def test_it_waits_while_the_database_is_down_and_returns_when_it_is_back(
    database_url: str, proxy: TcpProxy, warnings: Warnings
) -> None:
    await proxy.cut("refuse")
    waiting = asyncio.create_task(wait_for_database(proxy.through(database_url),
                                                    asyncio.Event()))
    await warnings.until(3)
    assert not waiting.done()
    assert "unreachable at start" in warnings.lines[0], warnings.lines
    assert "attempt 3" in warnings.lines[2], warnings.lines
    password = make_url(database_url).password
    assert not password or all(password not in line for line in warnings.lines)
    await proxy.restore()
    assert await asyncio.wait_for(waiting, 10) is True


async def test_a_stop_while_waiting_ends_the_wait_without_starting(
    database_url: str, proxy: TcpProxy, warnings: Warnings
) -> None:
    await proxy.cut("refuse")
    stop = asyncio.Event()
    waiting = asyncio.create_task(wait_for_database(proxy.through(database_url), stop))
    await warnings.until(1)
    stop.set()
    assert await asyncio.wait_for(waiting, 10) is False


async def test_a_database_that_is_up_answers_at_once(
    database_url: str, proxy: TcpProxy, warnings: Warnings
) -> None:
    assert await wait_for_database(proxy.through(database_url), asyncio.Event()) is True
    assert warnings.lines == []


async def test_an_error_that_is_not_about_reaching_it_is_raised_not_retried(
    database_url: str, proxy: TcpProxy, warnings: Warnings
) -> None:
    missing = make_url(proxy.through(database_url)).set(database="no_such_database_here")
    with pytest.raises(Exception) as raised:
        await asyncio.wait_for(wait_for_database(
            missing.render_as_string(hide_password=False), asyncio.Event()), 10)
    assert "no_such_database_here" in str(raised.value)
    assert warnings.lines == []
