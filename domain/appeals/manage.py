"""After publishing: edit the text, extend the deadline, close with totals, reopen, resend.

A mixin of `AppealService` (it shares its unit of work, clock and audit), kept apart so the
appeal service stays about writing and publishing. Every change that the groups should see
is queued as edits of the messages they already have, through the outbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from domain.appeals.draft import clean_body
from domain.appeals.models import Appeal, AppealStatus, broadcast_subject
from domain.appeals.ports import AppealsUnitOfWork, ClosingTotals
from domain.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import RoleName, standing_holding, standing_in
from domain.kernel.tree import subtree_ids
from domain.kernel.units import LocalUseCases, committed
from domain.network.access import may_manage_appeal
from domain.network.models import Chat, ChatStatus
from domain.outbox.models import DeliveryStatus, Purpose
from domain.outbox.ports import NewDelivery
from domain.parsing import parse_due_date

#: Telegram's limit for one message's text.
TEXT_LIMIT = 4096


@dataclass(frozen=True)
class GroupMessage:
    """The text (HTML) and keyboard (JSON rows) a group sees for an appeal."""

    text: str
    buttons: str | None


class GroupMessageRenderer(Protocol):
    """Renders an appeal as one group will see it (handlers supply this)."""

    def __call__(self, appeal: Appeal, chat_id: int) -> GroupMessage:
        """Return the message for `chat_id`."""
        ...


class ClosingRenderer(Protocol):
    """Writes the closing line the groups get: final totals only, never names (HTML)."""

    def __call__(self, appeal: Appeal, totals: ClosingTotals) -> str:
        """The closing message (at most 4,096 characters)."""
        ...


#: what a change of an appeal did, for its audit: the action, the value before and after
Change = tuple[str, str | None, str | None]
#: one typed change, applied to the appeal it is for
AppealChange = Callable[[Appeal], Awaitable[Change]]
#: the typed changes of a published appeal
EDIT, EXTEND = "edit", "extend"


class AppealManagement(LocalUseCases[AppealsUnitOfWork]):
    """Use cases on a published appeal, for those who may manage it (admins to reopen)."""

    async def _audit(
        self,
        uow: AppealsUnitOfWork,
        origin: Origin,
        action: str,
        appeal_id: int,
        before: str | None,
        after: str | None,
    ) -> None:
        """Record who changed the appeal, and how, in the unit of work of the change."""
        await record_audit(
            uow, self._clock, origin, action, f"appeal:{appeal_id}", before, after
        )

    async def edit_text(
        self, origin: Origin, appeal_id: int, raw: str, render: GroupMessageRenderer
    ) -> int:
        """Change an appeal's text and queue the groups' messages to be edited; return how many."""
        _appeal, queued = await self._changed(origin, appeal_id, EDIT, raw, render)
        return queued

    async def extend_deadline(
        self, origin: Origin, appeal_id: int, raw: str, render: GroupMessageRenderer
    ) -> tuple[Appeal, int]:
        """Move an open appeal's deadline later; the groups' messages are edited to show it."""
        return await self._changed(origin, appeal_id, EXTEND, raw, render)

    async def change_in(
        self,
        uow: AppealsUnitOfWork,
        origin: Origin,
        appeal_id: int,
        action: str,
        raw: str,
        render: GroupMessageRenderer,
    ) -> tuple[Appeal, int]:
        """One typed change of an open appeal: its text (EDIT) or its deadline (EXTEND).

        It runs in a unit of work already open; the caller marks the update and commits.
        """
        change = (
            self._new_text(raw, render) if action == EDIT else self._new_deadline(uow, origin, raw)
        )
        return await self._change_open(uow, origin, appeal_id, render, change)

    _changed = committed(change_in, claims=True)

    def _new_text(self, raw: str, render: GroupMessageRenderer) -> AppealChange:
        """The change to the text `raw` (read now: an empty or huge text is refused first)."""
        body = clean_body(raw)

        async def new_text(appeal: Appeal) -> Change:
            before = appeal.body
            appeal.body = body
            self._check_fits(appeal, render)
            return "appeal.edit", before, body

        return new_text

    def _new_deadline(self, uow: AppealsUnitOfWork, origin: Origin, raw: str) -> AppealChange:
        """The change to the deadline `raw`, read in the person's own day."""

        async def new_deadline(appeal: Appeal) -> Change:
            today = await self.calendar.today_of(uow, origin.actor_id)
            deadline = parse_due_date(raw, today=today)
            if deadline < today:
                raise InvalidInput(
                    N_("{date} is in the past; give a deadline from today on."),
                    date=deadline.isoformat(),
                )
            before = appeal.deadline
            appeal.deadline = deadline
            return "appeal.deadline", str(before), deadline.isoformat()

        return new_deadline

    async def _change_open(
        self,
        uow: AppealsUnitOfWork,
        origin: Origin,
        appeal_id: int,
        render: GroupMessageRenderer,
        change: AppealChange,
    ) -> tuple[Appeal, int]:
        """Change an open appeal the person manages, re-queue its groups' messages, audit."""
        appeal = await self._managed(uow, origin, appeal_id)
        if not appeal.is_open:
            raise Conflict(N_("This appeal is closed."))
        action, before, after = await change(appeal)
        queued = await self._requeue(uow, appeal, render)
        await self._audit(uow, origin, action, appeal.id, before, after)
        return appeal, queued


    async def close(
        self,
        origin: Origin,
        appeal_id: int,
        render: GroupMessageRenderer,
        closing: ClosingRenderer | None = None,
    ) -> Appeal:
        """Close an appeal: the groups' messages say so and each group gets the final totals."""
        async with self._uow() as uow:
            appeal = await self._managed(uow, origin, appeal_id)
            if not appeal.is_open:
                raise Conflict(N_("Appeal #{number} is already closed."), number=appeal.id)
            appeal.status = AppealStatus.CLOSED
            await claim_update(uow, origin)
            await self._requeue(uow, appeal, render)
            if closing is not None:
                text = closing(appeal, await uow.appeal_totals.closing(appeal.id))
                subject = f"{broadcast_subject(appeal.id)}:closed:r{appeal.revision}"
                now = self._clock.now()
                for chat_id in await self._reached(uow, appeal):
                    await uow.outbox.enqueue(
                        NewDelivery(Purpose.APPEAL, subject, chat_id, text[:TEXT_LIMIT]), now
                    )
            await self._audit(uow, origin, "appeal.close", appeal.id, "open", "closed")
            await uow.commit()
            return appeal

    async def reopen(
        self, origin: Origin, appeal_id: int, render: GroupMessageRenderer
    ) -> Appeal:
        """An admin reopens a closed appeal; the groups' messages take pledges again."""
        async with self._uow() as uow:
            await standing_holding(
                uow, origin, RoleName.ADMIN, N_("Only admins can reopen an appeal.")
            )
            appeal = await uow.appeals.get(appeal_id)
            if appeal is None:
                raise NotFound(N_("There is no appeal number {number}."), number=appeal_id)
            if appeal.is_open:
                raise Conflict(N_("Appeal #{number} is open already."), number=appeal.id)
            appeal.status = AppealStatus.OPEN
            await claim_update(uow, origin)
            await self._requeue(uow, appeal, render)
            await self._audit(uow, origin, "appeal.reopen", appeal.id, "closed", "open")
            await uow.commit()
            return appeal

    async def resend(
        self, origin: Origin, appeal_id: int, render: GroupMessageRenderer
    ) -> int:
        """Send an open appeal to the approved groups of its audience that lack it; how many.

        Groups linked after publishing get it; a group that has it (or was tried) never gets
        it twice, as the outbox keeps one row per appeal and chat.
        """
        async with self._uow() as uow:
            appeal = await self._managed(uow, origin, appeal_id)
            if not appeal.is_open:
                raise Conflict(N_("This appeal is closed."))
            await claim_update(uow, origin)
            subject = broadcast_subject(appeal.id)
            has = {d.chat_id for d in await uow.outbox.for_subject(Purpose.APPEAL, subject)}
            now = self._clock.now()
            queued = 0
            for chat in await self._audience(uow, appeal):
                if chat.id in has:
                    continue
                message = render(appeal, chat.id)
                queued += await uow.outbox.enqueue(
                    NewDelivery(Purpose.APPEAL, subject, chat.id, message.text, message.buttons),
                    now,
                )
            await self._audit(uow, origin, "appeal.resend", appeal.id, None, str(queued))
            await uow.commit()
            return queued

    async def _audience(self, uow: AppealsUnitOfWork, appeal: Appeal) -> list[Chat]:
        """The approved groups an appeal belongs to: its organisation's subtree, or all."""
        chats = await uow.chats.by_status(ChatStatus.APPROVED)
        if appeal.organisation_id is None:
            return chats
        subtree = subtree_ids(await uow.organisations.all(), appeal.organisation_id)
        return [c for c in chats if c.organisation_id in subtree]

    async def _reached(self, uow: AppealsUnitOfWork, appeal: Appeal) -> list[int]:
        """The chats that received the appeal's message."""
        return [
            d.chat_id
            for d in await uow.outbox.for_subject(Purpose.APPEAL, broadcast_subject(appeal.id))
            if d.status is DeliveryStatus.SENT
        ]

    def _check_fits(self, appeal: Appeal, render: GroupMessageRenderer) -> None:
        length = len(render(appeal, -1).text)
        if length > TEXT_LIMIT:
            raise InvalidInput(
                N_(
                    "The group message would have {length} characters; Telegram allows at "
                    "most {limit}. Shorten the text or the needs."
                ),
                length=length,
                limit=TEXT_LIMIT,
            )

    async def _managed(self, uow: AppealsUnitOfWork, origin: Origin, appeal_id: int) -> Appeal:
        person_id = origin.person(N_("You may not change this appeal."))
        appeal = await uow.appeals.get(appeal_id)
        if appeal is None:
            raise NotFound(N_("There is no appeal number {number}."), number=appeal_id)
        standing = await standing_in(uow, person_id)
        organisations = await uow.organisations.all()
        if not may_manage_appeal(standing, appeal, organisations):
            raise PermissionDenied(N_("You may not change this appeal."))
        return appeal

    async def _requeue(
        self, uow: AppealsUnitOfWork, appeal: Appeal, render: GroupMessageRenderer
    ) -> int:
        """Bump the revision and queue an edit of every group message already sent."""
        appeal.revision += 1
        await uow.appeals.save(appeal)
        now = self._clock.now()
        subject = f"{broadcast_subject(appeal.id)}:r{appeal.revision}"
        queued = 0
        for sent in await uow.outbox.for_subject(Purpose.APPEAL, broadcast_subject(appeal.id)):
            if sent.status is not DeliveryStatus.SENT or sent.message_id is None:
                continue
            message = render(appeal, sent.chat_id)
            queued += await uow.outbox.enqueue(
                NewDelivery(
                    Purpose.APPEAL_EDIT,
                    subject,
                    sent.chat_id,
                    message.text,
                    message.buttons,
                    edit_message_id=sent.message_id,
                ),
                now,
            )
        return queued
