"""The delivery review's typed messages, as one-question dialog kinds on the engine.

"Question it" under a delivery notice asks the coordinator what is unclear; "Answer" under
the member's copy of that question asks for the answer. Beginning checks, in the engine's
unit of work, that the presser may still ask (or answer) about the report; the typed
message moves the report, audits the move and queues the other side's notice in the unit
of work of the answer, which also marks the update and ends the dialog: one commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.dialogs.engine import OneAnswer, OneAnswerKind
from domain.dialogs.models import Accepts, Answer, Finished, Progress, Question, Typed
from domain.errors import N_, InvalidInput, PermissionDenied
from domain.kernel.origin import Origin
from domain.pledges.models import Pledge
from domain.pledges.ports import PledgeUnitOfWork
from domain.pledges.review import DeliveryReview, Reviewed

QUESTION_KIND = "delivery_question"
ANSWER_KIND = "delivery_answer"
#: The kinds' button codes (their questions have no buttons; `pf:`/`pa:` begin them).
QUESTION_CODE = "dq"
ANSWER_CODE = "da"
NO_SUCH_CHOICE = N_("This button is no longer valid.")


@dataclass(frozen=True)
class ReviewMessage:
    """What a typed question or answer did: the pledge after it, and the words as sent."""

    pledge: Pledge
    text: str


def delivery_question(fulfilment_id: int, notice: dict[str, Any]) -> OneAnswer:
    """The coordinator's question about a report; `notice` is what the view keeps of it."""
    return OneAnswer("question", fulfilment_id, notice)


def delivery_answer(fulfilment_id: int, notice: dict[str, Any]) -> OneAnswer:
    """The member's answer to a question about their report (`notice`: the view's)."""
    return OneAnswer("answer", fulfilment_id, notice)


class _ReviewMessageKind(OneAnswerKind):
    """One typed message about a delivery report, checked when asked and when answered."""

    def __init__(self, review: DeliveryReview) -> None:
        self._review = review

    async def question(
        self, uow: Any, origin: Origin, draft: OneAnswer, known: Question | None
    ) -> Question:
        """The one question; a presser who may not (or no longer) write it is refused.

        `shown` is the report as read in this unit of work, for the answer to act on.
        """
        reviewed = await self._check(uow, _person(origin), draft.subject_id)
        return Question(draft.action, Accepts.TEXT, shown=reviewed)

    async def answer(
        self, uow: Any, origin: Origin, draft: OneAnswer, question: Question, answer: Answer
    ) -> Progress:
        """The typed message acts on the report `question` read (one read per unit of work)."""
        if not isinstance(answer, Typed):
            raise InvalidInput(NO_SUCH_CHOICE)
        pledge = await self._act(uow, origin, question.shown, answer.text)
        return Finished(ReviewMessage(pledge, answer.text.strip()))

    async def _check(self, uow: PledgeUnitOfWork, person_id: int, fulfilment_id: int) -> Reviewed:
        raise NotImplementedError

    async def _act(
        self, uow: PledgeUnitOfWork, origin: Origin, reviewed: Reviewed, text: str
    ) -> Pledge:
        raise NotImplementedError


class DeliveryQuestionKind(_ReviewMessageKind):
    """A coordinator in scope writes what is unclear about a report; the member gets it."""

    name = QUESTION_KIND
    code = QUESTION_CODE

    async def _check(self, uow: PledgeUnitOfWork, person_id: int, fulfilment_id: int) -> Reviewed:
        """A report awaiting review in the coordinator's scope."""
        return await self._review.reviewable_in(uow, person_id, fulfilment_id)

    async def _act(
        self, uow: PledgeUnitOfWork, origin: Origin, reviewed: Reviewed, text: str
    ) -> Pledge:
        """Question the report."""
        return await self._review.question_in(uow, origin, reviewed, text)


class DeliveryAnswerKind(_ReviewMessageKind):
    """The member answers a question about their own report; the coordinator gets it."""

    name = ANSWER_KIND
    code = ANSWER_CODE

    async def _check(self, uow: PledgeUnitOfWork, person_id: int, fulfilment_id: int) -> Reviewed:
        """The member's own report, questioned and not yet answered."""
        return await self._review.questioned_in(uow, person_id, fulfilment_id)

    async def _act(
        self, uow: PledgeUnitOfWork, origin: Origin, reviewed: Reviewed, text: str
    ) -> Pledge:
        """Answer the question."""
        return await self._review.answer_in(uow, origin, reviewed, text)


def _person(origin: Origin) -> int:
    """The person writing; the engine only runs a person's dialog."""
    if origin.actor_id is None:
        raise PermissionDenied(N_("Only a person can answer."))
    return origin.actor_id
