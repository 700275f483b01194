"""Changing an appeal's reminder numbers from `/appeals`: three questions on the engine.

N (days before the due date the first reminder goes), M (days between reminders while a
pledge is overdue), K (at most so many after the due date), each a typed whole number or a
button. A number outside its range, or anything that is not a number, is refused with the
range, and nothing is kept; the last answer saves the policy and re-plans the appeal's open
pledges in the engine's unit of work, which also marks the update: one commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.dialogs.engine import DraftKind
from domain.dialogs.models import Accepts, Answer, Continue, Finished, Pressed, Question, Typed
from domain.errors import N_, InvalidInput
from domain.kernel.origin import Origin
from domain.parsing.integers import parse_int
from domain.reminders.appeal_policy import AppealRemindersService
from domain.reminders.models import MAX_BEFORE_DAYS, MAX_EVERY_DAYS, MAX_OVERDUE, ReminderPolicy

POLICY_KIND = "appeal_reminder_policy"
POLICY_CODE = "aq"
NOT_IN_RANGE = N_("Please write a whole number from {low} to {high}.")


class PolicyStep(StrEnum):
    """The three numbers, asked in this order."""

    BEFORE = "before"
    EVERY = "every"
    MOST = "most"


#: Each number's bounds (the policy's own), and the choices offered as buttons.
BOUNDS = {
    PolicyStep.BEFORE: (0, MAX_BEFORE_DAYS),
    PolicyStep.EVERY: (1, MAX_EVERY_DAYS),
    PolicyStep.MOST: (0, MAX_OVERDUE),
}
CHOICES = {
    PolicyStep.BEFORE: (0, 1, 2, 3, 7),
    PolicyStep.EVERY: (1, 2, 3, 7),
    PolicyStep.MOST: (1, 3, 5, 10),
}


@dataclass
class PolicyDraft:
    """The appeal whose numbers change, and those answered so far."""

    appeal_id: int
    before: int | None = None
    every: int | None = None


def read_number(step: PolicyStep, answer: Answer) -> int:
    """The whole number typed or pressed for `step`, inside its bounds; else a refusal."""
    low, high = BOUNDS[step]
    if isinstance(answer, Typed):
        text = answer.text.strip()[:20]
    elif isinstance(answer, Pressed):
        text = answer.value
    else:
        text = ""
    value = parse_int(text, minimum=low, maximum=high)
    if value is None:
        raise InvalidInput(NOT_IN_RANGE, low=low, high=high)
    return value


class AppealPolicyKind(DraftKind[PolicyDraft]):
    """N, then M, then K; the last answer saves the appeal's own policy."""

    name = POLICY_KIND
    code = POLICY_CODE

    def __init__(self, service: AppealRemindersService) -> None:
        self._service = service

    async def question(
        self, uow: Any, origin: Origin, draft: PolicyDraft, known: Question | None
    ) -> Question:
        """The next number asked; `shown` is the appeal's number."""
        step = (
            PolicyStep.BEFORE if draft.before is None
            else PolicyStep.EVERY if draft.every is None
            else PolicyStep.MOST
        )
        return Question(step.value, Accepts.TEXT | Accepts.BUTTON, shown=draft.appeal_id)

    async def answer(
        self, uow: Any, origin: Origin, draft: PolicyDraft, question: Question, answer: Answer
    ) -> Continue | Finished:
        """Keep the number; after the third, save the policy (its coordinator only)."""
        step = PolicyStep(question.step)
        value = read_number(step, answer)
        if step is PolicyStep.BEFORE:
            draft.before = value
            return Continue()
        if step is PolicyStep.EVERY:
            draft.every = value
            return Continue()
        policy = ReminderPolicy(draft.before or 0, draft.every or 1, value)
        return Finished(
            await self._service.set_policy_in(uow, origin, draft.appeal_id, policy)
        )
