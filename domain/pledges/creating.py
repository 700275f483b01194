"""A confirmed draft becomes a pledge: checked again, stored, audited, announced — once."""

from __future__ import annotations

from domain.appeals.models import Appeal
from domain.clock import Clock
from domain.errors import N_, InvalidInput, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.kernel.quantities import check_quantity, format_minor, format_quantity
from domain.notices.models import NoticeEvent
from domain.notices.recording import record_pledge_event
from domain.pledges.access import Pledger, still_pledgeable
from domain.pledges.draft import PledgeDraft, Step, check_hours, need_of, next_step
from domain.pledges.models import Pledge, PledgeKind, Visibility
from domain.pledges.ports import PledgeUnitOfWork

NOT_COMPLETE = N_("This pledge is not complete yet.")
NOT_YOURS = N_("This button is not yours.")


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


async def create_pledge(
    uow: PledgeUnitOfWork,
    clock: Clock,
    origin: Origin,
    draft: PledgeDraft,
    pledger: Pledger,
    member_chat: int | None = None,
    *,
    claim: bool = True,
) -> Pledge:
    """Insert the pledge a confirmed draft makes, audited; or return the one it made.

    The appeal is authorised again at this moment (open, and visible to the person: by
    their roles, or through `member_chat`, a group Telegram just said they are in). With
    `claim`, the update is marked here (the dialog engine marks it itself).
    """
    actor_id = origin.person(N_("Only a person can pledge."))
    existing = await uow.pledges.by_token(draft.token)
    if existing is not None:
        if existing.person_id != actor_id:
            raise PermissionDenied(NOT_YOURS)
        return existing
    appeal = None
    if draft.appeal_id is not None:
        appeal = await still_pledgeable(uow, pledger, draft.appeal_id, member_chat)
    org_ids = pledger.behalf_ids
    if next_step(draft, appeal, org_ids) is not Step.CONFIRM:
        raise InvalidInput(NOT_COMPLETE)
    pledge = pledge_from(origin, clock, draft, appeal, org_ids)
    if claim:
        await claim_update(uow, origin)
    stored = await uow.pledges.add(pledge)
    if stored.person_id != actor_id:
        raise PermissionDenied(NOT_YOURS)
    await record_audit(
        uow, clock, origin, "pledge.create", f"pledge:{stored.id}", None, audited(stored)
    )
    await record_pledge_event(uow, stored, appeal, NoticeEvent.PLEDGED, clock.now())
    return stored


def pledge_from(
    origin: Origin, clock: Clock, draft: PledgeDraft, appeal: Appeal | None, org_ids: list[int]
) -> Pledge:
    """The pledge a complete draft describes; what no longer fits the appeal is refused."""
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
            raise InvalidInput(NOT_COMPLETE)
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
        created_at=clock.now(),
    )
