"""In-memory fakes of every storage port, so domain tests run with no database.

`FakeUnitOfWorkFactory` shares one `FakeStore`; each unit of work works on a deep copy of
it taken when the unit opens, and `commit` publishes that copy. A unit left without
committing leaves the store as it was, like a rolled-back transaction.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from domain.appeals.models import Appeal, AppealStatus
from domain.appeals.ports import AppealRepository
from domain.dialogs import Dialog
from domain.errors import N_, Conflict
from domain.network.models import AuditEvent, Chat, ChatStatus, Organisation, Person, Role
from domain.notices.models import CoordinatorNotice, NoticeEvent
from domain.notices.ports import NoticeRepository
from domain.offers.models import Match, Offer, OfferStatus, PledgedQuantity
from domain.offers.ports import OfferRepository
from domain.outbox.models import BULK_PURPOSES, Delivery, DeliveryStatus, FailureReason, Purpose
from domain.outbox.ports import NewDelivery, OutboxRepository
from domain.pledges.models import Fulfilment, FulfilmentState, Pledge
from domain.pledges.ports import AppealLookup, PledgeRepository
from domain.ports import (
    AuditLog,
    ChatRepository,
    DialogRepository,
    OrganisationRepository,
    PersonRepository,
    ProcessedUpdates,
    RoleRepository,
)


@dataclass
class FakeStore:
    """Everything the fakes hold; deep-copied per unit of work."""

    organisations: dict[int, Organisation] = field(default_factory=dict)
    next_organisation_id: int = 1
    chats: dict[int, Chat] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)
    roles: list[Role] = field(default_factory=list)
    dialogs: dict[int, Dialog] = field(default_factory=dict)
    updates: dict[int, datetime] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)
    appeals: dict[int, Appeal] = field(default_factory=dict)
    next_appeal_id: int = 1
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    next_delivery_id: int = 1
    pledges: dict[int, Pledge] = field(default_factory=dict)
    next_pledge_id: int = 1
    next_fulfilment_id: int = 1
    offers: dict[int, Offer] = field(default_factory=dict)
    next_offer_id: int = 1
    matches: dict[int, Match] = field(default_factory=dict)
    next_match_id: int = 1
    notices: list[CoordinatorNotice] = field(default_factory=list)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


class FakeOrganisationRepository:
    """Organisations in a `FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def add(self, name: str, parent_id: int | None) -> Organisation:
        """Insert; refuses a duplicate name like the unique constraint would."""
        if any(_key(o.name) == _key(name) for o in self._store.organisations.values()):
            raise AssertionError(f"unique constraint: organisation {name!r} exists")
        if parent_id is not None and parent_id not in self._store.organisations:
            raise AssertionError(f"foreign key: no organisation {parent_id}")
        org = Organisation(self._store.next_organisation_id, name, parent_id)
        self._store.next_organisation_id += 1
        self._store.organisations[org.id] = org
        return replace(org)

    async def get(self, organisation_id: int) -> Organisation | None:
        """Return one organisation by id."""
        org = self._store.organisations.get(organisation_id)
        return None if org is None else replace(org)

    async def by_name(self, name: str) -> Organisation | None:
        """Return the organisation with this name, ignoring case."""
        for org in self._store.organisations.values():
            if _key(org.name) == _key(name):
                return replace(org)
        return None

    async def all(self) -> list[Organisation]:
        """Return every organisation, by id."""
        return [replace(o) for _, o in sorted(self._store.organisations.items())]

    async def save(self, organisation: Organisation) -> None:
        """Write a changed organisation back."""
        if organisation.id not in self._store.organisations:
            raise LookupError(organisation.id)
        self._store.organisations[organisation.id] = replace(organisation)

    async def remove(self, organisation_id: int) -> None:
        """Delete an organisation; refuses while referenced, like the foreign keys would."""
        if await self.references(organisation_id):
            raise AssertionError(f"foreign key: organisation {organisation_id} is referenced")
        self._store.organisations.pop(organisation_id, None)

    async def references(self, organisation_id: int) -> int:
        """Count children, chats and roles pointing at the organisation."""
        return sum((await self.reference_counts(organisation_id)).values())

    async def reference_counts(self, organisation_id: int) -> dict[str, int]:
        """Children, chats and roles pointing at the organisation, per table."""
        s = self._store
        counts = {
            "organisation": sum(o.parent_id == organisation_id for o in s.organisations.values()),
            "chat": sum(c.organisation_id == organisation_id for c in s.chats.values()),
            "role": sum(r.organisation_id == organisation_id for r in s.roles),
        }
        return {table: count for table, count in counts.items() if count}


class FakeChatRepository:
    """Chats in a `FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def get(self, chat_id: int) -> Chat | None:
        """Return one chat."""
        chat = self._store.chats.get(chat_id)
        return None if chat is None else replace(chat)

    async def save(self, chat: Chat) -> None:
        """Insert or update a chat."""
        self._store.chats[chat.id] = replace(chat)

    async def by_status(self, status: ChatStatus | None = None) -> list[Chat]:
        """Return chats by id, optionally in one status."""
        return [
            replace(c)
            for _, c in sorted(self._store.chats.items())
            if status is None or c.status is status
        ]

    async def replace_id(self, old_id: int, new_id: int) -> None:
        """Move a chat to a new id."""
        chat = self._store.chats.pop(old_id)
        self._store.chats[new_id] = replace(chat, id=new_id)


