"""Use cases of appeals: read them, publish a draft to the groups, report the broadcast.

The draft and its rules are in `draft.py`, the dialog that writes it in `dialog.py`, and
what happens after publishing (edit, extend, close, reopen, resend) in `manage.py`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from domain.appeals.draft import MESSAGE_LIMIT, AppealDraft, AudienceKind
from domain.appeals.manage import AppealManagement, GroupMessageRenderer
from domain.appeals.models import Appeal, broadcast_subject
from domain.appeals.ports import AppealsUnitOfWork
from domain.errors import N_, InvalidInput, NotFound, PermissionDenied
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import Standing, standing_in
from domain.kernel.tree import subtree_ids
from domain.network.access import may_manage_appeal, may_see_appeal, visible_appeals
from domain.network.models import Chat, ChatStatus, Organisation
from domain.outbox.models import BroadcastProgress, Purpose, progress_of
from domain.outbox.ports import NewDelivery


@dataclass(frozen=True)
class Published:
    """The outcome of confirming a draft."""

    appeal: Appeal
    targets: int
    new: bool


def report_subject(appeal_id: int) -> str:
    """The outbox subject of the final report of an appeal's broadcast (a notice)."""
    return f"appeal:{appeal_id}:report"


def appeal_home(
    standing: Standing,
    organisations: list[Organisation],
    audience: AudienceKind | None,
    chosen: int | None,
    targets: list[Chat],
) -> int | None:
    """The organisation an appeal belongs to (None: the whole network).

    It decides who sees the appeal in /appeals and which coordinators get, list and may
    confirm its delivery reports, so the writer always coordinates it:

    - "One organisation": that organisation.
    - A writer whose scope is the whole network (admin): "all my groups" is network-wide;
      picked groups belong to the smallest organisation containing all of them, if any.
    - A writer who coordinates organisations: "all my groups" belongs to the highest
      organisation they coordinate that contains every target group, picked groups to the
      smallest one. When none contains them all (groups of unrelated organisations), the
      appeal is refused: it is to be sent to one organisation at a time.
    """
    if audience is AudienceKind.ORGANISATION:
        return chosen
    homes = {c.organisation_id for c in targets}
    scope = standing.scope(organisations)
    network = scope is None
    if network and (audience is AudienceKind.SCOPE or None in homes):
        return None
    pool = [o.id for o in organisations] if scope is None else sorted(scope)
    subtrees = {o: subtree_ids(organisations, o) for o in pool}
    containing = [o for o in pool if homes <= subtrees[o]]
    if not containing:
        if network:
            return None
        raise InvalidInput(
            N_(
                "These groups belong to organisations you coordinate separately. Send the "
                "appeal to one organisation at a time (Fix audience, then One organisation)."
            )
        )
    # The organisations containing a set of groups form one chain up the tree.
    if audience is AudienceKind.SCOPE:
        return max(containing, key=lambda o: len(subtrees[o]))
    return min(containing, key=lambda o: len(subtrees[o]))


