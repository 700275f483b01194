"""Repositories of people and their roles, mapping rows to domain dataclasses."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.kernel.standing import Role, RoleName
from domain.network.models import Language, Person
from storage.models.network import NETWORK_SCOPE, PersonRow, RoleRow
from storage.repositories.statements import execute_count, insert_ignoring_conflicts, table_of
from storage.repositories.totals_counters import ledger_of


def username_key(username: str | None) -> str | None:
    """The form of a @username that lookups use (no @, lower case)."""
    if not username:
        return None
    return username.removeprefix("@").lower() or None



# -- people -----------------------------------------------------------------------------------

#: Internal ids of people live in [2**62, 2**63), above any Telegram user id (52 bits at most),
#: so an audit row's actor is told apart from a raw Telegram id by its size alone.
INTERNAL_ID_BASE = 1 << 62


def new_internal_id() -> int:
    """A fresh random internal id for a person (collisions: about 1 in 2**62 per pair)."""
    return INTERNAL_ID_BASE + secrets.randbits(62)



_PEOPLE = table_of(PersonRow)
_ROLES = table_of(RoleRow)
#: The reads of every update, built once: building a statement and its cache key cost about
#: as much as SQLite running it.
_PERSON_BY_ID = select(_PEOPLE).where(_PEOPLE.c.id == bindparam("person_id"))
_ROLES_OF = (
    select(_ROLES.c.person_id, _ROLES.c.role, _ROLES.c.organisation_id)
    .where(_ROLES.c.person_id == bindparam("person_id"))
    .order_by(_ROLES.c.id)
)


def _person(row: Any) -> Person:
    return Person(
        id=row.id,
        name=row.name,
        username=row.username,
        language=Language(row.language),
        language_chosen=row.language_chosen,
        timezone=row.timezone,
        reachable=row.reachable,
        created_at=row.created_at,
    )


class SqlPersonRepository:
    """People in the `person` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, person_id: int) -> Person | None:
        """Return a person by numeric Telegram id."""
        # A Core read: it runs for nearly every update, and the ORM's identity map and
        # object loading cost more than the query (`save` loads the object it changes).
        result = await self._session.execute(_PERSON_BY_ID, {"person_id": person_id})
        row = result.first()
        return None if row is None else _person(row)

    async def by_username(self, username: str) -> Person | None:
        """Return the person who last held this @username (case-insensitive, @ optional)."""
        key = username_key(username)
        if key is None:
            return None
        row = await self._session.scalar(
            select(PersonRow).where(PersonRow.username_key == key).order_by(PersonRow.id).limit(1)
        )
        return None if row is None else _person(row)

    async def save(self, person: Person) -> None:
        """Insert or update a person.

        A Telegram username belongs to one account at a time, so saving a person with a
        username takes it away from anyone else recorded with it.
        """
        key = username_key(person.username)
        if key is not None:
            await self._session.execute(
                update(PersonRow)
                .where(PersonRow.username_key == key, PersonRow.id != person.id)
                .values(username=None, username_key=None)
                .execution_options(synchronize_session="fetch")
            )
        row = await self._session.get(PersonRow, person.id)
        if row is None:
            row = PersonRow(id=person.id, internal_id=new_internal_id())
            self._session.add(row)
        row.name = person.name
        row.username = person.username
        row.username_key = key
        row.language = person.language.value
        row.language_chosen = person.language_chosen
        row.timezone = person.timezone
        row.reachable = person.reachable
        row.created_at = person.created_at
        await self._session.flush()


# -- roles ------------------------------------------------------------------------------------


def _scope(organisation_id: int | None) -> int:
    return NETWORK_SCOPE if organisation_id is None else organisation_id


class SqlRoleRepository:
    """Granted roles in the `role` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of(self, person_id: int) -> list[Role]:
        """Return the roles one person holds."""
        rows = await self._session.execute(_ROLES_OF, {"person_id": person_id})
        return [Role(r.person_id, RoleName(r.role), r.organisation_id) for r in rows]

    async def add(self, role: Role) -> bool:
        """Grant a role atomically; False when it was already granted."""
        await ledger_of(self._session).touch_person(role.person_id)  # their organisation
        statement = insert_ignoring_conflicts(self._session, table_of(RoleRow)).values(
            person_id=role.person_id,
            role=role.role.value,
            organisation_id=role.organisation_id,
            scope=_scope(role.organisation_id),
        )
        return await execute_count(self._session, statement) > 0

    async def remove(self, person_id: int, organisation_id: int | None, role: str) -> bool:
        """Revoke a role; False when there was none to revoke."""
        await ledger_of(self._session).touch_person(person_id)  # their organisation
        statement = delete(table_of(RoleRow)).where(
            RoleRow.person_id == person_id,
            RoleRow.role == str(role),
            RoleRow.scope == _scope(organisation_id),
        )
        return await execute_count(self._session, statement) > 0

    async def all(self) -> list[Role]:
        """Return every granted role."""
        rows = await self._session.execute(
            select(RoleRow.person_id, RoleRow.role, RoleRow.organisation_id).order_by(RoleRow.id)
        )
        return [Role(r.person_id, RoleName(r.role), r.organisation_id) for r in rows]
