"""Webhook profile: Telegram pushes updates; each is answered 200 only once handled.

A crash while handling leaves Telegram without an answer, so it redelivers the update; the
`processed_update` rows make the redelivery a no-op where the work was committed. Updates
without the configured secret token are refused before anything is parsed.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20


class WebhookServer:
    """An aiohttp server that feeds pushed updates to the application, in order."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        *,
        secret: str,
        path: str,
        host: str,
        port: int,
    ) -> None:
        self._app = app
        self._secret = secret
        self._path = path
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        # One update at a time keeps each person's dialog answers in order.
        self._lock = asyncio.Lock()

    @property
    def port(self) -> int:
        """The port listened on (the real one when 0 was asked for)."""
        return self._port

    async def start(self) -> None:
        """Start listening."""
        web_app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        web_app.router.add_post(self._path, self._receive)
        self._runner = web.AppRunner(web_app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self._port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop listening; an update in hand is finished first."""
        async with self._lock:
            if self._runner is not None:
                await self._runner.cleanup()
                self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            return web.Response(status=401, text="wrong secret token")
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self._app.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not an update")
        async with self._lock:
            await self._app.process_update(update)
        return web.Response(status=200)
