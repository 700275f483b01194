"""/progress in a group: the appeal's totals for everyone there, never a name."""

from __future__ import annotations

from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.totals.seed import seed_scenario
from tests.handlers.totals_talk import group_of, person, pledgers
from tests.harness import Conversation


async def test_a_group_sees_the_totals_without_names_and_bad_numbers_are_answered(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    seen = await seed_scenario(store, pledgers())
    number = seen.appeal.id
    member = await person(client, chat, "Mem", "en")
    group = await group_of(client, chat, store, member, seen.organisations["民主党派"].id)
    [progress] = await chat.say(member, "/progress", chat_id=group)
    assert progress["text"].splitlines() == [  # in the network's language (zh-Hans here)
        f"倡议 #{number} 抗疫倡议 汇总",
        "资金：认捐 ≈161.4万元，目标 200万元（80%），已送达 130万元，已签收 101万元；认捐人数：7",
        "实物（估值）：≈35万元；现金加实物：≈196.4万元",
        "• 消毒液：认捐 3,000公斤（60%），已送达 3,000公斤（60%），已签收 2,000公斤；"
        "目标 5,000公斤",
        "• 志愿者：认捐 1人（12%），已送达 1人（12%），已签收 0人；目标 8人；志愿服务时间 8小时",
    ]
    [same] = await chat.say(member, f"/progress {number}", chat_id=group)
    assert same["text"] == progress["text"]
    for written, answer in (("abc", "请写倡议编号，例如 /progress 12"),
                            ("4242", "倡议 #4242 不属于本群。")):
        [said] = await chat.say(member, f"/progress {written}", chat_id=group)
        assert said["text"] == answer
    [private] = await chat.say(member, "/progress")
    assert private["text"] == "In private, /totals shows the totals."


async def test_an_unapproved_group_or_an_appeal_of_another_part_is_refused(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    seen = await seed_scenario(store, pledgers(), audience="区工商联")
    member = await person(client, chat, "Mem", "en")
    pending = await group_of(client, chat, store, member, None, approved=False)
    [said] = await chat.say(member, "/progress", chat_id=pending)
    assert said["text"] == "本群还没有接入网络。"
    party = await group_of(client, chat, store, member, seen.organisations["民主党派"].id)
    [said] = await chat.say(member, "/progress", chat_id=party)
    assert said["text"] == "本群没有进行中的倡议。"
    [said] = await chat.say(member, f"/progress {seen.appeal.id}", chat_id=party)
    assert said["text"] == f"倡议 #{seen.appeal.id} 不属于本群。"
