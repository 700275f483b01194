"""Repositories of the network ports in `domain.ports`, mapping rows to domain dataclasses."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from domain.clock import Clock, SystemClock
from domain.dialogs import Dialog
from domain.errors import N_, Conflict
from domain.network.models import (
    Chat,
    ChatStatus,
    Language,
    Organisation,
    Person,
    Role,
    RoleName,
)
from storage.models import Base
from storage.models.network import (
    NETWORK_SCOPE,
    ChatRow,
    DialogRow,
    OrganisationRow,
    PersonRow,
    ProcessedUpdateRow,
    RoleRow,
)


def name_key(name: str) -> str:
    """The form of an organisation name that uniqueness and lookups use."""
    return " ".join(name.split()).casefold()


def username_key(username: str | None) -> str | None:
    """The form of a @username that lookups use (no @, lower case)."""
    if not username:
        return None
    return username.removeprefix("@").lower() or None


def insert_ignoring_conflicts(session: AsyncSession, table: Table) -> Insert:
    """Return `INSERT ... ON CONFLICT DO NOTHING` for the session's dialect."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"no insert-if-absent for {dialect}")


async def execute_count(session: AsyncSession, statement: Any) -> int:
    """Execute a DML statement and return how many rows it touched."""
    result = cast(CursorResult[Any], await session.execute(statement))
    return int(result.rowcount)


def _table(row_class: type[Base]) -> Table:
    return cast(Table, row_class.__table__)


# -- organisations ----------------------------------------------------------------------------


def _organisation(row: OrganisationRow) -> Organisation:
    return Organisation(id=row.id, name=row.name, parent_id=row.parent_id)


class SqlOrganisationRepository:
    """The organisation tree in the `organisation` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, name: str, parent_id: int | None) -> Organisation:
        """Insert a new organisation and return it with its id."""
        row = OrganisationRow(name=name, name_key=name_key(name), parent_id=parent_id)
        self._session.add(row)
        await self._session.flush()
        return _organisation(row)

    async def get(self, organisation_id: int) -> Organisation | None:
        """Return one organisation by id."""
        row = await self._session.get(OrganisationRow, organisation_id)
        return None if row is None else _organisation(row)

    async def by_name(self, name: str) -> Organisation | None:
        """Return the organisation with this name, ignoring case and repeated spaces."""
        row = await self._session.scalar(
            select(OrganisationRow).where(OrganisationRow.name_key == name_key(name))
        )
        return None if row is None else _organisation(row)

    async def all(self) -> list[Organisation]:
        """Return every organisation, by id."""
        rows = await self._session.scalars(select(OrganisationRow).order_by(OrganisationRow.id))
        return [_organisation(r) for r in rows]

    async def save(self, organisation: Organisation) -> None:
        """Write a changed organisation back (name and parent)."""
        row = await self._session.get(OrganisationRow, organisation.id)
        if row is None:
            raise LookupError(f"organisation {organisation.id} does not exist")
        row.name = organisation.name
        row.name_key = name_key(organisation.name)
        row.parent_id = organisation.parent_id
        await self._session.flush()

    async def remove(self, organisation_id: int) -> None:
        """Delete an organisation (the database refuses while something refers to it)."""
        row = await self._session.get(OrganisationRow, organisation_id)
        if row is not None:
            await self._session.delete(row)
            await self._session.flush()

    async def references(self, organisation_id: int) -> int:
        """Count rows in any table whose foreign key points at this organisation."""
        return sum((await self.reference_counts(organisation_id)).values())

    async def reference_counts(self, organisation_id: int) -> dict[str, int]:
        """Rows whose foreign key points at this organisation, per table (none: empty).

        The referring columns come from the metadata, so tables later features add
        (pledges, appeals...) are counted without changing this method.
        """
        target = _table(OrganisationRow).c.id
        counts: dict[str, int] = {}
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                if fk.column is target:
                    count = await self._session.scalar(
                        select(func.count()).select_from(table).where(
                            fk.parent == organisation_id
                        )
                    )
                    if count:
                        counts[table.name] = counts.get(table.name, 0) + int(count)
        return counts


# -- chats ------------------------------------------------------------------------------------


def _chat(row: ChatRow) -> Chat:
    return Chat(
        id=row.id,
        title=row.title,
        kind=row.kind,
        status=ChatStatus(row.status),
        organisation_id=row.organisation_id,
        migrated_to=row.migrated_to,
        updated_at=row.updated_at,
    )


class SqlChatRepository:
    """Group chats in the `chat` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, chat_id: int) -> Chat | None:
        """Return one chat by its Telegram id."""
        row = await self._session.get(ChatRow, chat_id)
        return None if row is None else _chat(row)

    async def save(self, chat: Chat) -> None:
        """Insert or update a chat."""
        row = await self._session.get(ChatRow, chat.id)
        if row is None:
            row = ChatRow(id=chat.id)
            self._session.add(row)
        row.title = chat.title
        row.kind = chat.kind
        row.status = chat.status.value
        row.organisation_id = chat.organisation_id
        row.migrated_to = chat.migrated_to
        row.updated_at = chat.updated_at
        await self._session.flush()

    async def by_status(self, status: ChatStatus | None = None) -> list[Chat]:
        """Return chats (by id), optionally only those in one status."""
        query = select(ChatRow).order_by(ChatRow.id)
        if status is not None:
            query = query.where(ChatRow.status == status.value)
        return [_chat(r) for r in await self._session.scalars(query)]

    async def replace_id(self, old_id: int, new_id: int) -> None:
        """Move a chat's row to a new primary key (a group became a supergroup).

        Tables that later refer to `chat.id` should declare `onupdate="CASCADE"`.
        """
        row = await self._session.get(ChatRow, old_id)
        if row is None:
            raise LookupError(f"chat {old_id} does not exist")
        row.id = new_id
        await self._session.flush()


