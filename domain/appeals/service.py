"""Use cases of appeals: write a draft, publish it to the groups, edit, extend and close it."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.appeals.manage import (
    AppealManagement,
    GroupMessage,
    GroupMessageRenderer,
    broadcast_subject,
)
from domain.appeals.models import Appeal, AppealStatus, Need, Recipient
from domain.appeals.ports import AppealsUnitOfWork, AppealsUnitOfWorkFactory
from domain.clock import Clock
from domain.errors import N_, InvalidInput, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.calendar import Calendar
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import standing_in
from domain.network.access import may_manage_appeal, may_see_appeal, visible_appeals
from domain.network.models import Chat, ChatStatus, Organisation, Standing, subtree_ids
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from domain.outbox.service import BroadcastProgress, progress_of
from domain.parsing import item_key, parse_due_date, parse_offer_text

MAX_TITLE = 200
MAX_BODY = 3500
MAX_RECIPIENT = 200
MAX_NEEDS = 30
#: Telegram's limit for one message's text.
MESSAGE_LIMIT = 4096

__all__ = ["GroupMessage", "GroupMessageRenderer", "broadcast_subject"]


class AudienceKind(StrEnum):
    """Who receives an appeal."""

    SCOPE = "scope"
    ORGANISATION = "organisation"
    PICKED = "picked"


@dataclass
class NeedLine:
    """One parsed need of a draft."""

    item: str
    unit: str
    target: Decimal
    approximate: bool = False


@dataclass
class AppealDraft:
    """An appeal being written; it lives in the person's dialog row until it is published."""

    key: str
    currency: str  # of the money target: settings CURRENCY
    title: str | None = None
    body: str | None = None
    needs: list[NeedLine] = field(default_factory=list)
    needs_done: bool = False
    money_target_minor: int | None = None
    recipients: list[str] = field(default_factory=list)
    recipients_done: bool = False
    deadline: date | None = None
    audience: AudienceKind | None = None
    audience_organisation: int | None = None
    audience_chats: list[int] = field(default_factory=list)
    # the preview on show: only its buttons send, cancel or fix (an older one is answered)
    preview_message_id: int | None = None

    def next_step(self) -> str | None:
        """The question still open ("title", "body", ...), or None when it can be previewed."""
        if self.title is None:
            return "title"
        if self.body is None:
            return "body"
        if not self.needs_done:
            return "needs"
        if not self.recipients_done:
            return "recipients"
        if self.deadline is None:
            return "deadline"
        if self.audience is None:
            return "audience"
        return None

    def to_data(self) -> dict[str, Any]:
        """A JSON-safe form for the dialog row."""
        return {
            "key": self.key,
            "title": self.title,
            "body": self.body,
            "needs": [
                {"item": n.item, "unit": n.unit, "target": str(n.target), "approx": n.approximate}
                for n in self.needs
            ],
            "needs_done": self.needs_done,
            "money": self.money_target_minor,
            "currency": self.currency,
            "recipients": list(self.recipients),
            "recipients_done": self.recipients_done,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "audience": None if self.audience is None else self.audience.value,
            "audience_org": self.audience_organisation,
            "audience_chats": list(self.audience_chats),
            "preview": self.preview_message_id,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> AppealDraft:
        """Read a draft back from the dialog row."""
        return cls(
            key=str(data["key"]),
            title=data.get("title"),
            body=data.get("body"),
            needs=[
                NeedLine(n["item"], n["unit"], Decimal(n["target"]), bool(n.get("approx")))
                for n in data.get("needs", [])
            ],
            needs_done=bool(data.get("needs_done")),
            money_target_minor=data.get("money"),
            currency=str(data["currency"]),
            recipients=list(data.get("recipients", [])),
            recipients_done=bool(data.get("recipients_done")),
            deadline=date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
            audience=AudienceKind(data["audience"]) if data.get("audience") else None,
            audience_organisation=data.get("audience_org"),
            audience_chats=[int(c) for c in data.get("audience_chats", [])],
            preview_message_id=data.get("preview"),
        )

    def as_appeal(self, created_by: int, now: datetime) -> Appeal:
        """The appeal this draft would publish (id 0 until stored)."""
        return Appeal(
            id=0,
            title=self.title or "",
            body=self.body or "",
            status=AppealStatus.OPEN,
            deadline=self.deadline,
            currency=self.currency,
            money_target_minor=self.money_target_minor,
            organisation_id=self.audience_organisation,
            created_by=created_by,
            created_at=now,
            needs=[
                Need(0, 0, n.item, item_key(n.item), n.unit, n.target, n.approximate, i)
                for i, n in enumerate(self.needs)
            ],
            recipients=[Recipient(0, name) for name in self.recipients],
            draft_key=self.key,
        )


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


def clean_title(raw: str) -> str:
    """A trimmed title, or a refusal when it is empty or too long."""
    title = " ".join(raw.split())
    if not title:
        raise InvalidInput(N_("An appeal needs a title."))
    if len(title) > MAX_TITLE:
        raise InvalidInput(N_("A title may have at most {limit} characters."), limit=MAX_TITLE)
    return title


def clean_body(raw: str) -> str:
    """The appeal's text, or a refusal when it is empty or cannot fit one message."""
    body = raw.strip()
    if not body:
        raise InvalidInput(N_("An appeal needs some text."))
    if len(body) > MAX_BODY:
        raise InvalidInput(
            N_(
                "The text has {length} characters; with the needs it must fit one Telegram "
                "message of {limit} characters, so keep it under {max}."
            ),
            length=len(body),
            limit=MESSAGE_LIMIT,
            max=MAX_BODY,
        )
    return body


def add_need(draft: AppealDraft, raw: str) -> NeedLine | int:
    """Parse one need line into the draft; return the line, or the money target in minor units."""
    if len(draft.needs) >= MAX_NEEDS:
        raise InvalidInput(N_("An appeal may list at most {limit} needs."), limit=MAX_NEEDS)
    parsed = parse_offer_text(raw, default_currency=draft.currency)
    if parsed.money is not None and parsed.quantity is None:
        if parsed.money.currency != draft.currency:
            raise InvalidInput(
                N_("Money targets are in {currency}; write the amount in {currency}."),
                currency=draft.currency,
            )
        draft.money_target_minor = parsed.money.minor
        return parsed.money.minor
    if parsed.quantity is None or not parsed.item:
        raise InvalidInput(
            N_(
                "I could not read “{text}” as a need. Write the item and the amount, "
                "like 口罩 10000个, disinfectant 3000 kg or 资金 50万元."
            ),
            text=raw.strip()[:60],
        )
    line = NeedLine(parsed.item, parsed.quantity.unit, parsed.quantity.value, parsed.approximate)
    draft.needs.append(line)
    return line


#: A pasted list of needs is read line by line, at most this many lines at once.
MAX_LIST_LINES = 50
#: Unreadable lines named in one answer (the rest are counted), so the answer stays short.
MAX_NAMED_LINES = 10
# what a document puts before a list line: "1. ", "1、", "(1)", "（1）", "①", "- ", "•", "一、"
_LIST_MARK = re.compile(
    r"^\s*(?:[-–—•·*●○▪■◆►➢✓]+"
    r"|[(（]\s*(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*(?:[、)）]|[.．](?![0-9]))"
    r"|[\u2460-\u2473\u2776-\u277f])\s*"
)
EMPTY_LIST = N_("That list is empty. Send one need per line, e.g. 口罩 5000只.")
TOO_MANY_LINES = N_(
    "That list has {count} lines; at most {limit} can be read at once. Nothing was added: "
    "please send it in parts."
)
TOO_MANY_NEEDS = N_(
    "An appeal may list at most {limit} needs: {listed} are listed and this list has {count} "
    "more. Nothing was added."
)


@dataclass(frozen=True)
class UnreadLine:
    """A line of a pasted list that could not be read as a need: its number and text."""

    number: int
    text: str


@dataclass(frozen=True)
class ListAdded:
    """What a pasted list of needs added: needs, the funds target, the lines not read."""

    needs: list[NeedLine]
    money_minor: int | None
    unread: list[UnreadLine]


def strip_list_mark(line: str) -> str:
    """A list line without its number or bullet ("1. 口罩 5000只" → "口罩 5000只")."""
    return _LIST_MARK.sub("", line, count=1).strip()


def is_list(raw: str) -> bool:
    """Whether a needs answer is a pasted list (more than one non-blank line)."""
    return sum(1 for line in raw.splitlines() if line.strip()) > 1


def add_needs(draft: AppealDraft, raw: str) -> ListAdded:
    """Read a pasted list, one need per line, into the draft.

    Each readable line is kept; a line that cannot be read is returned with its number (its
    neighbours are still added). Blank lines are skipped and do not count. A list longer than
    `MAX_LIST_LINES`, or one that would take the appeal past `MAX_NEEDS`, adds nothing.
    """
    lines = [(n, line) for n, line in enumerate(raw.splitlines(), start=1) if line.strip()]
    if not any(strip_list_mark(line) for _, line in lines):  # blank, or bullets alone
        raise InvalidInput(EMPTY_LIST)
    if len(lines) > MAX_LIST_LINES:
        raise InvalidInput(TOO_MANY_LINES, count=len(lines), limit=MAX_LIST_LINES)
    trial = AppealDraft.from_data(draft.to_data())
    trial.needs = []  # the capacity is checked on the whole list before anything is added
    read: list[NeedLine] = []
    money: int | None = None
    unread: list[UnreadLine] = []
    for number, line in lines:
        text = strip_list_mark(line)
        try:
            added = add_need(trial, text) if text else None
        except InvalidInput:
            added = None
        if added is None:
            unread.append(UnreadLine(number, " ".join(line.split())))
        elif isinstance(added, int):
            money = added
        else:
            read.append(added)
    if len(draft.needs) + len(read) > MAX_NEEDS:
        raise InvalidInput(
            TOO_MANY_NEEDS, limit=MAX_NEEDS, listed=len(draft.needs), count=len(read)
        )
    draft.needs.extend(read)
    if money is not None:
        draft.money_target_minor = money
    return ListAdded(read, money, unread)


def add_recipient(draft: AppealDraft, raw: str) -> str:
    """Add a named recipient to the draft."""
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput(N_("A recipient needs a name."))
    if len(name) > MAX_RECIPIENT:
        raise InvalidInput(
            N_("A recipient's name may have at most {limit} characters."), limit=MAX_RECIPIENT
        )
    if name not in draft.recipients:
        draft.recipients.append(name)
    return name


def set_deadline(draft: AppealDraft, raw: str, today: date) -> date:
    """Read the deadline into the draft; refuse a date in the past."""
    deadline = parse_due_date(raw, today=today)
    if deadline < today:
        raise InvalidInput(
            N_("{date} is in the past; give a deadline from today on."), date=deadline.isoformat()
        )
    draft.deadline = deadline
    return deadline


class AppealService(AppealManagement):
    """Appeals: each use case opens one unit of work and commits once."""

    def __init__(
        self,
        uow: AppealsUnitOfWorkFactory,
        clock: Clock,
        currency: str,
        timezone: str = "Asia/Shanghai",
    ) -> None:
        # `timezone` is the network's (settings TIMEZONE): the day "today" and "明天" are
        # read against for a person without a zone of their own
        self._uow = uow
        self._clock = clock
        self.currency = currency
        self.calendar = Calendar(clock, timezone)

    def today(self, timezone: str | None = None) -> date:
        """The local date now, in `timezone` (a person's own) or else the network's."""
        return self.calendar.today(timezone)

    # -- reading -----------------------------------------------------------------------------

    async def require_coordinator(self, person_id: int) -> Standing:
        """The person's standing, or a refusal unless they coordinate or administer."""
        async with self._uow() as uow:
            standing = await standing_in(uow, person_id)
        if not standing.is_coordinator:
            raise PermissionDenied(N_("Only coordinators and admins can write appeals."))
        return standing

    async def audience_options(self, person_id: int) -> tuple[list[tuple[int, str]], list[Chat]]:
        """Organisations (id, name) and approved chats the person may address."""
        async with self._uow() as uow:
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
        """Store the appeal and queue one message per target chat; a second tap is a no-op.

        `progress_message_id` is the writer's message to edit with the broadcast's progress
        (the one whose button was pressed): known before anything is sent, it is stored with
        the appeal, so a crash at any point leaves the progress message findable.
        """
        if origin.actor_id is None:
            raise PermissionDenied(N_("Only coordinators and admins can write appeals."))
        if draft.next_step() is not None:
            raise InvalidInput(N_("The appeal is not complete yet."))
        self.check_fits(draft, render, origin.actor_id)
        now = self._clock.now()
        async with self._uow() as uow:
            if draft.deadline is not None and draft.deadline < await self.calendar.today_of(
                uow, origin.actor_id
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
            standing = await standing_in(uow, origin.actor_id)
            if not standing.is_coordinator:
                raise PermissionDenied(N_("Only coordinators and admins can write appeals."))
            await claim_update(uow, origin)
            organisations = await uow.organisations.all()
            targets = await self._targets(uow, standing, organisations, draft)
            if not targets:
                raise InvalidInput(N_("No approved group is in this audience; nothing was sent."))
            appeal = draft.as_appeal(origin.actor_id, now)
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
            await uow.commit()
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

    async def _audit(
        self,
        uow: AppealsUnitOfWork,
        origin: Origin,
        action: str,
        appeal_id: int,
        before: str | None,
        after: str | None,
    ) -> None:
        await record_audit(
            uow, self._clock, origin, action, f"appeal:{appeal_id}", before, after
        )
