"""A feature builds its own service from the wiring, and its handlers read it typed.

The toy feature below is the whole of it: a service on the domain's unit-of-work factory,
the clock and the settings, built in `services(wiring)`, and a command that reads it with
`context.services.of(TallyService)`. Nothing in `handlers/context.py`, `bot/composition.py`
or `bot/runtime.py` names it; the bot runs it against the sandbox with its flood limits on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from domain.clock import Clock, FakeClock
from domain.network.ports import UnitOfWorkFactory
from handlers.common import CommandSpec, add_commands, private_mine, reply
from handlers.context import OwnServices, Services, TongxinContext
from handlers.dialogs import DialogView
from handlers.render import escape
from handlers.wiring import Wiring
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.harness import Conversation, running_bot, settings_for


class TallyService:
    """Counts a person's /tally, naming them as storage knows them, at the clock's time."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, currency: str) -> None:
        self._uow = uow
        self._clock = clock
        self._currency = currency
        self._counts: Counter[int] = Counter()

    async def tally(self, person_id: int) -> str:
        """One more for the person: who, how many, when, and the drive's currency."""
        async with self._uow.read() as uow:
            person = await uow.people.get(person_id)
        self._counts[person_id] += 1
        name = person.name if person is not None else "?"
        return f"{name}: {self._counts[person_id]} at {self._clock.now():%H:%M} {self._currency}"


class TallyFeature:
    """/tally, on a service of its own."""

    commands: tuple[CommandSpec, ...] = ()

    def services(self, wiring: Wiring[UnitOfWorkFactory]) -> Sequence[object]:
        """Its service, from the wiring's unit-of-work factory, clock and settings."""
        return [TallyService(wiring.uow, wiring.clock, wiring.settings.currency)]

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """/tally."""
        add_commands(app, {"tally": self.tally})

    async def tally(self, update: Update, context: TongxinContext) -> None:
        """Count one and say the tally."""
        counted = await private_mine(update, context, context.services.of(TallyService).tally)
        if counted is not None:
            await reply(update, escape(counted[1]))

    def views(self) -> Sequence[DialogView]:
        """No dialog."""
        return []

    def kinds(self, services: Services) -> Sequence[Any]:
        """No dialog; the service is already built when kinds are asked for."""
        assert isinstance(services.of(TallyService), TallyService)
        return []


async def test_a_feature_builds_its_own_service_from_the_wiring(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock,
) -> None:
    settings = settings_for(database_url, sandbox, currency="EUR")
    chat = Conversation(client)
    async with running_bot(settings, clock, [TallyFeature()]):
        user = await client.create_user("Ann", username="ann", language_code="en")
        ann = int(user["id"])
        await chat.say(ann, "/start")
        [first] = await chat.say(ann, "/tally")
        assert first["text"] == f"Ann: 1 at {clock.now():%H:%M} EUR"
        [second] = await chat.say(ann, "/tally")
        assert second["text"] == f"Ann: 2 at {clock.now():%H:%M} EUR"


def test_a_service_is_built_once_and_one_never_built_is_a_programming_error() -> None:
    own = OwnServices()
    own.add([Counter[int]()])
    with pytest.raises(ValueError, match="Counter is built by two features"):
        own.add([Counter[int]()])
    with pytest.raises(LookupError, match="no feature builds a TallyService"):
        own.of(TallyService)
    assert isinstance(own.of(Counter), Counter)
