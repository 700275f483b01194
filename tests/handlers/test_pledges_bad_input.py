"""Bad input while pledging: each gets a clear answer in the person's language; nothing stored."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from domain.appeals.models import AppealStatus
from domain.clock import FakeClock
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import (
    all_pledges,
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


async def _dialog_rows(store: SqlUnitOfWorkFactory, person_id: int) -> dict[str, object] | None:
    async with store() as uow:
        dialog = await uow.dialogs.get(person_id)
    return None if dialog is None else dialog.data


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("很多钱", "zh-hans", "例如"),
        ("很多錢", "zh-hant", "例如"),
        ("lots of money", "en", "for example"),
        ("0元", "zh-hans", "0元"),
        ("-5元", "zh-hant", "-5元"),
        ("10000000000000元", "en", "too large"),
        ("0.001元", "zh-hans", "0.001元"),
    ],
)
async def test_unreadable_zero_negative_huge_and_overprecise_amounts_are_refused(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    text: str, lang: str, expected: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [refusal] = await chat.say(li, f"/pledge {appeal.id} {text}")
    assert expected in refusal["text"]
    assert not buttons(refusal)
    assert await all_pledges(store) == 0


async def test_refusals_are_in_the_persons_script(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    hans = await member(client, chat, "Li", "zh-hans")
    hant = await member(client, chat, "Wang", "zh-hant")
    [simplified] = await chat.say(hans, f"/pledge {appeal.id} 很多钱")
    [traditional] = await chat.say(hant, f"/pledge {appeal.id} 很多錢")
    assert simplified["text"].startswith("没能读出数额。")
    assert "500元" in simplified["text"] and "5万元" in simplified["text"]
    assert traditional["text"].startswith("沒能讀出數額。"), traditional["text"]
    [closed] = await chat.say(hant, "/pledge 999 5万元")
    assert closed["text"] == "沒有編號為 999 的倡議。"
    assert await all_pledges(store) == 0


async def test_unit_that_does_not_fit_the_need_is_refused(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    [refusal] = await chat.say(li, f"/pledge {appeal.id} N95口罩 30公斤")
    assert refusal["text"] == "“公斤”不适用于这项需求，它以“个”计量。", refusal["text"]
    # the same in the dialog: the need is counted in pieces
    [question] = await chat.say(li, f"/pledge {appeal.id}")
    await chat.press(li, li, question, data="pd:kind:goods")
    [need] = await chat.next_messages(li, 1, int(question["message_id"]))
    await chat.press(li, li, need, data=f"pd:need:{appeal.needs[1].id}")
    await chat.next_messages(li, 1, int(need["message_id"]))
    [refusal] = await chat.say(li, "3000公斤")
    assert "公斤" in refusal["text"] and not buttons(refusal)
    data = await _dialog_rows(store, li)
    assert data is not None and data["quantity"] is None
    assert await all_pledges(store) == 0


async def test_past_and_unreadable_dates_are_refused(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    ann = await member(client, chat, "Ann", "en")
    [question] = await chat.say(ann, "/pledge")
    await chat.press(ann, ann, question, data="pd:appeal:0")
    [kind] = await chat.next_messages(ann, 1, int(question["message_id"]))
    await chat.press(ann, ann, kind, data="pd:kind:money")
    await chat.next_messages(ann, 1, int(kind["message_id"]))
    [due] = await chat.say(ann, "500元")
    assert "When will it be delivered" in due["text"]
    [past] = await chat.say(ann, "2020-01-01")
    assert past["text"] == "That date has passed. Please give today or a later date."
    [garbled] = await chat.say(ann, "sometime soonish maybe")
    assert garbled["text"].startswith("I could not read that date.")
    data = await _dialog_rows(store, ann)
    assert data is not None and data["due"] is None and data["due_chosen"] is False
    [visibility] = await chat.say(ann, "2020-03-01")
    assert "How may your pledge be shown" in visibility["text"]
    assert await all_pledges(store) == 0


async def test_closed_and_unknown_appeals_take_no_pledges(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    closed = await make_appeal(store, clock, status=AppealStatus.CLOSED)
    li = await member(client, chat, "Li", "zh-hans")
    [refusal] = await chat.say(li, f"/pledge {closed.id} 5万元")
    assert refusal["text"] == f"倡议 {closed.id} 已结束，不再接受认捐。"
    [unknown] = await chat.say(li, "/pledge 4242 5万元")
    assert unknown["text"] == "没有编号为 4242 的倡议。"
    [link] = await chat.say(li, f"/start a{closed.id}_m100")
    assert link["text"] == refusal["text"]
    # an appeal closed while the person was still answering: confirm is refused
    appeal = await make_appeal(store, clock)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 5万元")
    async with store() as uow:
        stored = await uow.appeals.get(appeal.id)
        assert stored is not None
        stored.status = AppealStatus.CLOSED
        await uow.appeals.save(stored)
        await uow.commit()
    answer = await chat.press(li, li, summary, data=button(summary, "pd:ok:")["callback_data"])
    assert answer["text"] == f"倡议 {appeal.id} 已结束，不再接受认捐。"
    assert await all_pledges(store) == 0


async def test_delivery_larger_than_open_is_recorded_flagged_and_put_to_the_coordinator(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="en")
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", "zh-hans")
    await join(store, li, org)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, li, summary)
    [listing] = await chat.say(li, "/mypledges")
    await chat.press(li, li, listing, data=button(listing, "pm:part:")["callback_data"])
    await chat.next_messages(li, 1, int(listing["message_id"]))
    [wrong_unit] = await chat.say(li, "50箱")
    assert wrong_unit["text"] == "“箱”不适用于这项认捐，它以“公斤”计量。"
    seen = await last_id(client, co)
    [recorded] = await chat.say(li, "5吨")
    assert "5,000公斤" in recorded["text"] or "5000公斤" in recorded["text"], recorded["text"]
    assert "超过" in recorded["text"]
    [pledge] = await pledges_of(store, li)
    assert pledge.over_delivered and pledge.fulfilments[0].over
    assert pledge.fulfilments[0].quantity == Decimal(5000)
    [notice] = await chat.next_messages(co, 1, seen)
    assert "more than was still open" in notice["text"]
    assert [b["text"] for b in buttons(notice)] == ["Confirm receipt", "Question it"]
    await chat.press(co, co, notice, data=button(notice, "pf:q:")["callback_data"])
    await client.wait_for_updates_consumed(timeout=10)
    await chat.say(co, "Five tonnes? The order was three.")
    [pledge] = await pledges_of(store, li)
    assert pledge.status.value == "pledged" and pledge.open_measure == Decimal(3000)


async def test_forged_replayed_and_stale_presses_for_another_persons_pledge_change_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="en")
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", "zh-hans")
    await join(store, li, org)
    bob = await member(client, chat, "Bob", "zh-hant")
    await chat.say(ADMIN_ID, "/grant @li member 红十字会")  # the appeal is its members'
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    token_data = button(summary, "pd:ok:")["callback_data"]
    [bobs] = await chat.say(bob, "/mypledges")
    # Bob forges Li's confirm, Li's delivery report and Li's cancel
    answer = await chat.press(bob, bob, bobs, data=token_data, forged=True)
    assert answer["text"] == "此按鈕已失效。"
    assert await all_pledges(store) == 0
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    for data in (f"pm:all:{pledge.id}", f"pm:part:{pledge.id}", f"pm:cancel:{pledge.id}"):
        answer = await chat.press(bob, bob, bobs, data=data, forged=True)
        assert answer["text"] == "你沒有這個編號的認捐。", data
    answer = await chat.press(bob, bob, bobs, data=token_data, forged=True)
    assert answer["text"] == "此按鈕已失效。"
    # Bob is no coordinator: confirming Li's delivery is refused
    [listing] = await chat.say(li, "/mypledges")
    seen = await last_id(client, co)
    await chat.press(li, li, listing, data=button(listing, "pm:all:")["callback_data"])
    [notice] = await chat.next_messages(co, 1, seen)
    review = button(notice, "pf:ok:")["callback_data"]
    answer = await chat.press(bob, bob, bobs, data=review, forged=True)
    assert answer["text"] == "只有負責該範圍的協調員可以確認送達。"
    garbage = await chat.press(bob, bob, bobs, data="pm:all:x'; drop", forged=True)
    assert garbage["text"] == "此按鈕已失效。"
    # stale: Li presses the old "delivered all" again; the replayed notice press changes nothing
    answer = await chat.press(li, li, listing, data=button(listing, "pm:all:")["callback_data"])
    assert answer["text"] == "这项认捐已全部报告送达。"
    await chat.press(co, co, notice, data=review)
    answer = await chat.press(co, co, notice, data=review, forged=True)  # its button is gone
    assert answer["text"] == "This delivery report was already answered."
    [pledge] = await pledges_of(store, li)
    assert len(pledge.fulfilments) == 1 and pledge.status.value == "received"
    assert not pledge.cancelled


async def test_a_4096_character_description_is_refused(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    ann = await member(client, chat, "Ann", "zh-hant")
    [question] = await chat.say(ann, "/pledge")
    await chat.press(ann, ann, question, data="pd:appeal:0")
    [kind] = await chat.next_messages(ann, 1, int(question["message_id"]))
    await chat.press(ann, ann, kind, data="pd:kind:service")
    await chat.next_messages(ann, 1, int(kind["message_id"]))
    [refusal] = await chat.say(ann, "免" * 4096)
    assert refusal["text"] == "描述最多 1000 個字元。", refusal["text"]
    data = await _dialog_rows(store, ann)
    assert data is not None and data["description"] is None
    [long_line] = await chat.say(ann, "/pledge " + "口" * 4000)
    assert "例如" in long_line["text"]
    assert await all_pledges(store) == 0


async def test_double_tap_and_two_devices_create_one_pledge(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    [summary] = await chat.say(li, f"/pledge {appeal.id} 5万元")
    ok = button(summary, "pd:ok:")["callback_data"]
    after = int(summary["message_id"])
    # the second press comes from another device that still shows the old keyboard
    first, second = await asyncio.gather(
        client.press_button(li, li, after, callback_data=ok),
        client.press_button(li, li, after, callback_data=ok, forged=True),
    )
    await client.wait_for_callback_answer(first, timeout=10)
    await client.wait_for_callback_answer(second, timeout=10)
    await client.wait_for_updates_consumed(timeout=10)
    assert len(await pledges_of(store, li)) == 1
    # a third tap later, from "another device": it says so, no second thank-you, none added
    again = await chat.press(li, li, summary, data=ok, forged=True)
    assert again["text"] == "你的认捐 #1 已经记录。"
    await client.wait_for_updates_consumed(timeout=10)
    thanks = [m for m in await client.bot_messages(li, after) if "#1" in m["text"]]
    assert len(thanks) == 1
    assert len(await pledges_of(store, li)) == 1
    clock.advance(timedelta(seconds=1))
