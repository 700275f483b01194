"""The composition root: builds the application and wires storage, domain and handlers."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import ORMExecuteState, Session
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.broadcast import BroadcastReporter, NetworkChatEvents
from bot.composition import compose_services
from bot.health import BotApiCheck, HealthServer
from bot.jobs import schedule_domain_jobs
from bot.lead import Lead
from bot.logs import PersonHasher
from bot.metrics import CountingRequest, Metrics
from bot.observed import ObservedApplication
from bot.pace import FloodBudget, Lane, in_lane
from bot.polling import DurablePoller
from bot.rate_limiter import BudgetRateLimiter
from bot.sandbox_clock import SandboxClock, clock_for
from bot.sender import PacedSender
from bot.settings import Settings
from bot.startup import wait_for_database
from bot.webhook import WebhookServer
from domain.clock import Clock
from domain.kernel.standing import RoleName
from domain.outbox.service import OutboxService
from domain.pledges.reading import ParsingReader
from handlers.commands import publish_menu
from handlers.context import BotData, Services, TongxinContext
from handlers.dialogs import DialogRouter
from handlers.feature import Feature
from handlers.i18n import Translations
from handlers.setup import Units, all_commands, register_handlers, wire_features
from handlers.wiring import Wiring
from storage.claims import SqlUpdateClaims
from storage.database import create_engine, session_factory, single_statements, upgrade
from storage.inbox import SqlUpdateInbox
from storage.leadership import Leadership
from storage.probe import outbox_depth, pool_in_use
from storage.uow import SqlUnitOfWorkFactory

log = logging.getLogger(__name__)

TongxinApplication = Application[Any, TongxinContext, dict[Any, Any], dict[Any, Any], BotData, Any]

DIALOG_SWEEP_INTERVAL = timedelta(minutes=1)
INBOX_PRUNE_INTERVAL = timedelta(hours=1)
#: Kept updates are handled within seconds; a day later they are only history.
KEEP_RECEIVED = timedelta(days=1)
#: Telegram redelivers a webhook update for hours at most; a week of marks is plenty.
KEEP_PROCESSED = timedelta(days=7)
#: The outbox table: a committed write to it wakes the sender (`_watch_outbox`).
OUTBOX_TABLE = "delivery"


class Runtime:
    """Owns what lives as long as the application: the engine, the services, the jobs."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        metrics: Metrics | None = None,
        features: Sequence[Feature[Units]] = (),
    ) -> None:
        self.settings = settings
        #: feature areas added to the product's (a test's toy dialog, say)
        self.features = tuple(features)
        self.clock = clock or clock_for(settings)
        #: This runtime's metrics (a registry of its own); the sender may count into it too.
        self.metrics = metrics or Metrics()
        #: the one amount parser: the pledge service, its dialogs and the reminders read with it
        self.amounts = ParsingReader()
        self.health: HealthServer | None = None
        self._bot_api_check: BotApiCheck | None = None
        self._engine: AsyncEngine | None = None
        self._received: SqlUpdateInbox | None = None
        self._claims: SqlUpdateClaims | None = None
        #: Names this process among replicas (its claims on kept updates carry it).
        self.replica = f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.lead = Lead(self.replica, self.metrics)
        self._router: DialogRouter | None = None
        self._sender_stop = asyncio.Event()
        self._sender_task: asyncio.Task[None] | None = None
        self._sender: PacedSender | None = None
        #: The token's one flood budget: every Bot API call of this process draws from it.
        self.budget = FloodBudget(settings.sender_rate, now=time.monotonic)
        self.serving = asyncio.Event()
        self._unwatch: list[tuple[Any, str, Callable[..., None]]] = []

    def build(self) -> TongxinApplication:
        """Build the PTB application; nothing connects until it is initialised."""
        if self.settings.bot_token is None:
            raise ValueError("BOT_TOKEN is required to build the application")
        context_types = ContextTypes(context=TongxinContext, bot_data=BotData)
        app: TongxinApplication = (
            ApplicationBuilder()
            .token(self.settings.bot_token)
            .base_url(self.settings.bot_api_base_url)
            .base_file_url(self.settings.bot_api_file_url)
            .context_types(context_types)
            .post_init(self.post_init)
            .post_shutdown(self.post_shutdown)
            .updater(None)
            .application_class(
                ObservedApplication,
                kwargs={"metrics": self.metrics, "hasher": PersonHasher(self.settings.bot_token)},
            )
            .request(CountingRequest(self.metrics, connection_pool_size=256))
            .get_updates_request(CountingRequest(self.metrics))
            .rate_limiter(BudgetRateLimiter(self.budget))
            .build()
        )
        self._router = register_handlers(app, self.features)
        return app

    def _watch_outbox(self) -> None:
        """Wake the sender when a transaction that queued messages (an outbox insert) commits.

        A Send press queues a broadcast: the sender should look at once, not at its next
        idle look. Waking it after every update instead cost two queries per update (its
        claim and its look-up of the next due message) for the many updates that queue
        nothing: about a third of the webhook's throughput in `bench/bench_webhook.py`.
        """
        key = ("tongxin-outbox-written", id(self))

        def written(state: ORMExecuteState) -> None:
            statement = state.statement
            table = getattr(statement, "table", None)
            # Inserts only: the sender's own writes (claims, outcomes) are updates, and waking
            # it for those would spin it.
            if state.is_insert and getattr(table, "name", None) == OUTBOX_TABLE:
                state.session.info[key] = True

        def committed(session: Session) -> None:
            if session.info.pop(key, False) and self._sender is not None:
                self._sender.wake()

        event.listen(Session, "do_orm_execute", written)
        event.listen(Session, "after_commit", committed)
        self._unwatch = [(Session, "do_orm_execute", written), (Session, "after_commit", committed)]

    async def serve(self, app: TongxinApplication, stop: asyncio.Event) -> None:
        """Run the bot (once its database answers) until `stop` is set, then shut down."""
        await self._start_health(app)
        try:
            if await wait_for_database(self.settings.database_url, stop):
                await self._serve(app, stop)
        finally:
            if self.health is not None:
                await self.health.stop()

    async def _start_health(self, app: TongxinApplication) -> None:
        """Start /healthz, /readyz and /metrics first: alive while migrations run."""
        if self.settings.health_port is None:
            return
        self._bot_api_check = BotApiCheck(app.bot)
        self.health = HealthServer(
            host=self.settings.health_listen,
            port=self.settings.health_port,
            metrics=self.metrics,
            engine=lambda: self._engine,
            bot_api=lambda: self._bot_api_check if self.serving.is_set() else None,
            serving=self.serving,
        )
        await self.health.start()

    async def _serve(self, app: TongxinApplication, stop: asyncio.Event) -> None:
        await app.initialize()
        try:
            await self.post_init(app)
            await app.start()
            try:
                if self.settings.webhook_url:
                    await self._serve_webhook(app, stop)
                else:
                    await app.bot.delete_webhook(drop_pending_updates=False)
                    self.serving.set()
                    poller = DurablePoller(
                        app, self._inbox(), first_delivery=app.bot_data.note_first_delivery
                    )
                    await poller.run(stop)
            finally:
                await app.stop()
        finally:
            await self.post_shutdown(app)
            await app.shutdown()

    async def _serve_webhook(self, app: TongxinApplication, stop: asyncio.Event) -> None:
        settings = self.settings
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        server = WebhookServer(
            app,
            self._inbox(),
            secret=settings.webhook_secret,
            path=urlsplit(settings.webhook_url).path or "/",
            host=settings.webhook_listen,
            port=settings.webhook_port,
            first_delivery=app.bot_data.note_first_delivery,
            claims=self._claims,
        )
        await server.start()
        try:
            await app.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
                max_connections=settings.webhook_max_connections,
            )
            self.serving.set()
            log.info("receiving updates at %s (listening on %s:%s)", settings.webhook_url,
                     settings.webhook_listen, server.port)
            failed = asyncio.ensure_future(server.dispatcher.failed.wait())
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait({failed, stopped}, return_when=asyncio.FIRST_COMPLETED)
            for waiter in (failed, stopped):
                waiter.cancel()
        finally:
            await server.stop()
        if server.dispatcher.failure is not None:
            raise server.dispatcher.failure

    def run(self) -> None:
        """Run until SIGTERM or SIGINT: stop taking updates, finish those in hand, exit."""

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop.set)
            await self.serve(self.build(), stop)

        asyncio.run(main())

    async def post_init(self, app: TongxinApplication) -> None:
        """Upgrade the database, wire the services, publish the menu, start the jobs."""
        settings = self.settings
        if isinstance(self.clock, SandboxClock):  # its time first: everything below reads it
            await self.clock.start(settings.tick_seconds)
        await upgrade(settings.database_url)
        self._engine = create_engine(settings.database_url)
        single_statement_sessions = session_factory(single_statements(self._engine))
        uow = SqlUnitOfWorkFactory(
            session_factory(self._engine), read_sessions=single_statement_sessions
        )
        self._received = SqlUpdateInbox(single_statement_sessions, self.clock)
        if self._engine.dialect.name == "postgresql":
            # Replicas may share this database: kept updates carry claims (storage/claims.py).
            self._claims = SqlUpdateClaims(
                single_statement_sessions, self.clock, self.replica, self._engine
            )
        self.metrics.on_scrape(self._refresh_metrics)
        translations = Translations.load()
        services = compose_services(
            settings, self.clock, uow, self.amounts, translations, app.bot.username or ""
        )
        app.bot_data.wire(services)
        wiring = Wiring(uow, self.clock, settings, translations, self.amounts)
        wire_features(services, wiring, self.features)
        await services.network.ensure_admins(settings.admin_ids)
        await self._publish_menu(app, services)
        if app.job_queue is not None:
            app.job_queue.run_repeating(
                self.lead.only(self.sweep_dialogs), interval=DIALOG_SWEEP_INTERVAL, first=5,
                name="dialogs",
            )
            app.job_queue.run_repeating(
                self.lead.only(self.prune_updates), interval=INBOX_PRUNE_INTERVAL, first=60,
                name="updates",
            )
            schedule_domain_jobs(
                app.job_queue, self.lead, settings, self.clock, uow, translations, services
            )
        self._watch_outbox()
        self._start_sender(app, services, OutboxService(uow))
        log.info("Tongxin is running as @%s", app.bot.username)

    def _start_sender(
        self, app: TongxinApplication, services: Services, outbox: OutboxService
    ) -> None:
        """Start the paced sender as its own task, and the broadcast progress job."""
        sender = PacedSender(
            app.bot,
            outbox,
            self.clock,
            chats=NetworkChatEvents(services.network),
            rate=self.settings.sender_rate,
            monotonic=time.monotonic,
            budget=self.budget,
        )
        self._sender = sender
        self._sender_stop = asyncio.Event()
        assert self._engine is not None
        self._sender_task = asyncio.create_task(
            self.lead.send_while_leading(
                sender, Leadership(self._engine), self._sender_stop, self.settings.tick_seconds
            ),
            name="sender",
        )
        reporter = BroadcastReporter(
            app.bot,
            services.appeals,
            services.network,
            services.translations,
            services.default_language,
        )

        async def report(_context: TongxinContext) -> None:
            with in_lane(Lane.BULK):  # progress edits are bulk: they yield to answers
                await reporter.tick()

        if app.job_queue is not None:
            app.job_queue.run_repeating(
                self.lead.only(report), interval=self.settings.tick_seconds, first=1,
                name="broadcast-progress",
            )

    async def post_shutdown(self, app: TongxinApplication) -> None:
        """Stop the sender (it records what is in flight) and close the database."""
        if self._sender_task is not None:
            self._sender_stop.set()
            await self._sender_task
            self._sender_task = None
        if isinstance(self.clock, SandboxClock):
            await self.clock.stop()
        for target, name, listener in self._unwatch:
            event.remove(target, name, listener)
        self._unwatch = []
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
            self._received = None
            self._claims = None

    async def _publish_menu(self, app: TongxinApplication, services: Services) -> None:
        privileged: dict[int, RoleName] = {}
        for role in await services.network.all_roles():
            current = privileged.get(role.person_id)
            if current is not RoleName.ADMIN:
                privileged[role.person_id] = role.role
        try:
            await publish_menu(
                app.bot,
                services.translations,
                all_commands(self.features),
                services.default_language,
                privileged,
            )
        except TelegramError as error:
            log.warning("could not publish the command menu: %s", error)

    async def _refresh_metrics(self) -> None:
        """Read the gauges that describe the database, just before a scrape."""
        engine = self._engine
        if engine is None:
            return
        self.metrics.db_pool_in_use.set(pool_in_use(engine))
        try:
            self.metrics.set_outbox_depth(await outbox_depth(engine))
        except Exception as error:  # the database is away: /readyz says so; keep serving
            log.warning("could not read the outbox depth: %s", type(error).__name__)

    def _inbox(self) -> SqlUpdateInbox:
        if self._received is None:
            raise RuntimeError("the database is opened in post_init; not yet")
        return self._received

    async def prune_updates(self, _context: TongxinContext) -> None:
        """Forget kept updates and handled-update marks nobody needs any more."""
        now = self.clock.now()
        await self._inbox().prune(now - KEEP_RECEIVED, now - KEEP_PROCESSED)

    async def sweep_dialogs(self, context: TongxinContext) -> None:
        """Close dialogs abandoned for 24 hours, with one short note each."""
        if self._router is None:
            return
        with in_lane(Lane.NOTICE):
            await self._note_expired(context)

    async def _note_expired(self, context: TongxinContext) -> None:
        assert self._router is not None
        for person_id in await self._router.sweep_expired(context):
            await context.services.network.mark_unreachable(person_id)
