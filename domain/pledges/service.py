"""Pledge use cases: each opens one unit of work, checks permissions, audits, commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.appeals.models import Appeal
from domain.appeals.service import broadcast_subject
from domain.clock import Clock
from domain.dialogs import Dialog
from domain.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.calendar import Calendar
from domain.kernel.origin import Origin, claim_update
from domain.kernel.quantities import (
    check_quantity,
    clean_description,
    format_minor,
    format_quantity,
)
from domain.kernel.standing import standing_in
from domain.network.access import (
    behalf_organisations,
    may_review_pledge,
    may_see_appeal,
    visible_appeals,
)
from domain.network.models import ChatStatus, Organisation, RoleName, Standing
from domain.notices.models import NoticeEvent
from domain.notices.service import record_pledge_event
from domain.outbox.models import MediaKind, Purpose
from domain.outbox.ports import NewDelivery
from domain.parsing.integers import parse_choice
from domain.pledges.choices import attach_appeal, reopen
from domain.pledges.draft import (
    DIALOG_KIND,
    STALE_BUTTON,
    TEXT_STEPS,
    PledgeDraft,
    Step,
    answer_button,
    answer_text,
    check_hours,
    need_of,
    next_step,
)
from domain.pledges.models import (
    Fulfilment,
    FulfilmentState,
    Pledge,
    PledgeKind,
    PledgeStatus,
    Visibility,
)
from domain.pledges.ports import (
    AmountReader,
    DeliveryNotices,
    PledgeUnitOfWork,
    PledgeUnitOfWorkFactory,
)
from domain.pledges.review import DeliveryReview, review_buttons

INBOX_LIMIT = 50
NO_LONGER_VISIBLE = N_(
    "You may no longer pledge to appeal {number}, so nothing was saved. "
    "Send /cancel to end this pledge."
)
OWN_DELIVERY = N_(
    "You cannot confirm the delivery of your own pledge; another coordinator or an admin does."
)


@dataclass(frozen=True)
class DeliveryReport:
    """The outcome of a delivery report: the pledge after it, and whether it over-delivered."""

    pledge: Pledge
    fulfilment: Fulfilment
    over: bool


@dataclass(frozen=True)
class DraftContext:
    """What the pledge dialog's next step depends on, read in one unit of work.

    `dialog` is the person's open dialog (None when there is none or it expired; it may be
    of another kind); `appeal` is its draft's appeal (or the one asked for), any status.
    """

    dialog: Dialog | None
    appeal: Appeal | None
    organisations: list[Organisation]
    # the question (with buttons) this answer answered, when its id was kept: its buttons
    # are to be taken away
    answered_message_id: int | None = None


def describe(pledge: Pledge) -> str:
    """A short language-neutral line naming what a pledge promises (amounts and units)."""
    if pledge.kind is PledgeKind.MONEY:
        return format_minor(pledge.amount_minor or 0, pledge.currency)
    if pledge.quantity is not None and pledge.kind is PledgeKind.GOODS:
        return f"{pledge.item} {format_quantity(pledge.quantity, pledge.unit)}".strip()
    if pledge.kind is PledgeKind.VOLUNTEER and pledge.quantity is not None:
        return f"{pledge.description} · {format_quantity(pledge.quantity, pledge.unit)}"
    return pledge.description


def audited(pledge: Pledge) -> str:
    """What the append-only audit trail keeps of a pledge: never a note the person typed.

    A service's or a task's description is the person's own words (it may name them) and
    the trail cannot forget; goods, amounts and units are what the history is for.
    """
    if pledge.kind is PledgeKind.SERVICE:
        return PledgeKind.SERVICE.value
    if pledge.kind is PledgeKind.VOLUNTEER:
        hours = format_quantity(pledge.quantity, pledge.unit) if pledge.quantity else ""
        return f"{PledgeKind.VOLUNTEER.value} {hours}".strip()
    return describe(pledge)


def describe_measure(pledge: Pledge, measure: Decimal) -> str:
    """Render an amount in the pledge's measure (minor units for money)."""
    if pledge.kind is PledgeKind.MONEY:
        return format_minor(int(measure), pledge.currency)
    return format_quantity(measure, pledge.unit)


