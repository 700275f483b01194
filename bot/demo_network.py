"""The demo network of `make run` without a token: the Yunlong drive of the scenario, as data.

`../shared/docs/scenario.md`: the district's united-front office coordinates; the democratic
parties, the Federation of Industry and Commerce (工商联) with its member enterprises and the
New Social Strata Association (新联会) with its branches are its member organisations, each
talking in its own group. One table of organisations (with their groups) and one of people
(with their role and organisation) drive both the seeding and the printout.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

from domain.errors import Conflict
from domain.kernel.origin import Origin
from domain.network.service import NetworkService, SeenUser
from sandbox.client import SandboxClient


@dataclass(frozen=True)
class DemoOrganisation:
    """An organisation of the demo, its parent (None: the top) and its group's title."""

    name: str
    parent: str | None
    group: str | None = None


@dataclass(frozen=True)
class DemoPerson:
    """A demo person: Telegram identity, the language their client reports, role and home."""

    user_id: int
    name: str
    username: str
    language: str
    role: str  # "admin", "coordinator" or "member"
    organisation: str | None  # None for the admin: the whole network


OFFICE = "云龙区委统战部"

ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation(OFFICE, None),
    DemoOrganisation("民进云龙支部", OFFICE, "民进云龙支部群"),
    DemoOrganisation("民盟云龙支部", OFFICE, "民盟云龙支部群"),
    DemoOrganisation("区工商联", OFFICE, "工商联会员企业群"),
    DemoOrganisation("徐州宣武集团", "区工商联"),
    DemoOrganisation("云龙商贸公司", "区工商联"),
    DemoOrganisation("区新联会", OFFICE, "新联会群"),
    DemoOrganisation("新联会医卫分会", "区新联会", "医卫分会群"),
    DemoOrganisation("新联会服务团", "区新联会", "新联会服务团群"),
)

PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(1001, "区委统战部 管理员", "admin", "zh-hans", "admin", None),
    DemoPerson(1002, "王协调", "coordinator", "zh-hans", "coordinator", OFFICE),
    DemoPerson(1003, "李会员", "li", "zh-hans", "member", "民进云龙支部"),
    DemoPerson(1004, "陳會員", "chen", "zh-hant", "member", "新联会医卫分会"),
    DemoPerson(1005, "Ann Member", "ann", "en", "member", "徐州宣武集团"),
    DemoPerson(1006, "张主委", "zhang", "zh-hans", "coordinator", "民进云龙支部"),
    DemoPerson(1007, "劉主委", "liu", "zh-hant", "coordinator", "民盟云龙支部"),
    DemoPerson(1008, "Grace Zhou", "grace", "en", "coordinator", "区工商联"),
    DemoPerson(1009, "赵会长", "zhao", "zh-hans", "coordinator", "区新联会"),
    DemoPerson(1010, "孫會員", "sun", "zh-hant", "member", "民盟云龙支部"),
    DemoPerson(1011, "周经理", "zhou", "zh-hans", "member", "云龙商贸公司"),
    DemoPerson(1012, "Mei Wu", "mei", "en", "member", "新联会服务团"),
)

ADMIN = PEOPLE[0]


def ancestors(name: str | None) -> list[str]:
    """The organisation and every organisation above it, nearest first."""
    parents = {o.name: o.parent for o in ORGANISATIONS}
    chain: list[str] = []
    while name is not None:
        chain.append(name)
        name = parents[name]
    return chain


def group_members(organisation: str) -> list[DemoPerson]:
    """Who is in an organisation's group: its people and those of the organisations below,
    the coordinators above it, and the admin."""
    def belongs(person: DemoPerson) -> bool:
        if person.organisation is None or organisation in ancestors(person.organisation):
            return True
        return person.role == "coordinator" and person.organisation in ancestors(organisation)

    return [p for p in PEOPLE if belongs(p)]


@dataclass(frozen=True)
class SeededGroup:
    """A demo group as the sandbox numbered it."""

    chat_id: int
    title: str
    organisation: str
    members: tuple[DemoPerson, ...]


async def seed_network(network: NetworkService, client: SandboxClient) -> list[SeededGroup]:
    """Create the demo's people and groups in the sandbox and its network in the database.

    Safe to run on a database seeded before (a persistent `DATABASE_URL`): what exists stays.
    """
    admin = Origin(ADMIN.user_id)
    await network.ensure_admins(frozenset({ADMIN.user_id}))
    for person in PEOPLE:
        await client.create_user(person.name, username=person.username,
                                 language_code=person.language, user_id=person.user_id)
        await network.seen(SeenUser(person.user_id, person.name, person.username,
                                    person.language))
    existing = {o.name: o for o in await network.organisations()}
    for organisation in ORGANISATIONS:
        if organisation.name not in existing:
            existing[organisation.name] = await network.add_organisation(
                admin, organisation.name, organisation.parent)
    for person in PEOPLE:
        if person.organisation is not None:
            await _grant_once(network, admin, person)
    groups = []
    for organisation in ORGANISATIONS:
        if organisation.group is None:
            continue
        members = group_members(organisation.name)
        group = await client.create_group(organisation.group,
                                          members=[p.user_id for p in members],
                                          admins=[ADMIN.user_id])
        await network.bot_joined_chat(group["id"], organisation.group, "group")
        await client.add_bot(group["id"], by_user_id=ADMIN.user_id)
        await network.link_chat(admin, group["id"], existing[organisation.name].id)
        groups.append(SeededGroup(int(group["id"]), organisation.group, organisation.name,
                                  tuple(members)))
    return groups


async def _grant_once(network: NetworkService, admin: Origin, person: DemoPerson) -> None:
    with contextlib.suppress(Conflict):  # seeded by an earlier run on the same database
        await network.grant(admin, person.user_id, person.role, person.organisation)


def printout(groups: Iterable[SeededGroup], url: str, python: str) -> str:
    """Every demo person and group, and the command that chats as each."""
    chat = f"{python} -m sandbox chat --url {url}"
    lines = ["People (name, id, role, language, organisation) and how to chat as each:"]
    for p in PEOPLE:
        lines.append(f"  {p.name} · {p.user_id} · {p.role} · {p.language} · "
                     f"{p.organisation or 'the whole network'}")
        lines.append(f"      {chat} --as {p.username}")
    lines.append("Groups (title, id, organisation, members) and how to talk in each:")
    for g in groups:
        names = ", ".join(m.username for m in g.members)
        lines.append(f"  {g.title} · {g.chat_id} · {g.organisation} · {names}")
        lines.append(f"      {chat} --as {g.members[-1].username} --group {g.chat_id}")
    return "\n".join(lines)
