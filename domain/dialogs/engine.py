"""The one dialog engine: every kind of conversation runs on it, each call one unit of work.

A dialog kind declares its questions (`question`: the step asked now, what it accepts and
what its view needs), how an answer changes the draft (`answer`) and what finishing does
(the `Finished` result). The engine does the rest the same way for every kind: it finds
the person's open dialog (a row, so restarts and replicas lose nothing), recognises a
stale press by its step, refuses an answer the question does not take, marks the update
handled in the same transaction as the change, ends the dialog on finish or cancel and
closes abandoned ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, Generic, Protocol, TypeVar, get_args, get_origin

from domain.clock import Clock
from domain.dialogs.models import (
    ASKED_KEY,
    Accepts,
    Answer,
    Cancelled,
    Dialog,
    Finished,
    Outcome,
    Pressed,
    Progress,
    Question,
    Sent,
    Turn,
    Typed,
)
from domain.dialogs.ports import DialogUnitOfWork
from domain.errors import N_, InvalidInput
from domain.kernel.origin import Origin

USE_BUTTONS = N_("Please use the buttons to answer.")
NOT_A_FILE = N_("Please answer this question with text, not a file.")
NOT_A_BUTTON = N_("This button is no longer valid.")

U = TypeVar("U", bound=DialogUnitOfWork)
U_contra = TypeVar("U_contra", contravariant=True)
D = TypeVar("D")


class DialogKind(Protocol[U_contra]):
    """A kind of conversation: its name (kept in the row), its button code and its rules."""

    #: stored as the dialog row's kind
    name: str
    #: the first part of its buttons' data: `<code>:<step>:<value>`
    code: str

    def load(self, data: Mapping[str, Any]) -> Any:
        """Rebuild the draft from the dialog row's data."""
        ...

    def dump(self, draft: Any) -> dict[str, Any]:
        """The JSON-safe form of the draft, kept in the dialog row."""
        ...

    async def question(
        self, uow: U_contra, origin: Origin, draft: Any, known: Question | None
    ) -> Question:
        """What the draft asks now (`known` is the question this unit of work already read)."""
        ...

    async def answer(
        self, uow: U_contra, origin: Origin, draft: Any, question: Question, answer: Answer
    ) -> Progress:
        """Take one answer into the draft; raise a `DomainError` to refuse it (nothing kept)."""
        ...

    async def late_press(self, uow: U_contra, origin: Origin, press: Pressed) -> Any:
        """What a press means when no dialog of this kind is open (None: it is stale)."""
        ...


class DraftKind(Generic[D]):
    """Defaults for a kind whose draft is a dataclass: load and dump it, no late presses.

    `class PledgeDialog(DraftKind[PledgeDraft])` names its draft's type once, there.
    """

    draft_type: type[D]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Take the draft's type from the base `DraftKind[...]` unless the class names one."""
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            if get_origin(base) is DraftKind and "draft_type" not in cls.__dict__:
                (cls.draft_type,) = get_args(base)

    def load(self, data: Mapping[str, Any]) -> D:
        """Rebuild the draft from a dialog row (keys it does not know are ignored)."""
        known = {f.name for f in fields(self.draft_type)}  # type: ignore[arg-type]
        return self.draft_type(**{k: v for k, v in data.items() if k in known})

    def dump(self, draft: D) -> dict[str, Any]:
        """The draft's fields as a dict."""
        assert is_dataclass(draft) and not isinstance(draft, type)
        return asdict(draft)

    async def late_press(self, uow: Any, origin: Origin, press: Pressed) -> Any:
        """No press is recognised once the dialog ended."""
        return None


@dataclass
class OneAnswer:
    """The draft of a one-question dialog: which question (`action`) about what (`subject_id`)."""

    action: str
    subject_id: int
    extra: dict[str, Any] = field(default_factory=dict)


