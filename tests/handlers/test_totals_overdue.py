"""/overdue through the bot: oldest first, paged, a pledge opened with deliveries and history."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from telegram import InlineKeyboardButton

from domain.appeals.models import Appeal, AppealStatus
from domain.kernel.audit import AuditEvent
from domain.kernel.standing import RoleName
from domain.network.models import Language, Person
from domain.pledges.models import Pledge, PledgeKind, Visibility
from domain.privacy.models import Actor, ActorKind, AuditEntry
from handlers.context import Reader
from handlers.i18n import Translations
from handlers.totals.overdue import OverdueText
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.totals.seed import AT, TODAY, seed_scenario
from tests.handlers.totals_talk import buttons, edited, grant, person, pledgers
from tests.harness import Conversation


async def named_pledgers(store: SqlUnitOfWorkFactory) -> dict[str, int]:
    """The scenario's pledgers, known to the bot by name (coordinators chase them by it)."""
    people = pledgers()
    async with store() as uow:
        for name, person_id in people.items():
            await uow.people.save(Person(person_id, name, None, Language.ZH_HANS, False,
                                         "Asia/Shanghai", True, AT))
        await uow.commit()
    return people


async def test_the_overdue_list_is_oldest_first_and_opens_a_pledge(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    seen = await seed_scenario(store, await named_pledgers(store))
    number = seen.appeal.id
    admin = await person(client, chat, "Boss", "zh-hans")
    await grant(store, admin, RoleName.ADMIN, None)
    [overview] = await chat.say(admin, "/overdue")
    assert overview["text"].splitlines() == [
        "各倡议的逾期认捐：", f"• #{number} 抗疫倡议：2 项逾期"
    ]
    listing = await edited(chat, admin, overview, f"to:{number}:0")
    due = {days: (TODAY + timedelta(days=days)).isoformat() for days in (-2, -1)}
    assert listing["text"].splitlines() == [
        f"倡议 #{number} 抗疫倡议 的逾期认捐（第 1 页）：",
        f"1. 党员丙：资金 1万元，已送达 0元；应于 {due[-2]} 送达",
        f"2. 华星：资金 50万元，已送达 20万元；应于 {due[-1]} 送达",
    ]
    [first, second] = buttons(listing)
    assert first["text"] == "查看 1"
    async with store() as uow:  # the pledge's history, as the pledge service writes it
        await uow.audit.record(AuditEvent(None, "pledge.create", "pledge:" + first[
            "callback_data"].split(":")[-1], None, "1000000 CNY", AT))
        await uow.commit()
    opened = await edited(chat, admin, listing, first["callback_data"])
    lines = opened["text"].splitlines()
    assert lines[1] == f"资金：1万元；已认捐；应于 {due[-2]} 送达"
    assert lines[2:] == [
        "送达记录：", f"• {AT.date().isoformat()}：5,000元（有疑问）",
        "变更记录：", f"• {AT.date().isoformat()} 已认捐 1000000 CNY",
    ]
    [remind, back] = buttons(opened)  # the reminders feature's button, then the way back
    assert (remind["text"], remind["callback_data"]) == (
        "现在再提醒一次", "re:now:" + first["callback_data"].split(":")[-1]
    )
    assert back["text"] == "‹ 返回列表"
    again = await edited(chat, admin, opened, back["callback_data"])
    assert again["text"] == listing["text"]
    # the same list answers the command with the appeal's number
    [direct] = await chat.say(admin, f"/overdue {number}")
    assert direct["text"] == listing["text"]
    assert second["callback_data"].endswith(":0:" + second["callback_data"].split(":")[-1])


async def test_pages_of_eight_turn_both_ways(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    seen = await seed_scenario(store, pledgers())
    async with store() as uow:
        template = next(p for p in await uow.pledges.of_person(pledgers()["华星"])
                        if p.due_date is not None)
        for day in range(10):
            await uow.pledges.add(replace(template, id=0, token=f"late-{day}",
                                          due_date=TODAY - timedelta(days=10 + day),
                                          fulfilments=[]))
        await uow.commit()
    admin = await person(client, chat, "Boss", "en")
    await grant(store, admin, RoleName.ADMIN, None)
    [first] = await chat.say(admin, f"/overdue {seen.appeal.id}")
    assert len(first["text"].splitlines()) == 1 + 8
    assert [b["text"] for b in buttons(first)][-1] == "Later ›"
    second = await edited(chat, admin, first, f"to:{seen.appeal.id}:1")
    assert len(second["text"].splitlines()) == 1 + 4
    assert [b["text"] for b in buttons(second)][-1] == "‹ Earlier"
    oldest = (TODAY - timedelta(days=19)).isoformat()
    assert first["text"].splitlines()[1].endswith(f"due {oldest}")
    answer = await chat.press(admin, admin, second, data=f"to:{seen.appeal.id}:7", forged=True)
    assert answer["text"] == "This button is no longer valid."


async def test_only_coordinators_in_scope_see_overdue_pledges(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    seen = await seed_scenario(store, pledgers())
    number = seen.appeal.id
    co = await person(client, chat, "Co", "en")
    await grant(store, co, RoleName.COORDINATOR, seen.organisations["宣武集团"].id)
    [none] = await chat.say(co, f"/overdue {number}")
    assert none["text"] == f"No pledge of appeal #{number} is overdue."
    async with store() as uow:
        [late] = [p for p in await uow.pledges.of_person(pledgers()["华星"])
                  if p.due_date is not None]
    for data in (f"to:{number}:0:{late.id}", f"to:{number}:0:99999999999999999999",
                 f"to:{number}:0:9999999999999999999"):
        answer = await chat.press(co, co, none, data=data, forged=True)
        assert answer["text"] in ("You may not see this pledge.",
                                  "This button is no longer valid."), data
    member = await person(client, chat, "Mem", "zh-hant")
    await grant(store, member, RoleName.MEMBER, seen.organisations["民主党派"].id)
    for text in (f"/overdue {number}", "/overdue"):
        [refused] = await chat.say(member, text)
        assert refused["text"] == "只有協調員可以查看逾期的認捐。"
    [bad] = await chat.say(co, "/overdue x")
    assert bad["text"] == "Write the appeal's number, e.g. /overdue 12"


def test_another_feature_adds_its_button_to_an_opened_pledge() -> None:
    # the seam the reminders feature uses for "remind now"
    reader = Reader(Person(1, "Co", None, Language.EN, True, "UTC", True, AT), Translations.load())

    def remind_now(reader: Reader, pledge: Pledge) -> InlineKeyboardButton:
        return InlineKeyboardButton("Remind now", callback_data=f"rm:now:{pledge.id}")

    pledge = Pledge(9, "t", 2, PledgeKind.MONEY, 1, None, "", 100, "CNY", None, "", None,
                    False, "", None, None, TODAY, Visibility.NAMED, False, None, None, None, AT)
    appeal = Appeal(1, "抗疫倡议", "", AppealStatus.OPEN, None, "CNY", None, None, 1, AT)
    _, markup = OverdueText(reader, [remind_now]).pledge(appeal, 0, pledge, [])
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [
        ["Remind now"], ["‹ Back to the list"]
    ]


HISTORY = [
    ("pledge.create", None, "100元"),
    ("fulfilment.confirm", "reported", "confirmed"),
    ("pledge.due", "2020-02-20", "2020-02-25"),
    ("reminder.send", None, "before #1"),
    ("pledge.lapse", "pledged", "lapsed"),
    ("pledge.reopen", "lapsed", "pledged"),
]
#: What each reader reads of HISTORY, line by line (after the date).
IN_WORDS = {
    Language.EN: ["pledged 100元", "confirmed receipt reported → confirmed",
                  "changed the due date 2020-02-20 → 2020-02-25", "was reminded before #1",
                  "marked the pledge lapsed pledged → lapsed",
                  "opened the lapsed pledge again lapsed → pledged"],
    Language.ZH_HANS: ["已认捐 100元", "确认收到 已报告 → 已确认",
                       "修改了交付日期 2020-02-20 → 2020-02-25", "已发送提醒 before #1",
                       "将认捐标记为失效 已认捐 → 已失效",
                       "重新开启了失效的认捐 已失效 → 已认捐"],
}


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_HANS, Language.ZH_HANT])
def test_an_opened_pledge_tells_its_history_in_words_not_action_codes(
    language: Language,
) -> None:
    reader = Reader(Person(1, "Co", None, language, True, "UTC", True, AT), Translations.load())
    pledge = Pledge(9, "t", 2, PledgeKind.MONEY, 1, None, "", 100, "CNY", None, "", None,
                    False, "", None, None, TODAY, Visibility.NAMED, False, None, None, None, AT)
    appeal = Appeal(1, "抗疫倡议", "", AppealStatus.OPEN, None, "CNY", None, None, 1, AT)
    history = [AuditEntry(AT, action, "pledge:9", Actor(ActorKind.SYSTEM), before, after)
               for action, before, after in HISTORY]
    text, _ = OverdueText(reader, []).pledge(appeal, 0, pledge, history)
    lines = text.splitlines()
    shown = [line.removeprefix(f"• {AT.date().isoformat()} ")
             for line in lines[lines.index(reader.t("History:")) + 1:]]
    assert not any(code in text for code, _, _ in HISTORY)
    if language is not Language.EN:  # the stored states are in the reader's words too
        assert not any(word in line for line in shown
                       for word in ("reported", "confirmed", "lapsed", "pledged"))
    if language in IN_WORDS:
        assert shown == IN_WORDS[language]
