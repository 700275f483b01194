"""/totals: who sees which line (a permission matrix), forged buttons and bad input."""

from __future__ import annotations

import pytest

from domain.appeals.models import AppealStatus
from domain.kernel.standing import RoleName
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.totals.seed import seed_scenario
from tests.handlers.totals_talk import Json, buttons, grant, person, pledgers
from tests.harness import Conversation

FOLDED = "Others together (2)"
EVERY_LINE = {"区工商联", "民主党派", "Not for an organisation"}
#: who (role, organisation) → the organisation lines they see, whether the overdue count
#: shows, whether only their part counts, and the drill-down buttons they get
MATRIX = {
    "admin": (RoleName.ADMIN, None, EVERY_LINE, True, False, ["区工商联 ▸"]),
    "coordinator of the network": (RoleName.COORDINATOR, None, EVERY_LINE, True, False,
                                   ["区工商联 ▸"]),
    "coordinator of 区工商联": (RoleName.COORDINATOR, "区工商联", {"区工商联"}, True, True,
                             ["区工商联 ▸"]),
    "coordinator of 宣武集团": (RoleName.COORDINATOR, "宣武集团", {"宣武集团"}, True, True,
                             ["宣武集团 ▸"]),
    "coordinator of 宣武一厂": (RoleName.COORDINATOR, "宣武一厂", {"宣武一厂"}, True, True, []),
    "member of 民主党派": (RoleName.MEMBER, "民主党派", {"民主党派", FOLDED}, False, False, []),
    "member of 华星制药": (RoleName.MEMBER, "华星制药", {"民主党派", FOLDED}, False, False, []),
    "no role": (None, None, {"民主党派", FOLDED}, False, False, []),
}


def organisation_lines(message: Json) -> set[str]:
    """The names of the lines under "By organisation:"."""
    lines = message["text"].splitlines()
    if "By organisation:" not in lines:
        return set()
    found = set()
    for line in lines[lines.index("By organisation:") + 1:]:
        if not line.startswith("• "):
            break
        found.add(line[2:].split(": ")[0])
    return found


def recipient_lines(message: Json) -> set[str]:
    """The names of the lines under "By recipient:"."""
    lines = message["text"].splitlines()
    if "By recipient:" not in lines:
        return set()
    found = set()
    for line in lines[lines.index("By recipient:") + 1:]:
        if not line.startswith("• "):
            break
        found.add(line[2:].split(": ")[0])
    return found


@pytest.mark.parametrize(("role", "seen_lines"), [
    (RoleName.ADMIN, {"黄山街道办事处", "云龙区医院", "No recipient named"}),
    # 黄山街道办事处 has two pledgers, 云龙区医院 one: members see them only together
    (RoleName.MEMBER, {"No recipient named", FOLDED}),
])
async def test_members_see_recipients_with_one_or_two_pledgers_only_rolled_up(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory,
    role: RoleName, seen_lines: set[str],
) -> None:
    seen = await seed_scenario(store, pledgers())
    reader = await person(client, chat, "Reader", "en")
    organisation = None if role is RoleName.ADMIN else seen.organisations["民主党派"].id
    await grant(store, reader, role, organisation)
    [totals] = await chat.say(reader, f"/totals {seen.appeal.id}")
    assert recipient_lines(totals) == seen_lines, totals["text"]


@pytest.mark.parametrize("who", list(MATRIX))
async def test_who_sees_which_line(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, who: str
) -> None:
    seen = await seed_scenario(store, pledgers())
    role, organisation, lines, overdue, partial, drill = MATRIX[who]
    reader = await person(client, chat, "Reader", "en")
    if role is not None:
        org_id = seen.organisations[organisation].id if organisation else None
        await grant(store, reader, role, org_id)
    [totals] = await chat.say(reader, f"/totals {seen.appeal.id}")
    text = totals["text"]
    assert organisation_lines(totals) == lines, text
    assert ("Overdue:" in text) is overdue, text
    assert ("Counting only the pledges" in text) is partial, text
    assert [b["text"] for b in buttons(totals)] == drill
    # no one's name ever shows in totals; members never learn a pledger count below three
    assert all(name not in text for name in ("宣武 ", "党员乙", "散户"))
    [overview] = await chat.say(reader, "/totals")
    assert f"#{seen.appeal.id} 抗疫倡议" in overview["text"]
    assert ("(your part of the network)" in overview["text"]) is partial


