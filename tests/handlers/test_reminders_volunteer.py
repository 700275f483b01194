"""After a volunteer's shift, "did it happen?": yes as pledged, yes with other hours (asked,
validated: more than 0, at most 24 a day of the shift), or no; in the volunteer's language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.clock import FakeClock
from domain.pledges.models import PledgeKind, PledgeStatus
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation, Json
from tests.talk import (
    buttons,
    last_id,
    member,
    pledges_of,
    press_and_read,
    volunteer_pledge,
)

#: The day after the shift (25 February 2020), 10:00 in Shanghai.
DAY_AFTER = datetime(2020, 2, 26, 2, 0, tzinfo=UTC)
ASKED = {
    "en": ("Pledge #1: did your volunteering on 2020-02-25 happen?",
           ["Yes, 8 hours", "Yes, other hours", "No, it did not"],
           "How many hours did it take? For example 6, 2.5 or 两小时."),
    "zh-hans": ("认捐 #1：你 2月25日的志愿服务完成了吗？",
                ["是，8小时", "是，但时长不同", "没有"],
                "实际用了多少小时？例如 6、2.5 或 两小时。"),
    "zh-hant": ("認捐 #1：你 2月25日的志願服務完成了嗎？",
                ["是，8小時", "是，但時長不同", "沒有"],
                "實際用了多少小時？例如 6、2.5 或 兩小時。"),
}
REFUSED = {
    "en": "Please write the hours it took, more than 0 and at most 24, e.g. 6, 2.5 or 两小时.",
    "zh-hans": "请写实际用的小时数：大于 0，最多 24，例如 6、2.5 或 两小时。",
    "zh-hant": "請寫實際用的小時數：大於 0，最多 24，例如 6、2.5 或 兩小時。",
}
RECORDED = {
    "en": "Recorded: 2.5 hours delivered for pledge #1. Status: partially delivered.",
    "zh-hans": "已记录：认捐 #1 送达 2.5小时。状态：部分送达。",
    "zh-hant": "已記錄：認捐 #1 送達 2.5小時。狀態：部分送達。",
}


async def volunteered(
    client: SandboxClient, chat: Conversation, clock: FakeClock, lang: str
) -> tuple[int, Json]:
    """A volunteer's pledge of 8 hours on 25 February, and its "did it happen?" reminder."""
    ann = await member(client, chat, "Ann", lang)
    await volunteer_pledge(chat, ann, "Sorting donations at the Hankou warehouse", "8 hours",
                           "2020-02-25")
    seen = await last_id(client, ann)
    clock.set(DAY_AFTER)
    [asked] = await chat.next_messages(ann, 1, seen)
    return ann, asked


@pytest.mark.parametrize("lang", ["en", "zh-hans", "zh-hant"])
async def test_yes_with_other_hours_is_asked_checked_and_recorded_as_the_delivery(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    ann, asked = await volunteered(client, chat, clock, lang)
    text, labels, question_text = ASKED[lang]
    assert asked["text"] == text, asked["text"]
    assert [b["text"] for b in buttons(asked)] == labels
    assert [b["callback_data"] for b in buttons(asked)] == ["rm:all:1", "rm:hours:1", "rm:no:1"]
    question = await press_and_read(chat, ann, asked, "rm:hours:1")
    assert question["text"] == question_text, question["text"]
    for bad in ("0", "-1", "25", "1e3", "NaN", "Infinity", "many", "2 days", "9" * 40):
        [refused] = await chat.say(ann, bad)
        assert refused["text"] == REFUSED[lang], (bad, refused["text"])
    [pledge] = await pledges_of(store, ann)
    assert pledge.fulfilments == []  # nothing was kept
    [recorded] = await chat.say(ann, "2.5小时" if lang != "en" else "2.5")
    assert recorded["text"] == RECORDED[lang], recorded["text"]
    [pledge] = await pledges_of(store, ann)
    assert [f.quantity for f in pledge.fulfilments] == [Decimal("2.5")]
    assert pledge.status is PledgeStatus.PARTIAL


async def test_other_hours_in_words_and_only_on_ones_own_volunteer_pledge(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    ann, asked = await volunteered(client, chat, clock, "zh-hans")
    # someone else, and a pledge of goods, cannot open the question
    bo = await member(client, chat, "Bo", "en")
    [own] = await chat.say(bo, "/reminders")
    refused = await chat.press(bo, bo, own, data="rm:hours:1", forged=True)
    assert refused["text"] == "You have no pledge with that number.", refused
    [volunteering] = await pledges_of(store, ann)
    async with store() as uow:  # a pledge of goods of hers as well
        await uow.pledges.add(replace(
            volunteering, id=0, token="goods", kind=PledgeKind.GOODS, item="消毒液",
            quantity=Decimal(3000), unit="kg", description="", due_date=None,  # not reminded
        ))
        await uow.commit()
    forged = await chat.press(ann, ann, asked, data="rm:hours:2", forged=True)
    assert forged["text"] == "此按钮已失效。", forged
    question = await press_and_read(chat, ann, asked, "rm:hours:1")
    assert question["text"].startswith("实际用了多少小时？"), question["text"]
    [recorded] = await chat.say(ann, "十小时")
    assert recorded["text"].startswith("已记录：认捐 #1 送达 10小时。状态：已送达。"), recorded
    [pledge, _goods] = sorted(await pledges_of(store, ann), key=lambda p: p.id)
    assert [f.quantity for f in pledge.fulfilments] == [Decimal(10)]
    assert pledge.over_delivered