class FakePersonRepository:
    """People in a `FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def get(self, person_id: int) -> Person | None:
        """Return a person."""
        person = self._store.people.get(person_id)
        return None if person is None else replace(person)

    async def by_username(self, username: str) -> Person | None:
        """Return a person by @username, case-insensitive."""
        key = username.removeprefix("@").lower()
        for _, person in sorted(self._store.people.items()):
            if person.username and person.username.lower() == key:
                return replace(person)
        return None

    async def save(self, person: Person) -> None:
        """Insert or update; the username moves to this person."""
        if person.username:
            for other in self._store.people.values():
                if other.id != person.id and (other.username or "").lower() == (
                    person.username.lower()
                ):
                    other.username = None
        self._store.people[person.id] = replace(person)


class FakeRoleRepository:
    """Roles in a `FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def of(self, person_id: int) -> list[Role]:
        """Return one person's roles."""
        return [r for r in self._store.roles if r.person_id == person_id]

    async def add(self, role: Role) -> bool:
        """Grant; False when already granted."""
        if role in self._store.roles:
            return False
        self._store.roles.append(role)
        return True

    async def remove(self, person_id: int, organisation_id: int | None, role: str) -> bool:
        """Revoke; False when there was nothing to revoke."""
        for granted in self._store.roles:
            if (granted.person_id, granted.organisation_id, str(granted.role)) == (
                person_id, organisation_id, str(role)
            ):
                self._store.roles.remove(granted)
                return True
        return False

    async def all(self) -> list[Role]:
        """Return every role."""
        return list(self._store.roles)


class FakeDialogRepository:
    """Dialogs in a `FakeStore`, with the same version check as the SQL one."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def get(self, person_id: int) -> Dialog | None:
        """Return the open dialog."""
        dialog = self._store.dialogs.get(person_id)
        return None if dialog is None else copy.deepcopy(dialog)

    async def save(self, dialog: Dialog) -> None:
        """Insert (version 0) or update the version read; `Conflict` when it moved on."""
        current = self._store.dialogs.get(dialog.person_id)
        current_version = 0 if current is None else current.version
        if (dialog.version == 0 and current is not None) or (
            dialog.version != 0 and current_version != dialog.version
        ):
            raise Conflict(N_("This conversation changed elsewhere in the meantime. "
                              "Please try again."))
        dialog.version += 1
        self._store.dialogs[dialog.person_id] = copy.deepcopy(dialog)

    async def delete(self, person_id: int) -> None:
        """Close the dialog."""
        self._store.dialogs.pop(person_id, None)

    async def expired(self, now: datetime, limit: int) -> list[Dialog]:
        """Return dialogs past their expiry, oldest first."""
        found = sorted(
            (d for d in self._store.dialogs.values() if d.expired(now)),
            key=lambda d: (d.expires_at, d.person_id),
        )
        return [copy.deepcopy(d) for d in found[:limit]]


class FakeProcessedUpdates:
    """Processed update ids in a `FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def seen(self, update_id: int) -> bool:
        """True when handled before."""
        return update_id in self._store.updates

    async def mark(self, update_id: int) -> bool:
        """Record; False when already recorded."""
        if update_id in self._store.updates:
            return False
        self._store.updates[update_id] = datetime.now(UTC)
        return True


