"""Fakes of `storage/repositories/network.py`, `people.py` and `dialogs.py`: organisations,
chats, people, roles, dialogs and processed updates."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime

from domain.dialogs import Dialog
from domain.errors import N_, Conflict
from domain.kernel.standing import Role
from domain.network.models import Chat, ChatStatus, Organisation, Person
from tests.fakes.store import FakeStore


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
        """Count the rows pointing at the organisation."""
        return sum((await self.reference_counts(organisation_id)).values())

    async def reference_counts(self, organisation_id: int) -> dict[str, int]:
        """Rows pointing at the organisation, per table, as the SQL foreign keys count them."""
        s = self._store
        counts = {
            "organisation": sum(o.parent_id == organisation_id for o in s.organisations.values()),
            "chat": sum(c.organisation_id == organisation_id for c in s.chats.values()),
            "role": sum(r.organisation_id == organisation_id for r in s.roles),
            "appeal": sum(a.organisation_id == organisation_id for a in s.appeals.values()),
            "pledge": sum(p.on_behalf_of == organisation_id for p in s.pledges.values()),
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
        # The SQL column is JSON: tuples come back as lists, number keys as strings.
        stored = replace(dialog, data=json.loads(json.dumps(dialog.data)))
        self._store.dialogs[dialog.person_id] = stored

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
