"""Issue 9, money and quantities read right: each marker and measure where it was written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.appeals.models import Appeal, AppealStatus, Need
from domain.clock import FakeClock
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import button, confirm, make_appeal, member, pledges_of


@pytest.mark.parametrize(
    ("lang", "quantity", "value"),
    [("zh-hans", "N95口罩 300个", "2万余元"), ("en", "N95口罩 300 pieces", "¥20,000+")],
)
async def test_an_approximate_value_does_not_make_the_quantity_approximate(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    lang: str,
    quantity: str,
    value: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [summary] = await chat.say(li, f"/pledge {appeal.id} N95口罩 300个 价值2万余元")
    assert quantity in summary["text"], summary["text"]
    assert value in summary["text"], summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert (pledge.approximate, pledge.estimated_approximate) == (False, True)
    assert pledge.estimated_minor == 2_000_000


@pytest.mark.parametrize(
    ("lang", "line", "shown", "unit"),
    [
        ("zh-hans", "棉衣 500件", "棉衣 500件", "jian"),
        ("zh-hans", "N95口罩 5000只", "N95口罩 5000只", "zhi"),
        ("zh-hans", "帐篷 200顶", "帐篷 200顶", "ding"),
        ("zh-hant", "發電機 3臺", "發電機 3台", "tai"),
        ("zh-hant", "棉被 300床", "棉被 300床", "chuang"),
        ("zh-hant", "救護車 2輛", "救護車 2輛", "liang"),
        ("en", "冲锋舟 5艘", "冲锋舟 5 boats", "sou"),
    ],
)
async def test_measure_words_stay_as_written(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    lang: str,
    line: str,
    shown: str,
    unit: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [summary] = await chat.say(li, f"/pledge {appeal.id} {line}")
    assert shown in summary["text"], summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert pledge.unit == unit


@pytest.mark.parametrize(
    ("lang", "line", "value"),
    [
        ("zh-hans", "N95口罩 5000个 每个1.5元", "估计价值：7,500元"),
        ("en", "N95口罩 5000 pcs 1.5 yuan each", "¥7,500"),
    ],
)
async def test_a_price_per_piece_is_stored_and_shown_as_the_total(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    lang: str,
    line: str,
    value: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [summary] = await chat.say(li, f"/pledge {appeal.id} {line}")
    assert value in summary["text"], summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert (pledge.quantity, pledge.estimated_minor) == (5000, 750_000)


@pytest.mark.parametrize(("lang", "words"), [("zh-hans", "单价"), ("en", "price per piece")])
async def test_a_price_per_piece_without_quantity_is_refused(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    lang: str,
    words: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [answer] = await chat.say(li, f"/pledge {appeal.id} 每个1.5元")
    assert words in answer["text"], answer["text"]
    assert await pledges_of(store, li) == []


@pytest.mark.parametrize(
    ("lang", "passed", "past"),
    [("zh-hans", "今年已经过去", "该日期已过"), ("en", "already passed", "has passed")],
)
async def test_a_date_just_passed_is_asked_back_and_yesterday_is_in_the_past(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    lang: str,
    passed: str,
    past: str,
) -> None:
    appeal = await make_appeal(store, clock)  # the clock reads 2020-02-19
    li = await member(client, chat, "Li", lang)
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    money = next(
        b for row in kind["reply_markup"]["inline_keyboard"] for b in row
        if b["callback_data"].startswith("pd:kind:money")
    )  # fmt: skip
    await chat.press(li, li, kind, data=money["callback_data"])
    await chat.next_messages(li, 1, int(kind["message_id"]))
    [due] = await chat.say(li, "500元")
    assert "pd:due:" in str(due.get("reply_markup")), due["text"]
    [asked] = await chat.say(li, "2月1日")
    assert passed in asked["text"] and "2021-02-01" in asked["text"], asked["text"]
    [refused] = await chat.say(li, "昨天")
    assert past in refused["text"], refused["text"]
    assert await pledges_of(store, li) == []


async def test_a_bare_quantity_pledges_to_the_one_need_in_its_unit(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)  # 消毒液 in kg, N95口罩 in pieces
    li = await member(client, chat, "Li", "zh-hans")
    [summary] = await chat.say(li, f"/pledge {appeal.id} 3000公斤")
    assert "消毒液 3000公斤" in summary["text"], summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert (pledge.need_id, pledge.item) == (appeal.needs[0].id, "消毒液")


async def test_a_bare_quantity_with_several_needs_in_its_unit_asks_which(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = Appeal(
        id=0, title="救灾", body="请支援", status=AppealStatus.OPEN, deadline=date(2020, 2, 29),
        currency="CNY", money_target_minor=None, organisation_id=None, created_by=ADMIN_ID,
        created_at=clock.now(),
        needs=[Need(0, 0, "大米", "rice", "kg", Decimal(5000)),
               Need(0, 0, "面粉", "面粉", "kg", Decimal(3000))],
        recipients=[],
    )  # fmt: skip
    async with store() as uow:
        appeal = await uow.appeals.add(appeal)
        await uow.commit()
    sam = await member(client, chat, "Sam", "en")
    [which] = await chat.say(sam, f"/pledge {appeal.id} 3000公斤")
    flour = button(which, f"pd:need:{appeal.needs[1].id}")
    await chat.press(sam, sam, which, data=flour["callback_data"])
    [summary] = await chat.next_messages(sam, 1, int(which["message_id"]))
    assert "面粉 3,000 kg" in summary["text"], summary["text"]
    await confirm(chat, sam, summary)
    [pledge] = await pledges_of(store, sam)
    assert (pledge.need_id, pledge.item, pledge.quantity) == (appeal.needs[1].id, "面粉", 3000)


@pytest.mark.parametrize(
    ("lang", "line", "words"),
    [
        ("zh-hans", "5万元给第一人民医院", "还写了给谁"),
        ("en", "5万元给第一人民医院", "whom it is for"),
        ("zh-hant", "-500元", "必須大於零"),
        ("en", "N95口罩 -500个", "must be more than zero"),
    ],
)
async def test_a_refusal_names_the_real_reason(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    lang: str,
    line: str,
    words: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [answer] = await chat.say(li, f"/pledge {appeal.id} {line}")
    assert words in answer["text"], answer["text"]
    assert "For goods write a quantity" not in answer["text"]
    assert await pledges_of(store, li) == []


@pytest.mark.parametrize(
    ("lang", "said", "hours"),
    [("zh-hans", "每天8小时，连续10天", "80小时"), ("en", "8 hours a day for 10 days", "80 hours")],
)
async def test_volunteer_time_per_day_is_read_as_its_total_and_days_are_asked_back(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    lang: str,
    said: str,
    hours: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [kind] = await chat.say(li, f"/pledge {appeal.id}")
    await chat.press(li, li, kind, data=button(kind, "pd:kind:volunteer")["callback_data"])
    await chat.next_messages(li, 1, int(kind["message_id"]))
    await chat.say(li, "物资分拣")
    [asked] = await chat.say(li, "two afternoons")
    assert "8小时" in asked["text"] and "pd:due:" not in str(asked.get("reply_markup"))
    [due] = await chat.say(li, said)
    assert "pd:due:" in str(due.get("reply_markup")), due["text"]
    [visibility] = await chat.say(li, "2020-02-25")
    named = button(visibility, "pd:visibility:named")
    await chat.press(li, li, visibility, data=named["callback_data"])
    [summary] = await chat.next_messages(li, 1, int(visibility["message_id"]))
    assert hours in summary["text"], summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert (pledge.quantity, pledge.unit) == (80, "hour")