class FakeAuditLog:
    """Audit events in a `FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def record(self, event: AuditEvent) -> None:
        """Append one event."""
        self._store.audit.append(event)


class FakeAppealRepository:
    """Appeals in memory."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def add(self, appeal: Appeal) -> Appeal:
        """Insert an appeal, numbering it, its needs and its recipients."""
        stored = copy.deepcopy(appeal)
        stored.id = self._store.next_appeal_id
        self._store.next_appeal_id += 1
        for number, need in enumerate(stored.needs, start=1):
            need.id = stored.id * 1000 + number
            need.appeal_id = stored.id
        for number, recipient in enumerate(stored.recipients, start=1):
            recipient.id = stored.id * 1000 + number
        self._store.appeals[stored.id] = stored
        return copy.deepcopy(stored)

    async def get(self, appeal_id: int) -> Appeal | None:
        """Return one appeal."""
        found = self._store.appeals.get(appeal_id)
        return copy.deepcopy(found)

    async def by_draft_key(self, draft_key: str) -> Appeal | None:
        """Return the appeal published from a draft."""
        for appeal in self._store.appeals.values():
            if appeal.draft_key == draft_key:
                return copy.deepcopy(appeal)
        return None

    async def save(self, appeal: Appeal) -> None:
        """Write an appeal's own fields back (needs and recipients stay)."""
        stored = self._store.appeals[appeal.id]
        self._store.appeals[appeal.id] = replace(
            copy.deepcopy(appeal), needs=stored.needs, recipients=stored.recipients
        )

    async def open(self) -> list[Appeal]:
        """Open appeals, newest first."""
        found = [a for a in self._store.appeals.values() if a.status is AppealStatus.OPEN]
        return copy.deepcopy(sorted(found, key=lambda a: -a.id))

    async def unreported(self) -> list[Appeal]:
        """Appeals whose report is still due."""
        found = [
            a
            for a in self._store.appeals.values()
            if a.reported_at is None and a.status is not AppealStatus.DRAFT
        ]
        return copy.deepcopy(sorted(found, key=lambda a: a.id))


