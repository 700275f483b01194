"""The scheduled jobs of the domain: notices, retention, reminders and live boards."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.ext import JobQueue

from bot.composition import reminder_settings
from bot.lead import Lead
from bot.settings import Settings
from domain.batches.service import BatchService
from domain.clock import Clock
from domain.privacy.service import PrivacyService
from domain.reminders.scheduled import ReminderJob
from domain.totals.scheduled import Boards
from handlers.context import Services, TongxinContext
from handlers.i18n import Translations
from handlers.reminders.render import ReminderTexts
from handlers.review.render import BatchNotices
from handlers.totals.board import BoardText
from storage.uow import SqlUnitOfWorkFactory

log = logging.getLogger(__name__)

#: Retention is counted in days; an hourly sweep is late by an hour at most.
RETENTION_INTERVAL = timedelta(hours=1)


async def sweep_retention(context: TongxinContext) -> None:
    """Anonymise pledges of appeals closed longer ago than RETENTION_DAYS."""
    moved = await context.services.of(PrivacyService).sweep_retention()
    if moved:
        log.info("retention: %d pledges no longer name their giver", moved)


def schedule_domain_jobs(
    queue: JobQueue[Any],
    lead: Lead,
    settings: Settings,
    clock: Clock,
    uow: SqlUnitOfWorkFactory,
    translations: Translations,
    services: Services,
) -> None:
    """Schedule the domain's repeating jobs, each run by the leading replica only."""
    notices = BatchService(
        uow,
        clock,
        BatchNotices(translations),
        timedelta(minutes=settings.notice_interval_minutes),
        timedelta(seconds=settings.notice_gather_seconds),
    )

    async def send_notices(_context: TongxinContext) -> None:
        await notices.flush()

    queue.run_repeating(
        lead.only(send_notices), interval=settings.tick_seconds, first=1, name="notices"
    )
    queue.run_repeating(
        lead.only(sweep_retention), interval=RETENTION_INTERVAL, first=120, name="retention"
    )
    reminders = ReminderJob(uow, clock, ReminderTexts(translations), reminder_settings(settings))

    async def send_reminders(context: TongxinContext) -> None:
        await reminders.tick()
        await context.services.escalations.tick()
        await context.services.daily_digests.tick()
        await context.services.nudges.tick()

    queue.run_repeating(
        lead.only(send_reminders), interval=settings.tick_seconds, first=1, name="reminders"
    )
    boards = Boards(uow, clock, services.totals)
    board_text = BoardText(translations, settings.default_language, services.bot_username)

    async def refresh_boards(_context: TongxinContext) -> None:
        await boards.refresh(board_text)

    queue.run_repeating(
        lead.only(refresh_boards), interval=settings.board_interval_minutes * 60,
        first=settings.board_interval_minutes * 60, name="boards",
    )
