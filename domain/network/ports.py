"""What the network needs from storage, and the unit of work every use case opens, as protocols.

storage/ implements them, tests fake them. `UnitOfWork` is the shared one: the network's
repositories and the kernel's (dialogs, handled updates, audit); each feature's unit of work
extends it with its own repositories.
"""

from __future__ import annotations

from typing import Protocol

from domain.dialogs.ports import DialogRepository, DialogUnitOfWork
from domain.kernel.audit import AuditEvent
from domain.kernel.standing import Role
from domain.kernel.units import MakesUnits
from domain.network.models import Chat, ChatStatus, Organisation, Person


class OrganisationRepository(Protocol):
    """The organisation tree."""

    async def add(self, name: str, parent_id: int | None) -> Organisation:
        """Insert a new organisation and return it with its id."""
        ...

    async def get(self, organisation_id: int) -> Organisation | None:
        """Return one organisation by id."""
        ...

    async def by_name(self, name: str) -> Organisation | None:
        """Return the organisation with this exact name (case-insensitive)."""
        ...

    async def all(self) -> list[Organisation]:
        """Return every organisation."""
        ...

    async def save(self, organisation: Organisation) -> None:
        """Write a changed organisation back."""
        ...

    async def remove(self, organisation_id: int) -> None:
        """Delete an organisation nothing refers to."""
        ...

    async def references(self, organisation_id: int) -> int:
        """Count what refers to this organisation (children, chats, roles, later pledges)."""
        ...

    async def reference_counts(self, organisation_id: int) -> dict[str, int]:
        """What refers to this organisation, per table (`organisation`, `chat`, `role`...)."""
        ...


class ChatRepository(Protocol):
    """Group chats the bot is or was in."""

    async def get(self, chat_id: int) -> Chat | None:
        """Return one chat by its Telegram id."""
        ...

    async def save(self, chat: Chat) -> None:
        """Insert or update a chat."""
        ...

    async def by_status(self, status: ChatStatus | None = None) -> list[Chat]:
        """Return chats, optionally only those in one status."""
        ...

    async def replace_id(self, old_id: int, new_id: int) -> None:
        """Move a chat's record to a new id (a group became a supergroup)."""
        ...


class PersonRepository(Protocol):
    """People who wrote to the bot."""

    async def get(self, person_id: int) -> Person | None:
        """Return a person by numeric Telegram id."""
        ...

    async def by_username(self, username: str) -> Person | None:
        """Return a person by @username (without the @, case-insensitive)."""
        ...

    async def save(self, person: Person) -> None:
        """Insert or update a person."""
        ...


class RoleRepository(Protocol):
    """Granted roles."""

    async def of(self, person_id: int) -> list[Role]:
        """Return the roles one person holds."""
        ...

    async def add(self, role: Role) -> bool:
        """Grant a role; False when it was already granted."""
        ...

    async def remove(self, person_id: int, organisation_id: int | None, role: str) -> bool:
        """Revoke a role; False when there was none to revoke."""
        ...

    async def all(self) -> list[Role]:
        """Return every granted role."""
        ...


class ProcessedUpdates(Protocol):
    """Telegram update ids already handled, so a redelivered update is a no-op."""

    async def seen(self, update_id: int) -> bool:
        """True when this update was handled before."""
        ...

    async def mark(self, update_id: int) -> bool:
        """Record the update as handled; False when it already was."""
        ...


class AuditLog(Protocol):
    """Who changed what."""

    async def record(self, event: AuditEvent) -> None:
        """Append one event."""
        ...


class UnitOfWork(DialogUnitOfWork, Protocol):
    """One transaction: repositories see the same session; nothing lands before `commit`.

    Its transaction methods are the dialog engine's (`DialogUnitOfWork`), which every
    feature's unit of work is.
    """

    organisations: OrganisationRepository
    chats: ChatRepository
    people: PersonRepository
    roles: RoleRepository
    dialogs: DialogRepository
    updates: ProcessedUpdates
    audit: AuditLog


class UnitOfWorkFactory(MakesUnits[UnitOfWork], Protocol):
    """Makes a fresh unit of work for each use case."""

    def read(self) -> UnitOfWork:
        """Return a unit of work for one read (it may not write or commit)."""
        ...
