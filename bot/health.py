"""A small HTTP server of its own for probes and Prometheus: /healthz, /readyz, /metrics.

It runs in polling and in webhook mode alike, on `HEALTH_LISTEN:HEALTH_PORT`, apart from
the webhook port (which the reverse proxy exposes to Telegram; this one it must not).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot

from bot.metrics import Metrics
from storage.probe import known_revisions, ping, schema_heads, schema_revisions

log = logging.getLogger(__name__)

#: A Bot API check is reused this long, so frequent probes do not spend the flood budget.
BOT_API_CHECK_SECONDS = 10.0
#: A check slower than this counts as failed: a probe must answer fast.
CHECK_TIMEOUT = 3.0
OK = "ok"


class BotApiCheck:
    """`getMe`, asked at most once per `ttl` seconds; concurrent probes share one call."""

    def __init__(self, bot: Bot, ttl: float = BOT_API_CHECK_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._bot = bot
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = asyncio.Lock()
        self._result: str | None = None
        self._checked_at = 0.0

    async def __call__(self) -> str:
        """"ok", or why the Bot API could not be reached."""
        async with self._lock:
            now = self._monotonic()
            if self._result is None or now - self._checked_at >= self._ttl:
                try:
                    await asyncio.wait_for(self._bot.get_me(), CHECK_TIMEOUT)
                    self._result = OK
                except Exception as error:
                    self._result = f"unreachable: {type(error).__name__}"
                self._checked_at = self._monotonic()
            return self._result


class HealthServer:
    """Answers liveness, readiness and metrics requests for one runtime."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        metrics: Metrics,
        engine: Callable[[], AsyncEngine | None],
        bot_api: Callable[[], BotApiCheck | None],
        serving: asyncio.Event,
    ) -> None:
        self._host = host
        self._port = port
        self._metrics = metrics
        self._engine = engine
        self._bot_api = bot_api
        self._serving = serving
        self._heads = schema_heads()
        self._known = known_revisions()
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The port listened on (the real one when 0 was asked for)."""
        return self._port

    async def start(self) -> None:
        """Start listening."""
        web_app = web.Application()
        web_app.router.add_get("/healthz", self._healthz)
        web_app.router.add_get("/readyz", self._readyz)
        web_app.router.add_get("/metrics", self._metrics_page)
        self._runner = web.AppRunner(web_app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self._port = int(sockets[0].getsockname()[1])
        log.info("health and metrics on http://%s:%s", self._host, self._port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, _request: web.Request) -> web.Response:
        # The event loop answered: the process is alive. Readiness is /readyz's business.
        return web.Response(text="ok\n")

    async def _readyz(self, _request: web.Request) -> web.Response:
        checks = await self.checks()
        ready = all(value == OK for value in checks.values())
        body = {"status": "ready" if ready else "not ready", "checks": checks}
        return web.Response(
            status=200 if ready else 503,
            text=json.dumps(body) + "\n",
            content_type="application/json",
        )

    async def checks(self) -> dict[str, str]:
        """Each readiness check by name: "ok" or what is wrong."""
        checks = {"started": OK if self._serving.is_set() else "starting"}
        engine = self._engine()
        if engine is None:
            checks["database"] = checks["migrations"] = "not open yet"
        else:
            checks["database"] = await _checked(ping(engine))
            if checks["database"] == OK:
                checks["migrations"] = await self._migrations(engine)
            else:
                checks["migrations"] = "unknown: database unreachable"
        bot_api = self._bot_api()
        checks["bot_api"] = await bot_api() if bot_api is not None else "not started"
        return checks

    async def _migrations(self, engine: AsyncEngine) -> str:
        try:
            current = await asyncio.wait_for(schema_revisions(engine), CHECK_TIMEOUT)
        except Exception as error:
            return f"unknown: {type(error).__name__}"
        if current == self._heads:
            return OK
        if current and not current <= self._known:
            # A newer replica migrated already (a rolling upgrade): this one still serves
            # until its turn comes, since migrations add before they take away.
            return OK
        return f"database at {sorted(current) or 'nothing'}, code expects {sorted(self._heads)}"

    async def _metrics_page(self, _request: web.Request) -> web.Response:
        page = await self._metrics.render()
        response = web.Response(body=page)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response


async def _checked(check: Awaitable[None]) -> str:
    try:
        await asyncio.wait_for(check, CHECK_TIMEOUT)
    except Exception as error:
        return f"unreachable: {type(error).__name__}"
    return OK