class OneAnswerKind(DraftKind[OneAnswer]):
    """A dialog of one question (a delivery report's amount, a new deadline, a reason...).

    A subclass says what the answer does (`take`); the engine keeps the question as a row
    until it is answered, cancelled or expires, as for any dialog.
    """

    #: what the one question takes
    accepts = Accepts.TEXT

    async def question(
        self, uow: Any, origin: Origin, draft: OneAnswer, known: Question | None
    ) -> Question:
        """The one question: its action, taking what the kind accepts."""
        return Question(draft.action, self.accepts)

    async def answer(
        self, uow: Any, origin: Origin, draft: OneAnswer, question: Question, answer: Answer
    ) -> Progress:
        """The answer finishes the dialog with what `take` made of it."""
        return Finished(await self.take(uow, origin, draft, answer))

    async def take(self, uow: Any, origin: Origin, draft: OneAnswer, answer: Answer) -> Any:
        """Do what the answer asks (in the engine's unit of work); raise to refuse it."""
        raise NotImplementedError


class DialogEngine(Generic[U]):
    """Begin, answer, cancel and expire dialogs of every registered kind."""

    def __init__(self, uow: Callable[[], U], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock
        self._kinds: dict[str, DialogKind[U]] = {}
        self._codes: dict[str, str] = {}

    def register(self, kinds: Iterable[DialogKind[U]]) -> None:
        """Add dialog kinds; a name or button code used twice is a programming error."""
        for kind in kinds:
            if kind.name in self._kinds or kind.code in self._codes:
                raise ValueError(f"dialog kind {kind.name!r} ({kind.code}) registered twice")
            self._kinds[kind.name] = kind
            self._codes[kind.code] = kind.name

    def kinds(self) -> list[str]:
        """The names of the registered kinds."""
        return list(self._kinds)

    async def current(self, person_id: int) -> Dialog | None:
        """The person's open dialog, or None (an expired one counts as none)."""
        async with self._uow() as uow:
            dialog = await uow.dialogs.get(person_id)
        if dialog is None or dialog.expired(self._clock.now()):
            return None
        return dialog

    async def begin(self, origin: Origin, kind_name: str, draft: Any) -> Turn:
        """Open a dialog (replacing whatever the person was doing) and ask its first question.

        The update is marked handled in the same unit of work: after a crash, Telegram's
        redelivery does not open it twice.
        """
        kind = self._kinds[kind_name]
        person_id = origin.person()
        async with self._uow() as uow:
            if not await _mark(uow, origin):
                return Turn(Outcome.REPLAYED, kind.name)
            question = await kind.question(uow, origin, draft, None)
            dialog = Dialog(person_id, kind.name, kind.dump(draft))
            dialog.touch(self._clock.now())
            await uow.dialogs.delete(person_id)
            await uow.dialogs.save(dialog)
            await uow.commit()
            return Turn(Outcome.ASKED, kind.name, dialog, draft, question)

    async def answer(self, origin: Origin, answer: Answer, kind_name: str | None = None) -> Turn:
        """Take one answer to the person's open dialog (of `kind_name`, for a button).

        The dialog is read, answered and stored and the update marked, together. A press of
        another step than the one asked is stale and changes nothing; an answer the question
        does not take, or that the kind refuses, raises and changes nothing.
        """
        person_id = origin.person()
        async with self._uow() as uow:
            now = self._clock.now()
            dialog = await uow.dialogs.get(person_id)
            alive = dialog is not None and not dialog.expired(now)
            if dialog is None or not alive or dialog.kind not in self._kinds or (
                kind_name is not None and dialog.kind != kind_name
            ):
                return await self._without_dialog(uow, origin, answer, kind_name)
            kind = self._kinds[dialog.kind]
            draft = kind.load(_draft_data(dialog))
            question = await kind.question(uow, origin, draft, None)
            if isinstance(answer, Pressed) and not question.takes_press(answer.step):
                return Turn(Outcome.STALE, kind.name, dialog, draft, question)
            _check_accepts(question, answer)
            progress = await kind.answer(uow, origin, draft, question, answer)
            if not await _mark(uow, origin):
                return Turn(Outcome.REPLAYED, kind.name)
            answered = dialog.data.get(ASKED_KEY)
            if isinstance(progress, Finished | Cancelled):
                await uow.dialogs.delete(person_id)
                await uow.commit()
                outcome = Outcome.FINISHED if isinstance(progress, Finished) else Outcome.CANCELLED
                result = progress.result if isinstance(progress, Finished) else None
                return Turn(outcome, kind.name, None, draft, None, result, answered)
            following = await kind.question(uow, origin, draft, question)
            dialog.data = kind.dump(draft)
            dialog.touch(now)
            await uow.dialogs.save(dialog)
            await uow.commit()
            return Turn(
                Outcome.ASKED, kind.name, dialog, draft, following, progress.result, answered
            )

    async def _without_dialog(
        self, uow: U, origin: Origin, answer: Answer, kind_name: str | None
    ) -> Turn:
        """A press of a kind whose dialog is not open: late (recognised) or stale."""
        kind = self._kinds.get(kind_name) if kind_name is not None else None
        if kind is None or not isinstance(answer, Pressed):
            return Turn(Outcome.NO_DIALOG, kind_name or "")
        result = await kind.late_press(uow, origin, answer)
        if result is None:
            return Turn(Outcome.NO_DIALOG, kind.name)
        if not await _mark(uow, origin):
            return Turn(Outcome.REPLAYED, kind.name)
        await uow.commit()
        return Turn(Outcome.LATE, kind.name, result=result)

    async def cancel(self, origin: Origin, kind_name: str | None = None) -> Turn:
        """End the person's open dialog (only one of `kind_name` when given); nothing is kept."""
        person_id = origin.person()
        async with self._uow() as uow:
            dialog = await uow.dialogs.get(person_id)
            if dialog is None or dialog.expired(self._clock.now()) or (
                kind_name is not None and dialog.kind != kind_name
            ):
                return Turn(Outcome.NO_DIALOG, kind_name or "")
            if not await _mark(uow, origin):
                return Turn(Outcome.REPLAYED, dialog.kind)
            await uow.dialogs.delete(person_id)
            await uow.commit()
            return Turn(Outcome.CANCELLED, dialog.kind, dialog)

    async def remember_question(self, turn: Turn, message_id: int) -> None:
        """Keep the id of the question just asked with buttons, to take them away when typed.

        Nothing is kept when the dialog moved on since the turn (another answer came).
        """
        if turn.dialog is None:
            return
        async with self._uow() as uow:
            dialog = await uow.dialogs.get(turn.dialog.person_id)
            if dialog is None or dialog.kind != turn.kind or dialog.version != turn.dialog.version:
                return
            dialog.data = {**dialog.data, ASKED_KEY: message_id}
            await uow.dialogs.save(dialog)
            await uow.commit()

    async def sweep_expired(self, limit: int = 100) -> list[Dialog]:
        """Close dialogs abandoned past their expiry and return them, so each gets one note."""
        async with self._uow() as uow:
            expired = await uow.dialogs.expired(self._clock.now(), limit)
            for dialog in expired:
                await uow.dialogs.delete(dialog.person_id)
            await uow.commit()
            return expired



async def _mark(uow: DialogUnitOfWork, origin: Origin) -> bool:
    """Mark the origin's update handled in this unit of work; False when it already was."""
    return origin.update_id is None or await uow.updates.mark(origin.update_id)


def _draft_data(dialog: Dialog) -> dict[str, Any]:
    """The kind's own part of the dialog's data (the engine's keys taken out)."""
    return {k: v for k, v in dialog.data.items() if k != ASKED_KEY}


def _check_accepts(question: Question, answer: Answer) -> None:
    """Refuse an answer of a sort the question does not take."""
    # a press for a question that was never sent with buttons is forged data
    pressed_at_text = isinstance(answer, Pressed) and Accepts.BUTTON not in question.accepts
    if pressed_at_text and not question.presses:
        raise InvalidInput(NOT_A_BUTTON)
    if isinstance(answer, Typed) and Accepts.TEXT not in question.accepts:
        raise InvalidInput(USE_BUTTONS)
    if isinstance(answer, Sent) and Accepts.FILE not in question.accepts:
        raise InvalidInput(NOT_A_FILE if Accepts.TEXT in question.accepts else USE_BUTTONS)
