"""The composition of the services: storage, clock and settings wired into each use case."""

from __future__ import annotations

from bot.settings import Settings
from domain.appeals.service import AppealService
from domain.clock import Clock
from domain.dialogs.engine import DialogEngine
from domain.network.service import NetworkService
from domain.pledges.ports import PledgeChangesIn, PledgeUnitOfWork
from domain.pledges.reading import ParsingReader
from domain.pledges.service import PledgeService
from domain.reminders.appeal_policy import AppealRemindersService
from domain.reminders.digest import DailyDigestService
from domain.reminders.escalation import EscalationService
from domain.reminders.models import parse_clock_time
from domain.reminders.nudges import NudgeService
from domain.reminders.scheduled import ReminderSettings
from domain.reminders.service import ReminderService
from domain.totals.service import TotalsService
from handlers.context import Services
from handlers.i18n import Translations
from handlers.reminders.digest import DigestTexts
from handlers.reminders.escalation import EscalationTexts
from handlers.reminders.nudges import NudgeTexts
from handlers.review.render import PledgeNotices
from storage.uow import SqlUnitOfWorkFactory


def reminder_settings(settings: Settings) -> ReminderSettings:
    """The network's reminder policy and calendar, from the settings."""
    return ReminderSettings(
        settings.reminder_policy,
        settings.quiet,
        parse_clock_time(settings.reminder_time),
        settings.timezone,
    )


def compose_services(
    settings: Settings,
    clock: Clock,
    uow: SqlUnitOfWorkFactory,
    amounts: ParsingReader,
    translations: Translations,
    bot_username: str,
) -> Services:
    """Every use case of the bot, on one unit-of-work factory, clock and amount parser."""
    network = NetworkService(uow, clock, settings.default_language, settings.timezone)
    pledges = PledgeService(
        uow,
        clock,
        PledgeNotices(translations),
        amounts,
        timezone=settings.timezone,
        currency=settings.currency,
    )
    appeals = AppealService(uow, clock, settings.currency, settings.timezone)
    return Services(
        network=network,
        dialog_engine=DialogEngine(uow, clock),
        translations=translations,
        pledges=pledges,
        appeals=appeals,
        totals=TotalsService(uow, clock, settings.timezone),
        reminders=ReminderService(
            uow, clock, reminder_settings(settings),
            _pledges_in(settings, clock, amounts, translations),
        ),
        escalations=EscalationService(
            uow, clock, EscalationTexts(translations), reminder_settings(settings)
        ),
        daily_digests=DailyDigestService(
            uow, clock, DigestTexts(translations), reminder_settings(settings)
        ),
        nudges=NudgeService(
            uow, clock, NudgeTexts(translations), reminder_settings(settings),
            settings.default_language,
        ),
        appeal_reminders=AppealRemindersService(uow, clock, reminder_settings(settings)),
        clock=clock,
        default_language=settings.default_language,
        bot_username=bot_username,
    )


def _pledges_in(
    settings: Settings, clock: Clock, amounts: ParsingReader, translations: Translations
) -> PledgeChangesIn:
    """The pledges' use cases working inside a reminder answer's unit of work."""

    def pledges_in(uow: PledgeUnitOfWork) -> PledgeService:
        return PledgeService(
            lambda: uow,
            clock,
            PledgeNotices(translations),
            amounts,
            timezone=settings.timezone,
            currency=settings.currency,
        )

    return pledges_in
