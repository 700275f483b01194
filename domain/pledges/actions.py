"""The one-question dialogs after a /mypledges button: how much was delivered, a new date, why.

Each is a `OneAnswerKind`: the engine keeps the question as a row until it is answered,
cancelled or expires, and runs the answer's use case in its own unit of work (which marks
the update, so the use case is given an origin without one).
"""

from __future__ import annotations

from typing import Any

from domain.dialogs.engine import OneAnswer, OneAnswerKind
from domain.dialogs.models import Accepts, Answer, Question, Sent, Typed
from domain.errors import N_, InvalidInput
from domain.kernel.origin import Origin
from domain.outbox.models import MediaKind
from domain.pledges.answers import read_due
from domain.pledges.models import Pledge
from domain.pledges.ports import PledgeUnitOfWork
from domain.pledges.review import delivered_measure
from domain.pledges.service import DeliveryReport, PledgeService

#: the one question of each kind (`OneAnswer.action`), as the /mypledges buttons name them
REPORT, DUE, CANCEL = "report", "due", "cancel"
CAPTION_NEEDED = N_("Please add how much was delivered as the caption, e.g. 1000公斤.")


class PledgeActionKind(OneAnswerKind):
    """A follow-up question about one of the person's pledges (`OneAnswer.subject_id`)."""

    name: str
    code: str

    def __init__(self, pledges: PledgeService) -> None:
        self._pledges = pledges

    async def question(
        self, uow: PledgeUnitOfWork, origin: Origin, draft: OneAnswer, known: Question | None
    ) -> Question:
        """The one question, about one of the person's own pledges (another's is refused)."""
        if known is None:
            assert origin.actor_id is not None
            await self._pledges.own(uow, origin.actor_id, draft.subject_id)
        return await super().question(uow, origin, draft, known)

    @staticmethod
    def acting(origin: Origin) -> Origin:
        """The origin the use case is given: the person, with the update left to the engine."""
        return Origin(origin.actor_id)


class DeliveredPart(PledgeActionKind):
    """"Delivered part": how much, typed, or as a photo's or document's caption (the proof)."""

    name = "pledge_report"
    code = "pdr"
    accepts = Accepts.TEXT | Accepts.FILE

    async def take(
        self, uow: PledgeUnitOfWork, origin: Origin, draft: OneAnswer, answer: Answer
    ) -> DeliveryReport:
        """Record the delivered amount (and the proof) against the pledge."""
        proof = None
        text = answer.text if isinstance(answer, Typed) else ""
        if isinstance(answer, Sent):
            proof = (answer.file_id, MediaKind(answer.media))
            text = answer.caption
            if not text.strip():
                raise InvalidInput(CAPTION_NEEDED)
        assert origin.actor_id is not None
        pledge = await self._pledges.own(uow, origin.actor_id, draft.subject_id)
        amount, unit = delivered_measure(self._pledges.amounts, pledge, text)
        file_id, kind = proof if proof is not None else (None, None)
        return await self._pledges.deliver(
            uow, self.acting(origin), pledge.id, amount, file_id, kind, unit
        )


class TypedAction(PledgeActionKind):
    """A follow-up answered by typing one line."""

    async def take(
        self, uow: PledgeUnitOfWork, origin: Origin, draft: OneAnswer, answer: Answer
    ) -> Pledge:
        """Do what the typed line asks to the pledge."""
        text = answer.text if isinstance(answer, Typed) else ""
        return await self.act(uow, self.acting(origin), draft.subject_id, text)

    async def act(self, uow: PledgeUnitOfWork, origin: Origin, pledge_id: int, text: str) -> Pledge:
        """The use case of the answer, in the engine's unit of work."""
        raise NotImplementedError


class NewDate(TypedAction):
    """"Change the date": the new delivery date, read in the person's own day."""

    name = "pledge_due"
    code = "pdu"

    async def act(self, uow: PledgeUnitOfWork, origin: Origin, pledge_id: int, text: str) -> Pledge:
        """Move the pledge's delivery date."""
        today = await self._pledges.calendar.today_of(uow, origin.actor_id)
        due = read_due(self._pledges.amounts, text, today)
        return await self._pledges.move_due(uow, origin, pledge_id, due)


class CancelReason(TypedAction):
    """"Cancel pledge": why, in one line."""

    name = "pledge_cancel"
    code = "pdc"

    async def act(self, uow: PledgeUnitOfWork, origin: Origin, pledge_id: int, text: str) -> Pledge:
        """Withdraw the pledge with the reason given."""
        return await self._pledges.withdraw(uow, origin, pledge_id, text)


#: the kind each /mypledges button begins
ACTION_KINDS: dict[str, type[PledgeActionKind]] = {
    REPORT: DeliveredPart,
    DUE: NewDate,
    CANCEL: CancelReason,
}


def action_kinds(pledges: PledgeService) -> list[Any]:
    """The follow-up dialog kinds of /mypledges, built on the pledge service."""
    return [kind(pledges) for kind in ACTION_KINDS.values()]