async def test_an_appeal_of_another_part_of_the_network_is_refused(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    seen = await seed_scenario(store, pledgers(), audience="民主党派")
    orgs = seen.organisations
    appeal = seen.appeal
    outsider = await person(client, chat, "Out", "zh-hans")
    await grant(store, outsider, RoleName.COORDINATOR, orgs["区工商联"].id)
    [refused] = await chat.say(outsider, f"/totals {appeal.id}")
    assert refused["text"] == f"倡议 #{appeal.id} 不在你的网络范围内。"
    [overview] = await chat.say(outsider, "/totals")
    assert overview["text"] == "没有你可以查看汇总的进行中倡议。"
    # the party's coordinator sees all of their appeal, whoever gave
    party = await person(client, chat, "Party", "en")
    await grant(store, party, RoleName.COORDINATOR, orgs["民主党派"].id)
    [totals] = await chat.say(party, f"/totals {appeal.id}")
    assert organisation_lines(totals) == EVERY_LINE


async def test_forged_drill_buttons_are_refused_and_show_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    seen = await seed_scenario(store, pledgers())
    orgs = seen.organisations
    number = seen.appeal.id
    co = await person(client, chat, "Co", "zh-hant")
    await grant(store, co, RoleName.COORDINATOR, orgs["宣武集团"].id)
    [totals] = await chat.say(co, f"/totals {number}")
    refusal = "你無權查看這個組織的匯總。"
    for data in (f"tt:{number}:{orgs['华星制药'].id}", f"tt:{number}:{orgs['区工商联'].id}",
                 f"tt:{number}:9999999999999999999"):
        answer = await chat.press(co, co, totals, data=data, forged=True)
        assert answer["text"] == refusal and answer["show_alert"], data
    stale = "此按鈕已失效。"
    for data in (f"tt:99999999999999999999:{orgs['宣武集团'].id}", "tt:x:1", "tt:1",
                 f"tt:{number}:99999999999999999999"):
        answer = await chat.press(co, co, totals, data=data, forged=True)
        assert answer["text"] == stale, data
    # the permission is read at the press: a role taken away refuses the real button too
    async with store() as uow:
        await uow.roles.remove(co, orgs["宣武集团"].id, RoleName.COORDINATOR.value)
        await uow.commit()
    answer = await chat.press(co, co, totals, data=f"tt:{number}:{orgs['宣武集团'].id}")
    assert answer["text"] == refusal
    [unchanged] = [m for m in await client.messages(co) if m["message_id"] == totals["message_id"]]
    assert unchanged["text"] == totals["text"]
    # members get no drill-down, and a forged one is refused
    member = await person(client, chat, "Mem", "en")
    await grant(store, member, RoleName.MEMBER, orgs["民主党派"].id)
    [mine] = await chat.say(member, f"/totals {number}")
    answer = await chat.press(member, member, mine, data=f"tt:{number}:{orgs['民主党派'].id}",
                              forged=True)
    assert answer["text"] == "You may not see the totals of this organisation."


@pytest.mark.parametrize(
    ("written", "answer"),
    [
        ("abc", "Write the appeal's number, e.g. /totals 12"),
        ("-3", "Write the appeal's number, e.g. /totals 12"),
        ("99999999999999999999999", "Write the appeal's number, e.g. /totals 12"),
        ("#12 34", "Write the appeal's number, e.g. /totals 12"),
        ("4242", "There is no appeal number 4242."),
    ],
)
async def test_a_bad_appeal_number_is_answered(
    client: SandboxClient, chat: Conversation, written: str, answer: str
) -> None:
    reader = await person(client, chat, "Ann", "en")
    [said] = await chat.say(reader, f"/totals {written}")
    assert said["text"] == answer


async def test_a_closed_appeal_shows_its_final_totals_and_groups_are_sent_to_private(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    seen = await seed_scenario(store, pledgers())
    async with store() as uow:
        appeal = await uow.appeals.get(seen.appeal.id)
        assert appeal is not None
        appeal.status = AppealStatus.CLOSED
        await uow.appeals.save(appeal)
        await uow.commit()
    admin = await person(client, chat, "Boss", "zh-hans")
    await grant(store, admin, RoleName.ADMIN, None)
    [totals] = await chat.say(admin, f"/totals {appeal.id}")
    assert totals["text"].splitlines()[1] == "此倡议已结束；以下是最终汇总。"
    [overview] = await chat.say(admin, "/totals")
    assert overview["text"] == "没有你可以查看汇总的进行中倡议。"
    group = await client.create_group("抗疫群", members=[admin])
    await client.add_bot(group["id"], admin)
    await chat.next_messages(group["id"], 1, 0)  # the bot's greeting
    [said] = await chat.say(admin, f"/totals {appeal.id}", chat_id=group["id"])
    assert said["text"] == "请在与我的私聊中使用此命令。"