class FakeOutboxRepository:
    """The outbox in memory."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def enqueue(self, delivery: NewDelivery, now: datetime) -> bool:
        """Queue a message unless the same (purpose, subject, chat) is queued."""
        for row in self._store.deliveries.values():
            if (row.purpose, row.subject, row.chat_id) == (
                delivery.purpose,
                delivery.subject,
                delivery.chat_id,
            ):
                return False
        number = self._store.next_delivery_id
        self._store.next_delivery_id += 1
        self._store.deliveries[number] = Delivery(
            id=number,
            purpose=delivery.purpose,
            subject=delivery.subject,
            chat_id=delivery.chat_id,
            text=delivery.text,
            buttons=delivery.buttons,
            status=DeliveryStatus.PENDING,
            attempts=0,
            not_before=delivery.not_before or now,
            lease_until=None,
            message_id=None,
            failure=None,
            error=None,
            edit_message_id=delivery.edit_message_id,
            created_at=now,
            sent_at=None,
        )
        return True

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Delivery]:
        """Lease due messages."""
        claimed: list[Delivery] = []
        rows = self._store.deliveries.values()
        for row in sorted(rows, key=lambda d: (d.purpose in BULK_PURPOSES, d.id)):
            if len(claimed) >= limit:
                break
            due = (row.status is DeliveryStatus.PENDING and row.not_before <= now) or (
                row.status is DeliveryStatus.SENDING
                and row.lease_until is not None
                and row.lease_until <= now
            )
            if due:
                row.status = DeliveryStatus.SENDING
                row.lease_until = lease_until
                claimed.append(copy.deepcopy(row))
        return claimed

    async def mark_sent(self, delivery_id: int, message_id: int | None, at: datetime) -> None:
        """Record an acknowledgement."""
        row = self._store.deliveries[delivery_id]
        row.status, row.message_id, row.sent_at, row.lease_until = (
            DeliveryStatus.SENT, message_id, at, None
        )
        row.attempts += 1

    async def mark_failed(
        self, delivery_id: int, reason: FailureReason, error: str, at: datetime
    ) -> None:
        """Record a final failure."""
        row = self._store.deliveries[delivery_id]
        row.status, row.failure, row.error, row.sent_at, row.lease_until = (
            DeliveryStatus.FAILED, reason, error, at, None
        )
        row.attempts += 1

    async def retry_later(self, delivery_id: int, not_before: datetime, error: str) -> None:
        """Back to pending after a failed attempt."""
        row = self._store.deliveries[delivery_id]
        row.status, row.not_before, row.error, row.lease_until = (
            DeliveryStatus.PENDING, not_before, error, None
        )
        row.attempts += 1

    async def release(self, delivery_id: int, not_before: datetime) -> None:
        """Back to pending, no attempt spent."""
        row = self._store.deliveries[delivery_id]
        row.status, row.not_before, row.lease_until = DeliveryStatus.PENDING, not_before, None

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Re-address waiting messages of a migrated group."""
        for row in self._store.deliveries.values():
            waiting = row.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
            if row.chat_id == old_chat_id and waiting:
                row.chat_id = new_chat_id

    async def for_subject(self, purpose: Purpose, subject: str) -> list[Delivery]:
        """Messages of one broadcast."""
        return copy.deepcopy(
            [
                d
                for d in sorted(self._store.deliveries.values(), key=lambda d: d.id)
                if d.purpose is purpose and d.subject == subject
            ]
        )

    async def recover_leases(self) -> int:
        """Leased messages back to pending."""
        leased = [
            d for d in self._store.deliveries.values() if d.status is DeliveryStatus.SENDING
        ]
        for row in leased:
            row.status, row.lease_until = DeliveryStatus.PENDING, None
        return len(leased)

    async def pending_count(self) -> int:
        """Messages still waiting."""
        return sum(
            d.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
            for d in self._store.deliveries.values()
        )

    async def next_due(self, include_leases: bool) -> datetime | None:
        """The earliest due time of a pending message (or end of a lease)."""
        times = [
            d.not_before
            for d in self._store.deliveries.values()
            if d.status is DeliveryStatus.PENDING
        ]
        if include_leases:
            times += [
                d.lease_until
                for d in self._store.deliveries.values()
                if d.status is DeliveryStatus.SENDING and d.lease_until is not None
            ]
        return min(times, default=None)


class FakePledgeRepository:
    """Pledges and their fulfilments in a `FakeStore`; the token is unique as in SQL."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def add(self, pledge: Pledge) -> Pledge:
        """Insert; an existing token returns the stored pledge unchanged."""
        existing = await self.by_token(pledge.token)
        if existing is not None:
            return existing
        stored = replace(pledge, id=self._store.next_pledge_id, fulfilments=[])
        self._store.next_pledge_id += 1
        self._store.pledges[stored.id] = stored
        return copy.deepcopy(stored)

    async def get(self, pledge_id: int) -> Pledge | None:
        """Return one pledge with fulfilments."""
        found = self._store.pledges.get(pledge_id)
        return None if found is None else copy.deepcopy(found)

    async def by_token(self, token: str) -> Pledge | None:
        """Return the pledge with this token."""
        for pledge in self._store.pledges.values():
            if pledge.token == token:
                return copy.deepcopy(pledge)
        return None

    async def of_person(self, person_id: int) -> list[Pledge]:
        """A person's pledges, newest first."""
        return [
            copy.deepcopy(p)
            for _, p in sorted(self._store.pledges.items(), reverse=True)
            if p.person_id == person_id
        ]

    async def save(self, pledge: Pledge) -> None:
        """Write back due date, cancellation and visibility."""
        stored = self._store.pledges[pledge.id]
        stored.due_date = pledge.due_date
        stored.cancelled = pledge.cancelled
        stored.cancel_reason = pledge.cancel_reason
        stored.visibility = pledge.visibility

    async def add_fulfilment(self, fulfilment: Fulfilment) -> Fulfilment:
        """Insert a delivery report."""
        if fulfilment.quantity <= 0:
            raise AssertionError("check constraint: fulfilment quantity must be positive")
        stored = replace(fulfilment, id=self._store.next_fulfilment_id)
        self._store.next_fulfilment_id += 1
        self._store.pledges[fulfilment.pledge_id].fulfilments.append(stored)
        return replace(stored)

    async def fulfilment(self, fulfilment_id: int) -> Fulfilment | None:
        """Return one delivery report."""
        for pledge in self._store.pledges.values():
            for found in pledge.fulfilments:
                if found.id == fulfilment_id:
                    return replace(found)
        return None

    async def save_fulfilment(self, fulfilment: Fulfilment) -> None:
        """Write back a confirmed or questioned report."""
        fulfilments = self._store.pledges[fulfilment.pledge_id].fulfilments
        for index, found in enumerate(fulfilments):
            if found.id == fulfilment.id:
                fulfilments[index] = replace(fulfilment)

    async def awaiting_confirmation(self, limit: int) -> list[Pledge]:
        """Pledges with reported, unconfirmed deliveries."""
        return [
            copy.deepcopy(p)
            for _, p in sorted(self._store.pledges.items())
            if any(f.state is FulfilmentState.REPORTED for f in p.fulfilments)
        ][:limit]


