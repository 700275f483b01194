"""The network: organisations in a tree, their group chats, people and their roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.errors import N_, InvalidInput

MAX_ORGANISATION_NAME = 100


class Language(StrEnum):
    """A language the bot speaks."""

    ZH_HANS = "zh-Hans"
    ZH_HANT = "zh-Hant"
    EN = "en"


_TRADITIONAL_TAGS = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")
_SIMPLIFIED_TAGS = ("zh-hans", "zh-cn", "zh-sg", "zh")


def language_from_client(code: str | None, default: Language) -> Language:
    """Map a Telegram client's `language_code` to the language we speak to that person."""
    if not code:
        return default
    tag = code.strip().lower().replace("_", "-")
    if any(tag == t or tag.startswith(t + "-") for t in _TRADITIONAL_TAGS):
        return Language.ZH_HANT
    if any(tag == t or tag.startswith(t + "-") for t in _SIMPLIFIED_TAGS):
        return Language.ZH_HANS
    if tag == "en" or tag.startswith("en-"):
        return Language.EN
    return default if default is not Language.ZH_HANS else Language.EN


def clean_organisation_name(raw: str) -> str:
    """Return a trimmed organisation name or refuse an empty or overlong one."""
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput(N_("An organisation needs a name."))
    if len(name) > MAX_ORGANISATION_NAME:
        raise InvalidInput(
            N_("An organisation name may have at most {limit} characters."),
            limit=MAX_ORGANISATION_NAME,
        )
    return name


@dataclass
class Organisation:
    """A member organisation; `parent_id` places it in the network's tree."""

    id: int
    name: str
    parent_id: int | None


@dataclass(frozen=True)
class OrganisationNode:
    """An organisation with its children, for showing the tree."""

    organisation: Organisation
    children: tuple[OrganisationNode, ...] = ()


def build_tree(organisations: list[Organisation]) -> list[OrganisationNode]:
    """Arrange organisations into their tree, roots first, names in order."""
    by_parent: dict[int | None, list[Organisation]] = {}
    for org in organisations:
        by_parent.setdefault(org.parent_id, []).append(org)

    def node(org: Organisation) -> OrganisationNode:
        kids = sorted(by_parent.get(org.id, []), key=lambda o: o.name)
        return OrganisationNode(org, tuple(node(k) for k in kids))

    known = {o.id for o in organisations}
    roots = [o for o in organisations if o.parent_id is None or o.parent_id not in known]
    return [node(o) for o in sorted(roots, key=lambda o: o.name)]


def subtree_ids(organisations: list[Organisation], root_id: int) -> set[int]:
    """Return the ids of `root_id` and every organisation below it."""
    children: dict[int | None, list[int]] = {}
    for org in organisations:
        children.setdefault(org.parent_id, []).append(org.id)
    found: set[int] = set()
    stack = [root_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


class ChatStatus(StrEnum):
    """Where a group chat stands with the network."""

    PENDING = "pending"
    APPROVED = "approved"
    LEFT = "left"
    BLOCKED = "blocked"


@dataclass
class Chat:
    """A Telegram group chat the bot is (or was) in."""

    id: int
    title: str
    kind: str
    status: ChatStatus
    organisation_id: int | None
    migrated_to: int | None
    updated_at: datetime


@dataclass
class Person:
    """Someone who has written to the bot, known by their numeric Telegram id."""

    id: int
    name: str
    username: str | None
    language: Language
    language_chosen: bool
    timezone: str
    reachable: bool
    created_at: datetime


class RoleName(StrEnum):
    """What a person may do beyond being a member."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    MEMBER = "member"


@dataclass(frozen=True)
class Role:
    """A granted role; `organisation_id` None means the whole network."""

    person_id: int
    role: RoleName
    organisation_id: int | None


@dataclass(frozen=True)
class Standing:
    """A person's roles as read from the database at the moment of an action."""

    person_id: int
    roles: tuple[Role, ...] = field(default_factory=tuple)

    @property
    def is_admin(self) -> bool:
        """True when the person is an admin of the network."""
        return any(r.role is RoleName.ADMIN for r in self.roles)

    @property
    def is_coordinator(self) -> bool:
        """True when the person coordinates some part of the network (admins do too)."""
        return self.is_admin or any(r.role is RoleName.COORDINATOR for r in self.roles)

    @property
    def highest(self) -> RoleName:
        """The strongest role the person holds."""
        if self.is_admin:
            return RoleName.ADMIN
        if self.is_coordinator:
            return RoleName.COORDINATOR
        return RoleName.MEMBER

    def belongs_to(self) -> set[int]:
        """Organisations the person is a member or coordinator of (not admin-wide ones)."""
        return {
            r.organisation_id
            for r in self.roles
            if r.organisation_id is not None and r.role is not RoleName.ADMIN
        }

    def coordinates(self, organisation_id: int | None, organisations: list[Organisation]) -> bool:
        """True when the person may coordinate for this organisation (None: whole network)."""
        if self.is_admin:
            return True
        for role in self.roles:
            if role.role is not RoleName.COORDINATOR:
                continue
            if role.organisation_id is None:
                return True
            if organisation_id is not None and organisation_id in subtree_ids(
                organisations, role.organisation_id
            ):
                return True
        return False

    def scope(self, organisations: list[Organisation]) -> set[int] | None:
        """Organisation ids the person coordinates; None means everything."""
        if self.is_admin:
            return None
        ids: set[int] = set()
        for role in self.roles:
            if role.role is RoleName.COORDINATOR:
                if role.organisation_id is None:
                    return None
                ids |= subtree_ids(organisations, role.organisation_id)
        return ids


@dataclass(frozen=True)
class AuditEvent:
    """Who changed what, when: written in the same unit of work as the change."""

    actor_id: int | None
    action: str
    subject: str
    before: str | None
    after: str | None
    at: datetime
