"""Webhook profile: each pushed update is answered 200 as soon as it is durably kept.

An update is kept in the `received_update` inbox (as the poller keeps fetched batches) and
only then answered, so Telegram sends the next one at once; handling follows the polling
rule: different people in parallel, each person's and each chat's updates in order. An
update Telegram pushes again (no answer reached it in time) is already kept and is not
handled twice; after a crash, the kept updates no handler finished are handled first, at
start. When the inbox cannot keep an update, the answer is 503 and Telegram retries it.
Updates without the configured secret token are refused before anything is parsed.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ExtBot

from bot.ordering import OrderedDispatcher

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20
#: Updates handled at once at most; beyond it, new pushes wait before they are kept.
MAX_IN_HAND = 256


class PushedUpdateInbox(Protocol):
    """Where pushed updates are kept until handled (`storage.inbox.SqlUpdateInbox`)."""

    async def keep_new(self, update_id: int, payload: str) -> bool:
        """Keep one update durably; True when it was not kept before."""

    async def unhandled(self, limit: int = 10_000) -> list[str]:
        """The kept updates no handler finished, oldest first (JSON)."""


class WebhookServer:
    """An aiohttp server that keeps pushed updates, answers, then handles them in order."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        inbox: PushedUpdateInbox,
        *,
        secret: str,
        path: str,
        host: str,
        port: int,
        first_delivery: Callable[[int], None] | None = None,
        max_in_hand: int = MAX_IN_HAND,
    ) -> None:
        self._app = app
        self._inbox = inbox
        self._secret = secret
        self._path = path
        self._host = host
        self._port = port
        # Told of each update kept for the first time: nothing can have handled it yet.
        self._first_delivery = first_delivery
        self._runner: web.AppRunner | None = None
        self._dispatcher = OrderedDispatcher(self._app.process_update, max_in_hand)

    @property
    def port(self) -> int:
        """The port listened on (the real one when 0 was asked for)."""
        return self._port

    @property
    def dispatcher(self) -> OrderedDispatcher:
        """The updates in hand, and the first handler failure if there was one."""
        return self._dispatcher

    async def start(self) -> None:
        """Take up the kept updates a previous run did not finish, then start listening."""
        left = await self._inbox.unhandled()
        for payload in left:
            self._dispatcher.dispatch(self._parse(json.loads(payload)))
        if left:
            log.warning("handling %d updates kept before a restart", len(left))
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
        """Stop listening, then finish the updates in hand."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self._dispatcher.drain()

    def _parse(self, data: dict[str, Any]) -> Update:
        bot = self._app.bot
        update = Update.de_json(data, bot)
        if isinstance(bot, ExtBot):
            bot.insert_callback_data(update)
        return update

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            return web.Response(status=401, text="wrong secret token")
        if self._dispatcher.failure is not None:
            return web.Response(status=503, text="restarting")
        try:
            data = json.loads(await request.read())
            update_id = int(data["update_id"])
            update = self._parse(data)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not an update")
        await self._dispatcher.wait_for_room()
        try:
            new = await self._inbox.keep_new(update_id, json.dumps(data, ensure_ascii=False))
        except Exception as error:  # not kept: Telegram pushes it again later
            log.warning("could not keep update %s: %s", update_id, type(error).__name__)
            return web.Response(status=503, text="try again")
        if new:
            if self._first_delivery is not None:
                self._first_delivery(update_id)
            self._dispatcher.dispatch(update)
        return web.Response(status=200)
