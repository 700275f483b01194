"""The composition root: builds the application and wires storage, domain and handlers."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.settings import Settings
from domain.clock import Clock, SystemClock
from domain.dialogs import DialogService
from domain.network.models import RoleName
from domain.network.service import NetworkService
from handlers.commands import publish_menu
from handlers.context import BotData, Services, TongxinContext
from handlers.dialogs import DialogRouter
from handlers.i18n import Translations
from handlers.setup import all_commands, register_handlers
from storage.database import create_engine, session_factory, upgrade
from storage.uow import SqlUnitOfWorkFactory

log = logging.getLogger(__name__)

TongxinApplication = Application[Any, TongxinContext, dict[Any, Any], dict[Any, Any], BotData, Any]

DIALOG_SWEEP_INTERVAL = timedelta(minutes=1)


class Runtime:
    """Owns what lives as long as the application: the engine, the services, the jobs."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self._engine: AsyncEngine | None = None
        self._router: DialogRouter | None = None

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
            .build()
        )
        self._router = register_handlers(app)
        return app

    async def post_init(self, app: TongxinApplication) -> None:
        """Upgrade the database, wire the services, publish the menu, start the jobs."""
        settings = self.settings
        await upgrade(settings.database_url)
        self._engine = create_engine(settings.database_url)
        uow = SqlUnitOfWorkFactory(session_factory(self._engine))
        network = NetworkService(uow, self.clock, settings.default_language, settings.timezone)
        services = Services(
            network=network,
            dialogs=DialogService(uow, self.clock),
            translations=Translations.load(),
            clock=self.clock,
            default_language=settings.default_language,
            bot_username=app.bot.username or "",
        )
        app.bot_data.wire(services)
        await network.ensure_admins(settings.admin_ids)
        await self._publish_menu(app, services)
        if app.job_queue is not None:
            app.job_queue.run_repeating(
                self.sweep_dialogs, interval=DIALOG_SWEEP_INTERVAL, first=5, name="dialogs"
            )
        log.info("Tongxin is running as @%s", app.bot.username)

    async def post_shutdown(self, app: TongxinApplication) -> None:
        """Close the database."""
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

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
                all_commands(),
                services.default_language,
                privileged,
            )
        except TelegramError as error:
            log.warning("could not publish the command menu: %s", error)

    async def sweep_dialogs(self, context: TongxinContext) -> None:
        """Close dialogs abandoned for 24 hours, with one short note each."""
        if self._router is None:
            return
        for dialog in await context.services.dialogs.sweep_expired():
            flow = self._router.flow(dialog.kind)
            if flow is None:
                continue
            try:
                await flow.on_expired(context, dialog)
            except Forbidden:
                await context.services.network.mark_unreachable(dialog.person_id)
            except TelegramError as error:
                log.warning("expiry note to %s failed: %s", dialog.person_id, error)
