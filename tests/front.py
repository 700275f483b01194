"""A tiny round-robin reverse proxy for webhook deliveries (tests and benches of replicas)."""

from __future__ import annotations

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
