"""The pledge dialog on the engine: what it asks now, how an answer is read, what Confirm does.

Every call runs in the engine's one unit of work: the person's roles and the organisations
are read once (`Pledger`) and carried with the question (`Shown`) to the answer and to the
next question; Confirm creates the pledge, its audit and its notice event there too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from domain.appeals.models import Appeal
from domain.clock import Clock
from domain.dialogs import models as dialog
from domain.dialogs.engine import DraftKind
from domain.errors import N_, DomainError, InvalidInput
from domain.kernel.calendar import Calendar
from domain.kernel.origin import Origin
from domain.network.models import Organisation
from domain.parsing.integers import parse_choice
from domain.pledges.access import Pledger, pledgeable, pledger_in, still_pledgeable
from domain.pledges.answers import answer_button, answer_text
from domain.pledges.choices import attach_appeal, reopen
from domain.pledges.creating import create_pledge
from domain.pledges.draft import (
    DIALOG_KIND,
    STALE_BUTTON,
    TEXT_STEPS,
    PledgeDraft,
    PledgeRequest,
    Step,
    next_step,
)
from domain.pledges.models import Pledge
from domain.pledges.one_line import apply_prefill, one_line_draft
from domain.pledges.ports import AmountReader, PledgeUnitOfWork

#: The first part of the pledge dialog's buttons (`pd:<step>:<value>`).
PLEDGE_CODE = "pd"
#: The summary's presses: Confirm, Cancel (both with the draft's token) and a change.
OK, NO, EDIT = "ok", "no", "edit"
#: The Cancel of a summary shown before summaries carried their draft's token.
OLD_CANCEL = "x"
ALREADY_RECORDED = N_("Your pledge #{number} is already recorded.")
LINK_NOT_VALID = N_("This link is not valid.")


@dataclass(frozen=True)
class Shown:
    """What a question of the pledge dialog shows, read in the unit of work that asks it."""

    pledger: Pledger
    appeal: Appeal | None
    #: the appeals the APPEAL step offers (the open ones the person may see)
    appeals: tuple[Appeal, ...] = ()
    #: said above the first question (a group's link: the appeal's title)
    heading: str | None = None

    @property
    def organisations(self) -> list[Organisation]:
        """The organisations the person may pledge on behalf of."""
        return self.pledger.behalf


@dataclass(frozen=True)
class LatePress:
    """Confirm or Cancel of a summary that is no longer open: the pledge it became, if any."""

    pledge: Pledge | None
    cancelling: bool


class PledgeDialog(DraftKind[PledgeDraft]):
    """Asks only what the draft still lacks; the summary's Confirm creates the pledge."""

    name = DIALOG_KIND
    code = PLEDGE_CODE

    def __init__(self, clock: Clock, calendar: Calendar, amounts: AmountReader) -> None:
        self._clock = clock
        self._calendar = calendar
        self._amounts = amounts

    def dump(self, draft: PledgeDraft) -> dict[str, Any]:
        """The draft's answers (a begin's request is read by then, and not kept)."""
        data = asdict(draft)
        data.pop("request", None)
        return data

    async def question(
        self,
        uow: PledgeUnitOfWork,
        origin: Origin,
        draft: PledgeDraft,
        known: dialog.Question | None,
    ) -> dialog.Question:
        """The first question the draft lacks an answer to, with what its view shows."""
        shown = known.shown if known is not None and isinstance(known.shown, Shown) else None
        pledger = shown.pledger if shown is not None else await pledger_in(uow, origin.person())
        heading = None
        if draft.request is not None:
            appeal = await self._begin(uow, pledger, draft, draft.request)
            heading = appeal.title if appeal is not None and draft.source_chat_id else None
        else:
            appeal = await self._appeal_of(uow, pledger, draft, shown)
        step = next_step(draft, appeal, pledger.behalf_ids)
        appeals: tuple[Appeal, ...] = ()
        if step is Step.APPEAL:
            appeals = tuple(pledger.visible(await uow.appeal_lookup.open_appeals()))
        presses = {step.value, OK, NO} | ({EDIT} if step is Step.CONFIRM else set())
        accepts = dialog.Accepts.BUTTON
        if step in TEXT_STEPS:
            accepts |= dialog.Accepts.TEXT
        view = Shown(pledger, appeal, appeals, heading)
        return dialog.Question(step.value, accepts, frozenset(presses), view)

    async def answer(
        self,
        uow: PledgeUnitOfWork,
        origin: Origin,
        draft: PledgeDraft,
        question: dialog.Question,
        answer: dialog.Answer,
    ) -> dialog.Progress:
        """Read a typed answer or a press into the draft; Confirm finishes with the pledge."""
        shown = question.shown
        assert isinstance(shown, Shown)
        step = Step(question.step)
        if isinstance(answer, dialog.Typed):
            today = self._calendar.today()
            if step is Step.DUE:  # a due date is read in the person's own day
                today = await self._calendar.today_of(uow, origin.actor_id)
            answer_text(draft, step, answer.text, amounts=self._amounts, appeal=shown.appeal,
                        today=today)
            return dialog.Continue()
        if not isinstance(answer, dialog.Pressed):
            raise InvalidInput(STALE_BUTTON)  # no step takes a file
        if answer.step == OK:
            if answer.value != draft.token:
                raise await _recorded_or_stale(uow, origin, answer.value, cancelling=False)
            member_chat = answer.checked if isinstance(answer.checked, int) else None
            pledge = await create_pledge(
                uow, self._clock, origin, draft, shown.pledger, member_chat, claim=False
            )
            return dialog.Finished(pledge)
        if answer.step == NO:
            if answer.value in (draft.token, OLD_CANCEL):
                return dialog.Cancelled()
            raise await _recorded_or_stale(uow, origin, answer.value, cancelling=True)
        if answer.step == EDIT:
            reopen(draft, answer.value, shown.pledger.behalf_ids)
        elif step is Step.APPEAL:
            await self._choose_appeal(uow, origin, draft, shown, answer.value)
        else:
            answer_button(draft, step, answer.value, shown.appeal, shown.pledger.behalf_ids)
        return dialog.Continue()

    async def late_press(self, uow: Any, origin: Origin, press: dialog.Pressed) -> Any:
        """Confirm or Cancel of a summary already confirmed: the pledge it made (else stale)."""
        if press.step == NO and press.value == OLD_CANCEL:
            return LatePress(None, cancelling=True)
        if press.step not in (OK, NO) or not press.value:
            return None
        pledge = await uow.pledges.by_token(press.value)
        if pledge is None or pledge.person_id != origin.actor_id:
            return None
        return LatePress(pledge, cancelling=press.step == NO)

    async def _appeal_of(
        self, uow: PledgeUnitOfWork, pledger: Pledger, draft: PledgeDraft, shown: Shown | None
    ) -> Appeal | None:
        """The draft's appeal: the one this unit of work read, else authorised again now.

        The person may have lost the right to see it (or it closed) since the draft began.
        The draft's group is taken at its word here; Confirm asks Telegram again.
        """
        if not draft.appeal_id:
            return None
        if shown is not None:
            read = [a for a in (shown.appeal, *shown.appeals) if a is not None]
            found = next((a for a in read if a.id == draft.appeal_id), None)
            if found is not None:
                return found
        return await still_pledgeable(uow, pledger, draft.appeal_id, draft.source_chat_id)

    async def _choose_appeal(
        self, uow: PledgeUnitOfWork, origin: Origin, draft: PledgeDraft, shown: Shown, value: str
    ) -> None:
        """The APPEAL step's press: one of the appeals offered, or none (`0`)."""
        number = parse_choice(value)
        if number is None:
            raise InvalidInput(STALE_BUTTON)
        appeal = None
        if number:
            offered = next((a for a in shown.appeals if a.id == number), None)
            appeal = offered or await pledgeable(uow, shown.pledger, number)
        today = await self._calendar.today_of(uow, origin.actor_id)
        attach_appeal(draft, appeal, today, self._amounts)

    async def _begin(
        self, uow: PledgeUnitOfWork, pledger: Pledger, draft: PledgeDraft, request: PledgeRequest
    ) -> Appeal | None:
        """Read how the dialog was begun into the draft (`/pledge N …`, a group's link)."""
        draft.request = None
        if draft.source_chat_id is not None:  # a group's link: its group may count
            assert request.appeal_id is not None
            linked = await pledgeable(uow, pledger, request.appeal_id, request.member_chat)
            draft.choose_appeal(linked)
            if request.prefill is not None:
                try:
                    apply_prefill(draft, request.prefill, linked, self._amounts)
                except DomainError:
                    raise InvalidInput(LINK_NOT_VALID) from None
            return linked
        appeal: Appeal | None = None
        if request.appeal_id:
            appeal = await pledgeable(uow, pledger, request.appeal_id)
        if not request.text:
            if appeal is not None:
                draft.choose_appeal(appeal)
            return appeal
        read = one_line_draft(
            draft.token,
            request.text,
            amounts=self._amounts,
            appeal=appeal,
            today=self._calendar.today(request.timezone),
            default_currency=appeal.currency if appeal is not None else draft.currency,
        )
        for answered in fields(read):
            setattr(draft, answered.name, getattr(read, answered.name))
        return appeal


async def _recorded_or_stale(
    uow: PledgeUnitOfWork, origin: Origin, token: str, *, cancelling: bool
) -> DomainError:
    """The refusal of another summary's Confirm or Cancel: its pledge is recorded, or stale."""
    pledge = await uow.pledges.by_token(token) if token else None
    if pledge is None or pledge.person_id != origin.actor_id:
        return InvalidInput(STALE_BUTTON)
    if cancelling:
        return InvalidInput(RECORDED_HOW_TO_CANCEL, number=pledge.id)
    return InvalidInput(ALREADY_RECORDED, number=pledge.id)


RECORDED_HOW_TO_CANCEL = N_(
    "Your pledge #{number} is already recorded. To cancel it, send /mypledges "
    "and choose “Cancel pledge” under it."
)

