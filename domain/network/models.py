"""The network: organisations in a tree, their group chats, people and their roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import N_
from domain.kernel.text import TextRule

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


#: A trimmed organisation name; an empty or overlong one is refused.
clean_organisation_name = TextRule(
    N_("An organisation needs a name."),
    MAX_ORGANISATION_NAME,
    N_("An organisation name may have at most {limit} characters."),
).clean

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