class FakeAppealLookup:
    """The pledges' read port onto the appeals in a `FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def get(self, appeal_id: int) -> Appeal | None:
        """Return one appeal."""
        found = self._store.appeals.get(appeal_id)
        return None if found is None else copy.deepcopy(found)

    async def open_appeals(self) -> list[Appeal]:
        """Open appeals, newest first."""
        found = [a for a in self._store.appeals.values() if a.status is AppealStatus.OPEN]
        return [copy.deepcopy(a) for a in sorted(found, key=lambda a: -a.id)]


class FakeOfferRepository:
    """Offers and matches in a `FakeStore`; token and (offer, need) are unique as in SQL."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def add(self, offer: Offer) -> Offer:
        """Insert; an existing token returns the stored offer unchanged."""
        existing = await self.by_token(offer.token)
        if existing is not None:
            return existing
        if offer.quantity <= 0:
            raise AssertionError("check constraint: offer quantity must be positive")
        stored = replace(offer, id=self._store.next_offer_id)
        self._store.next_offer_id += 1
        self._store.offers[stored.id] = stored
        return replace(stored)

    async def get(self, offer_id: int) -> Offer | None:
        """Return one offer."""
        found = self._store.offers.get(offer_id)
        return None if found is None else replace(found)

    async def by_token(self, token: str) -> Offer | None:
        """Return the offer with this token."""
        for offer in self._store.offers.values():
            if offer.token == token:
                return replace(offer)
        return None

    async def of_person(self, person_id: int) -> list[Offer]:
        """A person's offers, newest first."""
        return [
            replace(o)
            for _, o in sorted(self._store.offers.items(), reverse=True)
            if o.person_id == person_id
        ]

    async def open_offers(self) -> list[Offer]:
        """Open offers with something left, oldest first."""
        return [
            replace(o)
            for _, o in sorted(self._store.offers.items())
            if o.status is OfferStatus.OPEN and o.remaining > 0
        ]

    async def save(self, offer: Offer) -> None:
        """Write back status and remaining quantity."""
        stored = self._store.offers[offer.id]
        stored.status = offer.status
        stored.remaining = offer.remaining

    async def add_match(self, match: Match) -> Match | None:
        """Insert a match; None when the pair exists."""
        if await self.match_for(match.offer_id, match.need_id) is not None:
            return None
        stored = replace(match, id=self._store.next_match_id)
        self._store.next_match_id += 1
        self._store.matches[stored.id] = stored
        return replace(stored)

    async def match_for(self, offer_id: int, need_id: int) -> Match | None:
        """Return the match of an offer with a need."""
        for found in self._store.matches.values():
            if (found.offer_id, found.need_id) == (offer_id, need_id):
                return replace(found)
        return None

    async def pledged_towards(self, appeal_id: int) -> list[PledgedQuantity]:
        """Live pledges of the appeal that name a need."""
        return [
            PledgedQuantity(p.need_id, p.quantity, p.unit)
            for _, p in sorted(self._store.pledges.items())
            if p.appeal_id == appeal_id
            and p.need_id is not None
            and p.quantity is not None
            and not p.cancelled
        ]


