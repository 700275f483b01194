"""A dialog kind added in one small module gets restarts, stale buttons, /cancel and expiry.

The toy below declares only its questions and how an answer changes its draft; everything
else — the row that survives a restart, recognising an old button by its step, refusing a
typed answer to a button question, /cancel, the expiry note, the update marked once — is
the engine's, and each is checked here through the sandbox with its flood limits on.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CommandHandler

from domain.clock import FakeClock
from domain.dialogs.engine import DraftKind
from domain.dialogs.models import (
    Accepts,
    Answer,
    Continue,
    Finished,
    Outcome,
    Pressed,
    Progress,
    Question,
    Turn,
    Typed,
)
from domain.errors import InvalidInput
from domain.kernel.origin import Origin
from handlers.common import CommandSpec, private_reader, reply
from handlers.context import Reader, Services, TongxinContext
from handlers.dialogs import DialogView, View, dialog_button, show_turn
from handlers.feature import SharedServicesOnly
from handlers.render import escape
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation, running_bot, settings_for

Json = dict[str, Any]


# -- the whole toy feature: a draft, a kind, a view, a feature ----------------------------


@dataclass
class ToyDraft:
    """A colour, then a name."""

    colour: str | None = None
    name: str | None = None


class ToyKind(DraftKind[ToyDraft]):
    """Two questions: a colour (buttons), then a name (typed, or Skip)."""

    name = "toy"
    code = "ty"
    draft_type = ToyDraft

    async def question(
        self, uow: object, origin: Origin, draft: ToyDraft, known: Question | None
    ) -> Question:
        """The colour first, then the name."""
        if draft.colour is None:
            return Question("colour")
        return Question("name", Accepts.TEXT | Accepts.BUTTON)

    async def answer(
        self, uow: object, origin: Origin, draft: ToyDraft, question: Question, answer: Answer
    ) -> Progress:
        """Take a colour press, or a typed name; the name finishes."""
        if isinstance(answer, Pressed) and question.step == "colour":
            if answer.value not in ("red", "blue"):
                raise InvalidInput("No such colour.")
            draft.colour = answer.value
            return Continue()
        if isinstance(answer, Typed):
            if not answer.text.strip():
                raise InvalidInput("A name, please.")
            draft.name = answer.text.strip()[:40]
        return Finished(f"{draft.colour} {draft.name or '-'}")


class ToyView(View):
    """The toy's two questions and its end."""

    kind = "toy"
    code = "ty"
    expired_note = "Your toy expired."

    async def show(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> Message | None:
        """Ask the question, or say what was made."""
        if turn.outcome is not Outcome.ASKED or turn.question is None:
            return await reply(update, escape(f"Made: {turn.result}"))
        if turn.question.step == "colour":
            markup = InlineKeyboardMarkup(
                [[dialog_button("Red", "ty", "colour", "red"),
                  dialog_button("Blue", "ty", "colour", "blue")]]
            )
            return await reply(update, "Which colour?", markup)
        skip = InlineKeyboardMarkup([[dialog_button("Skip", "ty", "name", "skip")]])
        return await reply(update, "Which name?", skip)


class ToyFeature(SharedServicesOnly):
    """/toy begins the toy dialog (on the services every feature shares)."""

    commands: tuple[CommandSpec, ...] = ()

    def __init__(self) -> None:
        self.view = ToyView()

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """/toy."""
        app.add_handler(CommandHandler("toy", self.begin))

    async def begin(self, update: Update, context: TongxinContext) -> None:
        """Open the toy dialog and ask its first question."""
        reader = await private_reader(update, context)
        if reader is None:
            return
        engine = context.services.dialog_engine
        turn = await engine.begin(Origin(reader.person.id, update.update_id), "toy", ToyDraft())
        await show_turn(update, context, reader, self.view, turn)

    def views(self) -> Sequence[DialogView]:
        """The toy's view."""
        return [self.view]

    def kinds(self, services: Services) -> Sequence[ToyKind]:
        """The toy's kind."""
        return [ToyKind()]


# -- the checks ---------------------------------------------------------------------------


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlUnitOfWorkFactory]:
    """The toy bot's database, read by the test (no product bot runs beside it)."""
    engine = create_engine(database_url)
    try:
        yield SqlUnitOfWorkFactory(session_factory(engine))
    finally:
        await engine.dispose()


async def _person(client: SandboxClient, chat: Conversation, name: str) -> int:
    user = await client.create_user(name, username=name.lower(), language_code="en")
    await chat.say(user["id"], "/start")
    return int(user["id"])


