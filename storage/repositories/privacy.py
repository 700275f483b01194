"""Reading and erasing what identifies a person, in every table that names them.

A person's Telegram id is stored as `person_id` (and similar) in several tables. Forgetting
replaces it by the person's anonymous id, `-person.internal_id`: negative, so it can never be
a Telegram user id, and stable, so the person's pledges still add up as one anonymous giver.
A table added later that stores a person's Telegram id adds its column to `PERSON_COLUMNS`
(kept, renamed) or `ERASED_COLUMNS` (deleted); `tests/storage/test_privacy_columns.py` fails
until it does.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Column, Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.appeals.models import AppealStatus
from domain.network.models import Language
from domain.offers.models import OfferStatus
from storage.models.appeals import AppealRow
from storage.models.network import (
    AuditEventRow,
    DialogRow,
    PersonRow,
    ReceivedUpdateRow,
    RoleRow,
)
from storage.models.notices import CoordinatorNoticeRow
from storage.models.offers import OfferMatchRow, OfferRow
from storage.models.outbox import DeliveryRow
from storage.models.pledges import FulfilmentRow, PledgeRow
from storage.repositories.network import execute_count, new_internal_id


def _t(row_class: Any) -> Table:
    return cast(Table, row_class.__table__)


_PERSON = _t(PersonRow)
_PLEDGE = _t(PledgeRow)
_FULFILMENT = _t(FulfilmentRow)
_OFFER = _t(OfferRow)
_DELIVERY = _t(DeliveryRow)
_DIALOG = _t(DialogRow)
_ROLE = _t(RoleRow)
_RECEIVED = _t(ReceivedUpdateRow)
_AUDIT = _t(AuditEventRow)
_APPEAL = _t(AppealRow)
_NOTICE = _t(CoordinatorNoticeRow)

#: Columns that hold a person's Telegram id and keep the record under the anonymous id.
PERSON_COLUMNS: tuple[Column[Any], ...] = (
    _PLEDGE.c.person_id,
    _FULFILMENT.c.reported_by,
    _FULFILMENT.c.confirmed_by,
    _OFFER.c.person_id,
    _t(OfferMatchRow).c.accepted_by,
    _APPEAL.c.created_by,
)


#: Columns whose rows are about the person alone and go when they are forgotten.
ERASED_COLUMNS: tuple[Column[Any], ...] = (
    _ROLE.c.person_id,
    _DIALOG.c.person_id,
    _DELIVERY.c.chat_id,
    _NOTICE.c.coordinator_id,
)


def _mentions(node: object, person_id: int) -> bool:
    """True when a Telegram update (parsed JSON) carries this user or their private chat."""
    if isinstance(node, dict):
        if node.get("id") == person_id and "first_name" in node:
            return True
        return any(_mentions(v, person_id) for v in node.values())
    if isinstance(node, list):
        return any(_mentions(v, person_id) for v in node)
    return False


class SqlPrivacyRepository:
    """Implements `domain.privacy.ports.PrivacyRepository` with Core statements."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def counts(self, person_id: int) -> tuple[int, int, int, bool]:
        """Pledges, offers and queued messages of the person, and whether a dialog is open."""
        session = self._session

        async def count(table: Table, column: Column[Any]) -> int:
            found = await session.scalar(
                select(func.count()).select_from(table).where(column == person_id)
            )
            return int(found or 0)

        pledges = await count(_PLEDGE, _PLEDGE.c.person_id)
        offers = await count(_OFFER, _OFFER.c.person_id)
        queued = await count(_DELIVERY, _DELIVERY.c.chat_id)
        dialog = await count(_DIALOG, _DIALOG.c.person_id)
        return pledges, offers, queued, dialog > 0

    async def forget(self, person_id: int, language: Language, timezone: str) -> int:
        """Replace the person's Telegram id by their anonymous id everywhere; erase the rest."""
        internal = await self._session.scalar(
            select(_PERSON.c.internal_id).where(_PERSON.c.id == person_id)
        )
        if internal is None:
            raise LookupError(f"person {person_id} does not exist")
        anonymous = -int(internal)
        # Nobody could be told of a match any more: open offers are withdrawn.
        await self._session.execute(
            update(_OFFER)
            .where(_OFFER.c.person_id == person_id, _OFFER.c.status == OfferStatus.OPEN.value)
            .values(status=OfferStatus.WITHDRAWN.value)
        )
        await self._rename(person_id, anonymous)
        await self._session.execute(
            update(_PLEDGE).where(_PLEDGE.c.source_chat_id == person_id).values(
                source_chat_id=None
            )
        )
        for column in ERASED_COLUMNS:
            await self._session.execute(delete(column.table).where(column == person_id))
        await self._purge_received(person_id)
        await self._session.execute(
            update(_PERSON)
            .where(_PERSON.c.id == person_id)
            .values(
                id=anonymous,
                name="",
                username=None,
                username_key=None,
                language=language.value,
                language_chosen=False,
                timezone=timezone,
                reachable=False,
            )
            .execution_options(synchronize_session=False)
        )
        return anonymous

    async def _rename(self, person_id: int, anonymous: int) -> None:
        for column in PERSON_COLUMNS:
            await self._session.execute(
                update(column.table)
                .where(column == person_id)
                .values({column.name: anonymous})
                .execution_options(synchronize_session=False)
            )

    async def _purge_received(self, person_id: int) -> None:
        """Delete kept raw updates that carry the person's name (they hold it verbatim)."""
        rows = await self._session.execute(
            select(_RECEIVED.c.update_id, _RECEIVED.c.payload).where(
                _RECEIVED.c.payload.contains(str(person_id))
            )
        )
        doomed: list[int] = []
        for update_id, payload in rows:
            try:
                parsed = json.loads(payload)
            except ValueError:
                continue
            if _mentions(parsed, person_id):
                doomed.append(update_id)
        if doomed:
            await self._session.execute(
                delete(_RECEIVED).where(_RECEIVED.c.update_id.in_(doomed))
            )

    async def retention_due(self, closed_before: datetime, limit: int) -> dict[int, list[int]]:
        """Pledges still naming a person in appeals closed before that moment, per person."""
        closes = await self._session.execute(
            select(_AUDIT.c.subject, func.max(_AUDIT.c.at))
            .where(_AUDIT.c.action == "appeal.close")
            .group_by(_AUDIT.c.subject)
        )
        closed_long_ago = [
            int(subject.removeprefix("appeal:"))
            for subject, at in closes
            if at is not None and at < closed_before and subject.removeprefix("appeal:").isdigit()
        ]
        if not closed_long_ago:
            return {}
        rows = await self._session.execute(
            select(_PLEDGE.c.person_id, _PLEDGE.c.id)
            .join(_APPEAL, _APPEAL.c.id == _PLEDGE.c.appeal_id)
            .where(
                _APPEAL.c.id.in_(closed_long_ago),
                _APPEAL.c.status == AppealStatus.CLOSED.value,
                _PLEDGE.c.person_id > 0,
            )
            .order_by(_PLEDGE.c.person_id, _PLEDGE.c.id)
        )
        due: dict[int, list[int]] = {}
        for person_id, pledge_id in rows:
            if person_id not in due and len(due) >= limit:
                break
            due.setdefault(person_id, []).append(pledge_id)
        return due

    async def detach(
        self, person_id: int, pledge_ids: list[int], language: Language, timezone: str,
        now: datetime,
    ) -> int:
        """Move these pledges (and the person's delivery reports of them) to a new anonymous id."""
        internal = new_internal_id()
        anonymous = -internal
        await self._session.execute(
            _PERSON.insert().values(
                id=anonymous,
                internal_id=internal,
                name="",
                username=None,
                username_key=None,
                language=language.value,
                language_chosen=False,
                timezone=timezone,
                reachable=False,
                created_at=now,
            )
        )
        await self._session.execute(
            update(_FULFILMENT)
            .where(_FULFILMENT.c.pledge_id.in_(pledge_ids), _FULFILMENT.c.reported_by == person_id)
            .values(reported_by=anonymous)
        )
        moved = await execute_count(
            self._session,
            update(_PLEDGE)
            .where(_PLEDGE.c.id.in_(pledge_ids), _PLEDGE.c.person_id == person_id)
            .values(person_id=anonymous, source_chat_id=None),
        )
        if moved != len(pledge_ids):
            raise LookupError("some pledges changed hands during the sweep")
        return anonymous
