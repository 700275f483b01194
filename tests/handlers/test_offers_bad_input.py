"""Bad input in offering and matching: a clear answer in the person's language; nothing stored."""

from __future__ import annotations

import pytest

from domain.appeals.models import AppealStatus
from domain.clock import FakeClock
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation
from tests.talk import (
    all_pledges,
    button,
    buttons,
    coordinator_of,
    make_appeal,
    member,
    offer_in_one_line,
    offers_of,
    press_and_read,
)

CLOSED = "倡議 {number} 已結束，不再接受認捐。"


async def _draft(store: SqlUnitOfWorkFactory, person_id: int) -> dict[str, object] | None:
    async with store() as uow:
        dialog = await uow.dialogs.get(person_id)
    return None if dialog is None else dialog.data


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("很多口罩", "zh-hans", "例如"),
        ("lots of masks", "en", "for example"),
        ("N95口罩 0个", "zh-hant", "必須大於零"),
        ("N95口罩 -5个", "en", "more than zero"),
        ("N95口罩 10000000000000个", "en", "too large"),
        ("5万元", "zh-hans", "防护服 300套"),
    ],
)
async def test_unreadable_zero_negative_and_huge_quantities_are_refused(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory,
    text: str, lang: str, expected: str,
) -> None:
    li = await member(client, chat, "Li", lang)
    [refusal] = await chat.say(li, f"/offer {text}")
    assert expected in refusal["text"], refusal["text"]
    assert not buttons(refusal)
    [question] = await chat.say(li, "/offer")
    [again] = await chat.say(li, text)
    assert expected in again["text"], again["text"]
    data = await _draft(store, li)
    assert question["text"] and data is not None and data["item"] is None
    assert await offers_of(store, li) == []


async def test_zero_or_unreadable_price_past_date_and_long_location_are_refused(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    wang = await member(client, chat, "Wang", "zh-hant")
    [terms] = await chat.say(wang, "/offer N95口罩 5000个")
    await press_and_read(chat, wang, terms, "od:terms:price")
    [zero] = await chat.say(wang, "0元")
    assert "必須大於零" in zero["text"] or "零" in zero["text"], zero["text"]
    [unreadable] = await chat.say(wang, "很貴")
    assert unreadable["text"] == "沒能讀出價格。請這樣寫：2萬元、5000元或¥1,000。"
    data = await _draft(store, wang)
    assert data is not None and data["price_minor"] is None
    [_where] = await chat.say(wang, "3万元")
    [long_place] = await chat.say(wang, "倉" * 4096)
    assert long_place["text"] == "地點最多 200 個字元。"
    data = await _draft(store, wang)
    assert data is not None and data["location"] is None
    [_until] = await chat.say(wang, "深圳")
    [past] = await chat.say(wang, "2020-02-01")
    assert past["text"] == "該日期已過。請給出今天或以後的日期。", past["text"]
    [nonsense] = await chat.say(wang, "某天")
    assert "某天" in nonsense["text"]
    data = await _draft(store, wang)
    assert data is not None and data["until_chosen"] is False
    assert await offers_of(store, wang) == []


async def test_match_is_refused_to_members_and_for_unknown_appeals(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="zh-hant")
    li = await member(client, chat, "Li", "zh-hans")
    [refused] = await chat.say(li, "/match")
    assert refused["text"] == "只有协调员可以为供应和需求配对。"
    [unknown] = await chat.say(co, "/match 999")
    assert unknown["text"] == "沒有編號為 999 的倡議。"
    [garbage] = await chat.say(co, "/match abc")
    assert "/match 3" in garbage["text"]
    closed = await make_appeal(store, clock, organisation_id=org, status=AppealStatus.CLOSED)
    [closed_answer] = await chat.say(co, f"/match {closed.id}")
    assert closed_answer["text"] == CLOSED.format(number=closed.id)


async def test_forged_and_stale_accept_buttons_change_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="en")
    appeal = await make_appeal(store, clock, organisation_id=org)
    zhang = await member(client, chat, "Zhang", "zh-hant")
    bob = await member(client, chat, "Bob", "en")
    kept = await offer_in_one_line(chat, store, zhang, "N95口罩 300个")
    gone = await offer_in_one_line(chat, store, zhang, "口罩 200个")
    pairs = await chat.say(co, f"/match {appeal.id}", expect=2)
    datas = [button(p, "ma:")["callback_data"] for p in pairs]
    need = appeal.needs[1].id
    assert datas == [f"ma:{kept.id}:{appeal.id}:{need}", f"ma:{gone.id}:{appeal.id}:{need}"]
    # a member forges the button
    [bobs] = await chat.say(bob, "/myoffers")
    answer = await chat.press(bob, bob, bobs, data=datas[0], forged=True)
    assert answer["text"] == "Only coordinators can match offers with needs."
    garbage = await chat.press(bob, bob, bobs, data="ma:1:1:x'; drop", forged=True)
    assert garbage["text"] == "This button is no longer valid."
    # withdrawn, then already matched, then the appeal closed
    [listing, _other] = await chat.say(zhang, "/myoffers", expect=2)
    await press_and_read(chat, zhang, listing, button(listing, "ow:")["callback_data"])
    answer = await chat.press(co, co, pairs[1], data=datas[1])
    assert answer["text"] == "This offer was withdrawn."
    await chat.press(co, co, pairs[0], data=datas[0])
    await client.wait_for_updates_consumed(timeout=10)
    answer = await chat.press(co, co, pairs[0], data=datas[0])
    assert answer["text"] == "This offer was already accepted for this need."
    assert await all_pledges(store) == 1
    fresh = await offer_in_one_line(chat, store, zhang, "N95口罩 100个")
    [pair] = await chat.say(co, f"/match {appeal.id}")
    async with store() as uow:
        stored = await uow.appeals.get(appeal.id)
        assert stored is not None
        stored.status = AppealStatus.CLOSED
        await uow.appeals.save(stored)
        await uow.commit()
    answer = await chat.press(co, co, pair, data=f"ma:{fresh.id}:{appeal.id}:{need}")
    assert answer["text"] == f"Appeal {appeal.id} is closed and takes no more pledges."
    assert await all_pledges(store) == 1
    async with store() as uow:
        assert await uow.offers.match_for(fresh.id, need) is None
