"""The typed context every handler receives: services come from here, never from a dict."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram.ext import Application, CallbackContext, ExtBot

from domain.appeals.service import AppealService
from domain.clock import Clock
from domain.dialogs.engine import DialogEngine
from domain.kernel.standing import Standing
from domain.network.models import Language, Person
from domain.network.service import NetworkService
from domain.pledges.service import PledgeService
from domain.reminders.appeal_policy import AppealRemindersService
from domain.reminders.digest import DailyDigestService
from domain.reminders.escalation import EscalationService
from domain.reminders.nudges import NudgeService
from domain.reminders.service import ReminderService
from domain.totals.service import TotalsService
from handlers.flood import FloodControl
from handlers.i18n import Translations

S = TypeVar("S")


class OwnServices:
    """The services features build for themselves (`Feature.services`), one of each class."""

    def __init__(self) -> None:
        self._by_class: dict[type, object] = {}

    def add(self, services: Iterable[object]) -> None:
        """Keep a feature's services; a class built twice is a programming error."""
        for service in services:
            if type(service) in self._by_class:
                raise ValueError(f"{type(service).__name__} is built by two features")
            self._by_class[type(service)] = service

    def of(self, kind: type[S]) -> S:
        """The service of that class; asking for one no feature built is a programming error."""
        found = self._by_class.get(kind)
        if not isinstance(found, kind):
            raise LookupError(f"no feature builds a {kind.__name__}")
        return found


@dataclass
class Services:
    """What every feature shares, wired once by the composition root, and each feature's
    own services (built from the wiring by the feature itself, `of`)."""

    network: NetworkService
    translations: Translations
    clock: Clock
    default_language: Language
    pledges: PledgeService
    appeals: AppealService
    #: runs every dialog kind on the engine (its unit of work has every feature's repositories)
    dialog_engine: DialogEngine[Any]
    totals: TotalsService
    reminders: ReminderService
    escalations: EscalationService
    daily_digests: DailyDigestService
    nudges: NudgeService
    appeal_reminders: AppealRemindersService
    bot_username: str = ""
    #: what each feature built for itself from the wiring, read with `of`
    own: OwnServices = field(default_factory=OwnServices)

    def of(self, kind: type[S]) -> S:
        """A feature's own service, by its class (typed: `services.of(OfferService)`)."""
        return self.own.of(kind)


#: Vouched-for update ids kept at most; forgetting one only costs a replay check.
MAX_VOUCHED = 10_000


class BotData:
    """PTB's `bot_data`, typed: it holds the wired services and nothing else."""

    def __init__(self) -> None:
        self._services: Services | None = None
        self._first_deliveries: set[int] = set()
        #: Per-person flood control of this process (see handlers/flood.py).
        self.flood = FloodControl()

    def wire(self, services: Services) -> None:
        """Install the services (called from the application's post_init)."""
        self._services = services

    def note_first_delivery(self, update_id: int) -> None:
        """Record that this update reached the bot for the first time (no replay check)."""
        if len(self._first_deliveries) > MAX_VOUCHED:  # updates that never reached the guard
            self._first_deliveries.clear()
        self._first_deliveries.add(update_id)

    def first_delivery(self, update_id: int) -> bool:
        """True (once) when the poller vouched that nothing handled this update before."""
        if update_id in self._first_deliveries:
            self._first_deliveries.discard(update_id)
            return True
        return False

    @property
    def services(self) -> Services:
        """The wired services; using them before start-up is a programming error."""
        if self._services is None:
            raise RuntimeError("services are wired in post_init; none yet")
        return self._services


@dataclass
class Reader:
    """The person behind an update, with their language, read once per update."""

    person: Person
    translations: Translations
    _standing: Standing | None = None

    @property
    def language(self) -> Language:
        """The language this person reads."""
        return self.person.language

    def t(self, message: str, /, **params: object) -> str:
        """Translate a message for this person."""
        return self.translations.translate(self.person.language, message, **params)


class TongxinContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """PTB's context with typed access to the services and the update's reader."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.reader: Reader | None = None
        #: Set when a use case marked this update processed in its own transaction.
        self.update_claimed = False

    @property
    def services(self) -> Services:
        """The application's services."""
        return self.bot_data.services