async def _dialog(store: SqlUnitOfWorkFactory, person_id: int) -> Json | None:
    async with store() as uow:
        found = await uow.dialogs.get(person_id)
    return None if found is None else found.data


async def _message(client: SandboxClient, chat_id: int, message_id: int) -> Json:
    return next(m for m in await client.messages(chat_id) if m["message_id"] == message_id)


async def test_a_toy_dialog_gets_stale_buttons_cancel_restarts_and_expiry_from_the_engine(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock,
    store: SqlUnitOfWorkFactory,
) -> None:
    settings = settings_for(database_url, sandbox)
    chat = Conversation(client)
    async with running_bot(settings, clock, [ToyFeature()]):
        ann = await _person(client, chat, "Ann")
        [colour] = await chat.say(ann, "/toy")
        assert colour["text"] == "Which colour?"
        # a typed answer to a button question is refused; nothing changes
        [refused] = await chat.say(ann, "green")
        assert refused["text"] == "Please use the buttons to answer."
        assert await _dialog(store, ann) == {"colour": None, "name": None}
        # a forged value for the right step is the kind's to refuse: it says why
        forged = await chat.press(ann, ann, colour, data="ty:colour:green", forged=True)
        assert forged["text"] == "No such colour."
        await chat.press(ann, ann, colour, data="ty:colour:red")
        [name] = await chat.next_messages(ann, 1, int(refused["message_id"]))
        assert name["text"] == "Which name?"
        assert "reply_markup" not in await _message(client, ann, int(colour["message_id"])), (
            "the answered question lost its buttons"
        )
        # the old colour button again, and a forged step: already answered, nothing changes
        stale = await chat.press(ann, ann, colour, data="ty:colour:blue", forged=True)
        assert stale["text"] == "This question is already answered."
        bogus = await chat.press(ann, ann, colour, data="ty:nosuch:1", forged=True)
        assert bogus["text"] == "This question is already answered."
        assert (await _dialog(store, ann) or {})["colour"] == "red"

    # a restart: the dialog is a row, the next process takes the typed answer
    async with running_bot(settings, clock, [ToyFeature()]):
        [made] = await chat.say(ann, "Alice")
        assert made["text"] == "Made: red Alice"
        assert await _dialog(store, ann) is None
        assert "reply_markup" not in await _message(client, ann, int(name["message_id"])), (
            "the name question, answered by typing, lost its Skip button"
        )
        # a button of the finished dialog: no longer valid
        late = await chat.press(ann, ann, name, data="ty:name:skip", forged=True)
        assert late["text"] == "This button is no longer valid."

        # /cancel ends any dialog, and says so once
        [again] = await chat.say(ann, "/toy")
        [cancelled] = await chat.say(ann, "/cancel")
        assert cancelled["text"] == "Cancelled. Nothing was saved."
        [nothing] = await chat.say(ann, "/cancel")
        assert nothing["text"] == "There was nothing to cancel."
        after_cancel = await chat.press(ann, ann, again, data="ty:colour:red")
        assert after_cancel["text"] == "This button is no longer valid."


async def test_an_abandoned_toy_expires_with_its_note_and_a_replay_changes_nothing(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock,
    store: SqlUnitOfWorkFactory,
) -> None:
    settings = settings_for(database_url, sandbox)
    chat = Conversation(client)
    async with running_bot(settings, clock, [ToyFeature()]) as app:
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name("dialogs")
        job.enabled = False
        ann = await _person(client, chat, "Ann")
        [colour] = await chat.say(ann, "/toy")
        await chat.press(ann, ann, colour, data="ty:colour:blue")
        [name] = await chat.next_messages(ann, 1, int(colour["message_id"]))
        # the press redelivered (a webhook retry, a restart): nothing changes, nothing sent
        async with store() as uow:
            result = await uow.session.execute(  # type: ignore[attr-defined]
                text("SELECT payload FROM received_update WHERE payload LIKE '%callback_query%'")
            )
            [(payload,)] = result.all()
        before = await _dialog(store, ann)
        since = max(c["seq"] for c in await client.calls())
        await app.process_update(Update.de_json(json.loads(payload), app.bot))
        assert await _dialog(store, ann) == before
        assert await client.calls(since=since) == []

        clock.advance(timedelta(hours=23, minutes=59))
        await job.run(app)
        assert await _dialog(store, ann) is not None
        clock.advance(timedelta(minutes=2))
        await job.run(app)
        [note] = await chat.next_messages(ann, 1, int(name["message_id"]))
        assert note["text"] == "Your toy expired."
        assert await _dialog(store, ann) is None
        count = len(await client.messages(ann))
        await job.run(app)
        assert len(await client.messages(ann)) == count, "one note, not one a sweep"
