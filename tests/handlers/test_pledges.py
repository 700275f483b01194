"""Pledging through Telegram: the one-line form, the dialog, deep links, deliveries, inbox."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.appeals.models import appeal_deep_link_payload
from domain.clock import FakeClock
from domain.pledges.models import PledgeKind
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation
from tests.talk import (
    button,
    buttons,
    confirm,
    coordinator_of,
    join,
    last_id,
    make_appeal,
    member,
    pledges_of,
)

Json = dict[str, Any]


async def test_one_line_money_pledge_is_summarised_and_confirmed_once(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    [summary] = await chat.say(li, f"/pledge {appeal.id} 5万元")
    assert "5万元" in summary["text"] or "50,000" in summary["text"], summary["text"]
    assert await pledges_of(store, li) == []
    thanks = await confirm(chat, li, summary)
    assert "#" in thanks["text"]
    [pledge] = await pledges_of(store, li)
    assert pledge.kind is PledgeKind.MONEY
    assert pledge.amount_minor == 5_000_000
    assert pledge.appeal_id == appeal.id


async def test_one_line_goods_pledges_read_item_quantity_and_value(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    wang = await member(client, chat, "Wang", "zh-hant")
    [summary] = await chat.say(wang, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, wang, summary)
    [summary] = await chat.say(wang, f"/pledge {appeal.id} N95口罩 500个 价值2200元")
    assert summary["text"].splitlines()[0] == "你的認捐"
    assert "數量：N95口罩 500個" in summary["text"] and "估計價值：2,200元" in summary["text"]
    thanks = await confirm(chat, wang, summary)
    assert thanks["text"] == "謝謝！你的認捐 #2 已記錄：N95口罩 500個。查看 /mypledges。"
    masks, disinfectant = await pledges_of(store, wang)
    assert (disinfectant.item, disinfectant.quantity, disinfectant.unit) == (
        "消毒液", Decimal(3000), "kg"
    )
    assert disinfectant.need_id == appeal.needs[0].id
    assert (masks.item, masks.quantity, masks.unit) == ("N95口罩", Decimal(500), "piece")
    assert masks.estimated_minor == 220_000
    assert masks.need_id == appeal.needs[1].id


async def test_dialog_in_private_asks_only_what_is_missing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock, recipients=("黄山街道办事处",))
    ann = await member(client, chat, "Ann", "en")
    [question] = await chat.say(ann, "/pledge")
    step = question
    for data in (f"pd:appeal:{appeal.id}", "pd:kind:goods", f"pd:need:{appeal.needs[0].id}"):
        after = int(step["message_id"])
        await chat.press(ann, ann, step, data=data)
        [step] = await chat.next_messages(ann, 1, after)
    [step] = await chat.say(ann, "三千公斤")
    for prefix in ("pd:value:skip", "pd:earmark:", "pd:due:deadline", "pd:visibility:named"):
        after = int(step["message_id"])
        await chat.press(ann, ann, step, data=button(step, prefix)["callback_data"])
        [step] = await chat.next_messages(ann, 1, after)
    thanks = await confirm(chat, ann, step)
    assert thanks["text"] == (
        "Thank you! Your pledge #1 is recorded: 消毒液 3,000 kg. See /mypledges."
    )
    [pledge] = await pledges_of(store, ann)
    assert pledge.quantity == Decimal(3000) and pledge.item == "消毒液"
    assert pledge.due_date == date(2020, 2, 29)
    assert pledge.earmark_recipient_id == appeal.recipients[0].id


async def test_deep_link_remembers_appeal_and_source_group(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    group = await client.create_group("工商联群", members=[li])
    payload = appeal_deep_link_payload(appeal.id, int(group["id"]))
    [question] = await chat.say(li, f"/start {payload}")
    assert question["text"].startswith("抗疫倡议\n你想捐什么？")
    after = int(question["message_id"])
    await chat.press(li, li, question, data="pd:kind:money")
    [step] = await chat.next_messages(li, 1, after)
    [step] = await chat.say(li, "5000元")
    while not any(b["callback_data"].startswith("pd:ok:") for b in buttons(step)):
        after = int(step["message_id"])
        await chat.press(li, li, step, data=buttons(step)[0]["callback_data"])
        [step] = await chat.next_messages(li, 1, after)
    await confirm(chat, li, step)
    [pledge] = await pledges_of(store, li)
    assert pledge.appeal_id == appeal.id
    assert pledge.source_chat_id == group["id"]
    assert pledge.amount_minor == 500_000


async def test_deliveries_notify_the_coordinator_who_confirms_until_received(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="zh-hant")
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", "zh-hans")
    await join(store, li, org)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, li, summary)
    [listing] = await chat.say(li, "/mypledges")
    after = int(listing["message_id"])
    await chat.press(li, li, listing, data=button(listing, "pm:part:")["callback_data"])
    [_question] = await chat.next_messages(li, 1, after)
    seen = await last_id(client, co)
    [recorded] = await chat.say(li, "1000公斤")
    assert recorded["text"] == "已记录：认捐 #1 送达 1000公斤。状态：部分送达。"
    [notice] = await chat.next_messages(co, 1, seen)
    assert "1000公斤" in notice["text"] and "請確認" in notice["text"]
    assert [b["text"] for b in buttons(notice)] == ["確認收到", "提出疑問"]
    [pledge] = await pledges_of(store, li)
    assert pledge.status.value == "partial"
    [_inbox] = await chat.say(co, "/inbox")
    told_after = await last_id(client, li)
    done = await chat.press(co, co, notice, data=buttons(notice)[0]["callback_data"])
    assert done["text"] == "認捐 #1 現在：部分送達。"
    [_told] = await chat.next_messages(li, 1, told_after)  # the member hears of it
    [listing] = await chat.say(li, "/mypledges")
    after = int(listing["message_id"])
    seen = await last_id(client, co)
    await chat.press(li, li, listing, data=button(listing, "pm:all:")["callback_data"])
    [_recorded] = await chat.next_messages(li, 1, after)
    [pledge] = await pledges_of(store, li)
    assert pledge.status.value == "delivered"
    clock.advance(timedelta(seconds=5))  # the sender keeps a second between two to one chat
    [notice] = await chat.next_messages(co, 1, seen)
    assert "2000公斤" in notice["text"]
    await chat.press(co, co, notice, data=buttons(notice)[0]["callback_data"])
    await client.wait_for_updates_consumed(timeout=10)
    [pledge] = await pledges_of(store, li)
    assert pledge.status.value == "received"


async def test_cancel_with_a_reason(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    [summary] = await chat.say(li, f"/pledge {appeal.id} 5万元")
    await confirm(chat, li, summary)
    [listing] = await chat.say(li, "/mypledges")
    after = int(listing["message_id"])
    await chat.press(li, li, listing, data=button(listing, "pm:cancel:")["callback_data"])
    [_question] = await chat.next_messages(li, 1, after)
    [_done] = await chat.say(li, "资金已另行捐出")
    [pledge] = await pledges_of(store, li)
    assert pledge.cancelled and pledge.cancel_reason == "资金已另行捐出"


async def test_change_the_delivery_date_and_report_with_a_proof(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, li, summary)
    [listing] = await chat.say(li, "/mypledges")
    await chat.press(li, li, listing, data=button(listing, "pm:due:")["callback_data"])
    [question] = await chat.next_messages(li, 1, int(listing["message_id"]))
    assert "什么时候" in question["text"]
    [past] = await chat.say(li, "2020-02-01")
    assert past["text"] == "该日期已过。请给出今天或以后的日期。", past["text"]
    [moved] = await chat.say(li, "2020-03-05")
    assert "2020-03-05" in moved["text"]
    [pledge] = await pledges_of(store, li)
    assert pledge.due_date == date(2020, 3, 5)
    # a proof photo without an amount is refused, with one it is stored
    [listing] = await chat.say(li, "/mypledges")
    await chat.press(li, li, listing, data=button(listing, "pm:part:")["callback_data"])
    [question] = await chat.next_messages(li, 1, int(listing["message_id"]))
    after = int(question["message_id"])
    await client.send_photo(li, data=b"\x89PNG fake")
    [refusal] = await chat.next_messages(li, 1, after)
    assert "说明" in refusal["text"] or "caption" in refusal["text"] or "1000公斤" in refusal[
        "text"
    ], refusal["text"]
    after = await last_id(client, li)
    await client.send_document(li, caption="1000公斤", data=b"%PDF-1.4 receipt")
    [recorded] = await chat.next_messages(li, 1, after)
    assert "1000公斤" in recorded["text"]
    [pledge] = await pledges_of(store, li)
    [fulfilment] = pledge.fulfilments
    assert fulfilment.proof_file_id and fulfilment.quantity == Decimal(1000)
