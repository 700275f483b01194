"""Who may do what: relinking groups, confirming deliveries, pledging on behalf (issue 10, 9)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.clock import FakeClock
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import button, buttons, confirm, last_id, make_appeal, member, review_notice

Json = dict[str, Any]


async def _org_ids(store: SqlUnitOfWorkFactory) -> dict[str, int]:
    async with store() as uow:
        return {o.name: o.id for o in await uow.organisations.all()}


async def _linked_group(
    client: SandboxClient, chat: Conversation, by: int, members: list[int]
) -> Json:
    group = await client.create_group("B的群", members=[by, *members])
    await client.add_bot(group["id"], by_user_id=by)
    await chat.next_messages(group["id"], 1, None)
    [offer] = await chat.say(by, "/link", chat_id=group["id"])
    await chat.press(by, group["id"], offer, data=button(offer, "link:")["callback_data"])
    await client.wait_for_updates_consumed(timeout=10)
    return group


async def test_a_coordinator_of_another_organisation_cannot_take_over_a_linked_group(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    await chat.say(ADMIN_ID, "/org add 甲会")
    await chat.say(ADMIN_ID, "/org add 乙会")
    a = await member(client, chat, "Aco", "en")
    b = await member(client, chat, "Bco", "zh-hans")
    await chat.say(ADMIN_ID, "/grant @aco coordinator 甲会")
    await chat.say(ADMIN_ID, "/grant @bco coordinator 乙会")
    group = await _linked_group(client, chat, b, [a])
    orgs = await _org_ids(store)
    # /link itself is refused, in the presser's language
    [refused] = await chat.say(a, "/link", chat_id=group["id"])
    assert refused["text"] == (
        "This group is linked to “乙会”. Only a coordinator of “乙会” or an admin can "
        "link it to another organisation."
    )
    assert not buttons(refused)
    [refused_zh] = await chat.say(b, "/link", chat_id=group["id"])
    assert buttons(refused_zh), "B's own coordinator may still relink"
    # a forged press of a link button for A is refused too, and nothing changes
    forged = f"link:{group['id']}:{orgs['甲会']}"
    answer = await chat.press(a, group["id"], refused_zh, data=forged, forged=True)
    assert "乙会" in answer["text"] and answer.get("show_alert")
    async with store() as uow:
        record = await uow.chats.get(group["id"])
    assert record is not None and record.organisation_id == orgs["乙会"]
    # an admin may relink, and it is audited with before and after
    await chat.press(ADMIN_ID, group["id"], refused_zh, data=forged, forged=True)
    await client.wait_for_updates_consumed(timeout=10)
    async with store() as uow:
        record = await uow.chats.get(group["id"])
        events = await uow.audit.recent()
    assert record is not None and record.organisation_id == orgs["甲会"]
    relink = next(e for e in events if e.action == "chat.link")
    assert (relink.actor_id, relink.before, relink.after) == (
        ADMIN_ID,
        f"approved:{orgs['乙会']}",
        f"approved:{orgs['甲会']}",
    )


async def _report_all(chat: Conversation, person: int) -> None:
    [listing] = await chat.say(person, "/mypledges")
    after = int(listing["message_id"])
    await chat.press(person, person, listing, data=button(listing, "pm:all:")["callback_data"])
    await chat.next_messages(person, 1, after)


async def test_a_coordinator_cannot_confirm_their_own_delivery(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    await chat.say(ADMIN_ID, "/org add 红会")
    co = await member(client, chat, "Co", "zh-hans")
    other = await member(client, chat, "Other", "en")
    await chat.say(ADMIN_ID, "/grant @co coordinator 红会")
    await chat.say(ADMIN_ID, "/grant @other coordinator 红会")
    appeal = await make_appeal(store, clock, organisation_id=(await _org_ids(store))["红会"])
    [summary] = await chat.say(co, f"/pledge {appeal.id} 5万元")
    while not any(b.get("callback_data", "").startswith("pd:ok:") for b in buttons(summary)):
        data = buttons(summary)[0]["callback_data"]
        after = int(summary["message_id"])
        await chat.press(co, co, summary, data=data)
        [summary] = await chat.next_messages(co, 1, after)
    await confirm(chat, co, summary)
    seen_other = await last_id(client, other)
    await _report_all(chat, co)
    [inbox] = await chat.say(co, "/inbox")
    assert inbox["text"] == "没有等待你确认的事项。", inbox["text"]
    # a forged confirm of their own report is refused and changes nothing
    async with store() as uow:
        [pledge] = await uow.pledges.of_person(co)
    fulfilment = pledge.fulfilments[0].id
    answer = await chat.press(co, co, inbox, data=f"pf:ok:{fulfilment}", forged=True)
    assert answer["text"] == "你不能确认自己认捐的送达；请由另一位协调员或管理员确认。"
    async with store() as uow:
        [pledge] = await uow.pledges.of_person(co)
    assert pledge.status.value == "delivered"
    # the other coordinator in scope got the notice and confirms it
    clock.advance(timedelta(seconds=5))
    notice = await review_notice(chat, other, seen_other)
    assert "Please confirm" in notice["text"]
    ok = await chat.press(other, other, notice, data=button(notice, "pf:ok:")["callback_data"])
    assert not ok.get("show_alert"), ok
    await client.wait_for_updates_consumed(timeout=10)
    async with store() as uow:
        [pledge] = await uow.pledges.of_person(co)
    assert pledge.status.value == "received"


async def test_a_federations_coordinator_confirms_its_members_pledges_to_others_appeals(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    await chat.say(ADMIN_ID, "/org add 工商联")
    await chat.say(ADMIN_ID, "/org add 宣武集团 under 工商联")
    await chat.say(ADMIN_ID, "/org add 红会")
    fed = await member(client, chat, "Fed", "en")
    li = await member(client, chat, "Li", "zh-hans")
    await chat.say(ADMIN_ID, "/grant @fed coordinator 工商联")
    await chat.say(ADMIN_ID, "/grant @li member 宣武集团")
    red = await member(client, chat, "Red", "en")
    await chat.say(ADMIN_ID, "/grant @red coordinator 红会")
    # a network-wide appeal: only admins coordinate it; the federation coordinates the pledger
    appeal = await make_appeal(store, clock)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 5万元")
    await confirm(chat, li, summary)
    await _report_all(chat, li)
    [inbox] = await chat.say(fed, "/inbox")
    assert inbox["text"] != "Nothing awaits your confirmation.", inbox["text"]
    [nothing] = await chat.say(red, "/inbox")
    assert nothing["text"] == "Nothing awaits your confirmation."
    forged = await chat.press(
        red, red, nothing, data=button(inbox, "pf:ok:")["callback_data"], forged=True
    )
    assert forged["text"] == "Only coordinators in scope can confirm deliveries."
    answer = await chat.press(fed, fed, inbox, data=button(inbox, "pf:ok:")["callback_data"])
    assert not answer.get("show_alert"), answer
    await client.wait_for_updates_consumed(timeout=10)
    async with store() as uow:
        [pledge] = await uow.pledges.of_person(li)
    assert pledge.status.value == "received"


async def test_a_coordinator_pledges_on_behalf_of_an_organisation_in_scope(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    await chat.say(ADMIN_ID, "/org add 工商联")
    await chat.say(ADMIN_ID, "/org add 宣武集团 under 工商联")
    await chat.say(ADMIN_ID, "/org add 红会")
    fed = await member(client, chat, "Fed", "en")
    await chat.say(ADMIN_ID, "/grant @fed coordinator 工商联")
    orgs = await _org_ids(store)
    appeal = await make_appeal(store, clock)
    [behalf] = await chat.say(fed, f"/pledge {appeal.id}")
    while not any(b.get("callback_data", "").startswith("pd:behalf:") for b in buttons(behalf)):
        after = int(behalf["message_id"])
        await chat.press(fed, fed, behalf, data=buttons(behalf)[0]["callback_data"])
        [behalf] = await chat.next_messages(fed, 1, after)
        if not buttons(behalf):
            after = int(behalf["message_id"])
            [behalf] = await chat.say(fed, "5万元")
    labels = [b["text"] for b in buttons(behalf)]
    assert labels == ["Myself", "宣武集团", "工商联"], labels
    # an organisation out of scope, forged, is refused
    refused = await chat.press(fed, fed, behalf, data=f"pd:behalf:{orgs['红会']}", forged=True)
    assert refused["text"] == "This button is no longer valid."
    after = int(behalf["message_id"])
    await chat.press(fed, fed, behalf, data=f"pd:behalf:{orgs['宣武集团']}")
    [_next] = await chat.next_messages(fed, 1, after)
    async with store() as uow:
        dialog = await uow.dialogs.get(fed)
    assert dialog is not None and dialog.data["behalf"] == orgs["宣武集团"]
