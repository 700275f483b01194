"""/totals through the bot: the figures, their languages, the drill-down and who sees what."""

from __future__ import annotations

import pytest

from domain.kernel.standing import RoleName
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.totals.seed import Scenario, seed_scenario
from tests.handlers.totals_talk import buttons, edited, grant, person, pledgers
from tests.harness import Conversation


async def scenario(store: SqlUnitOfWorkFactory) -> Scenario:
    """The report's drive, stored; the pledgers are people the bot has not met."""
    return await seed_scenario(store, pledgers())


ADMIN_LINES = {
    "zh-hans": [
        "倡议 #{n} 抗疫倡议 汇总",
        "资金：认捐 ≈161.4万元，目标 200万元（80%），已送达 130万元，已签收 101万元；认捐人数：7",
        "实物（估值）：≈35万元；现金加实物：≈196.4万元",
        "需求：",
        "• 消毒液：认捐 3,000公斤（60%），已送达 3,000公斤（60%），已签收 2,000公斤；"
        "目标 5,000公斤",
        "• 志愿者：认捐 1人（12%），已送达 1人（12%），已签收 0人；目标 8人；志愿服务时间 8小时",
        "按组织：",
        "• 区工商联：158.2万元（已送达 129万元）；实物 ≈35万元；认捐人数 3",
        "• 民主党派：≈3万元（已送达 1万元）；认捐人数 3",
        "• 不代表组织：2,000元（已送达 0元）；认捐人数 1",
        "= 合计：≈161.4万元（已送达 130万元）；实物 ≈35万元；认捐人数 7",
        "按受助方：",
        "• 云龙区医院：实物 ≈5万元；认捐人数 1",
        "• 黄山街道办事处：100.2万元（已送达 100万元）；认捐人数 2",
        "• 未指定受助方：≈61.2万元（已送达 30万元）；实物 30万元；认捐人数 5",
        "逾期：2 项认捐已过送达日期。",
    ],
    "zh-hant": [
        "倡議 #{n} 抗疫倡议 匯總",
        "資金：認捐 ≈161.4萬元，目標 200萬元（80%），已送達 130萬元，已簽收 101萬元；認捐人數：7",
        "實物（估值）：≈35萬元；現金加實物：≈196.4萬元",
        "需求：",
        "• 消毒液：認捐 3,000公斤（60%），已送達 3,000公斤（60%），已簽收 2,000公斤；"
        "目標 5,000公斤",
        "• 志愿者：認捐 1人（12%），已送達 1人（12%），已簽收 0人；目標 8人；志願服務時間 8小時",
        "按組織：",
        "• 区工商联：158.2萬元（已送達 129萬元）；實物 ≈35萬元；認捐人數 3",
        "• 民主党派：≈3萬元（已送達 1萬元）；認捐人數 3",
        "• 不代表組織：2,000元（已送達 0元）；認捐人數 1",
        "= 合計：≈161.4萬元（已送達 130萬元）；實物 ≈35萬元；認捐人數 7",
        "按受助方：",
        "• 云龙区医院：實物 ≈5萬元；認捐人數 1",
        "• 黄山街道办事处：100.2萬元（已送達 100萬元）；認捐人數 2",
        "• 未指定受助方：≈61.2萬元（已送達 30萬元）；實物 30萬元；認捐人數 5",
        "逾期：2 項認捐已過送達日期。",
    ],
    "en": [
        "Totals of appeal #{n} 抗疫倡议",
        "Money: pledged ≈¥1,614,000 of ¥2,000,000 (80%), delivered ¥1,300,000, received "
        "¥1,010,000; pledgers: 7",
        "In kind (estimated value): ≈¥350,000; cash and in kind: ≈¥1,964,000",
        "Needs:",
        "• 消毒液: pledged 3,000 kg (60%), delivered 3,000 kg (60%), received 2,000 kg; "
        "target 5,000 kg",
        "• 志愿者: pledged 1 person (12%), delivered 1 person (12%), received 0 people; "
        "target 8 people; volunteer time 8 hours",
        "By organisation:",
        "• 区工商联: ¥1,582,000 (delivered ¥1,290,000); in kind ≈¥350,000; pledgers: 3",
        "• 民主党派: ≈¥30,000 (delivered ¥10,000); pledgers: 3",
        "• Not for an organisation: ¥2,000 (delivered ¥0); pledgers: 1",
        "= Together: ≈¥1,614,000 (delivered ¥1,300,000); in kind ≈¥350,000; pledgers: 7",
        "By recipient:",
        "• 云龙区医院: in kind ≈¥50,000; pledgers: 1",
        "• 黄山街道办事处: ¥1,002,000 (delivered ¥1,000,000); pledgers: 2",
        "• No recipient named: ≈¥612,000 (delivered ¥300,000); in kind ¥300,000; pledgers: 5",
        "Overdue: 2 pledges past their due date.",
    ],
}


