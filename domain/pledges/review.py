"""The delivery review between a coordinator and a member: confirm, question, answer.

A mixin of `PledgeService` (it shares its unit of work, clock, notices and scope rule), kept
apart so the review's use cases do not grow the pledge service further.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from domain.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import Standing, standing_in
from domain.kernel.text import TextRule
from domain.kernel.units import LocalUseCases
from domain.network.models import Language
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from domain.pledges.answers import read_money
from domain.pledges.models import Fulfilment, FulfilmentState, Pledge, PledgeKind
from domain.pledges.ports import (
    AmountReader,
    DeliveryNotices,
    DeliveryParties,
    PledgeUnitOfWork,
)

#: A question or an answer is a short message, not a letter.
MAX_MESSAGE = 500
#: A delivery report with its pledge, as checked for the person reviewing or answering it.
Reviewed = tuple[Pledge, Fulfilment]


#: A question or answer as written (its lines kept), trimmed; an empty or overlong one is refused.
clean_message = TextRule(
    N_("Please write a short message."),
    MAX_MESSAGE,
    N_("Please keep it to {limit} characters; this one has {length}."),
    one_line=False,
).clean

def delivered_measure(
    amounts: AmountReader, pledge: Pledge, text: str
) -> tuple[Decimal, str | None]:
    """A delivery report's amount in the pledge's measure, and the unit a value-only lot takes.

    Money is read in the pledge's currency (minor units); a quantity is converted to the
    pledge's unit (2吨 of a pledge in 公斤 is 2000); goods pledged by their value alone take
    the unit the report gives; a bare number is taken in the pledge's own measure.
    """
    if pledge.kind is PledgeKind.MONEY:
        minor, _ = read_money(amounts, text, pledge.currency)
        return Decimal(minor), None
    found = amounts.read(text, pledge.currency)
    if pledge.value_only and pledge.unit == "" and found is not None and found.unit:
        return found.value, found.unit  # goods pledged by value: the quantity comes now
    if found is None or (found.currency is not None and not found.unit):
        try:
            return Decimal(text.strip()), None
        except InvalidOperation:
            raise InvalidInput(N_("Please write how much was delivered, e.g. 1000公斤.")) from None
    if found.unit and pledge.unit and not amounts.units_compatible(found.unit, pledge.unit):
        raise InvalidInput(
            N_("“{unit}” does not fit this pledge, which is counted in “{need_unit}”."),
            unit=found.unit,
            need_unit=pledge.unit,
        )
    if found.unit and pledge.unit:
        return amounts.convert(found.value, found.unit, pledge.unit), None
    return found.value, None


def review_buttons(notices: DeliveryNotices, language: Language, fulfilment_id: int) -> str:
    """The confirm and question buttons under a delivery notice (outbox JSON)."""
    confirm, question = notices.review_labels(language)
    return json.dumps(
        [
            [
                {"text": confirm, "callback_data": f"pf:ok:{fulfilment_id}"},
                {"text": question, "callback_data": f"pf:q:{fulfilment_id}"},
            ]
        ],
        ensure_ascii=False,
    )


class DeliveryReview(LocalUseCases[PledgeUnitOfWork]):
    """Questions and answers about a delivery report, and who is told of each."""

    _notices: DeliveryNotices

    async def _in_scope(self, uow: PledgeUnitOfWork, standing: Standing, pledge: Pledge) -> bool:
        raise NotImplementedError  # PledgeService's one scope rule

    async def reviewable(self, person_id: int, fulfilment_id: int) -> Pledge:
        """The pledge of a report the coordinator may still answer, or a refusal."""
        async with self._uow() as uow:
            pledge, _ = await self.reviewable_in(uow, person_id, fulfilment_id)
            return pledge

    async def question_in(
        self, uow: PledgeUnitOfWork, origin: Origin, reviewed: Reviewed, text: str
    ) -> Pledge:
        """A coordinator in scope questions a report; the member gets the question.

        Runs in the caller's unit of work (the dialog engine's), which marks the update,
        ends the coordinator's question dialog and commits.
        """
        question = clean_message(text)
        pledge, fulfilment = reviewed
        await self._move_report(
            uow, _unmarked(origin), fulfilment, FulfilmentState.QUESTIONED, "fulfilment.question"
        )
        language = await self._language_of(uow, pledge.person_id)
        answer = {
            "text": self._notices.answer_label(language), "callback_data": f"pa:{fulfilment.id}"
        }
        await self._notify(
            uow,
            f"fulfilment:{fulfilment.id}:question:{origin.update_id}",
            pledge.person_id,
            self._notices.delivery_questioned(language, pledge, fulfilment, question),
            json.dumps([[answer]], ensure_ascii=False),
        )
        return await self._refreshed(uow, pledge)

    async def answer_in(
        self, uow: PledgeUnitOfWork, origin: Origin, questioned: Reviewed, text: str
    ) -> Pledge:
        """The member answers; the report awaits review again and the coordinator is told.

        Runs in the caller's unit of work (the dialog engine's), which marks the update,
        ends the member's answer dialog and commits.
        """
        answer = clean_message(text)
        pledge, fulfilment = questioned
        coordinator = fulfilment.confirmed_by
        await self._move_report(
            uow, _unmarked(origin), fulfilment, FulfilmentState.REPORTED, "fulfilment.answer"
        )
        if coordinator is not None:
            language = await self._language_of(uow, coordinator)
            parties = await self._parties(uow, pledge)
            await self._notify(
                uow,
                f"fulfilment:{fulfilment.id}:answer:{origin.update_id}",
                coordinator,
                self._notices.question_answered(language, pledge, fulfilment, parties.who, answer),
                review_buttons(self._notices, language, fulfilment.id),
            )
        return await self._refreshed(uow, pledge)

    async def _refreshed(self, uow: PledgeUnitOfWork, pledge: Pledge) -> Pledge:
        """The pledge as the change left it (its status follows its reports)."""
        refreshed = await uow.pledges.get(pledge.id)
        assert refreshed is not None  # the pledge was read in this unit of work
        return refreshed

    async def delivery_parties(self, pledges: list[Pledge]) -> dict[int, DeliveryParties]:
        """Who delivered, for which appeal, on whose behalf, for each pledge (by id)."""
        async with self._uow() as uow:
            return {p.id: await self._parties(uow, p) for p in pledges}

    async def _tell_member_confirmed(
        self, uow: PledgeUnitOfWork, pledge: Pledge, fulfilment: Fulfilment
    ) -> None:
        """Queue the member's notice that receipt was confirmed (same transaction)."""
        language = await self._language_of(uow, pledge.person_id)
        await self._notify(
            uow,
            f"fulfilment:{fulfilment.id}:confirmed",
            pledge.person_id,
            self._notices.receipt_confirmed(language, pledge, fulfilment),
        )

    async def _notify(
        self,
        uow: PledgeUnitOfWork,
        subject: str,
        person_id: int,
        text: str,
        buttons: str | None = None,
    ) -> None:
        """Queue a notice of the review to one side, in the change's transaction."""
        await uow.outbox.enqueue(
            NewDelivery(Purpose.NOTICE, subject, person_id, text, buttons), self._clock.now()
        )

    async def _parties(self, uow: PledgeUnitOfWork, pledge: Pledge) -> DeliveryParties:
        person = await uow.people.get(pledge.person_id)
        who = str(pledge.person_id)
        if person is not None:
            who = f"{person.name} (@{person.username})" if person.username else person.name
        appeal = None
        if pledge.appeal_id is not None:
            appeal = await uow.appeal_lookup.get(pledge.appeal_id)
        behalf = None
        if pledge.on_behalf_of is not None:
            organisation = await uow.organisations.get(pledge.on_behalf_of)
            behalf = organisation.name if organisation is not None else None
        return DeliveryParties(who, appeal, behalf)

    async def _language_of(self, uow: PledgeUnitOfWork, person_id: int) -> Language:
        person = await uow.people.get(person_id)
        return person.language if person is not None else Language.EN

    async def _report(
        self, uow: PledgeUnitOfWork, fulfilment_id: int
    ) -> tuple[Pledge, Fulfilment]:
        """A delivery report and its pledge, or NotFound."""
        fulfilment = await uow.pledges.fulfilment(fulfilment_id)
        pledge = None if fulfilment is None else await uow.pledges.get(fulfilment.pledge_id)
        if fulfilment is None or pledge is None:
            raise NotFound(N_("That delivery report does not exist."))
        return pledge, fulfilment

    async def _check_reviewable(
        self, uow: PledgeUnitOfWork, person_id: int, pledge: Pledge, fulfilment: Fulfilment
    ) -> None:
        """Refuse a coordinator out of the pledge's scope, or a report already answered."""
        standing = await standing_in(uow, person_id)
        if not await self._in_scope(uow, standing, pledge):
            raise PermissionDenied(N_("Only coordinators in scope can confirm deliveries."))
        if fulfilment.state is not FulfilmentState.REPORTED:
            raise Conflict(N_("This delivery report was already answered."))

    async def reviewable_in(
        self, uow: PledgeUnitOfWork, person_id: int, fulfilment_id: int
    ) -> Reviewed:
        """A report the coordinator may still answer, with its pledge, read in `uow`."""
        pledge, fulfilment = await self._report(uow, fulfilment_id)
        await self._check_reviewable(uow, person_id, pledge, fulfilment)
        return pledge, fulfilment

    async def _move_report(
        self,
        uow: PledgeUnitOfWork,
        origin: Origin,
        fulfilment: Fulfilment,
        state: FulfilmentState,
        action: str,
    ) -> None:
        """Claim the update, move the report to `state` and audit it (states only: typed
        words go to the other side, never into the append-only trail)."""
        await claim_update(uow, origin)
        before = fulfilment.state
        fulfilment.state = state
        if state is FulfilmentState.REPORTED:  # awaiting review again: nobody has answered
            fulfilment.confirmed_by, fulfilment.confirmed_at = None, None
        else:
            fulfilment.confirmed_by, fulfilment.confirmed_at = origin.actor_id, self._clock.now()
        await uow.pledges.save_fulfilment(fulfilment)
        await record_audit(
            uow, self._clock, origin, action, f"fulfilment:{fulfilment.id}", before, state
        )

    async def questioned_in(
        self, uow: PledgeUnitOfWork, person_id: int, fulfilment_id: int
    ) -> Reviewed:
        """The person's own questioned report, with its pledge, read in `uow`; else refused."""
        pledge, fulfilment = await self._report(uow, fulfilment_id)
        if pledge.person_id != person_id:
            raise NotFound(N_("That delivery report does not exist."))
        if fulfilment.state is not FulfilmentState.QUESTIONED:
            raise Conflict(N_("This question was already answered."))
        return pledge, fulfilment


def _unmarked(origin: Origin) -> Origin:
    """The same person without the update: the unit of work's owner marks it, once."""
    return Origin(origin.actor_id)
