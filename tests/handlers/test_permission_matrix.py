"""Every command and button kind × every kind of person, in private and in groups (issue 10).

Six people: a stranger, a member of organisation 甲会, a member of another (乙会), a
coordinator out of scope (乙会), a coordinator in scope (甲会) and an admin. Each refusal is
asserted by its answer, and that nothing changed is read back through an authorised
person's view (the pledger's /mypledges, the coordinators' /inbox and /org list),
not through the tables.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

from telegram.ext import CommandHandler

from domain.clock import FakeClock
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import button, buttons, confirm, last_id, make_appeal, member

Json = dict[str, Any]
ADMINS_ONLY = "Only admins can do that."
STALE = "This button is no longer valid."
NOT_IN_SCOPE = "Only coordinators in scope can confirm deliveries."
OWN = "You cannot confirm the delivery of your own pledge; another coordinator or an admin does."
NOT_YOURS = "You have no pledge with that number."
PRIVATE_ONLY = "Please use this command in a private chat with me."
CALLBACK_DATA = re.compile(r"[a-z]{1,8}(:-?[A-Za-z0-9_]{1,32}){0,3}", re.ASCII)


@dataclass
class World:
    """The people, the appeal, the member's reported pledge and the linked group."""

    people: dict[str, int]
    appeal_id: int
    hidden_appeal_id: int
    pledge_id: int
    fulfilment_id: int
    group_id: int
    organisations: dict[str, int]


