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

from sqlalchemy import Column, Table, and_, delete, func, or_, select, update
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
from storage.models.reminders import DigestSettingRow, ReminderPauseRow
from storage.repositories.people import new_internal_id
from storage.repositories.statements import execute_count
from storage.repositories.totals_counters import ledger_of


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
    _t(ReminderPauseRow).c.person_id,
    _t(DigestSettingRow).c.person_id,
)


#: Free text a person wrote that describes what they give: kept (totals and the goods read
#: the same), with the person's name, @username and Telegram id taken out of it.
SCRUBBED_TEXT: tuple[Column[Any], ...] = (
    _PLEDGE.c.item,
    _PLEDGE.c.description,
    _OFFER.c.item,
    _OFFER.c.item_key,
)

#: Free text about the person alone, with nothing a total needs: erased whole.
ERASED_TEXT: tuple[tuple[Column[Any], str | None], ...] = (
    (_PLEDGE.c.cancel_reason, None),
    (_OFFER.c.location, ""),
)

#: What stands where the person's name was.
REDACTED = "…"
#: Shorter names (one CJK character, an initial) are not searched for: they would cut
#: words of other text apart, and alone they identify nobody.
MIN_NEEDLE = 2


def identity_needles(name: str, username: str | None, person_id: int) -> list[str]:
    """The strings that identify a person in free text: name, @username, username, id."""
    found = {name.strip(), str(person_id)}
    if username:
        found |= {f"@{username}", username}
    # longest first, so "@li_ming" goes before "li_ming" leaves a stray "@"
    return sorted((n for n in found if len(n) >= MIN_NEEDLE), key=len, reverse=True)


def redact(text: str, needles: list[str]) -> str:
    """The text with every needle (case-insensitively) replaced by `REDACTED`."""
    for needle in needles:
        lowered, wanted = text.casefold(), needle.casefold()
        if len(lowered) != len(text):  # casefold changed lengths (ß): exact matches only
            text = text.replace(needle, REDACTED)
            continue
        start = lowered.find(wanted)
        while start >= 0:
            text = text[:start] + REDACTED + text[start + len(needle):]
            lowered = text.casefold()
            start = lowered.find(wanted, start + len(REDACTED))
    return text


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
        identity = (
            await self._session.execute(
                select(_PERSON.c.name, _PERSON.c.username).where(_PERSON.c.id == person_id)
            )
        ).one()
        needles = identity_needles(identity.name, identity.username, person_id)
        for whom in (person_id, anonymous):  # the pledges change hands: the totals' pledgers
            await ledger_of(self._session).touch_person(whom)
        await self._rename(person_id, anonymous)
        await self._session.execute(
            update(_PLEDGE).where(_PLEDGE.c.source_chat_id == person_id).values(
                source_chat_id=None
            )
        )
        await self._scrub_pledges(_PLEDGE.c.person_id == anonymous, anonymous, needles)
        await self._scrub(_OFFER, _OFFER.c.person_id == anonymous, needles, offers=True)
        # messages about them queued for (or sent to) others: their name goes from the text
        await self._scrub_column(_DELIVERY, _DELIVERY.c.text, needles)
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

    async def _scrub_pledges(self, which: Any, giver: int, needles: list[str]) -> None:
        """Take the person out of these pledges' free text; erase notes and proofs.

        `giver` is the id the pledges are under now: their own delivery reports' proofs (a
        photo may show them) go, the reported quantities stay.
        """
        await self._scrub(_PLEDGE, which, needles)
        pledge_ids = select(_PLEDGE.c.id).where(which).scalar_subquery()
        await self._session.execute(
            update(_FULFILMENT)
            .where(_FULFILMENT.c.pledge_id.in_(pledge_ids), _FULFILMENT.c.reported_by == giver)
            .values(proof_file_id=None, proof_kind=None)
            .execution_options(synchronize_session=False)
        )

    async def _scrub(
        self, table: Table, which: Any, needles: list[str], *, offers: bool = False
    ) -> None:
        """Redact `SCRUBBED_TEXT` and erase `ERASED_TEXT` of this table's chosen rows."""
        for column, blank in ERASED_TEXT:
            if column.table is table:
                await self._session.execute(
                    update(table).where(which).values({column.name: blank})
                    .execution_options(synchronize_session=False)
                )
        for column in SCRUBBED_TEXT:
            if column.table is table:
                await self._scrub_column(table, column, needles, which)

    async def _scrub_column(
        self, table: Table, column: Column[Any], needles: list[str], which: Any = None
    ) -> None:
        """Redact the needles in one text column, in the rows that contain one."""
        if not needles:
            return
        key = next(iter(table.primary_key.columns))
        found = or_(*(column.contains(n, autoescape=True) for n in needles))
        if which is not None:
            found = and_(which, found)
        # case-insensitive search would miss no more than LIKE already finds on SQLite;
        # PostgreSQL's LIKE is case-sensitive, so search the lower-cased text as well
        lowered = or_(*(func.lower(column).contains(n.lower(), autoescape=True) for n in needles))
        condition = or_(found, and_(which, lowered) if which is not None else lowered)
        rows = await self._session.execute(select(key, column).where(condition))
        for row_id, value in rows.all():
            if value is None:
                continue
            cleaned = redact(value, needles)
            if cleaned != value:
                await self._session.execute(
                    update(table).where(key == row_id).values({column.name: cleaned})
                    .execution_options(synchronize_session=False)
                )

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
        identity = (
            await self._session.execute(
                select(_PERSON.c.name, _PERSON.c.username).where(_PERSON.c.id == person_id)
            )
        ).one()
        needles = identity_needles(identity.name, identity.username, person_id)
        # the same anonymisation as forgetting, for these pledges only: free text without
        # the giver's name, notes and proofs erased
        await self._scrub_pledges(
            and_(_PLEDGE.c.id.in_(pledge_ids), _PLEDGE.c.person_id == person_id),
            person_id,
            needles,
        )
        await self._session.execute(
            update(_FULFILMENT)
            .where(_FULFILMENT.c.pledge_id.in_(pledge_ids), _FULFILMENT.c.reported_by == person_id)
            .values(reported_by=anonymous)
        )
        await ledger_of(self._session).touch(pledge_ids)
        await ledger_of(self._session).touch_people([anonymous])
        moved = await execute_count(
            self._session,
            update(_PLEDGE)
            .where(_PLEDGE.c.id.in_(pledge_ids), _PLEDGE.c.person_id == person_id)
            .values(person_id=anonymous, source_chat_id=None),
        )
        if moved != len(pledge_ids):
            raise LookupError("some pledges changed hands during the sweep")
        return anonymous
