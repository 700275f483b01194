"""Webhook profile: each pushed update is answered 200 as soon as it is durably kept.

An update is kept in the `received_update` inbox (as the poller keeps fetched batches) and
only then answered, so Telegram sends the next one at once; handling follows the polling
rule: different people in parallel, each person's and each chat's updates in order. An
update Telegram pushes again (no answer reached it in time) is already kept and is not
handled twice; after a crash, the kept updates no handler finished are handled first, at
start. When the inbox cannot keep an update, the answer is 503 and Telegram retries it.
Updates without the configured secret token are refused before anything is parsed.

Replicas (PostgreSQL): given `claims`, an update is kept with the claim of the replica that
received it, and handled when the shared table says it is its turn (`bot.ordering`,
`storage.claims`): one person's updates stay in order and are handled once whichever
replicas they reach. At start and every `CLAIM_CHECK_SECONDS` the server renews its claims
and takes over the updates of replicas that died (their "alive" lock is gone) or hang
(claims not renewed), never those of a live replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ExtBot

from bot.ordering import OrderedDispatcher, UpdateClaims

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20
#: Updates handled at once at most; beyond it, new pushes wait before they are kept.
MAX_IN_HAND = 256
#: How often a replica renews its claims and looks for those of replicas that died.
CLAIM_CHECK_SECONDS = 3.0


class PushedUpdateInbox(Protocol):
    """Where pushed updates are kept until handled (`storage.inbox.SqlUpdateInbox`)."""

    async def keep_new(self, update_id: int, payload: str) -> bool:
        """Keep one update durably; True when it was not kept before."""

    async def unhandled(self, limit: int = 10_000) -> list[str]:
        """The kept updates no handler finished, oldest first (JSON)."""


class SharedClaims(UpdateClaims, Protocol):
    """Kept updates shared by replicas (`storage.claims.SqlUpdateClaims`)."""

    async def keep(
        self, update_id: int, payload: str, person_key: int | None, chat_key: int | None
    ) -> tuple[bool, bool]:
        """Keep an update claimed by this replica: (not kept before, may start at once)."""

    async def open(self) -> None:
        """Announce this replica alive (until `close`)."""

    async def close(self) -> None:
        """Stop announcing this replica."""

    async def renew(self) -> None:
        """Keep this replica's claims from expiring."""

    async def take_over(self) -> list[str]:
        """Claim the updates of replicas that died; their JSON, oldest first."""


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
        claims: SharedClaims | None = None,
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
        self._claims = claims
        self._watch: asyncio.Task[None] | None = None
        self._dispatcher = OrderedDispatcher(self._app.process_update, max_in_hand, claims)

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
        if self._claims is not None:
            await self._claims.open()
            left = await self._claims.take_over()
            self._watch = asyncio.create_task(self._watch_claims(), name="claims")
        else:
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
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self._dispatcher.drain()
        if self._claims is not None:
            await self._claims.close()

    async def _watch_claims(self) -> None:
        """Renew this replica's claims; take over the updates of replicas that died."""
        claims = self._claims
        assert claims is not None
        while True:
            await asyncio.sleep(CLAIM_CHECK_SECONDS)
            try:
                await claims.renew()
                taken = await claims.take_over()
            except Exception as error:  # the database is away: try again on the next round
                log.warning("could not renew or take over claims: %s", type(error).__name__)
                continue
            if taken:
                log.warning("taking over %d updates of a replica that stopped", len(taken))
            for payload in taken:
                self._dispatcher.dispatch(self._parse(json.loads(payload)))

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
        payload = json.dumps(data, ensure_ascii=False)
        ready = False
        try:
            if self._claims is not None:
                user, chat = update.effective_user, update.effective_chat
                new, ready = await self._claims.keep(
                    update_id, payload, user.id if user else None, chat.id if chat else None
                )
            else:
                new = await self._inbox.keep_new(update_id, payload)
        except Exception as error:  # not kept: Telegram pushes it again later
            log.warning("could not keep update %s: %s", update_id, type(error).__name__)
            return web.Response(status=503, text="try again")
        if new:
            if self._first_delivery is not None:
                self._first_delivery(update_id)
            self._dispatcher.dispatch(update, ready=ready)
        return web.Response(status=200)