@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
async def test_an_admin_sees_every_figure_in_their_language(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, lang: str
) -> None:
    # money (158.2万 for 区工商联, ≈3万 for the party), goods partly confirmed, volunteer
    # time, a service by value, an over-delivery, a questioned report, a cancellation
    seen = await scenario(store)
    admin = await person(client, chat, "Boss", lang)
    await grant(store, admin, RoleName.ADMIN, None)
    [totals] = await chat.say(admin, f"/totals {seen.appeal.id}")
    expected = [line.replace("{n}", str(seen.appeal.id)) for line in ADMIN_LINES[lang]]
    assert totals["text"].splitlines() == expected
    assert [b["callback_data"] for b in buttons(totals)] == [
        f"tt:{seen.appeal.id}:{seen.organisations['区工商联'].id}"
    ]


async def test_the_drill_down_rolls_each_figure_up_its_subtree_and_goes_back_up(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    seen = await scenario(store)
    orgs = seen.organisations
    admin = await person(client, chat, "Boss", "en")
    await grant(store, admin, RoleName.ADMIN, None)
    [totals] = await chat.say(admin, f"/totals {seen.appeal.id}")
    fic = await edited(chat, admin, totals, f"tt:{seen.appeal.id}:{orgs['区工商联'].id}")
    lines = fic["text"].splitlines()
    assert lines[:3] == [
        f"Totals of appeal #{seen.appeal.id} 抗疫倡议",
        "Within 区工商联",
        "Money: pledged ¥1,582,000, delivered ¥1,290,000, received ¥1,000,000; pledgers: 3",
    ]
    # the enterprises add up to the federation, visibly
    assert lines[-5:] == [
        "By organisation:",
        "• 华星制药: ¥500,000 (delivered ¥200,000); in kind ¥300,000; pledgers: 1",
        "• 宣武集团: ¥1,082,000 (delivered ¥1,090,000); in kind ≈¥50,000; pledgers: 2",
        "= Together: ¥1,582,000 (delivered ¥1,290,000); in kind ≈¥350,000; pledgers: 3",
        "Overdue: 1 pledges past their due date.",
    ]
    assert [b["callback_data"] for b in buttons(fic)] == [
        f"tt:{seen.appeal.id}:{orgs['宣武集团'].id}", f"tt:{seen.appeal.id}:0"
    ]
    group = await edited(chat, admin, fic, f"tt:{seen.appeal.id}:{orgs['宣武集团'].id}")
    assert group["text"].splitlines()[-4:] == [
        "• 宣武集团 itself: ¥1,000,000 (delivered ¥1,000,000); in kind ≈¥50,000; pledgers: 1",
        "• 宣武一厂: ¥82,000 (delivered ¥90,000); pledgers: 1",
        "= Together: ¥1,082,000 (delivered ¥1,090,000); in kind ≈¥50,000; pledgers: 2",
        "Overdue: 0 pledges past their due date.",
    ]
    up = await edited(chat, admin, group, f"tt:{seen.appeal.id}:{orgs['区工商联'].id}")
    assert up["text"] == fic["text"]
    top = await edited(chat, admin, up, f"tt:{seen.appeal.id}:0")
    assert top["text"] == totals["text"]