async def _world(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> World:
    await chat.say(ADMIN_ID, "/org add 甲会")
    await chat.say(ADMIN_ID, "/org add 乙会")
    async with store() as uow:
        orgs = {o.name: o.id for o in await uow.organisations.all()}
    people = {"admin": ADMIN_ID}
    for name in ("stranger", "member", "other_member", "coordinator_out", "coordinator_in"):
        people[name] = await member(client, chat, name.replace("_", ""), "en")
    grants = {
        "member": "member 甲会",
        "other_member": "member 乙会",
        "coordinator_out": "coordinator 乙会",
        "coordinator_in": "coordinator 甲会",
    }
    for name, role in grants.items():
        await chat.say(ADMIN_ID, f"/grant {people[name]} {role}")
    appeal = await make_appeal(store, clock, organisation_id=orgs["甲会"])
    hidden = await make_appeal(store, clock, organisation_id=orgs["乙会"])
    pledger = people["member"]
    [summary] = await chat.say(pledger, f"/pledge {appeal.id} 5万元")
    while not any(b.get("callback_data", "").startswith("pd:ok:") for b in buttons(summary)):
        after = int(summary["message_id"])
        await chat.press(pledger, pledger, summary, data=buttons(summary)[0]["callback_data"])
        [summary] = await chat.next_messages(pledger, 1, after)
    await confirm(chat, pledger, summary)
    [listing] = await chat.say(pledger, "/mypledges")
    after = int(listing["message_id"])
    await chat.press(pledger, pledger, listing, data=button(listing, "pm:part:")["callback_data"])
    await chat.next_messages(pledger, 1, after)
    await chat.say(pledger, "1万元")
    async with store() as uow:
        [pledge] = await uow.pledges.of_person(pledger)
    # the report's notice reaches the coordinator in scope before anyone is asked anything
    reviewer = people["coordinator_in"]
    for _ in range(4):
        messages = await chat.client.messages(reviewer)
        if any(b.get("callback_data", "").startswith("pf:") for m in messages for b in buttons(m)):
            break
        await chat.next_messages(reviewer, 1, max(int(m["message_id"]) for m in messages))
    group = await client.create_group("甲会群", members=list(people.values()))
    await client.add_bot(group["id"], by_user_id=people["coordinator_in"])
    await chat.next_messages(group["id"], 1, None)
    [offer] = await chat.say(people["coordinator_in"], "/link", chat_id=group["id"])
    await chat.press(people["coordinator_in"], group["id"], offer,
                     data=button(offer, "link:")["callback_data"])
    await client.wait_for_updates_consumed(timeout=10)
    return World(people, appeal.id, hidden.id, pledge.id, pledge.fulfilments[0].id,
                 group["id"], orgs)


def _is_notice(message: Json) -> bool:
    """A message the bot sends on its own time (batched news, a delivery or broadcast report)."""
    text = str(message.get("text", ""))
    return text.startswith("News from") or "Delivered to" in text


async def _ask(chat: Conversation, user: int, command: str, chat_id: int | None = None) -> Json:
    """The bot's answer to a command, past any notice that arrives meanwhile."""
    where = user if chat_id is None else chat_id
    after = await last_id(chat.client, where)
    await chat.client.send_text(user, command, chat_id=chat_id)
    for _ in range(4):
        [message] = await chat.next_messages(where, 1, after)
        if not _is_notice(message):
            return message
        after = int(message["message_id"])
    raise AssertionError(f"no answer to {command}")


async def _state(chat: Conversation, world: World) -> tuple[str, str, str]:
    """What authorised people see: the pledger's list, a coordinator's tree and inbox.

    (The admin's chat also gets the appeals' broadcast reports at their own time.)
    """
    mine = await _ask(chat, world.people["member"], "/mypledges")
    tree = await _ask(chat, world.people["coordinator_out"], "/org list")
    inbox = await _ask(chat, world.people["coordinator_in"], "/inbox")
    return mine["text"], tree["text"], inbox["text"]


def _expected_commands(world: World) -> dict[str, dict[str, str | None]]:
    """Per command, per person: the exact refusal, or None where the person may."""
    hidden = f"There is no appeal number {world.hidden_appeal_id}."
    own = f"There is no appeal number {world.appeal_id}."
    no_inbox = "Only coordinators can see the inbox."
    no_appeal = "Only coordinators and admins can write appeals."
    no_match = "Only coordinators can match offers with needs."
    everyone: dict[str, str | None] = {p: None for p in world.people}
    return {
        "/org add 丙会": {p: ADMINS_ONLY for p in world.people} | {"admin": None},
        "/chats": {p: ADMINS_ONLY for p in world.people} | {"admin": None},
        "/grant @stranger coordinator 甲会": {p: ADMINS_ONLY for p in world.people}
        | {"admin": None},
        "/revoke @member member 甲会": {p: ADMINS_ONLY for p in world.people}
        | {"admin": None},
        "/inbox": {
            "stranger": no_inbox,
            "member": no_inbox,
            "other_member": no_inbox,
            "coordinator_out": "Nothing awaits your confirmation.",
            "coordinator_in": None,
            "admin": None,
        },
        "/appeal": {
            "stranger": no_appeal,
            "member": no_appeal,
            "other_member": no_appeal,
            "coordinator_out": None,
            "coordinator_in": None,
            "admin": None,
        },
        f"/pledge {world.appeal_id} 5万元": {
            "stranger": own,
            "member": None,
            "other_member": own,
            "coordinator_out": own,
            "coordinator_in": None,
            "admin": None,
        },
        f"/pledge {world.hidden_appeal_id} 5万元": {
            "stranger": hidden,
            "member": hidden,
            "other_member": None,
            "coordinator_out": None,
            "coordinator_in": hidden,
            "admin": None,
        },
        # the other commands registered in handlers/ (issue 10): the matrix covers them all
        "/offer N95口罩 5000个": everyone,
        "/myoffers": everyone,
        f"/match {world.appeal_id}": {
            "stranger": no_match,
            "member": no_match,
            "other_member": no_match,
            "coordinator_out": "Only coordinators in scope can match offers for this appeal.",
            "coordinator_in": None,
            "admin": None,
        },
        f"/audit p{world.pledge_id}": {p: ADMINS_ONLY for p in world.people} | {"admin": None},
        "/forget @member": {p: ADMINS_ONLY for p in world.people} | {"admin": None},
        f"/reopen {world.appeal_id}": {p: "Only admins can reopen an appeal." for p in world.people}
        | {"admin": f"Appeal #{world.appeal_id} is open already."},
        "/forgetme": everyone,
        "/privacy": everyone,
        "/lang": everyone,
        "/start": everyone,
        "/help": everyone,
        "/mypledges": everyone,
        "/cancel": {p: "There was nothing to cancel." for p in world.people},
        "/link": {p: "Use /link in the group you want to link." for p in world.people},
        # last: the admin's answer is one message per open appeal
        "/appeals": everyone,
    }


async def test_every_command_in_private_for_every_kind_of_person(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = await _world(client, chat, store, clock)
    before = await _state(chat, world)
    matrix = _expected_commands(world)

    changes = ("/org add", "/grant", "/revoke", "/pledge")
    refusals = {w for expected in matrix.values() for w in expected.values() if w is not None}

    async def run(person: str) -> list[tuple[str, str, str | None]]:
        seen = []
        for command, expected in matrix.items():
            wanted = expected[person]
            if wanted is None and person == "admin" and command.startswith(changes):
                continue  # an admin's allowed change would change the state read back
            answer = await _ask(chat, world.people[person], command)
            seen.append((command, answer["text"], wanted))
            if command.split(" ")[0] in ("/appeal", "/pledge", "/offer"):
                await _ask(chat, world.people[person], "/cancel")
        return seen

    results = await asyncio.gather(*(run(p) for p in world.people))
    for person, seen in zip(world.people, results, strict=True):
        for command, got, wanted in seen:
            if wanted is None:
                assert got not in (ADMINS_ONLY, STALE, PRIVATE_ONLY), (person, command, got)
                assert got not in refusals, (person, command, got)
                assert not got.startswith("There is no appeal"), (person, command, got)
            else:
                assert got == wanted, (person, command, got)
    assert await _state(chat, world) == before


async def test_every_button_kind_for_every_kind_of_person(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = await _world(client, chat, store, clock)
    before = await _state(chat, world)
    relink = f"link:{world.group_id}:{world.organisations['乙会']}"
    presses: dict[str, dict[str, str | None]] = {
        f"pf:ok:{world.fulfilment_id}": {
            "stranger": NOT_IN_SCOPE,
            "member": OWN,
            "other_member": NOT_IN_SCOPE,
            "coordinator_out": NOT_IN_SCOPE,
            "coordinator_in": None,
            "admin": None,
        },
        f"pf:q:{world.fulfilment_id}": {
            "stranger": NOT_IN_SCOPE,
            "member": NOT_IN_SCOPE,  # nobody questions their own report either
            "other_member": NOT_IN_SCOPE,
            "coordinator_out": NOT_IN_SCOPE,
            "coordinator_in": None,
            "admin": None,
        },
        f"pm:cancel:{world.pledge_id}": {p: NOT_YOURS for p in world.people} | {"member": None},
        f"pm:all:{world.pledge_id}": {p: NOT_YOURS for p in world.people} | {"member": None},
        f"am:close:{world.appeal_id}": {
            "stranger": STALE,
            "member": STALE,
            "other_member": STALE,
            "coordinator_out": STALE,
            "coordinator_in": None,
            "admin": None,
        },
        f"pd:appeal:{world.hidden_appeal_id}": {p: STALE for p in world.people},
        # erasing the member: only they or an admin, and only with their record's stamp
        f"forget:{world.people['member']}:1": {
            p: "This button is not yours." for p in world.people
        } | {
            "member": "This person's data was already erased.",
            "admin": "This person's data was already erased.",
        },
        f"audit:p{world.pledge_id}:0": {p: ADMINS_ONLY for p in world.people} | {"admin": None},
    }
    # each presses under a message of their own chat (a forged press carries any data)
    anchors = {}
    for person, user in world.people.items():
        anchors[person] = await _ask(chat, user, "/help")
    for data, expected in presses.items():
        for person, wanted in expected.items():
            if wanted is None:
                continue
            user = world.people[person]
            answer = await chat.press(user, user, anchors[person], data=data, forged=True)
            if data.startswith("pd:appeal:"):
                # no dialog open: stale whoever presses
                assert answer["text"] in (STALE, f"There is no appeal number "
                                          f"{world.hidden_appeal_id}."), (person, data, answer)
            else:
                assert answer["text"] == wanted, (person, data, answer)
            assert answer.get("show_alert"), (person, data, answer)
    # in the group: relinking to 乙会 needs a coordinator of 甲会 who coordinates 乙会 too
    anchor = await _ask(chat, ADMIN_ID, "/help", chat_id=world.group_id)
    linked_to = "This group is linked to “甲会”. Only a coordinator of “甲会” or an admin can "
    group_expected = {
        "stranger": "Only coordinators and admins can link a group.",
        "member": "Only coordinators and admins can link a group.",
        "other_member": "Only coordinators and admins can link a group.",
        "coordinator_out": linked_to + "link it to another organisation.",
        "coordinator_in": "You do not coordinate “乙会”.",
    }
    for person, wanted in group_expected.items():
        answer = await chat.press(world.people[person], world.group_id, anchor, data=relink,
                                  forged=True)
        assert answer["text"] == wanted, (person, answer)
    assert await _state(chat, world) == before
    # the in-scope coordinator's confirm is taken
    ok = await chat.press(world.people["coordinator_in"], world.people["coordinator_in"],
                          anchors["coordinator_in"], data=f"pf:ok:{world.fulfilment_id}",
                          forged=True)
    assert not ok.get("show_alert"), ok
    # callback_data carries ids and steps only: no names, no amounts, nothing beyond ASCII
    for chat_id in [*world.people.values(), world.group_id]:
        for message in await client.bot_messages(chat_id):
            for key in buttons(message):
                data = key.get("callback_data")
                if data is not None:
                    assert CALLBACK_DATA.fullmatch(data), data


async def test_in_groups_the_bot_lists_nothing_private(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = await _world(client, chat, store, clock)
    before = await _state(chat, world)
    for person in ("member", "coordinator_in", "admin"):
        for command in ("/appeals", "/inbox", "/chats"):
            answer = await _ask(chat, world.people[person], command, chat_id=world.group_id)
            for text in (answer["text"],):
                assert "抗疫倡议" not in text and f"#{world.pledge_id}" not in text, (
                    person, command, text,
                )
    assert await _state(chat, world) == before


#: Arguments that would change something if the command were taken in a group.
GROUP_ARGUMENTS = {
    "org": "add 丙会",
    "grant": "@member coordinator 甲会",
    "revoke": "@coordinator coordinator 甲会",
    "forget": "@member",
    "audit": "a1",
    "reopen": "1",
    "offer": "N95口罩 5000个",
    "pledge": "5万元",
}
#: What groups get (docs/user-guide.md): /help, /link, and a way to the private chat.
GROUP_ANSWERS = {
    "start": "Write to me in private to get started.",
    "pledge": "Pledges are made in a private chat with me, so nothing about you is shown here. "
    "Tap the button to continue there.",
    "mypledges": "Your pledges are shown only in a private chat with me. Tap the button to see "
    "them there.",
    # a group's own command: these groups are not approved (said in the network's language)
    "progress": "本群还没有接入网络。",
}


def _registered_commands(app: Any) -> list[str]:
    """Every command a CommandHandler of the running application answers."""
    found = {
        command
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    return sorted(found)


async def test_in_groups_every_command_but_the_groups_own_points_to_the_private_chat(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, app: Any
) -> None:
    await chat.say(ADMIN_ID, "/org add 甲会")
    people = {"admin": ADMIN_ID}
    for name in ("member", "coordinator"):
        people[name] = await member(client, chat, name, "en")
    await chat.say(ADMIN_ID, "/grant @member member 甲会")
    await chat.say(ADMIN_ID, "/grant @coordinator coordinator 甲会")
    commands = _registered_commands(app)
    assert {"grant", "revoke", "org", "chats", "audit", "forget", "inbox", "match"} <= set(
        commands
    ), commands
    # two groups per person: a group takes 20 of the bot's messages a minute
    groups: dict[str, list[int]] = {}
    for name, user in people.items():
        groups[name] = []
        for index in range(2):
            group = await client.create_group(f"{name}群{index}", members=list(people.values()))
            await client.add_bot(group["id"], by_user_id=user)
            await chat.next_messages(group["id"], 1, None)
            groups[name].append(group["id"])

    async def run(name: str) -> list[tuple[str, str]]:
        seen = []
        for index, command in enumerate(commands):
            text = f"/{command} {GROUP_ARGUMENTS.get(command, '')}".strip()
            answer = await _ask(chat, people[name], text, chat_id=groups[name][index % 2])
            seen.append((command, answer["text"]))
        return seen

    results = await asyncio.gather(*(run(name) for name in people))
    for name, seen in zip(people, results, strict=True):
        for command, got in seen:
            if command == "help":
                assert got.startswith("Your commands"), (name, got)
                assert "/grant" not in got and "/inbox" not in got, (name, got)
            elif command == "link":
                wanted = (
                    "Only coordinators and admins can link a group."
                    if name == "member"
                    else "Which organisation does this group belong to?"
                )
                assert got == wanted, (name, got)
            else:
                assert got == GROUP_ANSWERS.get(command, PRIVATE_ONLY), (name, command, got)
    # nothing changed, as authorised people see it: no 丙会, no role given or taken
    tree = await _ask(chat, ADMIN_ID, "/org list")
    assert "丙会" not in tree["text"] and "甲会" in tree["text"], tree["text"]
    member_inbox = await _ask(chat, people["member"], "/inbox")
    assert member_inbox["text"] == "Only coordinators can see the inbox.", member_inbox["text"]
    inbox = await _ask(chat, people["coordinator"], "/inbox")
    assert inbox["text"] == "Nothing awaits your confirmation.", inbox["text"]
    async with store() as uow:
        assert await uow.dialogs.get(people["member"]) is None
