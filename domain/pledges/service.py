"""Pledge use cases: each opens one unit of work, checks permissions, audits, commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from domain.appeals.models import Appeal
from domain.clock import Clock
from domain.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.kernel.quantities import (
    check_quantity,
    clean_description,
    format_minor,
    format_quantity,
)
from domain.kernel.standing import RoleName, Standing, standing_holding, standing_in
from domain.kernel.units import committed
from domain.network.access import may_review_pledge
from domain.network.models import Organisation
from domain.notices.models import NoticeEvent
from domain.notices.recording import record_pledge_event
from domain.outbox.models import MediaKind, Purpose
from domain.outbox.ports import NewDelivery
from domain.pledges.access import pledger_in
from domain.pledges.creating import create_pledge
from domain.pledges.draft import PledgeDraft
from domain.pledges.models import (
    CLOSED_STATUSES,
    Fulfilment,
    FulfilmentState,
    Pledge,
    PledgeKind,
    PledgeStatus,
)
from domain.pledges.ports import (
    AmountReader,
    DeliveryNotices,
    PledgeUnitOfWork,
    PledgeUnitOfWorkFactory,
)
from domain.pledges.review import DeliveryReview, review_buttons

T = TypeVar("T")
INBOX_LIMIT = 50
OWN_DELIVERY = N_(
    "You cannot confirm the delivery of your own pledge; another coordinator or an admin does."
)


@dataclass(frozen=True)
class DeliveryReport:
    """The outcome of a delivery report: the pledge after it, and whether it over-delivered."""

    pledge: Pledge
    fulfilment: Fulfilment
    over: bool


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
        amounts: AmountReader,
        *,
        currency: str,
        timezone: str = "Asia/Shanghai",
    ) -> None:
        # `amounts` reads amounts, quantities and dates as people write them (built once by
        # the composition root); `currency` is also the one of a pledge made without an
        # appeal, unless it names another
        super().__init__(uow, clock, currency, timezone)
        self.amounts = amounts
        self._notices = notices

    # -- reading ---------------------------------------------------------------------------

    async def appeal(self, appeal_id: int) -> Appeal | None:
        """Return an appeal (any status)."""
        async with self._uow() as uow:
            return await uow.appeal_lookup.get(appeal_id)

    async def mine(self, person_id: int) -> list[Pledge]:
        """A person's pledges, newest first, with their deliveries."""
        async with self._uow() as uow:
            return await uow.pledges.of_person(person_id)

    # -- creating --------------------------------------------------------------------------

    async def _create_in(
        self, uow: PledgeUnitOfWork, origin: Origin, draft: PledgeDraft
    ) -> Pledge:
        """Turn a confirmed draft into a pledge; a second confirm returns the same pledge."""
        pledger = await pledger_in(uow, origin.person(N_("Only a person can pledge.")))
        return await create_pledge(uow, self._clock, origin, draft, pledger)

    create = committed(_create_in)

    # -- deliveries ------------------------------------------------------------------------

    async def deliver(
        self,
        uow: PledgeUnitOfWork,
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
        This runs in the caller's open unit of work (a dialog's answer) and does not commit;
        `report_delivery` is the same in a unit of work of its own. Like every in-unit use
        case here, it claims the origin's update; a dialog kind passes an origin without
        one, as the engine marks the update itself.
        """
        person_id = origin.person(N_("Only a person can report a delivery."))
        pledge = await self.own(uow, person_id, pledge_id)
        if pledge.status in CLOSED_STATUSES:
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
                reported_by=person_id,
                reported_at=self._clock.now(),
                proof_file_id=proof_file_id,
                proof_kind=proof_kind if proof_file_id else None,
            )
        )
        pledge.fulfilments.append(fulfilment)
        await record_audit(
            uow,
            self._clock,
            origin,
            "fulfilment.report",
            f"pledge:{pledge.id}",
            None,
            f"{describe_measure(pledge, amount)}{' (over)' if over else ''}",
        )
        await self._notify_coordinators(uow, pledge, fulfilment)
        return DeliveryReport(pledge, fulfilment, over)

    report_delivery = committed(deliver)

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
        actor_id = origin.person(N_("Only coordinators can confirm deliveries."))
        async with self._uow() as uow:
            pledge, fulfilment = await self._report(uow, fulfilment_id)
            if pledge.person_id == actor_id or fulfilment.reported_by == actor_id:
                raise PermissionDenied(OWN_DELIVERY)
            await self._check_reviewable(uow, actor_id, pledge, fulfilment)
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
        async with self._uow() as uow:
            standing = await standing_holding(
                uow, origin, RoleName.COORDINATOR, N_("Only coordinators can see the inbox.")
            )
            found = []
            for pledge in await uow.pledges.awaiting_confirmation(INBOX_LIMIT * 4):
                if await self._in_scope(uow, standing, pledge):
                    found.append(pledge)
            return found[:INBOX_LIMIT]

    async def move_due(
        self, uow: PledgeUnitOfWork, origin: Origin, pledge_id: int, due: date
    ) -> Pledge:
        """The pledger moves the delivery date (today or later), in an open unit of work.

        `change_due` is the same in a unit of work of its own, committed (see `deliver`).
        """
        person_id = origin.person(N_("Only a person can change a pledge."))
        if due < await self.calendar.today_of(uow, person_id):
            raise InvalidInput(N_("That date has passed. Please give today or a later date."))
        pledge = await self.own(uow, person_id, pledge_id)
        if pledge.status not in (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL):
            raise Conflict(N_("This pledge is closed; its date cannot be changed."))
        await claim_update(uow, origin)
        before = pledge.due_date
        pledge.due_date = due
        await uow.pledges.save(pledge)
        await record_audit(
            uow, self._clock, origin, "pledge.due", f"pledge:{pledge.id}", before, due
        )
        await self._tell_coordinators(uow, pledge, NoticeEvent.CHANGED)
        return pledge

    change_due = committed(move_due)

    async def withdraw(
        self, uow: PledgeUnitOfWork, origin: Origin, pledge_id: int, reason: str
    ) -> Pledge:
        """The pledger withdraws a pledge, with a reason, in an open unit of work.

        `cancel` is the same in a unit of work of its own, committed (see `deliver`).
        """
        person_id = origin.person(N_("Only a person can cancel a pledge."))
        clean = clean_description(reason)
        pledge = await self.own(uow, person_id, pledge_id)
        if pledge.status in CLOSED_STATUSES:
            raise Conflict(N_("This pledge is closed; it cannot be cancelled."))
        await claim_update(uow, origin)
        pledge.cancelled = True
        pledge.cancel_reason = clean
        await uow.pledges.save(pledge)
        # the reason is the person's own words: it stays on the pledge (erased when they
        # are forgotten), never in the append-only trail, which cannot forget it
        subject = f"pledge:{pledge.id}"
        await record_audit(
            uow, self._clock, origin, "pledge.cancel", subject, None, PledgeStatus.CANCELLED
        )
        await self._tell_coordinators(uow, pledge, NoticeEvent.CANCELLED)
        return pledge

    cancel = committed(withdraw)

    # -- helpers ---------------------------------------------------------------------------

    async def _tell_coordinators(
        self, uow: PledgeUnitOfWork, pledge: Pledge, event: NoticeEvent
    ) -> None:
        """Queue the change for the coordinators' next batch (same transaction)."""
        appeal = None
        if pledge.appeal_id is not None:
            appeal = await uow.appeal_lookup.get(pledge.appeal_id)
        await record_pledge_event(uow, pledge, appeal, event, self._clock.now())

    async def own(self, uow: PledgeUnitOfWork, person_id: int, pledge_id: int) -> Pledge:
        """One of the person's pledges, read in `uow`; another person's is refused as unknown."""
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
