"""Use cases of the network registry: each opens one unit of work and commits once."""

from __future__ import annotations

from dataclasses import dataclass

from domain.clock import Clock
from domain.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.kernel.standing import standing_in
from domain.network.access import may_link_chat, may_relink
from domain.network.models import (
    Chat,
    ChatStatus,
    Language,
    Organisation,
    OrganisationNode,
    Person,
    Role,
    RoleName,
    Standing,
    build_tree,
    clean_organisation_name,
    language_from_client,
)
from domain.parsing.integers import parse_id
from domain.ports import UnitOfWork, UnitOfWorkFactory

RELINK_DENIED = N_(
    "This group is linked to “{name}”. Only a coordinator of “{name}” or an admin can "
    "link it to another organisation."
)


class StillReferenced(Conflict):
    """An organisation cannot be removed: `counts` says how many rows of which table refer."""

    def __init__(self, name: str, counts: dict[str, int]) -> None:
        super().__init__(
            N_("“{name}” cannot be removed: {records} still refer to it."),
            name=name,
            records=", ".join(f"{n} {table}" for table, n in counts.items()),
        )
        self.counts = dict(counts)


#: The words an admin may write for a role, in each language we speak.
ROLE_WORDS: dict[str, RoleName] = {
    "member": RoleName.MEMBER, "成员": RoleName.MEMBER, "成員": RoleName.MEMBER,
    "coordinator": RoleName.COORDINATOR, "协调员": RoleName.COORDINATOR,
    "協調員": RoleName.COORDINATOR,
    "admin": RoleName.ADMIN, "管理员": RoleName.ADMIN, "管理員": RoleName.ADMIN,
}


def parse_role(word: str) -> RoleName:
    """Read a role as written (`coordinator`, `协调员`, `協調員`...); refuse other words."""
    role = ROLE_WORDS.get(word.strip().lower())
    if role is None:
        raise InvalidInput(
            N_("Unknown role “{role}”. Roles are: member, coordinator, admin."),
            role=word.strip()[:30],
        )
    return role


@dataclass(frozen=True)
class SeenUser:
    """A Telegram user as the handlers saw them in an update."""

    id: int
    name: str
    username: str | None
    language_code: str | None


@dataclass(frozen=True)
class Arrival:
    """What the start of an update found: handled before? and the person, if up to date."""

    replayed: bool
    person: Person | None = None


