"""Which appeals a person may pledge to, and on whose behalf: read once per unit of work."""

from __future__ import annotations

from dataclasses import dataclass

from domain.appeals.models import Appeal, broadcast_subject
from domain.errors import N_, Conflict, NotFound, PermissionDenied
from domain.kernel.standing import Standing, standing_in
from domain.network.access import behalf_organisations, may_see_appeal, visible_appeals
from domain.network.models import ChatStatus, Organisation
from domain.outbox.models import Purpose
from domain.pledges.ports import PledgeUnitOfWork

NO_SUCH_APPEAL = N_("There is no appeal number {number}.")
NO_LONGER_VISIBLE = N_(
    "You may no longer pledge to appeal {number}, so nothing was saved. "
    "Send /cancel to end this pledge."
)


@dataclass(frozen=True)
class Pledger:
    """A person's roles and the organisation tree, as one unit of work read them."""

    standing: Standing
    organisations: tuple[Organisation, ...]

    @property
    def person_id(self) -> int:
        """Who pledges."""
        return self.standing.person_id

    @property
    def behalf(self) -> list[Organisation]:
        """Organisations the person may pledge on behalf of (theirs and those they coordinate)."""
        if not self.standing.roles:
            return []
        return behalf_organisations(self.standing, list(self.organisations))

    @property
    def behalf_ids(self) -> list[int]:
        """The ids of `behalf`."""
        return [o.id for o in self.behalf]

    def may_see(self, appeal: Appeal, reached: set[int] | None = None) -> bool:
        """The one visibility rule (domain.network.access), `reached` counting as theirs."""
        if reached:
            return may_see_appeal(self.standing, appeal, list(self.organisations), reached)
        return may_see_appeal(self.standing, appeal, list(self.organisations))

    def visible(self, appeals: list[Appeal]) -> list[Appeal]:
        """The open appeals among `appeals` the person may see (the /appeals rule)."""
        return visible_appeals(self.standing, appeals, list(self.organisations))


async def pledger_in(uow: PledgeUnitOfWork, person_id: int) -> Pledger:
    """Read the person's roles and the organisations, once for the whole unit of work."""
    standing = await standing_in(uow, person_id)
    return Pledger(standing, tuple(await uow.organisations.all()))


async def open_appeal(uow: PledgeUnitOfWork, appeal_id: int) -> Appeal:
    """The appeal if it takes pledges; an unknown or closed one is refused."""
    appeal = await uow.appeal_lookup.get(appeal_id)
    if appeal is None:
        raise NotFound(NO_SUCH_APPEAL, number=appeal_id)
    if not appeal.is_open:
        raise Conflict(N_("Appeal {number} is closed and takes no more pledges."), number=appeal_id)
    return appeal


async def pledgeable(
    uow: PledgeUnitOfWork, pledger: Pledger, appeal_id: int, via_chat: int | None = None
) -> Appeal:
    """An open appeal the person may see, else refused exactly as one that does not exist."""
    appeal = await open_appeal(uow, appeal_id)
    if not await may_pledge_to(uow, pledger, appeal, via_chat):
        raise NotFound(NO_SUCH_APPEAL, number=appeal_id)
    return appeal


async def still_pledgeable(
    uow: PledgeUnitOfWork, pledger: Pledger, appeal_id: int, via_chat: int | None
) -> Appeal:
    """The appeal of a draft, authorised again now; a lost right is refused plainly."""
    appeal = await open_appeal(uow, appeal_id)
    if not await may_pledge_to(uow, pledger, appeal, via_chat):
        raise PermissionDenied(NO_LONGER_VISIBLE, number=appeal_id)
    return appeal


async def may_pledge_to(
    uow: PledgeUnitOfWork, pledger: Pledger, appeal: Appeal, via_chat: int | None
) -> bool:
    """True when the person may see the appeal, by their roles or through a group.

    `via_chat` is a group the person is in: it counts (its organisation as theirs) only
    when it is approved and the appeal was sent to it, and is read only when needed.
    """
    if pledger.may_see(appeal):
        return True
    if via_chat is None or not await _sent_to(uow, appeal.id, via_chat):
        return False
    chat = await uow.chats.get(via_chat)
    if chat is None or chat.status is not ChatStatus.APPROVED or not chat.organisation_id:
        return False
    return pledger.may_see(appeal, {chat.organisation_id})


async def _sent_to(uow: PledgeUnitOfWork, appeal_id: int, chat_id: int) -> bool:
    """True when the appeal was sent to this chat (a delivery row exists)."""
    sent = await uow.outbox.for_subject(Purpose.APPEAL, broadcast_subject(appeal_id))
    return any(d.chat_id == chat_id for d in sent)
