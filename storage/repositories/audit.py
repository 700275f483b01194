"""The audit trail: append-only, naming people by their internal id, read back for admins.

Telegram ids of people are translated into `person.internal_id` as each event is written:
forgetting a person replaces their Telegram id in the person row but keeps the internal id,
so the audit rows never change (database triggers refuse UPDATE and DELETE) and they show
"a forgotten person" from then on, never the name of whoever gets that Telegram id later.
This class deliberately has no method that updates or deletes an entry.
"""

from __future__ import annotations

import re
from typing import Any, cast

from sqlalchemy import Table, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.kernel.audit import AuditEvent
from domain.privacy.models import Actor, ActorKind, AuditEntry, AuditSubject, SubjectKind
from storage.models.network import AuditEventRow, PersonRow
from storage.models.pledges import FulfilmentRow
from storage.repositories.people import INTERNAL_ID_BASE

_AUDIT = cast(Table, AuditEventRow.__table__)
_PERSON = cast(Table, PersonRow.__table__)
_FULFILMENT = cast(Table, FulfilmentRow.__table__)
_PERSON_SUBJECT = re.compile(r"person:(-?[0-9]{1,19})")


def short_reference(internal_id: int) -> str:
    """A short, stable label for a forgotten person (eight hex digits of the internal id)."""
    return f"{internal_id & 0xFFFFFFFF:08x}"


class SqlAuditLog:
    """The `audit_event` table; rows are only ever inserted."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, event: AuditEvent) -> None:
        """Append one event; people (actor, `person:N` subject) are named by internal id."""
        actor: Any = None
        if event.actor_id is not None:
            actor = func.coalesce(
                self._internal_of(event.actor_id).scalar_subquery(), event.actor_id
            )
        subject: Any = event.subject
        found = _PERSON_SUBJECT.fullmatch(event.subject)
        if found is not None:
            internal = await self._session.scalar(self._internal_of(int(found.group(1))))
            if internal is not None:
                subject = f"person:{internal}"
        await self._session.execute(
            _AUDIT.insert().values(
                actor_id=actor,
                action=event.action,
                subject=subject,
                before=event.before,
                after=event.after,
                at=event.at,
            )
        )

    @staticmethod
    def _internal_of(person_id: int) -> Any:
        return select(_PERSON.c.internal_id).where(_PERSON.c.id == person_id)

    async def recent(self, limit: int = 100) -> list[AuditEvent]:
        """Return the newest events, newest first, actors as the people's current ids."""
        result = await self._session.execute(
            select(_AUDIT, _PERSON.c.id.label("person_id"))
            .select_from(_AUDIT.outerjoin(_PERSON, _PERSON.c.internal_id == _AUDIT.c.actor_id))
            .order_by(_AUDIT.c.id.desc())
            .limit(limit)
        )
        return [
            AuditEvent(
                r.actor_id if r.person_id is None else r.person_id,
                r.action, r.subject, r.before, r.after, r.at,
            )
            for r in result
        ]

    async def history(self, subject: AuditSubject, limit: int) -> list[AuditEntry]:
        """The newest `limit` entries of a pledge (with its deliveries) or appeal, oldest first."""
        subjects: list[str] = [f"{subject.kind.value}:{subject.id}"]
        if subject.kind is SubjectKind.PLEDGE:
            fulfilments = await self._session.scalars(
                select(_FULFILMENT.c.id).where(_FULFILMENT.c.pledge_id == subject.id)
            )
            subjects += [f"fulfilment:{f}" for f in fulfilments]
        result = await self._session.execute(
            select(
                _AUDIT,
                _PERSON.c.id.label("person_id"),
                _PERSON.c.name.label("person_name"),
            )
            .select_from(_AUDIT.outerjoin(_PERSON, _PERSON.c.internal_id == _AUDIT.c.actor_id))
            .where(or_(*(_AUDIT.c.subject == s for s in subjects)))
            .order_by(_AUDIT.c.id.desc())
            .limit(limit)
        )
        entries = [
            AuditEntry(
                r.at, r.action, r.subject, _actor(r.actor_id, r.person_id, r.person_name),
                r.before, r.after,
            )
            for r in result
        ]
        entries.reverse()
        return entries


def _actor(actor_id: int | None, person_id: int | None, name: str | None) -> Actor:
    if actor_id is None:
        return Actor(ActorKind.SYSTEM)
    if person_id is not None and person_id > 0:
        return Actor(ActorKind.PERSON, name=name, reference=str(person_id))
    if person_id is not None or actor_id >= INTERNAL_ID_BASE:
        return Actor(ActorKind.FORGOTTEN, reference=short_reference(actor_id))
    return Actor(ActorKind.UNKNOWN, reference=str(actor_id))
