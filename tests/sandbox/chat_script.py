"""Driving the terminal chat from a test: scripted input lines and a transcript to wait on."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

from sandbox.chat_text import HELP

HELP_FIRST_LINE = HELP.splitlines()[0]


class Transcript(io.StringIO):
    """What the chat printed; ``wait_for`` blocks until a text appears (bounded, no sleep)."""

    def __init__(self) -> None:
        super().__init__()
        self._written = asyncio.Event()

    def write(self, text: str) -> int:
        """Keep the text and wake whoever waits for it."""
        count = super().write(text)
        self._written.set()
        return count

    async def wait_for(self, text: str, count: int = 1,
                       timeout: float = 10.0) -> str:  # noqa: ASYNC109
        """Wait until ``text`` was printed (``count`` times); return all printed so far."""
        async with asyncio.timeout(timeout):
            while self.getvalue().count(text) < count:
                self._written.clear()
                await self._written.wait()
        return self.getvalue()


class Script:
    """Input lines fed one by one, as a person types them."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()

    def type(self, *lines: str) -> None:
        """Type these lines (each ends with Enter)."""
        for line in lines:
            self._queue.put_nowait(line + "\n")

    def end(self) -> None:
        """Ctrl-D."""
        self._queue.put_nowait(None)

    async def handled(self, out: Transcript) -> None:
        """Wait until every line typed so far was acted on (they are handled in order)."""
        count = out.getvalue().count(HELP_FIRST_LINE) + 1
        self.type("/chathelp")
        await out.wait_for(HELP_FIRST_LINE, count)

    async def lines(self) -> AsyncIterator[str]:
        """The lines, until Ctrl-D."""
        while (line := await self._queue.get()) is not None:
            yield line
