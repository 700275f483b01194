"""The network's group chats: the bot joining, leaving, migrating, and linking a group."""

from __future__ import annotations

from domain.errors import N_, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import standing_in
from domain.network.access import may_link_chat, may_relink
from domain.network.models import Chat, ChatStatus, Organisation
from domain.network.registry import Registry

RELINK_DENIED = N_(
    "This group is linked to “{name}”. Only a coordinator of “{name}” or an admin can "
    "link it to another organisation."
)


class ChatUseCases(Registry):
    """Group chats and the organisations they are linked to; each use case one unit of work."""

    async def bot_joined_chat(self, chat_id: int, title: str, kind: str) -> tuple[Chat, bool]:
        """Record that the bot was added to a group; True when it must introduce itself."""
        async with self._uow() as uow:
            chat = await uow.chats.get(chat_id)
            fresh = chat is None or chat.status in (ChatStatus.LEFT, ChatStatus.BLOCKED)
            if chat is None:
                chat = Chat(
                    chat_id, title[:255], kind, ChatStatus.PENDING, None, None, self._clock.now()
                )
            elif fresh:
                chat.status = ChatStatus.PENDING
                chat.title = title[:255]
                chat.updated_at = self._clock.now()
            else:
                return chat, False
            await uow.chats.save(chat)
            await record_audit(
                uow, self._clock, Origin(None), "chat.joined", f"chat:{chat_id}", None, title
            )
            await uow.commit()
            return chat, fresh

    async def bot_left_chat(self, chat_id: int) -> Chat | None:
        """Record that the bot was removed or kicked from a group."""
        async with self._uow() as uow:
            chat = await uow.chats.get(chat_id)
            if chat is None or chat.status is ChatStatus.LEFT:
                return chat
            before = chat.status
            chat.status = ChatStatus.LEFT
            chat.updated_at = self._clock.now()
            await uow.chats.save(chat)
            await record_audit(
                uow, self._clock, Origin(None), "chat.left", f"chat:{chat_id}", before, "left"
            )
            await uow.commit()
            return chat

    async def chat_migrated(self, old_id: int, new_id: int, title: str | None = None) -> None:
        """Keep a group's record when it became a supergroup under a new id."""
        async with self._uow() as uow:
            old = await uow.chats.get(old_id)
            if old is None or await uow.chats.get(new_id) is not None:
                return
            await uow.chats.replace_id(old_id, new_id)
            moved = await uow.chats.get(new_id)
            if moved is not None:
                moved.kind = "supergroup"
                if title:
                    moved.title = title[:255]
                moved.updated_at = self._clock.now()
                await uow.chats.save(moved)
            await record_audit(
                uow, self._clock,
                Origin(None), "chat.migrated", f"chat:{old_id}", str(old_id), str(new_id)
            )
            await uow.commit()

    async def chat_renamed(self, chat_id: int, title: str) -> None:
        """Follow a group's title change."""
        async with self._uow() as uow:
            chat = await uow.chats.get(chat_id)
            if chat is None or chat.title == title[:255]:
                return
            before = chat.title
            chat.title = title[:255]
            chat.updated_at = self._clock.now()
            await uow.chats.save(chat)
            await record_audit(
                uow, self._clock, Origin(None), "chat.title", f"chat:{chat_id}", before, title
            )
            await uow.commit()

    async def chat(self, chat_id: int) -> Chat | None:
        """Return a chat's record."""
        async with self._uow() as uow:
            return await uow.chats.get(chat_id)

    async def linkable_organisations(
        self, person_id: int, chat_id: int | None = None
    ) -> list[Organisation]:
        """Organisations this person may link the chat to; empty when they may link none.

        A group linked to an organisation the person does not coordinate is refused outright.
        """
        async with self._uow() as uow:
            standing = await standing_in(uow, person_id)
            if not standing.is_coordinator:
                return []
            everything = await uow.organisations.all()
            chat = None if chat_id is None else await uow.chats.get(chat_id)
            if chat is not None and not may_relink(standing, chat, everything):
                raise PermissionDenied(RELINK_DENIED, name=self._name_of(everything, chat))
            return sorted(
                (o for o in everything if standing.coordinates(o.id, everything)),
                key=lambda o: o.name,
            )

    @staticmethod
    def _name_of(organisations: list[Organisation], chat: Chat) -> str:
        return next((o.name for o in organisations if o.id == chat.organisation_id), "?")

    async def link_chat(self, origin: Origin, chat_id: int, organisation_id: int) -> Chat:
        """Approve a group for an organisation (coordinators in scope and admins)."""
        async with self._uow() as uow:
            if origin.actor_id is None:
                raise PermissionDenied(N_("Only coordinators and admins can link a group."))
            standing = await standing_in(uow, origin.actor_id)
            everything = await uow.organisations.all()
            if not standing.is_coordinator:
                raise PermissionDenied(N_("Only coordinators and admins can link a group."))
            org = next((o for o in everything if o.id == organisation_id), None)
            if org is None:
                raise NotFound(N_("That organisation no longer exists."))
            if not standing.coordinates(org.id, everything):
                raise PermissionDenied(N_("You do not coordinate “{name}”."), name=org.name)
            chat = await uow.chats.get(chat_id)
            if chat is None or chat.status is ChatStatus.LEFT:
                raise NotFound(N_("I am not in that group any more."))
            if not may_link_chat(standing, chat, org.id, everything):
                raise PermissionDenied(RELINK_DENIED, name=self._name_of(everything, chat))
            await claim_update(uow, origin)
            before = f"{chat.status}:{chat.organisation_id}"
            chat.status = ChatStatus.APPROVED
            chat.organisation_id = org.id
            chat.updated_at = self._clock.now()
            await uow.chats.save(chat)
            await record_audit(
                uow, self._clock,
                origin, "chat.link", f"chat:{chat_id}", before, f"approved:{org.id}"
            )
            await uow.commit()
            return chat

    async def chats(self, origin: Origin) -> list[Chat]:
        """List every chat with its status (admins only)."""
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            return await uow.chats.by_status(None)
