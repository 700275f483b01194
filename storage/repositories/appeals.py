"""The appeal repository: appeals with their needs and named recipients."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.appeals.models import Appeal, AppealStatus, Need, Recipient
from storage.models.appeals import AppealRecipientRow, AppealRow, NeedRow, RecipientRow

_APPEALS = cast(Table, AppealRow.__table__)
#: Read at every step of the pledge dialog: built once (building it costs about as much as
#: SQLite running it).
_APPEAL_BY_ID = select(_APPEALS).where(_APPEALS.c.id == bindparam("appeal_id"))

#: An appeal's needs and recipients, as read once.
Parts = tuple[tuple[Need, ...], tuple[Recipient, ...]]


class AppealParts:
    """Needs and recipients by appeal id, shared by the units of work of one process.

    An appeal's needs and recipients are written once, with the appeal (`add`); only its
    own fields change later (`save`). So what was read once holds for every later read, in
    this process and in any other, and each read of an appeal costs one query, not three.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._capacity = capacity
        self._parts: OrderedDict[int, Parts] = OrderedDict()

    def get(self, appeal_id: int) -> Parts | None:
        """The needs and recipients read before, if any."""
        parts = self._parts.get(appeal_id)
        if parts is not None:
            self._parts.move_to_end(appeal_id)
        return parts

    def put(self, appeal_id: int, parts: Parts) -> None:
        """Remember an appeal's needs and recipients (the least recently used go first)."""
        self._parts[appeal_id] = parts
        self._parts.move_to_end(appeal_id)
        while len(self._parts) > self._capacity:
            self._parts.popitem(last=False)


class SqlAppealRepository:
    """Implements `domain.appeals.ports.AppealRepository`."""

    def __init__(self, session: AsyncSession, parts: AppealParts | None = None) -> None:
        self._session = session
        self._parts = parts or AppealParts()
        self._added: set[int] = set()

    async def add(self, appeal: Appeal) -> Appeal:
        """Insert an appeal with its needs and recipients; return it with ids filled in."""
        row = AppealRow(
            title=appeal.title,
            body=appeal.body,
            status=appeal.status.value,
            deadline=appeal.deadline,
            currency=appeal.currency,
            money_target_minor=appeal.money_target_minor,
            organisation_id=appeal.organisation_id,
            created_by=appeal.created_by,
            created_at=appeal.created_at,
            draft_key=appeal.draft_key,
            revision=appeal.revision,
            progress_message_id=appeal.progress_message_id,
            reported_at=appeal.reported_at,
        )
        self._session.add(row)
        await self._session.flush()
        self._added.add(row.id)
        for position, need in enumerate(appeal.needs):
            self._session.add(
                NeedRow(
                    appeal_id=row.id,
                    item=need.item,
                    item_key=need.item_key,
                    unit=need.unit,
                    target=need.target,
                    approximate=need.approximate,
                    priority=need.priority or position,
                )
            )
        for recipient in appeal.recipients:
            found = await self._session.scalar(
                select(RecipientRow).where(RecipientRow.name == recipient.name)
            )
            if found is None:
                found = RecipientRow(name=recipient.name)
                self._session.add(found)
                await self._session.flush()
            self._session.add(AppealRecipientRow(appeal_id=row.id, recipient_id=found.id))
        await self._session.flush()
        stored = await self.get(row.id)
        assert stored is not None
        return stored

    async def get(self, appeal_id: int) -> Appeal | None:
        """Return one appeal with its needs and recipients."""
        # A Core read, like the person's: the pledge dialog reads the appeal at every step.
        result = await self._session.execute(_APPEAL_BY_ID, {"appeal_id": appeal_id})
        row = result.first()
        return None if row is None else await self._appeal(row)

    async def by_draft_key(self, draft_key: str) -> Appeal | None:
        """Return the appeal published from one draft, if any."""
        row = await self._session.scalar(select(AppealRow).where(AppealRow.draft_key == draft_key))
        return None if row is None else await self._appeal(row)

    async def save(self, appeal: Appeal) -> None:
        """Write back an appeal's own fields."""
        row = await self._session.get(AppealRow, appeal.id)
        if row is None:
            raise LookupError(f"appeal {appeal.id} does not exist")
        row.title = appeal.title
        row.body = appeal.body
        row.status = appeal.status.value
        row.deadline = appeal.deadline
        row.revision = appeal.revision
        row.progress_message_id = appeal.progress_message_id
        row.reported_at = appeal.reported_at
        await self._session.flush()

    async def open(self) -> list[Appeal]:
        """Return every open appeal, newest first."""
        rows = await self._session.scalars(
            select(AppealRow)
            .where(AppealRow.status == AppealStatus.OPEN.value)
            .order_by(AppealRow.id.desc())
        )
        return [await self._appeal(r) for r in rows]

    async def unreported(self) -> list[Appeal]:
        """Return appeals whose broadcast report has not been sent yet."""
        rows = await self._session.scalars(
            select(AppealRow)
            .where(AppealRow.reported_at.is_(None), AppealRow.status != AppealStatus.DRAFT.value)
            .order_by(AppealRow.id)
        )
        return [await self._appeal(r) for r in rows]

    async def _appeal(self, row: Any) -> Appeal:
        needs, recipients = self._parts.get(row.id) or await self._read_parts(row.id)
        return Appeal(
            id=row.id,
            title=row.title,
            body=row.body,
            status=AppealStatus(row.status),
            deadline=row.deadline,
            currency=row.currency,
            money_target_minor=row.money_target_minor,
            organisation_id=row.organisation_id,
            created_by=row.created_by,
            created_at=row.created_at,
            # Copies: the cached ones are shared, and domain objects may be changed.
            needs=[replace(n) for n in needs],
            recipients=[replace(r) for r in recipients],
            draft_key=row.draft_key,
            revision=row.revision,
            progress_message_id=row.progress_message_id,
            reported_at=row.reported_at,
        )

    async def _read_parts(self, appeal_id: int) -> Parts:
        need_rows = await self._session.scalars(
            select(NeedRow)
            .where(NeedRow.appeal_id == appeal_id)
            .order_by(NeedRow.priority, NeedRow.id)
        )
        recipient_rows = await self._session.execute(
            select(RecipientRow.id, RecipientRow.name)
            .join(AppealRecipientRow, AppealRecipientRow.recipient_id == RecipientRow.id)
            .where(AppealRecipientRow.appeal_id == appeal_id)
            .order_by(AppealRecipientRow.id)
        )
        needs = tuple(
            Need(
                id=n.id,
                appeal_id=n.appeal_id,
                item=n.item,
                item_key=n.item_key,
                unit=n.unit,
                target=n.target,
                approximate=n.approximate,
                priority=n.priority,
            )
            for n in need_rows
        )
        parts = (needs, tuple(Recipient(id=r_id, name=name) for r_id, name in recipient_rows))
        if appeal_id not in self._added:
            # An appeal added by this unit of work may yet be rolled back, and SQLite would
            # give its id to the next appeal: only committed appeals' parts are shared.
            self._parts.put(appeal_id, parts)
        return parts
