"""The reminder's follow-up questions, one dialog kind on the engine.

"Delivered part…" asks how much (a photo or a document as proof is welcome, the amount as
its caption); "Need more time" offers +1 day, +3 days, +1 week or a typed date; "Cancel"
asks why. Each is one question: its answer goes to `ReminderService` in the engine's unit of
work, which also marks the update, so the pledge's change, the coordinators' notice and the
re-plan land with it in one commit.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.dialogs.engine import OneAnswer, OneAnswerKind
from domain.dialogs.models import Accepts, Answer, Pressed, Question, Sent, Typed
from domain.errors import N_, InvalidInput
from domain.kernel.origin import Origin
from domain.outbox.models import MediaKind
from domain.pledges.models import Pledge, PledgeKind
from domain.pledges.ports import AmountReader
from domain.reminders.escalation import EscalationService
from domain.reminders.ports import DeliveredAmount
from domain.reminders.service import Answered, ReminderService, own_pledge

DIALOG_KIND = "reminder_answer"
CODE = "ra"
#: The "need more time" buttons: their value is the days added.
MORE_DAYS = (1, 3, 7)
CAPTION_NEEDED = N_("Please add how much was delivered as the caption, e.g. 1000公斤.")
UNREADABLE_DATE = N_("I could not read that date. Write it like 2026-02-25, 2月25日 or 明天.")
NO_SUCH_CHOICE = N_("This button is no longer valid.")
HOURS_RANGE = N_("Please write the hours it took, more than 0 and at most {limit}, e.g. 6, "
                 "2.5 or 两小时.")
HOURS_A_DAY = 24
#: A date is a few words; anything longer is not one.
MAX_DATE_TEXT = 100


class Action(StrEnum):
    """The question a reminder's button opened."""

    PART = "part"
    #: a volunteer's shift happened, with other hours than pledged
    HOURS = "hours"
    DATE = "date"
    CANCEL = "cancel"
    #: a coordinator's new date for a stalled pledge ("I called them")
    NEW_DATE = "codate"


ACCEPTS = {
    Action.PART: Accepts.TEXT | Accepts.FILE,
    Action.HOURS: Accepts.TEXT,
    Action.DATE: Accepts.TEXT | Accepts.BUTTON,
    Action.CANCEL: Accepts.TEXT,
    Action.NEW_DATE: Accepts.TEXT,
}


def reminder_answer(action: Action, pledge_id: int) -> OneAnswer:
    """The draft of the question `action` about pledge `pledge_id`."""
    return OneAnswer(action.value, pledge_id)


class ReminderAnswerKind(OneAnswerKind):
    """How much was delivered, until when, or why cancel: one answer, then done."""

    name = DIALOG_KIND
    code = CODE

    def __init__(
        self,
        service: ReminderService,
        escalations: EscalationService,
        measure: DeliveredAmount,
        dates: AmountReader,
    ) -> None:
        self._service = service
        self._escalations = escalations
        self._measure = measure
        self._dates = dates

    async def question(
        self, uow: Any, origin: Origin, draft: OneAnswer, known: Question | None
    ) -> Question:
        """The one question, taking what its action takes; `shown` is the pledge's number."""
        action = Action(draft.action)
        if action is Action.HOURS:
            # "other hours" is a volunteer's answer; on another pledge it is a forged press
            pledge = await own_pledge(uow, origin.actor_id or 0, draft.subject_id)
            if pledge.kind is not PledgeKind.VOLUNTEER:
                raise InvalidInput(NO_SUCH_CHOICE)
        return Question(action.value, ACCEPTS[action], shown=draft.subject_id)

    async def take(self, uow: Any, origin: Origin, draft: OneAnswer, answer: Answer) -> Answered:
        """Do what the answer says, in the engine's unit of work; a refusal changes nothing."""
        action, pledge_id = Action(draft.action), draft.subject_id
        if action is Action.NEW_DATE:
            due = self._date(answer, await self._service.today_of(uow, origin.actor_id or 0))
            return await self._escalations.new_date(uow, origin, pledge_id, due)
        if action is Action.DATE:
            if isinstance(answer, Pressed):
                days = int(answer.value) if answer.value in {str(d) for d in MORE_DAYS} else 0
                if not days:
                    raise InvalidInput(NO_SUCH_CHOICE)
                return await self._service.more_days(uow, origin, pledge_id, days)
            due = self._date(answer, await self._service.today_of(uow, origin.actor_id or 0))
            return await self._service.move(uow, origin, pledge_id, due)
        if action is Action.CANCEL:
            return await self._service.withdraw(uow, origin, pledge_id, _typed(answer))
        if action is Action.HOURS:
            pledge = await own_pledge(uow, origin.actor_id or 0, pledge_id)
            return await self._service.deliver(
                uow, origin, pledge_id, shift_hours(pledge, self._hours(pledge, answer))
            )
        proof = None
        if isinstance(answer, Sent):
            if not answer.caption.strip():
                raise InvalidInput(CAPTION_NEEDED)
            proof = (answer.file_id, MediaKind(answer.media))
        text = answer.caption if isinstance(answer, Sent) else _typed(answer)
        pledge = await own_pledge(uow, origin.actor_id or 0, pledge_id)
        quantity, unit = self._measure(pledge, text)
        return await self._service.deliver(uow, origin, pledge_id, quantity, proof, unit)


    def _hours(self, pledge: Pledge, answer: Answer) -> Decimal:
        """The hours typed (6, 2.5, 两小时), read as a delivery of the pledge is; anything
        else is refused with the range the shift allows."""
        try:
            hours, _unit = self._measure(pledge, _typed(answer)[:MAX_DATE_TEXT])
        except InvalidInput:
            hours = Decimal(0)  # not hours: refused below, with the range
        return hours

    def _date(self, answer: Answer, today: date) -> date:
        """The date typed (2026-02-25, 2月25日, 明天), read against the person's today."""
        text = _typed(answer)[:MAX_DATE_TEXT].strip()
        due = self._dates.read_date(text, today) if text else None
        if due is None:
            raise InvalidInput(UNREADABLE_DATE)
        return due


def shift_hours(pledge: Pledge, hours: Decimal) -> Decimal:
    """The hours a volunteer says their shift took: more than 0, at most 24 for each day the
    shift spans; a pledge of other kinds has no shift.

    Only the pledged hours are kept, not the days they were spread over (每天8小时，连续10天
    is 80 hours), so a shift spans at least as many days as its hours fill, one at least.
    """
    if pledge.kind is not PledgeKind.VOLUNTEER:
        raise InvalidInput(NO_SUCH_CHOICE)
    days = max(1, math.ceil(pledge.measure / HOURS_A_DAY))
    limit = HOURS_A_DAY * days
    if not hours.is_finite() or not 0 < hours <= limit:
        raise InvalidInput(HOURS_RANGE, limit=limit)
    return hours


def _typed(answer: Answer) -> str:
    """The typed text of an answer; a press where words are wanted is refused."""
    if not isinstance(answer, Typed):
        raise InvalidInput(NO_SUCH_CHOICE)
    return answer.text
