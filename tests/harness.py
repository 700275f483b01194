"""A running bot against the sandbox, for handler-tier and end-to-end tests.

Tests talk to the bot only as Telegram users would (through the sandbox) and assert on
what the bot sent; they read the database only to check that nothing was stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.runtime import Runtime, TongxinApplication
from bot.settings import Settings
from domain.clock import FakeClock
from handlers.feature import Feature
from handlers.setup import Units
from sandbox.client import SandboxClient, SandboxError
from sandbox.server import SandboxServer

TOKEN = "123456789:AAtongxin-sandbox-test-token-000"
ADMIN_ID = 1001
ROOT = Path(__file__).resolve().parent.parent

Json = dict[str, Any]


@dataclass
class Conversation:
    """Helpers for talking to the bot as a sandbox user and reading its answers."""

    client: SandboxClient
    seen: dict[int, int] = field(default_factory=dict)

    async def say(self, user_id: int, text: str, chat_id: int | None = None,
                  expect: int = 1, reply_to: int | None = None) -> list[Json]:
        """Send text as a user and return the bot's next `expect` messages in that chat."""
        chat = chat_id if chat_id is not None else user_id
        after = await self._last_id(chat)
        await self.client.send_text(user_id, text, chat_id=chat_id,
                                    reply_to_message_id=reply_to)
        if expect == 0:
            await self.client.wait_for_updates_consumed(timeout=10)
            return []
        return await self.next_messages(chat, expect, after)

    async def press(self, user_id: int, chat_id: int, message: Json,
                    data: str | None = None, text: str | None = None,
                    forged: bool = False) -> Json:
        """Press a button on a bot message and return the bot's callback answer."""
        query_id = await self.client.press_button(
            user_id, chat_id, int(message["message_id"]), callback_data=data, button_text=text,
            forged=forged,
        )
        return await self.client.wait_for_callback_answer(query_id, timeout=10)

    async def next_messages(self, chat_id: int, count: int, after: int | None) -> list[Json]:
        """Wait for `count` bot messages in a chat after message id `after`."""
        messages = await self.client.wait_for_bot_messages(
            chat_id, count=count, timeout=10, after_message_id=after
        )
        return messages[:count] if len(messages) >= count else messages

    async def _last_id(self, chat_id: int) -> int:
        try:
            messages = await self.client.messages(chat_id)
        except SandboxError:
            return 0

        return max((int(m["message_id"]) for m in messages), default=0)


def settings_for(database_url: str, sandbox: SandboxServer, **overrides: Any) -> Settings:
    """Settings for a bot pointed at the sandbox and a test database."""
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "database_url": database_url,
        "bot_api_base_url": sandbox.base_url,
        "bot_api_file_url": sandbox.file_url,
        "admin_ids": frozenset({ADMIN_ID}),
        "default_language": "zh-Hans",
    }
    values.update(overrides)
    return Settings(**values)


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, clock: FakeClock, features: Sequence[Feature[Units]] = ()
) -> AsyncIterator[TongxinApplication]:
    """Run the bot in this process with durable long polling until the block ends.

    `features` are added to the product's (a test's own dialog kind, say).
    """
    runtime = Runtime(settings, clock, features=features)
    app = runtime.build()
    stop = asyncio.Event()
    serving = asyncio.create_task(runtime.serve(app, stop))
    ready = asyncio.create_task(runtime.serving.wait())
    done, _ = await asyncio.wait({serving, ready}, return_when=asyncio.FIRST_COMPLETED)
    if serving in done:
        ready.cancel()
        serving.result()
    try:
        yield app
    finally:
        stop.set()
        await serving


#: How often `eventually` looks again at what has no event to wait on (another process).
LOOK_AGAIN = 0.2


async def eventually(check: Callable[[], Awaitable[bool]], what: str,
                     bound: float = 30.0) -> None:
    """Look again until `check` holds, at most `bound` seconds; else fail naming `what`."""
    async def looking() -> None:
        # Another process's state (its log, its probe port, the database it writes) has no
        # event to wait on: look again until it shows, bounded below.
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(LOOK_AGAIN)

    try:
        await asyncio.wait_for(looking(), bound)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


class BotProcess:
    """The bot as a real process (`python -m bot run`), killable and restartable."""

    def __init__(self, settings: Settings, log_path: Path,
                 extra_env: dict[str, str] | None = None, ready_method: str = "getUpdates",
                 launcher: Sequence[str] = ("-m", "bot")) -> None:
        self.settings = settings
        #: what the interpreter runs before `run` (a bench's launcher script, say)
        self.launcher = tuple(launcher)
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.ready_method = ready_method
        self.process: asyncio.subprocess.Process | None = None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("BOT_TOKEN", "DATABASE_URL", "ADMIN_IDS")}
        env.update({
            "BOT_TOKEN": self.settings.bot_token or "",
            "DATABASE_URL": self.settings.database_url,
            "BOT_API_BASE_URL": self.settings.bot_api_base_url,
            "BOT_API_FILE_URL": self.settings.bot_api_file_url,
            "ADMIN_IDS": ",".join(str(i) for i in sorted(self.settings.admin_ids)),
            "DEFAULT_LANGUAGE": self.settings.default_language.value,
            "CLOCK": self.settings.clock,
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        return env

    async def start(self, client: SandboxClient) -> None:
        """Start the process and wait until it polls for updates."""
        since = max((c["seq"] for c in await client.calls()), default=0)
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, *self.launcher, "run", cwd=str(ROOT), env=self._env(),
            stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL,
        )
        log.close()
        await client.wait_for_calls(self.ready_method, count=1, timeout=60, since=since)

    async def kill(self) -> None:
        """`kill -9`: no chance to finish anything."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    async def terminate(self, timeout: float = 30) -> int:  # noqa: ASYNC109
        """SIGTERM and wait for a clean exit; return the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout)

    def log(self) -> str:
        """What the process printed."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