class NetworkService:
    """Organisations, chats, people and roles."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        default_language: Language,
        default_timezone: str,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._default_language = default_language
        self._default_timezone = default_timezone

    # -- updates -----------------------------------------------------------------------------

    async def update_seen(self, update_id: int) -> bool:
        """True when this Telegram update was handled before."""
        async with self._uow() as uow:
            return await uow.updates.seen(update_id)

    async def arrive(
        self, update_id: int, user: SeenUser | None, maybe_replayed: bool = True
    ) -> Arrival:
        """Check for a replay and read the person, in one read-only unit of work.

        Without `maybe_replayed` (the update is known to come for the first time) the replay
        check is skipped.

        The person is returned only when `seen` would change nothing; otherwise (first sight,
        a new name, username or client language) the caller calls `seen`.
        """
        async with self._uow.read() as uow:
            if maybe_replayed and await uow.updates.seen(update_id):
                return Arrival(replayed=True)
            if user is None:
                return Arrival(replayed=False)
            person = await uow.people.get(user.id)
        if person is None or self._refresh_needed(person, user):
            return Arrival(replayed=False)
        return Arrival(replayed=False, person=person)

    def _refresh_needed(self, person: Person, user: SeenUser) -> bool:
        """True when what Telegram says about the person differs from what is stored."""
        changed = (
            person.name != user.name[:128]
            or person.username != (user.username or None)
            or not person.reachable
        )
        return changed or not (
            person.language_chosen
            or person.language == language_from_client(user.language_code, self._default_language)
        )

    async def mark_update(self, update_id: int) -> None:
        """Record an update as handled (a no-op when a use case already did)."""
        async with self._uow() as uow:
            if await uow.updates.mark(update_id):
                await uow.commit()

    # -- people ---------------------------------------------------------------------------

    async def seen(self, user: SeenUser) -> Person:
        """Record (or refresh) a person who wrote to the bot and return them."""
        async with self._uow() as uow:
            person = await uow.people.get(user.id)
            if person is None:
                person = Person(
                    id=user.id,
                    name=user.name[:128],
                    username=(user.username or None),
                    language=language_from_client(user.language_code, self._default_language),
                    language_chosen=False,
                    timezone=self._default_timezone,
                    reachable=True,
                    created_at=self._clock.now(),
                )
            else:
                if not self._refresh_needed(person, user):
                    return person
                person.name = user.name[:128]
                person.username = user.username or None
                person.reachable = True
                if not person.language_chosen:
                    person.language = language_from_client(
                        user.language_code, self._default_language
                    )
            await uow.people.save(person)
            await uow.commit()
            return person

    async def person(self, person_id: int) -> Person | None:
        """Return a known person."""
        async with self._uow() as uow:
            return await uow.people.get(person_id)

    async def standing(self, person_id: int) -> Standing:
        """Return a person's roles, read now."""
        async with self._uow() as uow:
            return await standing_in(uow, person_id)

    async def set_language(self, origin: Origin, language: Language) -> Person:
        """Remember the language a person chose with /lang."""
        if origin.actor_id is None:
            raise PermissionDenied(N_("Only a person can choose a language."))
        async with self._uow() as uow:
            await claim_update(uow, origin)
            person = await uow.people.get(origin.actor_id)
            if person is None:
                raise NotFound(N_("I do not know you yet. Send /start first."))
            before = person.language
            person.language = language
            person.language_chosen = True
            await uow.people.save(person)
            await self._audit(
                uow, origin, "person.language", f"person:{person.id}", before, language
            )
            await uow.commit()
            return person

    async def mark_unreachable(self, person_id: int) -> None:
        """Remember that a person blocked the bot, so nothing is sent to them."""
        async with self._uow() as uow:
            person = await uow.people.get(person_id)
            if person is None or not person.reachable:
                return
            person.reachable = False
            await uow.people.save(person)
            await uow.commit()

    async def ensure_admins(self, admin_ids: frozenset[int]) -> None:
        """Make the configured admins admins (the configuration is their source)."""
        async with self._uow() as uow:
            for admin_id in sorted(admin_ids):
                if await uow.roles.add(Role(admin_id, RoleName.ADMIN, None)):
                    await self._audit(
                        uow,
                        Origin(None),
                        "role.grant",
                        f"person:{admin_id}",
                        None,
                        "admin (ADMIN_IDS)",
                    )
            await uow.commit()

    # -- organisations --------------------------------------------------------------------

    async def organisation_tree(self) -> list[OrganisationNode]:
        """Return the whole organisation tree."""
        async with self._uow() as uow:
            return build_tree(await uow.organisations.all())

    async def organisations(self) -> list[Organisation]:
        """Return every organisation."""
        async with self._uow() as uow:
            return await uow.organisations.all()

    async def add_organisation(
        self, origin: Origin, name: str, parent_name: str | None
    ) -> Organisation:
        """Add an organisation to the tree, optionally under a parent (admins only)."""
        clean = clean_organisation_name(name)
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            await claim_update(uow, origin)
            if await uow.organisations.by_name(clean) is not None:
                raise Conflict(N_("There is already an organisation called “{name}”."), name=clean)
            parent_id: int | None = None
            if parent_name is not None:
                parent = await uow.organisations.by_name(clean_organisation_name(parent_name))
                if parent is None:
                    raise NotFound(
                        N_("There is no organisation called “{name}”."), name=parent_name.strip()
                    )
                parent_id = parent.id
            org = await uow.organisations.add(clean, parent_id)
            await self._audit(
                uow, origin, "organisation.add", f"organisation:{org.id}", None, clean
            )
            await uow.commit()
            return org

    async def rename_organisation(self, origin: Origin, old: str, new: str) -> Organisation:
        """Rename an organisation (admins only)."""
        clean_new = clean_organisation_name(new)
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            await claim_update(uow, origin)
            org = await self._named(uow, old)
            other = await uow.organisations.by_name(clean_new)
            if other is not None and other.id != org.id:
                raise Conflict(
                    N_("There is already an organisation called “{name}”."), name=clean_new
                )
            before = org.name
            org.name = clean_new
            await uow.organisations.save(org)
            await self._audit(
                uow, origin, "organisation.rename", f"organisation:{org.id}", before, clean_new
            )
            await uow.commit()
            return org

    async def remove_organisation(self, origin: Origin, name: str) -> Organisation:
        """Remove an organisation nothing refers to (admins only)."""
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            await claim_update(uow, origin)
            org = await self._named(uow, name)
            counts = await uow.organisations.reference_counts(org.id)
            if counts:
                raise StillReferenced(org.name, counts)
            await uow.organisations.remove(org.id)
            await self._audit(
                uow, origin, "organisation.remove", f"organisation:{org.id}", org.name, None
            )
            await uow.commit()
            return org

    # -- chats ------------------------------------------------------------------------------

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
            await self._audit(uow, Origin(None), "chat.joined", f"chat:{chat_id}", None, title)
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
            await self._audit(uow, Origin(None), "chat.left", f"chat:{chat_id}", before, "left")
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
            await self._audit(
                uow, Origin(None), "chat.migrated", f"chat:{old_id}", str(old_id), str(new_id)
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
            await self._audit(uow, Origin(None), "chat.title", f"chat:{chat_id}", before, title)
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
            await self._audit(
                uow, origin, "chat.link", f"chat:{chat_id}", before, f"approved:{org.id}"
            )
            await uow.commit()
            return chat

    async def chats(self, origin: Origin) -> list[Chat]:
        """List every chat with its status (admins only)."""
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            return await uow.chats.by_status(None)

    # -- roles -------------------------------------------------------------------------
    async def all_roles(self) -> list[Role]:
        """Return every granted role (for the per-person command menus)."""
        async with self._uow() as uow:
            return await uow.roles.all()

    # -- role changes ------------------------------------------------------------------

    async def find_person(self, reference: str) -> Person:
        """Find a person by numeric id or @username the bot has seen."""
        ref = reference.strip()
        async with self._uow() as uow:
            person: Person | None = None
            number = parse_id(ref)
            if number is not None:
                person = await uow.people.get(number)
            elif ref.startswith("@") and len(ref) <= 33:
                person = await uow.people.by_username(ref[1:])
            if person is None:
                raise NotFound(
                    N_(
                        "I do not know “{user}”. Use a numeric id or an @username of someone "
                        "who has written to me, or reply to their message."
                    ),
                    user=ref[:40],
                )
            return person

    async def grant(
        self, origin: Origin, person_id: int, role: str, organisation_name: str | None
    ) -> Role:
        """Grant a coordinator or admin role (admins only)."""
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            granted = await self._role(uow, person_id, role, organisation_name)
            await claim_update(uow, origin)
            if not await uow.roles.add(granted):
                raise Conflict(N_("That person already has this role."))
            await self._audit(
                uow,
                origin,
                "role.grant",
                f"person:{person_id}",
                None,
                f"{granted.role}:{granted.organisation_id}",
            )
            await uow.commit()
            return granted

    async def revoke(
        self, origin: Origin, person_id: int, role: str, organisation_name: str | None
    ) -> Role:
        """Revoke a role (admins only); an admin cannot revoke their own admin role."""
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            revoked = await self._role(uow, person_id, role, organisation_name)
            if revoked.role is RoleName.ADMIN and person_id == origin.actor_id:
                raise Conflict(N_("You cannot revoke your own admin role."))
            await claim_update(uow, origin)
            if not await uow.roles.remove(person_id, revoked.organisation_id, revoked.role):
                raise NotFound(N_("That person does not have this role."))
            await self._audit(
                uow,
                origin,
                "role.revoke",
                f"person:{person_id}",
                f"{revoked.role}:{revoked.organisation_id}",
                None,
            )
            await uow.commit()
            return revoked

    # -- helpers ----------------------------------------------------------------------------

    async def _role(
        self, uow: UnitOfWork, person_id: int, role: str, organisation_name: str | None
    ) -> Role:
        name = parse_role(role)
        if name is RoleName.MEMBER and not organisation_name:
            raise InvalidInput(N_("Name the organisation this person is a member of."))
        if await uow.people.get(person_id) is None:
            raise NotFound(
                N_(
                    "I do not know “{user}”. Use a numeric id or an @username of "
                    "someone who has written to me, or reply to their message."
                ),
                user=str(person_id),
            )
        organisation_id: int | None = None
        if organisation_name:
            if name is RoleName.ADMIN:
                raise InvalidInput(N_("Admins act for the whole network; name no organisation."))
            organisation_id = (await self._named(uow, organisation_name)).id
        return Role(person_id, name, organisation_id)

    async def _named(self, uow: UnitOfWork, name: str) -> Organisation:
        org = await uow.organisations.by_name(" ".join(name.split()))
        if org is None:
            raise NotFound(N_("There is no organisation called “{name}”."), name=name.strip()[:100])
        return org

    async def _require_admin(self, uow: UnitOfWork, origin: Origin) -> None:
        if origin.actor_id is None:
            return
        if not (await standing_in(uow, origin.actor_id)).is_admin:
            raise PermissionDenied(N_("Only admins can do that."))

    async def _audit(
        self,
        uow: UnitOfWork,
        origin: Origin,
        action: str,
        subject: str,
        before: object,
        after: object,
    ) -> None:
        await record_audit(uow, self._clock, origin, action, subject, before, after)
