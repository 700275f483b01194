"""Repositories of the network's organisations and group chats, rows to domain dataclasses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.network.models import Chat, ChatStatus, Organisation
from storage.models import Base
from storage.models.network import ChatRow, OrganisationRow
from storage.repositories.statements import table_of


def name_key(name: str) -> str:
    """The form of an organisation name that uniqueness and lookups use."""
    return " ".join(name.split()).casefold()



# -- organisations ----------------------------------------------------------------------------


_ORGANISATIONS = table_of(OrganisationRow)
#: The whole tree, read by most permission checks (a pledge answer reads it): a Core read
#: built once, without loading ORM objects into the session.
_ALL_ORGANISATIONS = select(
    _ORGANISATIONS.c.id, _ORGANISATIONS.c.name, _ORGANISATIONS.c.parent_id
).order_by(_ORGANISATIONS.c.id)


def _organisation(row: Any) -> Organisation:
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
        rows = await self._session.execute(_ALL_ORGANISATIONS)
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
        target = table_of(OrganisationRow).c.id
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
