"""/mypledges and /inbox: one message, a button per item, paged (issue #9, lost to 429s)."""

from __future__ import annotations

import dataclasses
import secrets
from decimal import Decimal
from typing import Any

from domain.clock import FakeClock
from domain.pledges.models import Fulfilment, Pledge, PledgeKind
from handlers.lists import PAGE_SIZE
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation
from tests.talk import (
    buttons,
    confirm,
    coordinator_of,
    item_buttons,
    join,
    last_id,
    make_appeal,
    member,
    pledges_of,
    press_and_read_edit,
)

Json = dict[str, Any]
#: More than Telegram lets one chat receive at once (three), and more than one page.
MANY = PAGE_SIZE + 4


async def copies_of_first_pledge(
    chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock, person: int, count: int,
    description: str | None = None,
) -> list[Pledge]:
    """One pledge made through the bot, and `count - 1` stored copies of it (services of
    that `description`, if given)."""
    appeal = await make_appeal(store, clock)
    [summary] = await chat.say(person, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, person, summary)
    [first] = await pledges_of(store, person)
    async with store() as uow:
        for _ in range(count - 1):
            copy = dataclasses.replace(first, id=0, token=secrets.token_hex(8), fulfilments=[],
                                       source_update_id=None)
            if description is not None:  # a service, which its (unlimited) description names
                copy = dataclasses.replace(copy, kind=PledgeKind.SERVICE, description=description)
            await uow.pledges.add(copy)
        await uow.commit()
    return await pledges_of(store, person)


async def answers_since(client: SandboxClient, chat_id: int, after: int) -> list[int]:
    """Ids of the bot's messages in a chat after message `after`."""
    return [int(m["message_id"]) for m in await client.bot_messages(chat_id, after)]


async def test_mypledges_with_more_pledges_than_a_burst_is_one_paged_message(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    pledges = await copies_of_first_pledge(chat, store, clock, li, MANY)
    before = await last_id(client, li)
    [listing] = await chat.say(li, "/mypledges")
    # One message, nothing after it: Telegram would refuse the fourth of a burst.
    assert await answers_since(client, li, before) == [listing["message_id"]]
    assert listing["text"].startswith(f"你的认捐（{MANY}）：\n（第 1 页，共 2 页）")
    first_page = item_buttons(listing, "ml:it:")
    assert len(first_page) == PAGE_SIZE
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(listing))
    [next_page] = [b for b in buttons(listing) if b["text"] == "下一页 ▶"]

    page_two = await press_and_read_edit(chat, client, li, listing, next_page["callback_data"])
    second_page = item_buttons(page_two, "ml:it:")
    assert len(second_page) == MANY - PAGE_SIZE
    shown_ids = {int(b["callback_data"].split(":")[2]) for b in first_page + second_page}
    assert shown_ids == {p.id for p in pledges}

    # An item opens in place, with its own buttons, and leads back to its page.
    one = await press_and_read_edit(chat, client, li, page_two, second_page[0]["callback_data"])
    assert f"#{second_page[0]['callback_data'].split(':')[2]}" in one["text"]
    assert "状态" in one["text"]
    actions = [b["callback_data"] for b in buttons(one)]
    assert any(a.startswith("pm:all:") for a in actions)
    [back] = [b for b in buttons(one) if b["text"] == "返回列表"]
    again = await press_and_read_edit(chat, client, li, one, back["callback_data"])
    assert item_buttons(again, "ml:it:") == second_page
    assert await answers_since(client, li, before) == [listing["message_id"]]  # one message


async def test_a_list_longer_than_one_telegram_message_is_cut_into_pages_that_fit(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    ann = await member(client, chat, "Ann", "en")
    # Long descriptions with characters HTML must escape: six of them pass 4,096 by far.
    pledges = await copies_of_first_pledge(
        chat, store, clock, ann, 7, description="消毒液 & <alcohol> " * 40
    )
    [listing] = await chat.say(ann, "/mypledges")
    seen: set[int] = set()
    page = listing
    while True:
        assert len(page["text"]) <= 4096
        assert "&lt;" not in page["text"] and "<alcohol>" in page["text"]
        seen |= {int(b["callback_data"].split(":")[2]) for b in item_buttons(page, "ml:it:")}
        turn = [b for b in buttons(page) if b["text"] == "Next ▶"]
        if not turn:
            break
        page = await press_and_read_edit(chat, client, ann, page, turn[0]["callback_data"])
    assert seen == {p.id for p in pledges}
    assert listing["text"].startswith("Your pledges (7):\n(page 1 of ")


async def test_a_forged_list_button_shows_nothing_of_someone_elses(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    theirs = await copies_of_first_pledge(chat, store, clock, li, 2)
    ann = await member(client, chat, "Ann", "en")
    [empty] = await chat.say(ann, "/mypledges")
    assert empty["text"] == "You have no pledges yet. Send /pledge."
    for data in (f"ml:it:{theirs[0].id}:0", "ml:it:99999999999999999999:0", "ml:it:１:0",
                 "ml:pg:5:5", "ib:it:1:0"):
        answer = await chat.press(ann, ann, empty, data=data, forged=True)
        assert answer.get("show_alert"), (data, answer)
    [shown] = [m for m in await client.messages(ann) if m["message_id"] == empty["message_id"]]
    assert shown["text"] == empty["text"]


async def test_inbox_with_more_reports_than_a_burst_is_one_message_with_a_button_each(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="zh-hant")
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", "zh-hans")
    await join(store, li, org)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, li, summary)
    [first] = await pledges_of(store, li)
    async with store() as uow:
        for number in range(MANY):
            pledge = first if number == 0 else await uow.pledges.add(
                dataclasses.replace(first, id=0, token=secrets.token_hex(8), fulfilments=[],
                                    source_update_id=None)
            )
            await uow.pledges.add_fulfilment(
                Fulfilment(0, pledge.id, Decimal(100 + number), False, li, clock.now(), None)
            )
        await uow.commit()
    before = await last_id(client, co)
    [listing] = await chat.say(co, "/inbox")
    assert await answers_since(client, co, before) == [listing["message_id"]]
    assert listing["text"].startswith(f"待你確認的送達（{MANY}）")
    first_page = item_buttons(listing, "ib:it:")
    assert len(first_page) == PAGE_SIZE
    one = await press_and_read_edit(chat, client, co, listing, first_page[0]["callback_data"])
    assert [b["text"] for b in buttons(one)] == ["確認收到", "提出疑問", "返回列表"]
    assert "請確認" in one["text"]