class PledgeService(DeliveryReview):
    """Create pledges, report and confirm deliveries, cancel, list."""

    def __init__(
        self,
        uow: PledgeUnitOfWorkFactory,
        clock: Clock,
        notices: DeliveryNotices,
        *,
        currency: str,
        timezone: str = "Asia/Shanghai",
    ) -> None:
        # `timezone` is the network's (settings TIMEZONE): the day "today" and "明天" are
        # read against for a person without a zone of their own; `currency` (settings
        # CURRENCY) is the one of a pledge made without an appeal, unless it names another
        self._uow = uow
        self.currency = currency
        self._clock = clock
        self._notices = notices
        self.calendar = Calendar(clock, timezone)

    def today(self, timezone: str | None = None) -> date:
        """The local date now, in `timezone` (a person's own) or else the network's."""
        return self.calendar.today(timezone)

    # -- reading ---------------------------------------------------------------------------

    async def appeal(self, appeal_id: int) -> Appeal | None:
        """Return an appeal (any status)."""
        async with self._uow() as uow:
            return await uow.appeal_lookup.get(appeal_id)

    async def appeals_for(self, person_id: int) -> list[Appeal]:
        """The open appeals this person may see and pledge to (the /appeals rule)."""
        async with self._uow() as uow:
            standing = await standing_in(uow, person_id)
            organisations = await uow.organisations.all()
            return visible_appeals(
                standing, await uow.appeal_lookup.open_appeals(), organisations
            )

    async def linked_appeal(
        self, person_id: int, appeal_id: int, member_chat: int | None
    ) -> Appeal:
        """The open appeal of a group's deep link, refused unless the person may see it.

        A group's button leads its members to the appeal even when it is not among the
        appeals of their own organisations: `member_chat` is the group of the link when the
        caller asked Telegram and it said the person is in it now (else None), and it is
        honoured when the appeal was sent there. Any other appeal the person may not see is
        refused as unknown.
        """
        async with self._uow() as uow:
            return await self._pledgeable(uow, person_id, appeal_id, member_chat)

    async def _organisations_of(
        self, uow: PledgeUnitOfWork, person_id: int
    ) -> list[Organisation]:
        """Organisations a person may pledge on behalf of (theirs and those they coordinate)."""
        standing = await standing_in(uow, person_id)
        if not standing.roles:
            return []
        return behalf_organisations(standing, await uow.organisations.all())

    async def draft_context(
        self, person_id: int, appeal_id: int | None, *, open_only: bool = False
    ) -> DraftContext:
        """The appeal and the person's organisations, for the next question.

        With `open_only`, an appeal that takes no pledges (closed, unknown) is refused.
        """
        async with self._uow() as uow:
            appeal = None
            if appeal_id and open_only:
                appeal = await self._visible_appeal(uow, person_id, appeal_id)
            elif appeal_id:
                appeal = await uow.appeal_lookup.get(appeal_id)
            return DraftContext(None, appeal, await self._organisations_of(uow, person_id))

    async def answer(
        self, origin: Origin, button: tuple[str, str] | None, text: str, amounts: AmountReader
    ) -> DraftContext:
        """Take one answer to the person's pledge draft and store it, in one unit of work.

        `button` is a pressed button's (step, value); without one, `text` is a typed answer.
        The draft is read, answered, stored and the update marked handled together, and what
        the next question needs comes back. A context without a dialog means the person has
        no pledge draft open (a stale button); a refused answer changes nothing.
        """
        person_id = origin.actor_id
        if person_id is None:
            raise PermissionDenied(N_("Only a person can pledge."))
        async with self._uow() as uow:
            now = self._clock.now()
            dialog = await uow.dialogs.get(person_id)
            if dialog is None or dialog.expired(now) or dialog.kind != DIALOG_KIND:
                return DraftContext(None, None, [])
            draft = PledgeDraft.from_data(dialog.data)
            appeal = None
            if draft.appeal_id:
                # every answer is re-authorised now: the person may have lost the right to
                # see the appeal (or it closed) since the draft began. The draft's group is
                # taken at its word here; Confirm asks Telegram again (`confirm`).
                appeal = await self._still_pledgeable(
                    uow, person_id, draft.appeal_id, draft.source_chat_id
                )
            organisations = await self._organisations_of(uow, person_id)
            org_ids = [o.id for o in organisations]
            step = next_step(draft, appeal, org_ids)
            if button is None:
                if step not in TEXT_STEPS:
                    raise InvalidInput(N_("Please use the buttons to answer."))
                today = self.today()
                if step is Step.DUE:  # a due date is read in the person's own day
                    today = await self.calendar.today_of(uow, person_id)
                answer_text(draft, step, text, reader=amounts, appeal=appeal, today=today)
            elif button[0] == "edit" and step is Step.CONFIRM:
                reopen(draft, button[1], org_ids)
            elif button[0] != step.value:
                raise InvalidInput(STALE_BUTTON)
            elif step is Step.APPEAL:
                number = parse_choice(button[1])
                if number is None:
                    raise InvalidInput(STALE_BUTTON)
                appeal = await self._visible_appeal(uow, person_id, number) if number else None
                attach_appeal(draft, appeal, await self.calendar.today_of(uow, person_id), amounts)
            else:
                answer_button(draft, step, button[1], appeal, org_ids)
            answered, draft.question_message_id = draft.question_message_id, None
            dialog.data = draft.to_data()
            if origin.update_id is None or await uow.updates.mark(origin.update_id):
                dialog.touch(now)
                await uow.dialogs.save(dialog)
                await uow.commit()
            return DraftContext(dialog, appeal, organisations, answered)

    async def remember_question(self, person_id: int, token: str, message_id: int) -> None:
        """Keep the id of the question just asked (with buttons) of this person's draft."""
        async with self._uow() as uow:
            dialog = await uow.dialogs.get(person_id)
            if dialog is None or dialog.kind != DIALOG_KIND:
                return
            draft = PledgeDraft.from_data(dialog.data)
            if draft.token != token:
                return
            draft.question_message_id = message_id
            dialog.data = draft.to_data()
            await uow.dialogs.save(dialog)
            await uow.commit()

    async def mine(self, person_id: int) -> list[Pledge]:
        """A person's pledges, newest first, with their deliveries."""
        async with self._uow() as uow:
            return await uow.pledges.of_person(person_id)

    async def pledge_of(self, person_id: int, pledge_id: int) -> Pledge:
        """One of the person's own pledges; another person's is refused as unknown."""
        async with self._uow() as uow:
            return await self._own(uow, person_id, pledge_id)

    # -- creating --------------------------------------------------------------------------

    async def create(self, origin: Origin, draft: PledgeDraft) -> Pledge:
        """Turn a confirmed draft into a pledge; a second confirm returns the same pledge."""
        async with self._uow() as uow:
            pledge = await self._create(uow, origin, draft)
            await uow.commit()
            return pledge

    async def confirm(
        self, origin: Origin, token: str, member_chat: int | None = None
    ) -> Pledge | None:
        """Confirm the person's open draft with this token: the pledge and the dialog's end.

        Both land in one unit of work with the update mark. A confirm pressed again finds
        the pledge it made; None when the token is neither the person's draft nor pledge.
        The appeal must still be open and visible to the person now; `member_chat` is the
        draft's group when Telegram just said the person is in it (see `linked_appeal`).
        """
        person_id = origin.actor_id
        if person_id is None:
            raise PermissionDenied(N_("Only a person can pledge."))
        async with self._uow() as uow:
            dialog = await uow.dialogs.get(person_id)
            draft = None
            now = self._clock.now()
            if dialog is not None and dialog.kind == DIALOG_KIND and not dialog.expired(now):
                draft = PledgeDraft.from_data(dialog.data)
            if draft is None or draft.token != token:
                pledge = await uow.pledges.by_token(token)
                return pledge if pledge is not None and pledge.person_id == person_id else None
            pledge = await self._create(uow, origin, draft, member_chat)
            await uow.dialogs.delete(person_id)
            await uow.commit()
            return pledge

    async def cancel_draft(self, origin: Origin, token: str) -> Pledge | None:
        """A summary's Cancel: end the draft with this token; or find the pledge it became.

        None means the draft was closed (nothing saved) or there was nothing to close; a
        pledge means this summary was confirmed before, so there is nothing left to cancel
        here. A Cancel of another, older draft leaves the person's current draft alone.
        """
        person_id = origin.actor_id
        if person_id is None:
            raise PermissionDenied(N_("Only a person can pledge."))
        async with self._uow() as uow:
            dialog = await uow.dialogs.get(person_id)
            if dialog is not None and dialog.kind == DIALOG_KIND:
                draft = PledgeDraft.from_data(dialog.data)
                if draft.token == token:
                    await claim_update(uow, origin)
                    await uow.dialogs.delete(person_id)
                    await uow.commit()
                    return None
            pledge = await uow.pledges.by_token(token) if token else None
            if pledge is not None and pledge.person_id == person_id:
                return pledge
            raise InvalidInput(STALE_BUTTON)

    async def _create(
        self,
        uow: PledgeUnitOfWork,
        origin: Origin,
        draft: PledgeDraft,
        member_chat: int | None = None,
    ) -> Pledge:
        """Insert the pledge a confirmed draft makes, audited; or return the one it made.

        The appeal is authorised again at this moment (open, and visible to the person:
        by their roles, or through `member_chat`, a group Telegram just said they are in).
        """
        if origin.actor_id is None:
            raise PermissionDenied(N_("Only a person can pledge."))
        existing = await uow.pledges.by_token(draft.token)
        if existing is not None:
            if existing.person_id != origin.actor_id:
                raise PermissionDenied(N_("This button is not yours."))
            return existing
        appeal = None
        if draft.appeal_id is not None:
            appeal = await self._still_pledgeable(
                uow, origin.actor_id, draft.appeal_id, member_chat
            )
        org_ids = [o.id for o in await self._organisations_of(uow, origin.actor_id)]
        if next_step(draft, appeal, org_ids) is not Step.CONFIRM:
            raise InvalidInput(N_("This pledge is not complete yet."))
        pledge = self._pledge_from(origin, draft, appeal, org_ids)
        await claim_update(uow, origin)
        stored = await uow.pledges.add(pledge)
        if stored.person_id != origin.actor_id:
            raise PermissionDenied(N_("This button is not yours."))
        await self._audit(
            uow, origin, "pledge.create", f"pledge:{stored.id}", None, audited(stored)
        )
        await record_pledge_event(uow, stored, appeal, NoticeEvent.PLEDGED, self._clock.now())
        return stored

    def _pledge_from(
        self, origin: Origin, draft: PledgeDraft, appeal: Appeal | None, org_ids: list[int]
    ) -> Pledge:
        assert origin.actor_id is not None
        kind = draft.pledge_kind
        assert kind is not None
        need = need_of(appeal, draft.need_id)
        if draft.need_id is not None and need is None:
            raise NotFound(N_("That need is no longer part of the appeal."))
        if draft.earmark is not None and (
            appeal is None or all(r.id != draft.earmark for r in appeal.recipients)
        ):
            raise NotFound(N_("That recipient is no longer part of the appeal."))
        if draft.behalf is not None and draft.behalf not in org_ids:
            raise PermissionDenied(N_("You cannot pledge on behalf of that organisation."))
        quantity = draft.quantity_value
        # goods known by their value alone have no quantity yet: it may come with the delivery
        by_value = kind is PledgeKind.GOODS and draft.value_only and draft.estimated_minor
        if kind is not PledgeKind.MONEY and kind is not PledgeKind.SERVICE and not by_value:
            if quantity is None:
                raise InvalidInput(N_("This pledge is not complete yet."))
            check_quantity(quantity)
            if kind is PledgeKind.VOLUNTEER:
                check_hours(quantity)
        return Pledge(
            id=0,
            token=draft.token,
            person_id=origin.actor_id,
            kind=kind,
            appeal_id=draft.appeal_id,
            need_id=draft.need_id,
            item=draft.item,
            amount_minor=draft.amount_minor if kind is PledgeKind.MONEY else None,
            currency=draft.currency,
            quantity=None if kind in (PledgeKind.MONEY, PledgeKind.SERVICE) or by_value
            else quantity,
            unit=draft.unit,
            estimated_minor=draft.estimated_minor,
            estimated_approximate=draft.value_approximate,
            approximate=draft.approximate,
            description=draft.description or "",
            on_behalf_of=draft.behalf,
            earmark_recipient_id=draft.earmark,
            due_date=draft.due_date,
            visibility=Visibility(draft.visibility or Visibility.ANONYMOUS.value),
            cancelled=False,
            cancel_reason=None,
            source_chat_id=draft.source_chat_id,
            source_update_id=origin.update_id,
            created_at=self._clock.now(),
        )

    # -- deliveries ------------------------------------------------------------------------

    async def report_delivery(
        self,
        origin: Origin,
        pledge_id: int,
        quantity: Decimal | None,
        proof_file_id: str | None = None,
        proof_kind: MediaKind | None = None,
        unit: str | None = None,
    ) -> DeliveryReport:
        """Record a batch (None: everything still open); over-delivery is recorded, flagged.

        Goods pledged by their value alone take the delivered quantity (in `unit`) as theirs:
        the delivery is the whole lot, and from then on the pledge counts in that quantity.
        """
        if origin.actor_id is None:
            raise PermissionDenied(N_("Only a person can report a delivery."))
        async with self._uow() as uow:
            pledge = await self._own(uow, origin.actor_id, pledge_id)
            if pledge.status in (PledgeStatus.CANCELLED, PledgeStatus.RECEIVED):
                raise Conflict(N_("This pledge is closed; nothing more can be reported."))
            amount = pledge.open_measure if quantity is None else check_quantity(quantity)
            if pledge.value_only and quantity is not None and pledge.status is PledgeStatus.PLEDGED:
                if not (unit or pledge.unit):
                    raise InvalidInput(N_("Please add a unit, e.g. 3000公斤, 300箱, 500个."))
                pledge.quantity, pledge.unit = amount, unit or pledge.unit
                await uow.pledges.save(pledge)
            elif pledge.value_only and quantity is not None:
                raise Conflict(N_("Everything of this pledge is already reported as delivered."))
            if amount <= 0:
                raise Conflict(N_("Everything of this pledge is already reported as delivered."))
            over = amount > pledge.open_measure
            await claim_update(uow, origin)
            fulfilment = await uow.pledges.add_fulfilment(
                Fulfilment(
                    id=0,
                    pledge_id=pledge.id,
                    quantity=amount,
                    over=over,
                    reported_by=origin.actor_id,
                    reported_at=self._clock.now(),
                    proof_file_id=proof_file_id,
                    proof_kind=proof_kind if proof_file_id else None,
                )
            )
            pledge.fulfilments.append(fulfilment)
            await self._audit(
                uow,
                origin,
                "fulfilment.report",
                f"pledge:{pledge.id}",
                None,
                f"{describe_measure(pledge, amount)}{' (over)' if over else ''}",
            )
            await self._notify_coordinators(uow, pledge, fulfilment)
            await uow.commit()
            return DeliveryReport(pledge, fulfilment, over)

    async def _notify_coordinators(
        self, uow: PledgeUnitOfWork, pledge: Pledge, fulfilment: Fulfilment
    ) -> None:
        """Queue the report's notice to every reviewer in scope (never the pledger)."""
        appeal, pledger, organisations = await self._review_context(uow, pledge)
        reviewers = [
            person_id
            for person_id, standing in await self._candidates(uow)
            if may_review_pledge(standing, pledge, appeal, pledger, organisations)
        ]
        parties = await self._parties(uow, pledge)
        for person_id in reviewers:
            language = await self._language_of(uow, person_id)
            text = self._notices.delivery_reported(language, pledge, fulfilment, parties)
            await uow.outbox.enqueue(
                NewDelivery(
                    Purpose.NOTICE,
                    subject=f"fulfilment:{fulfilment.id}",
                    chat_id=person_id,
                    text=text,
                    buttons=review_buttons(self._notices, language, fulfilment.id),
                    # the member's proof goes with the notice, the text as its caption
                    media_kind=fulfilment.proof_kind if fulfilment.proof_file_id else None,
                    media_file_id=fulfilment.proof_file_id if fulfilment.proof_kind else None,
                ),
                self._clock.now(),
            )

    async def _candidates(self, uow: PledgeUnitOfWork) -> list[tuple[int, Standing]]:
        """Everyone holding a coordinator or admin role, with their standing."""
        roles = await uow.roles.all()
        people = sorted({r.person_id for r in roles if r.role is not RoleName.MEMBER})
        return [
            (p, Standing(p, tuple(r for r in roles if r.person_id == p))) for p in people
        ]

    async def review_delivery(self, origin: Origin, fulfilment_id: int, confirm: bool) -> Pledge:
        """A coordinator in scope confirms (or questions) a delivery report."""
        if origin.actor_id is None:
            raise PermissionDenied(N_("Only coordinators can confirm deliveries."))
        async with self._uow() as uow:
            pledge, fulfilment = await self._report(uow, fulfilment_id)
            if pledge.person_id == origin.actor_id or fulfilment.reported_by == origin.actor_id:
                raise PermissionDenied(OWN_DELIVERY)
            await self._check_reviewable(uow, origin.actor_id, pledge, fulfilment)
            await self._move_report(
                uow, origin, fulfilment,
                FulfilmentState.CONFIRMED if confirm else FulfilmentState.QUESTIONED,
                "fulfilment.confirm" if confirm else "fulfilment.question",
            )
            if confirm:
                await self._tell_member_confirmed(uow, pledge, fulfilment)
            refreshed = await uow.pledges.get(pledge.id)
            await uow.commit()
            assert refreshed is not None
            return refreshed

    async def inbox(self, origin: Origin) -> list[Pledge]:
        """Pledges in the coordinator's scope with deliveries awaiting confirmation."""
        if origin.actor_id is None:
            raise PermissionDenied(N_("Only coordinators can see the inbox."))
        async with self._uow() as uow:
            standing = await standing_in(uow, origin.actor_id)
            if not standing.is_coordinator:
                raise PermissionDenied(N_("Only coordinators can see the inbox."))
            found = []
            for pledge in await uow.pledges.awaiting_confirmation(INBOX_LIMIT * 4):
                if await self._in_scope(uow, standing, pledge):
                    found.append(pledge)
            return found[:INBOX_LIMIT]

    async def change_due(self, origin: Origin, pledge_id: int, due: date) -> Pledge:
        """The pledger moves the delivery date (today or later; checked by the caller's read)."""
        if origin.actor_id is None:
            raise PermissionDenied(N_("Only a person can change a pledge."))
        async with self._uow() as uow:
            if due < await self.calendar.today_of(uow, origin.actor_id):
                raise InvalidInput(
                    N_("That date has passed. Please give today or a later date.")
                )
            pledge = await self._own(uow, origin.actor_id, pledge_id)
            if pledge.status not in (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL):
                raise Conflict(N_("This pledge is closed; its date cannot be changed."))
            await claim_update(uow, origin)
            before = pledge.due_date
            pledge.due_date = due
            await uow.pledges.save(pledge)
            await self._audit(uow, origin, "pledge.due", f"pledge:{pledge.id}", before, due)
            await self._tell_coordinators(uow, pledge, NoticeEvent.CHANGED)
            await uow.commit()
            return pledge

    async def cancel(self, origin: Origin, pledge_id: int, reason: str) -> Pledge:
        """The pledger withdraws a pledge, with a reason."""
        if origin.actor_id is None:
            raise PermissionDenied(N_("Only a person can cancel a pledge."))
        clean = clean_description(reason)
        async with self._uow() as uow:
            pledge = await self._own(uow, origin.actor_id, pledge_id)
            if pledge.status in (PledgeStatus.CANCELLED, PledgeStatus.RECEIVED):
                raise Conflict(N_("This pledge is closed; it cannot be cancelled."))
            await claim_update(uow, origin)
            pledge.cancelled = True
            pledge.cancel_reason = clean
            await uow.pledges.save(pledge)
            # the reason is the person's own words: it stays on the pledge (erased when they
            # are forgotten), never in the append-only trail, which cannot forget it
            await self._audit(
                uow, origin, "pledge.cancel", f"pledge:{pledge.id}", None, PledgeStatus.CANCELLED
            )
            await self._tell_coordinators(uow, pledge, NoticeEvent.CANCELLED)
            await uow.commit()
            return pledge

    # -- helpers ---------------------------------------------------------------------------

    async def _tell_coordinators(
        self, uow: PledgeUnitOfWork, pledge: Pledge, event: NoticeEvent
    ) -> None:
        """Queue the change for the coordinators' next batch (same transaction)."""
        appeal = None
        if pledge.appeal_id is not None:
            appeal = await uow.appeal_lookup.get(pledge.appeal_id)
        await record_pledge_event(uow, pledge, appeal, event, self._clock.now())

    async def _visible_appeal(
        self, uow: PledgeUnitOfWork, person_id: int, appeal_id: int
    ) -> Appeal:
        """An open appeal the person may see; one they may not is refused as unknown."""
        return await self._pledgeable(uow, person_id, appeal_id)

    async def _open_appeal(self, uow: PledgeUnitOfWork, appeal_id: int) -> Appeal:
        appeal = await uow.appeal_lookup.get(appeal_id)
        if appeal is None:
            raise NotFound(N_("There is no appeal number {number}."), number=appeal_id)
        if not appeal.is_open:
            raise Conflict(
                N_("Appeal {number} is closed and takes no more pledges."), number=appeal_id
            )
        return appeal

    async def _pledgeable(
        self, uow: PledgeUnitOfWork, person_id: int, appeal_id: int, via_chat: int | None = None
    ) -> Appeal:
        """An open appeal the person may see (domain.network.access), else a refusal.

        An appeal the person may not see is refused exactly as one that does not exist.
        """
        appeal = await self._open_appeal(uow, appeal_id)
        if not await self._may_see(uow, person_id, appeal, via_chat):
            raise NotFound(N_("There is no appeal number {number}."), number=appeal_id)
        return appeal

    async def _still_pledgeable(
        self, uow: PledgeUnitOfWork, person_id: int, appeal_id: int, via_chat: int | None
    ) -> Appeal:
        """The appeal of a draft, authorised again now; a lost right is refused plainly."""
        appeal = await self._open_appeal(uow, appeal_id)
        if not await self._may_see(uow, person_id, appeal, via_chat):
            raise PermissionDenied(NO_LONGER_VISIBLE, number=appeal_id)
        return appeal

    async def _may_see(
        self, uow: PledgeUnitOfWork, person_id: int, appeal: Appeal, via_chat: int | None
    ) -> bool:
        """The one visibility rule, with the person's roles read now.

        `via_chat` is a group the person is in: it counts (its organisation as theirs) only
        when it is approved and the appeal was sent to it, and is read only when needed.
        """
        standing = await standing_in(uow, person_id)
        organisations = await uow.organisations.all()
        if may_see_appeal(standing, appeal, organisations):
            return True
        reached: set[int] = set()
        if via_chat is not None and await self._sent_to(uow, appeal.id, via_chat):
            chat = await uow.chats.get(via_chat)
            if chat is not None and chat.status is ChatStatus.APPROVED and chat.organisation_id:
                reached.add(chat.organisation_id)
        return bool(reached) and may_see_appeal(standing, appeal, organisations, reached)

    @staticmethod
    async def _sent_to(uow: PledgeUnitOfWork, appeal_id: int, chat_id: int) -> bool:
        """True when the appeal was sent to this chat (a delivery row exists)."""
        sent = await uow.outbox.for_subject(Purpose.APPEAL, broadcast_subject(appeal_id))
        return any(d.chat_id == chat_id for d in sent)

    async def _own(self, uow: PledgeUnitOfWork, person_id: int, pledge_id: int) -> Pledge:
        pledge = await uow.pledges.get(pledge_id)
        if pledge is None or pledge.person_id != person_id:
            raise NotFound(N_("You have no pledge with that number."))
        return pledge

    async def _review_context(
        self, uow: PledgeUnitOfWork, pledge: Pledge
    ) -> tuple[Appeal | None, Standing, list[Organisation]]:
        """What the review rule needs about a pledge: its appeal, its pledger, the tree."""
        appeal = None
        if pledge.appeal_id is not None:
            appeal = await uow.appeal_lookup.get(pledge.appeal_id)
        pledger = await standing_in(uow, pledge.person_id)
        return appeal, pledger, await uow.organisations.all()

    async def _in_scope(self, uow: PledgeUnitOfWork, standing: Standing, pledge: Pledge) -> bool:
        """The one rule of who reviews a pledge's deliveries (domain.network.access)."""
        if not standing.is_coordinator or standing.person_id == pledge.person_id:
            return False
        appeal, pledger, organisations = await self._review_context(uow, pledge)
        return may_review_pledge(standing, pledge, appeal, pledger, organisations)

    async def _audit(
        self,
        uow: PledgeUnitOfWork,
        origin: Origin,
        action: str,
        subject: str,
        before: object,
        after: object,
    ) -> None:
        await record_audit(uow, self._clock, origin, action, subject, before, after)
