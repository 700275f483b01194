"""The dialog engine's rules on the in-memory fakes: one unit of work per call, every kind alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from domain.clock import FakeClock
from domain.dialogs.engine import DialogEngine, DraftKind, OneAnswer, OneAnswerKind
from domain.dialogs.models import (
    Accepts,
    Answer,
    Cancelled,
    Continue,
    Finished,
    Outcome,
    Pressed,
    Progress,
    Question,
    Sent,
    Typed,
)
from domain.errors import InvalidInput
from domain.kernel.origin import Origin
from tests.fakes import FakeUnitOfWorkFactory

ANN = 7


@dataclass
class Pair:
    """A letter, then a word."""

    letter: str | None = None


class PairKind(DraftKind[Pair]):
    """A letter (button, or Cancel), then a typed word that finishes."""

    name = "pair"
    code = "pr"
    draft_type = Pair

    async def question(self, uow: Any, origin: Origin, draft: Pair, known: Question | None
                       ) -> Question:
        """Letter, then word."""
        if draft.letter is None:
            return Question("letter", presses=frozenset({"letter", "no"}))
        return Question("word", Accepts.TEXT)

    async def answer(self, uow: Any, origin: Origin, draft: Pair, question: Question,
                     answer: Answer) -> Progress:
        """Take the letter or the word."""
        if isinstance(answer, Pressed) and answer.step == "no":
            return Cancelled()
        if isinstance(answer, Pressed):
            draft.letter = answer.value
            return Continue(answer.value)  # what the answer did, for the view to confirm
        assert isinstance(answer, Typed)
        return Finished(f"{draft.letter}{answer.text}")


class Reason(OneAnswerKind):
    """One typed reason (or a file)."""

    name = "reason"
    code = "rs"
    accepts = Accepts.TEXT | Accepts.FILE

    async def take(self, uow: Any, origin: Origin, draft: OneAnswer, answer: Answer) -> Any:
        """The reason, about the subject."""
        if isinstance(answer, Typed) and not answer.text:
            raise InvalidInput("empty")
        said = answer.text if isinstance(answer, Typed) else "file"
        return (draft.subject_id, draft.action, said)


@pytest.fixture
def engine(fake_uow_factory: FakeUnitOfWorkFactory) -> DialogEngine[Any]:
    found: DialogEngine[Any] = DialogEngine(fake_uow_factory, FakeClock())
    found.register([PairKind(), Reason()])
    return found


async def test_each_call_is_one_unit_of_work_that_marks_its_update(
    engine: DialogEngine[Any], fake_uow_factory: FakeUnitOfWorkFactory
) -> None:
    opened = fake_uow_factory.commits
    begun = await engine.begin(Origin(ANN, 1), "pair", Pair())
    assert begun.outcome is Outcome.ASKED and begun.question is not None
    assert begun.question.step == "letter"
    turn = await engine.answer(Origin(ANN, 2), Pressed("letter", "a"), "pair")
    assert turn.outcome is Outcome.ASKED and turn.question is not None
    assert turn.question.step == "word"
    assert turn.result == "a", "what the answer did reaches the view"
    done = await engine.answer(Origin(ANN, 3), Typed("b"))
    assert done.outcome is Outcome.FINISHED and done.result == "ab"
    assert fake_uow_factory.commits - opened == 3, "one commit per begin or answer"
    assert await engine.current(ANN) is None
    # the same update again changes nothing
    await engine.begin(Origin(ANN, 4), "pair", Pair())
    assert (await engine.begin(Origin(ANN, 4), "pair", Pair())).outcome is Outcome.REPLAYED
    await engine.answer(Origin(ANN, 5), Pressed("letter", "x"), "pair")
    replayed = await engine.answer(Origin(ANN, 5), Pressed("letter", "z"), "pair")
    assert replayed.outcome in (Outcome.STALE, Outcome.REPLAYED)
    dialog = await engine.current(ANN)
    assert dialog is not None and dialog.data["letter"] == "x"


async def test_stale_refused_and_foreign_presses_change_nothing(
    engine: DialogEngine[Any],
) -> None:
    await engine.begin(Origin(ANN, 1), "pair", Pair())
    with pytest.raises(InvalidInput):  # typed while a button is asked
        await engine.answer(Origin(ANN, 2), Typed("hello"))
    with pytest.raises(InvalidInput):  # a file while a button is asked
        await engine.answer(Origin(ANN, 3), Sent("f", "photo"))
    assert (await engine.answer(Origin(ANN, 4), Pressed("word", "z"), "pair")).outcome is (
        Outcome.STALE
    )
    other = await engine.answer(Origin(ANN, 5), Pressed("reason", "z"), "reason")
    assert other.outcome is Outcome.NO_DIALOG, "a press of another kind finds no dialog"
    dialog = await engine.current(ANN)
    assert dialog is not None and dialog.data == {"letter": None}
    assert (await engine.answer(Origin(ANN, 6), Pressed("no", ""), "pair")).outcome is (
        Outcome.CANCELLED
    )
    assert await engine.current(ANN) is None
    assert (await engine.answer(Origin(ANN, 7), Typed("x"))).outcome is Outcome.NO_DIALOG


async def test_one_answer_dialogs_cancel_and_expiry(
    engine: DialogEngine[Any], fake_uow_factory: FakeUnitOfWorkFactory
) -> None:
    clock = FakeClock()
    engine = DialogEngine(fake_uow_factory, clock)
    engine.register([Reason()])
    await engine.begin(Origin(ANN, 1), "reason", OneAnswer("cancel", 42))
    with pytest.raises(InvalidInput):
        await engine.answer(Origin(ANN, 2), Typed(""))
    with pytest.raises(InvalidInput):  # a press for a question that takes no buttons
        await engine.answer(Origin(ANN, 21), Pressed("cancel", "x"), "reason")
    done = await engine.answer(Origin(ANN, 3), Sent("f", "document"))
    assert done.outcome is Outcome.FINISHED and done.result == (42, "cancel", "file")
    await engine.begin(Origin(ANN, 4), "reason", OneAnswer("due", 9))
    assert (await engine.cancel(Origin(ANN, 5))).outcome is Outcome.CANCELLED
    assert (await engine.cancel(Origin(ANN, 6))).outcome is Outcome.NO_DIALOG
    await engine.begin(Origin(ANN, 7), "reason", OneAnswer("due", 9))
    clock.advance(timedelta(hours=25))
    assert (await engine.answer(Origin(ANN, 8), Typed("late"))).outcome is Outcome.NO_DIALOG
    [expired] = await engine.sweep_expired()
    assert expired.kind == "reason" and await engine.sweep_expired() == []


def test_a_kind_or_a_code_registered_twice_is_refused(engine: DialogEngine[Any]) -> None:
    with pytest.raises(ValueError):
        engine.register([PairKind()])


def test_a_draft_kind_takes_its_draft_type_from_its_base() -> None:
    class Inferred(DraftKind[Pair]):
        name, code = "inferred", "in"

    assert Inferred.draft_type is Pair
    assert OneAnswerKind.draft_type is OneAnswer
