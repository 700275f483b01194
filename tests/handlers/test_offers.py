"""Supply offers through Telegram: the dialog, the one-line form, /myoffers, /match, accept."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.clock import FakeClock
from domain.offers.models import OfferStatus, OfferTerms
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation
from tests.talk import (
    button,
    buttons,
    coordinator_of,
    last_id,
    make_appeal,
    member,
    offer_in_one_line,
    offers_of,
    pledges_of,
    press_and_read,
)

Json = dict[str, Any]


async def test_the_dialog_asks_each_question_and_stores_the_offer_once(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    ann = await member(client, chat, "Ann", "en")
    [question] = await chat.say(ann, "/offer")
    assert question["text"].startswith("What do you offer?")
    [terms] = await chat.say(ann, "N95口罩 5000个")
    assert [b["text"] for b in buttons(terms)] == ["Free", "At cost", "At a price"]
    price = await press_and_read(chat, ann, terms, "od:terms:price")
    assert price["text"].startswith("What price")
    [where] = await chat.say(ann, "2万元")
    assert where["text"].startswith("Where are the goods?")
    [until] = await chat.say(ann, "武汉市江汉区 仓库3号")
    assert until["text"].startswith("Until when")
    [summary] = await chat.say(ann, "2020-03-15")
    assert summary["text"].splitlines() == [
        "Your offer",
        "Item: N95口罩 5,000 pieces",
        "Terms: At a price (¥20,000)",
        "Location: 武汉市江汉区 仓库3号",
        "Available until: 2020-03-15",
    ]
    assert await offers_of(store, ann) == []
    ok = button(summary, "od:ok:")["callback_data"]
    thanks = await press_and_read(chat, ann, summary, ok)
    assert thanks["text"] == (
        "Thank you! Your offer #1 is recorded: N95口罩 5,000 pieces. Coordinators will "
        "match it with needs. See /myoffers."
    )
    # a second tap (the buttons are gone; a client may still show them) stores nothing more
    await chat.press(ann, ann, summary, data=ok, forged=True)
    await client.wait_for_updates_consumed(timeout=10)
    [offer] = await offers_of(store, ann)
    assert (offer.item, offer.quantity, offer.unit) == ("N95口罩", Decimal(5000), "piece")
    assert (offer.terms, offer.price_minor, offer.currency) == (OfferTerms.PRICE, 2_000_000, "CNY")
    assert offer.location == "武汉市江汉区 仓库3号"
    assert offer.available_until == date(2020, 3, 15)
    async with store() as uow:
        assert await uow.dialogs.get(ann) is None


async def test_one_line_form_jumps_to_the_remaining_questions_and_cancel_stops(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    [terms] = await chat.say(li, "/offer 防护服 300套")
    assert terms["text"].startswith("以什么条件提供？")
    where = await press_and_read(chat, li, terms, "od:terms:free")
    assert where["text"].startswith("物资在哪里？")
    [until] = await chat.say(li, "深圳")
    summary = await press_and_read(chat, li, until, "od:until:none")
    assert "物资：防护服 300套" in summary["text"] and "条件：免费" in summary["text"]
    assert "供应截至：不限日期" in summary["text"]
    [cancelled] = await chat.say(li, "/cancel")
    assert cancelled["text"] == "已取消。没有保存任何内容。" or "取消" in cancelled["text"]
    answer = await chat.press(li, li, summary, data=button(summary, "od:ok:")["callback_data"])
    assert answer["text"] == "此按钮已失效。"
    assert await offers_of(store, li) == []


async def test_offers_are_listed_to_their_owner_and_withdrawable(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    wang = await member(client, chat, "Wang", "zh-hant")
    [empty] = await chat.say(wang, "/myoffers")
    assert empty["text"] == "你還沒有供應。發送 /offer。"
    offer = await offer_in_one_line(chat, store, wang, "disinfectant 2 t")
    assert (offer.item, offer.quantity, offer.unit) == ("disinfectant", Decimal(2), "t")
    [listing] = await chat.say(wang, "/offer list")
    assert listing["text"].splitlines()[0] == f"#{offer.id} disinfectant 2噸"
    assert "狀態：開放" in listing["text"]
    done = await press_and_read(chat, wang, listing, f"ow:{offer.id}")
    assert done["text"] == f"供應 #{offer.id} 已撤回。"
    answer = await chat.press(wang, wang, listing, data=f"ow:{offer.id}")
    assert answer["text"] == "該供應已不再開放。"
    [listing] = await chat.say(wang, "/myoffers")
    assert "狀態：已撤回" in listing["text"] and not buttons(listing)
    [stored] = await offers_of(store, wang)
    assert stored.status is OfferStatus.WITHDRAWN


async def test_a_coordinator_matches_an_offer_and_the_offerer_is_told(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="en")
    appeal = await make_appeal(store, clock, organisation_id=org)
    zhang = await member(client, chat, "Zhang", "zh-hant")
    offer = await offer_in_one_line(chat, store, zhang, "masks 12000 pieces")
    [nothing] = await chat.say(co, "/match 999")
    assert nothing["text"] == "There is no appeal number 999."
    [pair] = await chat.say(co, f"/match {appeal.id}")
    need = appeal.needs[1]
    assert pair["text"].splitlines() == [
        f"Offer #{offer.id}: masks 12,000 pieces",
        "Terms: Free",
        "Location: 武汉市江汉区",
        "From: Zhang",
        f"Need: N95口罩 for appeal #{appeal.id} 抗疫倡议, still lacking 10,000 pieces",
    ]
    accept = button(pair, "ma:")["callback_data"]
    assert accept == f"ma:{offer.id}:{appeal.id}:{need.id}"
    seen = await last_id(client, zhang)
    after = await last_id(client, co)
    first, second = await asyncio.gather(
        client.press_button(co, co, int(pair["message_id"]), callback_data=accept),
        client.press_button(co, co, int(pair["message_id"]), callback_data=accept),
    )
    await client.wait_for_callback_answer(first, timeout=10)
    await client.wait_for_callback_answer(second, timeout=10)
    [accepted] = await chat.next_messages(co, 1, after)
    assert accepted["text"] == (
        f"Accepted: offer #{offer.id} is now pledge #1 for N95口罩: 10,000 pieces. "
        "The offerer is told."
    )
    [notice] = await chat.next_messages(zhang, 1, seen)
    assert notice["text"] == (
        f"好消息：你的供應 #{offer.id}（masks）已被倡議 #{appeal.id} 抗疫倡议 接受，"
        "現記為你的認捐 #1：N95口罩 10000個。送達後請在 /mypledges 中報告。"
    )
    [pledge] = await pledges_of(store, zhang)
    assert (pledge.need_id, pledge.quantity, pledge.unit) == (need.id, Decimal(10000), "piece")
    assert pledge.source_chat_id is None and pledge.kind.value == "goods"
    [left] = await offers_of(store, zhang)
    assert left.remaining == Decimal(2000) and left.status is OfferStatus.OPEN
    [covered] = await chat.say(co, f"/match {appeal.id}")
    assert covered["text"] == "No open offer matches an unmet need right now."


async def offer_until(chat: Conversation, user_id: int, until: str) -> Json:
    """`/offer masks 12000 pieces`, free, in 武汉, available until `until`: the summary."""
    [terms] = await chat.say(user_id, "/offer masks 12000 pieces")
    await press_and_read(chat, user_id, terms, "od:terms:free")
    await chat.say(user_id, "武汉")
    [summary] = await chat.say(user_id, until)
    return summary


async def test_offer_dates_are_read_in_the_local_day_not_the_utc_one(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    clock.set(datetime(2020, 2, 19, 15, 0, tzinfo=UTC))  # 23:00 on 19 February in China
    co, org = await coordinator_of(client, chat, store, lang="en")
    appeal = await make_appeal(store, clock, organisation_id=org)
    zhang = await member(client, chat, "Zhang", "en")
    summary = await offer_until(chat, zhang, "today")
    assert "Available until: 2020-02-19" in summary["text"].splitlines(), summary["text"]
    await press_and_read(chat, zhang, summary, button(summary, "od:ok:")["callback_data"])
    [offer] = await offers_of(store, zhang)
    late = await offer_until(chat, zhang, "today")
    co_seen = await last_id(client, co)
    # 07:30 on the 20th there, still the 19th in UTC: "today" has passed for both offers
    clock.advance(timedelta(hours=8, minutes=30))
    refused = await chat.press(zhang, zhang, late, data=button(late, "od:ok:")["callback_data"])
    assert refused["text"] == "That date has passed. Please give today or a later date."
    assert await offers_of(store, zhang) == [offer]
    [listing] = await chat.say(zhang, "/myoffers")
    assert "Status: expired" in listing["text"].splitlines(), listing["text"]
    # The clock moved on, so the coordinators' batch with the confirmed offer goes out now;
    # read it first, so /match's answer is the next message.
    [news] = await chat.next_messages(co, 1, co_seen)
    assert news["text"].startswith("News from your part of the network"), news["text"]
    [nothing] = await chat.say(co, f"/match {appeal.id}")
    assert nothing["text"] == "No open offer matches an unmet need right now."
    need = appeal.needs[1]
    accept = f"ma:{offer.id}:{appeal.id}:{need.id}"  # a button /match showed yesterday
    gone = await chat.press(co, co, nothing, data=accept, forged=True)
    assert gone["text"] == "This offer is no longer available."
    assert await pledges_of(store, zhang) == []
    # a new offer's end date is read in the same local day
    await chat.say(zhang, "/cancel")
    [terms] = await chat.say(zhang, "/offer masks 12000 pieces")
    await press_and_read(chat, zhang, terms, "od:terms:free")
    await chat.say(zhang, "武汉")
    [past] = await chat.say(zhang, "2020-02-19")
    assert past["text"] == "That date has passed. Please give today or a later date."
    [summary] = await chat.say(zhang, "明天")
    assert "Available until: 2020-02-21" in summary["text"].splitlines(), summary["text"]


OFFER_ANSWERED = {"zh-hans": "这个问题已经回答过了。", "en": "This question is already answered."}


async def _shown(client: SandboxClient, chat_id: int, message: Json) -> Json:
    """A bot message as the chat shows it now (after edits)."""
    return next(
        m for m in await client.messages(chat_id) if m["message_id"] == message["message_id"]
    )


@pytest.mark.parametrize("lang", ["zh-hans", "en"], ids=["zh-Hans", "en"])
async def test_each_answered_offer_question_loses_its_buttons_and_an_old_one_is_answered(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, lang: str
) -> None:
    ann = await member(client, chat, "Ann", lang)
    [terms] = await chat.say(ann, "/offer N95口罩 5000个")
    where = await press_and_read(chat, ann, terms, "od:terms:free")
    assert "reply_markup" not in await _shown(client, ann, terms)  # pressed
    [until] = await chat.say(ann, "武汉市江汉区")
    assert buttons(until)  # "No end date", or a typed date
    [summary] = await chat.say(ann, "2020-03-15")
    assert "reply_markup" not in await _shown(client, ann, until)  # answered by typing
    assert where["text"]
    old = await chat.press(ann, ann, terms, data="od:terms:price", forged=True)
    assert old["text"] == OFFER_ANSWERED[lang], old
    old = await chat.press(ann, ann, until, data="od:until:none", forged=True)
    assert old["text"] == OFFER_ANSWERED[lang], old
    ok = button(summary, "od:ok:")["callback_data"]
    await press_and_read(chat, ann, summary, ok)
    assert "reply_markup" not in await _shown(client, ann, summary)  # confirmed
    [offer] = await offers_of(store, ann)
    assert offer.terms is OfferTerms.FREE and offer.available_until == date(2020, 3, 15)
