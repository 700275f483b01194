"""Puts every handler on the application in the order Telegram updates must meet them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from domain.appeals.ports import AppealsUnitOfWork
from domain.batches.service import BatchUnitOfWork
from domain.offers.ports import OfferUnitOfWork
from domain.privacy.ports import PrivacyUnitOfWork
from domain.reminders.digest import DailyDigestUnitOfWork
from domain.reminders.nudges import NudgesUnitOfWork
from domain.totals.ports import TotalsUnitOfWork
from handlers.appeals.commands import AppealsFeature
from handlers.commands import CORE_COMMANDS
from handlers.common import CommandSpec
from handlers.context import Services
from handlers.core import CoreHandlers, on_error
from handlers.dialogs import DialogRouter
from handlers.feature import Feature
from handlers.guard import drop_replays_and_noise, mark_handled
from handlers.lists import ListsFeature
from handlers.network.commands import NetworkHandlers
from handlers.offers.commands import OfferFeature
from handlers.pledges.commands import PLEDGE_COMMANDS, PledgeFeature
from handlers.pledges.delivery import proof_handler
from handlers.pledges.group import private_words
from handlers.privacy import PRIVACY_COMMANDS, PrivacyHandlers
from handlers.reminders.commands import ReminderHandlers
from handlers.reminders.escalation import remind_now_button
from handlers.reminders.policy import appeal_reminders_button
from handlers.review.commands import ReviewHandlers
from handlers.totals.commands import TotalsHandlers
from handlers.wiring import Wiring

GUARD_GROUP = -1
FILES = filters.PHOTO | filters.Document.ALL
LAST_GROUP = 1000


class AllUnitsOfWork(
    AppealsUnitOfWork,
    BatchUnitOfWork,
    OfferUnitOfWork,
    PrivacyUnitOfWork,
    TotalsUnitOfWork,
    DailyDigestUnitOfWork,
    NudgesUnitOfWork,
    Protocol,
):
    """One transaction that reaches every feature's repositories (a feature's unit of work is
    one base here: the wiring's factory must make units that are all of them at once)."""


class Units(Protocol):
    """The unit-of-work factory of the wiring, as every feature's services take it: mypy
    checks the composition root's SQL factory against it, and it against each feature's."""

    def __call__(self) -> AllUnitsOfWork:
        """Return a new, unopened unit of work."""
        ...

    def read(self) -> AllUnitsOfWork:
        """Return a unit of work for one read."""
        ...


def features() -> list[Feature[Units]]:
    """Every feature area, in the order their handlers are registered (the one list)."""
    return [
        AppealsFeature([appeal_reminders_button]),
        TotalsHandlers([remind_now_button]),
        ReminderHandlers(),
        OfferFeature(),
        ReviewHandlers(),
        PledgeFeature(),  # after the others, as its handlers were: its /start links first
        ListsFeature(),
        NetworkHandlers(),
        PrivacyHandlers(),
    ]


def wire_features(
    services: Services, wiring: Wiring[Units], extra: Sequence[Feature[Units]] = ()
) -> None:
    """Let every feature build its own services from the wiring, then register every
    feature's dialog kinds on the engine (a kind may use another feature's service)."""
    areas = [*features(), *extra]
    for area in areas:
        services.own.add(area.services(wiring))
    for area in areas:
        services.dialog_engine.register(area.kinds(services))


def all_commands(extra: Sequence[Feature[Units]] = ()) -> tuple[CommandSpec, ...]:
    """Every command of the bot, for /help and the command menu."""
    listed = (
        CORE_COMMANDS
        + PLEDGE_COMMANDS  # in its place in /help
        + PRIVACY_COMMANDS
    )
    areas = [*features(), *extra]
    return listed + tuple(s for area in areas for s in area.commands if s not in listed)


def register_handlers(
    app: Application[Any, Any, Any, Any, Any, Any], extra: Sequence[Feature[Units]] = ()
) -> DialogRouter:
    """Register all handlers (`extra` features after the product's); returns the router."""
    areas = [*features(), *extra]
    commands = all_commands(extra)
    core = CoreHandlers(commands)
    app.add_handler(TypeHandler(Update, drop_replays_and_noise), group=GUARD_GROUP)
    router = DialogRouter(
        idle=private_words,
        views=[view for area in areas for view in area.views()],
    )
    app.add_handler(CallbackQueryHandler(router.on_press, pattern=router.owns_press))
    # a photo or document goes to a dialog that takes files (a delivery's proof, a
    # reminder's "how much"); otherwise the bot says how to send a proof
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & FILES, proof_handler(router)))
    for area in areas:
        area.register(app)
    core.register(app)
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, router.on_private_text
        )
    )
    core.register_fallbacks(app)
    app.add_handler(TypeHandler(Update, mark_handled), group=LAST_GROUP)
    app.add_error_handler(on_error)
    return router