class AppealService(AppealManagement):
    """Appeals: each use case opens one unit of work and commits once."""

    # -- reading -----------------------------------------------------------------------------

    async def require_coordinator(self, person_id: int) -> Standing:
        """The person's standing, or a refusal unless they coordinate or administer."""
        async with self._uow() as uow:
            return await self.require_coordinator_in(uow, person_id)

    async def require_coordinator_in(self, uow: AppealsUnitOfWork, person_id: int) -> Standing:
        """`require_coordinator` inside a unit of work already open."""
        standing = await standing_in(uow, person_id)
        if not standing.is_coordinator:
            raise PermissionDenied(N_("Only coordinators and admins can write appeals."))
        return standing

    async def audience_options(self, person_id: int) -> tuple[list[tuple[int, str]], list[Chat]]:
        """Organisations (id, name) and approved chats the person may address."""
        async with self._uow() as uow:
            return await self.audience_options_in(uow, person_id)

    async def audience_options_in(
        self, uow: AppealsUnitOfWork, person_id: int
    ) -> tuple[list[tuple[int, str]], list[Chat]]:
        """`audience_options` inside a unit of work already open (the dialog engine's)."""
        standing = await standing_in(uow, person_id)
        organisations = await uow.organisations.all()
        scope = standing.scope(organisations)
        chats = await self._approved_in(uow, scope)
        orgs = [
            (o.id, o.name)
            for o in sorted(organisations, key=lambda o: o.name)
            if scope is None or o.id in scope
        ]
        return orgs, chats

    async def get(self, appeal_id: int) -> Appeal:
        """One appeal, or NotFound."""
        async with self._uow() as uow:
            appeal = await uow.appeals.get(appeal_id)
        if appeal is None:
            raise NotFound(N_("There is no appeal number {number}."), number=appeal_id)
        return appeal

    async def open_appeals(self) -> list[Appeal]:
        """Every open appeal, newest first."""
        async with self._uow() as uow:
            return await uow.appeals.open()

    async def visible_appeals(
        self, person_id: int, in_groups: Collection[int] = ()
    ) -> list[Appeal]:
        """Open appeals of the person's organisations (admins: all), newest first.

        An appeal addressed to an organisation's subtree concerns the members of every
        organisation below it; one addressed to the whole network concerns everyone.
        `in_groups` are approved groups the caller verified the person is in: their
        organisations count as the person's (members without a role see their groups').
        """
        async with self._uow() as uow:
            standing = await standing_in(uow, person_id)
            appeals = await uow.appeals.open()
            organisations = await uow.organisations.all()
            reached = set()
            for chat_id in in_groups:
                chat = await uow.chats.get(chat_id)
                if chat is not None and chat.status is ChatStatus.APPROVED and chat.organisation_id:
                    reached.add(chat.organisation_id)
        return visible_appeals(standing, appeals, organisations, reached)

    async def groups_of_unseen(self, person_id: int, limit: int = 20) -> list[int]:
        """Groups that received an open appeal the person's roles do not show them.

        The caller asks Telegram whether the person is in them (at most `limit`).
        """
        async with self._uow() as uow:
            standing = await standing_in(uow, person_id)
            organisations = await uow.organisations.all()
            found: list[int] = []
            for appeal in await uow.appeals.open():
                if may_see_appeal(standing, appeal, organisations):
                    continue
                sent = await uow.outbox.for_subject(Purpose.APPEAL, broadcast_subject(appeal.id))
                found += [d.chat_id for d in sent if d.chat_id < 0 and d.chat_id not in found]
                if len(found) >= limit:
                    break
            return found[:limit]

    async def may_manage(self, person_id: int, appeal: Appeal) -> bool:
        """True when the person may edit, extend or close this appeal."""
        async with self._uow() as uow:
            standing = await standing_in(uow, person_id)
            organisations = await uow.organisations.all()
        return may_manage_appeal(standing, appeal, organisations)

    # -- publishing --------------------------------------------------------------------------

    def check_fits(self, draft: AppealDraft, render: GroupMessageRenderer, person_id: int) -> None:
        """Refuse a draft whose group message would exceed Telegram's limit."""
        message = render(draft.as_appeal(person_id, self._clock.now()), -1)
        if len(message.text) > MESSAGE_LIMIT:
            raise InvalidInput(
                N_(
                    "The group message would have {length} characters; Telegram allows at most "
                    "{limit}. Shorten the text or the needs."
                ),
                length=len(message.text),
                limit=MESSAGE_LIMIT,
            )

    async def publish(
        self,
        origin: Origin,
        draft: AppealDraft,
        render: GroupMessageRenderer,
        progress_message_id: int | None = None,
    ) -> Published:
        """Store the appeal and queue one message per target chat; a second tap is a no-op."""
        async with self._uow() as uow:
            published = await self.publish_in(uow, origin, draft, render, progress_message_id)
            if published.new:
                await claim_update(uow, origin)
                await uow.commit()
            return published

    async def publish_in(
        self,
        uow: AppealsUnitOfWork,
        origin: Origin,
        draft: AppealDraft,
        render: GroupMessageRenderer,
        progress_message_id: int | None = None,
    ) -> Published:
        """`publish` inside a unit of work already open; the caller marks the update, commits.

        `progress_message_id` is the writer's message to edit with the broadcast's progress
        (the one whose button was pressed): known before anything is sent, it is stored with
        the appeal, so a crash at any point leaves the progress message findable. A draft
        published before (its key) is returned as it is, not published again.
        """
        person_id = origin.person(N_("Only coordinators and admins can write appeals."))
        if draft.next_step() is not None:
            raise InvalidInput(N_("The appeal is not complete yet."))
        self.check_fits(draft, render, person_id)
        now = self._clock.now()
        if draft.deadline is not None and draft.deadline < await self.calendar.today_of(
            uow, person_id
        ):
            raise InvalidInput(
                N_("{date} is in the past; give a deadline from today on."),
                date=draft.deadline.isoformat(),
            )
        existing = await uow.appeals.by_draft_key(draft.key)
        if existing is not None:
            progress = progress_of(
                await uow.outbox.for_subject(Purpose.APPEAL, broadcast_subject(existing.id))
            )
            return Published(existing, progress.total, False)
        standing = await self.require_coordinator_in(uow, person_id)
        organisations = await uow.organisations.all()
        targets = await self._targets(uow, standing, organisations, draft)
        if not targets:
            raise InvalidInput(N_("No approved group is in this audience; nothing was sent."))
        appeal = draft.as_appeal(person_id, now)
        appeal.organisation_id = appeal_home(
            standing, organisations, draft.audience, draft.audience_organisation, targets
        )
        appeal.progress_message_id = progress_message_id
        appeal = await uow.appeals.add(appeal)
        subject = broadcast_subject(appeal.id)
        for chat in targets:
            message = render(appeal, chat.id)
            await uow.outbox.enqueue(
                NewDelivery(Purpose.APPEAL, subject, chat.id, message.text, message.buttons),
                now,
            )
        await self._audit(uow, origin, "appeal.publish", appeal.id, None, appeal.title)
        return Published(appeal, len(targets), True)

    async def _approved_in(self, uow: AppealsUnitOfWork, scope: set[int] | None) -> list[Chat]:
        chats = await uow.chats.by_status(ChatStatus.APPROVED)
        if scope is None:
            return chats
        return [c for c in chats if c.organisation_id is not None and c.organisation_id in scope]

    async def _targets(
        self,
        uow: AppealsUnitOfWork,
        standing: Standing,
        organisations: list[Organisation],
        draft: AppealDraft,
    ) -> list[Chat]:
        scope = standing.scope(organisations)
        chats = await self._approved_in(uow, scope)
        if draft.audience is AudienceKind.ORGANISATION:
            if draft.audience_organisation is None or not standing.coordinates(
                draft.audience_organisation, organisations
            ):
                raise PermissionDenied(N_("You do not coordinate that organisation."))
            subtree = subtree_ids(organisations, draft.audience_organisation)
            return [c for c in chats if c.organisation_id in subtree]
        if draft.audience is AudienceKind.PICKED:
            picked = set(draft.audience_chats)
            return [c for c in chats if c.id in picked]
        return chats

    # -- after publishing (edit, extend, close, reopen, resend: domain/appeals/manage.py) ----

    async def set_progress_message(self, appeal_id: int, message_id: int) -> None:
        """Remember the coordinator's progress message, edited as the broadcast advances."""
        async with self._uow() as uow:
            appeal = await uow.appeals.get(appeal_id)
            if appeal is None:
                return
            appeal.progress_message_id = message_id
            await uow.appeals.save(appeal)
            await uow.commit()

    async def broadcasts(self) -> list[tuple[Appeal, BroadcastProgress]]:
        """Appeals whose final report is still due, with their progress."""
        async with self._uow() as uow:
            found = []
            for appeal in await uow.appeals.unreported():
                deliveries = await uow.outbox.for_subject(
                    Purpose.APPEAL, broadcast_subject(appeal.id)
                )
                found.append((appeal, progress_of(deliveries)))
            return found

    async def report(self, appeal_id: int, text: str) -> bool:
        """Queue the final report (HTML) to the writer and mark the appeal reported, together.

        The paced sender delivers it once, like the groups' messages; a second call (a
        restart, another replica) queues nothing. False when it was already reported.
        """
        async with self._uow() as uow:
            appeal = await uow.appeals.get(appeal_id)
            if appeal is None or appeal.reported_at is not None:
                return False
            now = self._clock.now()
            await uow.outbox.enqueue(
                NewDelivery(Purpose.NOTICE, report_subject(appeal.id), appeal.created_by, text),
                now,
            )
            appeal.reported_at = now
            await uow.appeals.save(appeal)
            await uow.commit()
            return True
