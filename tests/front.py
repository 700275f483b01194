"""A tiny round-robin reverse proxy for webhook deliveries (tests and benches of replicas)."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web


def free_port() -> int:
    """A local TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Front:
    """Forwards each webhook delivery to the next replica in turn; counts who got what."""

    targets: list[str]
    port: int = field(default_factory=free_port)
    received: list[int] = field(default_factory=list)
    _turn: int = 0
    _runner: web.AppRunner | None = None
    _http: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        """The public webhook URL (what every replica gives Telegram)."""
        return f"http://127.0.0.1:{self.port}/telegram"

    @property
    def next_target(self) -> int:
        """Which replica the next delivery goes to."""
        return self._turn % len(self.targets)

    async def start(self) -> None:
        """Listen on 127.0.0.1:`port`."""
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        web_app = web.Application()
        web_app.router.add_post("/telegram", self.forward)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Stop listening and close the connections to the replicas."""
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def forward(self, request: web.Request) -> web.Response:
        """Pass the delivery on to one replica and its answer back."""
        assert self._http is not None
        index = self._turn % len(self.targets)
        self._turn += 1
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        try:
            async with self._http.post(self.targets[index], data=await request.read(),
                                       headers=headers) as answer:
                self.received.append(index)
                return web.Response(status=answer.status)
        except (aiohttp.ClientError, TimeoutError):
            return web.Response(status=502)  # that replica is down: Telegram retries


@dataclass
class RefusalCountingFront(Front):
    """The webhook's front door; counts the deliveries the bot did not take (5xx)."""

    refusals: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def forward(self, request: web.Request) -> web.Response:
        """Pass the delivery on; note a refusal."""
        response = await super().forward(request)
        if response.status >= 500:
            self.refusals += 1
            self.changed.set()
        return response

    async def wait_for_refusals(self, count: int, timeout: float) -> None:  # noqa: ASYNC109
        """Until the bot has refused `count` deliveries."""
        async def wait() -> None:
            while self.refusals < count:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(wait(), timeout)