class FakeNoticeRepository:
    """Coordinators' waiting events in a list."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def add(
        self, coordinator_id: int, event: NoticeEvent, subject_id: int, at: datetime
    ) -> None:
        """Queue one event."""
        notice_id = len(self._store.notices) + 1
        self._store.notices.append(
            CoordinatorNotice(notice_id, coordinator_id, event, subject_id, at)
        )

    async def due(self, quiet_since: datetime, waited_since: datetime, limit: int) -> list[int]:
        """Coordinators with an old enough waiting event and no batch since `quiet_since`."""
        notices = self._store.notices
        recent = {
            n.coordinator_id
            for n in notices
            if n.batched_at is not None and n.batched_at > quiet_since
        }
        waiting = {
            n.coordinator_id
            for n in notices
            if n.batched_at is None and n.created_at <= waited_since
        }
        return sorted(waiting - recent)[:limit]

    async def waiting(self, coordinator_id: int) -> list[CoordinatorNotice]:
        """One coordinator's waiting events."""
        return [
            n
            for n in self._store.notices
            if n.coordinator_id == coordinator_id and n.batched_at is None
        ]

    async def mark_batched(self, notice_ids: Sequence[int], at: datetime) -> None:
        """Mark events batched."""
        ids = set(notice_ids)
        self._store.notices = [
            replace(n, batched_at=at) if n.id in ids else n for n in self._store.notices
        ]

    async def prune(self, before: datetime) -> int:
        """Forget old batched events."""
        kept = [
            n for n in self._store.notices if n.batched_at is None or n.batched_at >= before
        ]
        pruned = len(self._store.notices) - len(kept)
        self._store.notices = kept
        return pruned


class FakeUnitOfWork:
    """A unit of work on a private copy of the shared store; `commit` publishes it."""

    def __init__(self, factory: FakeUnitOfWorkFactory) -> None:
        self._factory = factory
        self.committed = False
        self.read_only = False
        self._open(copy.deepcopy(factory.store))

    def _open(self, working: FakeStore) -> None:
        self._working = working
        self.organisations: OrganisationRepository = FakeOrganisationRepository(working)
        self.chats: ChatRepository = FakeChatRepository(working)
        self.people: PersonRepository = FakePersonRepository(working)
        self.roles: RoleRepository = FakeRoleRepository(working)
        self.dialogs: DialogRepository = FakeDialogRepository(working)
        self.updates: ProcessedUpdates = FakeProcessedUpdates(working)
        self.audit: AuditLog = FakeAuditLog(working)
        self.pledges: PledgeRepository = FakePledgeRepository(working)
        self.outbox: OutboxRepository = FakeOutboxRepository(working)
        self.appeals: AppealRepository = FakeAppealRepository(working)
        self.appeal_lookup: AppealLookup = FakeAppealLookup(working)
        self.offers: OfferRepository = FakeOfferRepository(working)
        self.notices: NoticeRepository = FakeNoticeRepository(working)

    async def __aenter__(self) -> Self:
        """Open the unit on a fresh copy of the store."""
        self._open(copy.deepcopy(self._factory.store))
        self._factory.opened += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Discard whatever was not committed."""
        self._working = FakeStore()

    async def commit(self) -> None:
        """Publish the unit's copy as the shared store."""
        if self.read_only:
            raise AssertionError("a unit of work opened for one read was committed")
        self._factory.store = copy.deepcopy(self._working)
        self._factory.commits += 1
        self.committed = True


class FakeUnitOfWorkFactory:
    """Makes `FakeUnitOfWork`s sharing `store`; counts opened units and commits."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store or FakeStore()
        self.opened = 0
        self.commits = 0

    def __call__(self) -> FakeUnitOfWork:
        """Return a new, unopened unit of work."""
        return FakeUnitOfWork(self)

    def read(self) -> FakeUnitOfWork:
        """Return a unit of work for one read; committing it is a programming error."""
        unit = FakeUnitOfWork(self)
        unit.read_only = True
        return unit