# -- people -----------------------------------------------------------------------------------

#: Internal ids of people live in [2**62, 2**63), above any Telegram user id (52 bits at most),
#: so an audit row's actor is told apart from a raw Telegram id by its size alone.
INTERNAL_ID_BASE = 1 << 62


def new_internal_id() -> int:
    """A fresh random internal id for a person (collisions: about 1 in 2**62 per pair)."""
    return INTERNAL_ID_BASE + secrets.randbits(62)



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
        table = _table(PersonRow)
        result = await self._session.execute(select(table).where(table.c.id == person_id))
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
        rows = await self._session.execute(
            select(RoleRow.person_id, RoleRow.role, RoleRow.organisation_id)
            .where(RoleRow.person_id == person_id)
            .order_by(RoleRow.id)
        )
        return [Role(r.person_id, RoleName(r.role), r.organisation_id) for r in rows]

    async def add(self, role: Role) -> bool:
        """Grant a role atomically; False when it was already granted."""
        statement = insert_ignoring_conflicts(self._session, _table(RoleRow)).values(
            person_id=role.person_id,
            role=role.role.value,
            organisation_id=role.organisation_id,
            scope=_scope(role.organisation_id),
        )
        return await execute_count(self._session, statement) > 0

    async def remove(self, person_id: int, organisation_id: int | None, role: str) -> bool:
        """Revoke a role; False when there was none to revoke."""
        statement = delete(_table(RoleRow)).where(
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


# -- dialogs ----------------------------------------------------------------------------------

STALE_DIALOG = N_("This conversation changed elsewhere in the meantime. Please try again.")


def _dialog(row: Any) -> Dialog:
    return Dialog(
        person_id=row.person_id,
        kind=row.kind,
        data=dict(row.data or {}),
        version=row.version,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
    )


class SqlDialogRepository:
    """Open dialogs in the `dialog` table, saved with optimistic concurrency on `version`.

    It works on the table (Core statements), never on ORM objects, so no stale copy
    lingers in the session's identity map between a read and a versioned write.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._table = _table(DialogRow)

    async def get(self, person_id: int) -> Dialog | None:
        """Return the person's open dialog."""
        result = await self._session.execute(
            select(self._table).where(self._table.c.person_id == person_id)
        )
        row = result.first()
        return None if row is None else _dialog(row)

    async def save(self, dialog: Dialog) -> None:
        """Insert (version 0) or update the version read; raise `Conflict` if it moved on."""
        values = {
            "kind": dialog.kind,
            "data": dialog.data,
            "updated_at": dialog.updated_at,
            "expires_at": dialog.expires_at,
            "version": dialog.version + 1,
        }
        if dialog.version == 0:
            statement: Any = insert_ignoring_conflicts(self._session, self._table).values(
                person_id=dialog.person_id, **values
            )
        else:
            statement = (
                update(self._table)
                .where(
                    self._table.c.person_id == dialog.person_id,
                    self._table.c.version == dialog.version,
                )
                .values(**values)
            )
        if await execute_count(self._session, statement) != 1:
            raise Conflict(STALE_DIALOG)
        dialog.version += 1

    async def delete(self, person_id: int) -> None:
        """Close the person's dialog."""
        await self._session.execute(
            delete(self._table).where(self._table.c.person_id == person_id)
        )

    async def expired(self, now: datetime, limit: int) -> list[Dialog]:
        """Return up to `limit` dialogs whose expiry has passed, oldest first.

        On PostgreSQL the rows are locked and rows another sweep holds are skipped, so two
        replicas sweeping at once do not both close (and announce) the same dialog.
        """
        result = await self._session.execute(
            select(self._table)
            .where(self._table.c.expires_at.is_not(None), self._table.c.expires_at <= now)
            .order_by(self._table.c.expires_at, self._table.c.person_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_dialog(r) for r in result]


# -- processed updates ------------------------------------------------------------------------


class SqlProcessedUpdates:
    """Update ids already handled, in the `processed_update` table."""

    def __init__(self, session: AsyncSession, clock: Clock | None = None) -> None:
        self._session = session
        self._clock: Clock = clock or SystemClock()
        self._table = _table(ProcessedUpdateRow)

    async def seen(self, update_id: int) -> bool:
        """True when this update was handled before."""
        found = await self._session.scalar(
            select(self._table.c.update_id).where(self._table.c.update_id == update_id)
        )
        return found is not None

    async def mark(self, update_id: int) -> bool:
        """Record the update atomically; False (transaction intact) when it already was."""
        statement = insert_ignoring_conflicts(self._session, self._table).values(
            update_id=update_id, at=self._clock.now()
        )
        return await execute_count(self._session, statement) == 1
