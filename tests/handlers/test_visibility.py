"""One visibility rule for appeals, used by every way in (issue 10 "Escapes", design §7.5)."""

from __future__ import annotations

from typing import Any

from domain.appeals.models import Appeal, appeal_deep_link_payload, broadcast_subject
from domain.clock import FakeClock
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import all_pledges, button, buttons, make_appeal, member

Json = dict[str, Any]


async def _network(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> tuple[dict[str, int], dict[str, Appeal]]:
    await chat.say(ADMIN_ID, "/org add 甲会")
    await chat.say(ADMIN_ID, "/org add 乙会")
    async with store() as uow:
        orgs = {o.name: o.id for o in await uow.organisations.all()}
    appeals = {
        "甲": await make_appeal(store, clock, organisation_id=orgs["甲会"]),
        "乙": await make_appeal(store, clock, organisation_id=orgs["乙会"]),
        "all": await make_appeal(store, clock),
    }
    return orgs, appeals


async def test_the_pledge_dialog_offers_only_the_appeals_the_person_may_see(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    _orgs, appeals = await _network(client, chat, store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    await chat.say(ADMIN_ID, "/grant @li member 甲会")
    [question] = await chat.say(li, "/pledge")
    offered = [b["callback_data"] for b in buttons(question)]
    assert offered == [
        f"pd:appeal:{appeals['all'].id}",
        f"pd:appeal:{appeals['甲'].id}",
        "pd:appeal:0",
    ], offered
    # a forged press for 乙's appeal is refused as if it did not exist
    hidden = appeals["乙"].id
    answer = await chat.press(li, li, question, data=f"pd:appeal:{hidden}", forged=True)
    assert answer["text"] == f"没有编号为 {hidden} 的倡议。"
    async with store() as uow:
        dialog = await uow.dialogs.get(li)
    assert dialog is not None and not dialog.data["appeal_chosen"]
    # and so is the one-line form
    [refused] = await chat.say(li, f"/pledge {hidden} 5万元")
    assert refused["text"] == f"没有编号为 {hidden} 的倡议。"
    [accepted] = await chat.say(li, f"/pledge {appeals['甲'].id} 5万元")
    assert button(accepted, "pd:ok:")
    assert await all_pledges(store) == 0


async def test_a_stranger_sees_only_network_wide_appeals_in_english_too(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    _orgs, appeals = await _network(client, chat, store, clock)
    ann = await member(client, chat, "Ann", "en")
    [question] = await chat.say(ann, "/pledge")
    assert [b["callback_data"] for b in buttons(question)] == [
        f"pd:appeal:{appeals['all'].id}",
        "pd:appeal:0",
    ]
    hidden = appeals["甲"].id
    [refused] = await chat.say(ann, f"/pledge {hidden}")
    assert refused["text"] == f"There is no appeal number {hidden}."


async def test_appeals_sent_in_a_group_lists_nothing_there(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    _orgs, appeals = await _network(client, chat, store, clock)
    co = await member(client, chat, "Co", "en")
    await chat.say(ADMIN_ID, "/grant @co coordinator 甲会")
    group = await client.create_group("甲会群", members=[co])
    await client.add_bot(group["id"], by_user_id=co)
    await chat.next_messages(group["id"], 1, None)
    [answer] = await chat.say(co, "/appeals", chat_id=group["id"])
    assert answer["text"] == "Please use this command in a private chat with me."
    assert appeals["甲"].title not in answer["text"]


async def _linked(client: SandboxClient, chat: Conversation, co: int, people: list[int]) -> Json:
    group = await client.create_group("甲会群", members=[co, *people])
    await client.add_bot(group["id"], by_user_id=co)
    await chat.next_messages(group["id"], 1, None)
    [offer] = await chat.say(co, "/link", chat_id=group["id"])
    await chat.press(co, group["id"], offer, data=button(offer, "link:")["callback_data"])
    await client.wait_for_updates_consumed(timeout=10)
    return group


async def test_a_deep_link_opens_for_members_of_the_group_and_no_one_else(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    _orgs, appeals = await _network(client, chat, store, clock)
    co = await member(client, chat, "Co", "en")
    await chat.say(ADMIN_ID, "/grant @co coordinator 甲会")
    wu = await member(client, chat, "Wu", "zh-hans")  # no role, but in the group
    outsider = await member(client, chat, "Out", "en")
    group = await _linked(client, chat, co, [wu])
    async with store() as uow:  # the appeal was sent to the group
        await uow.outbox.enqueue(
            NewDelivery(Purpose.APPEAL, broadcast_subject(appeals["甲"].id), group["id"], "甲"),
            clock.now(),
        )
        await uow.commit()
    payload = appeal_deep_link_payload(appeals["甲"].id, group["id"])
    [opened] = await chat.say(wu, f"/start {payload}")
    assert opened["text"].startswith(appeals["甲"].title), opened["text"]
    # a link naming a group the appeal did not reach opens nothing
    forged = appeal_deep_link_payload(appeals["甲"].id, -1001234)
    [refused] = await chat.say(outsider, f"/start {forged}")
    assert refused["text"] == f"There is no appeal number {appeals['甲'].id}."
    async with store() as uow:
        assert await uow.dialogs.get(outsider) is None


async def test_a_deep_link_prefill_goes_through_the_typed_answers_checks(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "en")
    kg_need = appeal.needs[0].id
    base = appeal_deep_link_payload(appeal.id, -5)
    # a unit nobody accepts, and one the need does not take: refused, nothing is stored
    for unit in ("zzz", "piece"):
        [refused] = await chat.say(li, f"/start {base}_n{kg_need}q5u{unit}")
        assert refused["text"] == "This link is not valid.", refused["text"]
        async with store() as uow:
            assert await uow.dialogs.get(li) is None
    # a fitting one is taken as typed
    [taken] = await chat.say(li, f"/start {base}_n{kg_need}q5ut")
    async with store() as uow:
        dialog = await uow.dialogs.get(li)
    assert dialog is not None and dialog.data["unit"] == "t", taken["text"]


async def test_members_without_a_role_see_the_appeals_of_their_groups(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    await chat.say(ADMIN_ID, "/org add 甲会")
    async with store() as uow:
        [org] = await uow.organisations.all()
    appeal = await make_appeal(store, clock, organisation_id=org.id)
    co = await member(client, chat, "Co", "en")
    await chat.say(ADMIN_ID, "/grant @co coordinator 甲会")
    wu = await member(client, chat, "Wu", "zh-hans")  # no role, in the group
    out = await member(client, chat, "Out", "zh-hant")  # no role, not in the group
    group = await _linked(client, chat, co, [wu])
    async with store() as uow:  # the appeal was sent to the group
        await uow.outbox.enqueue(
            NewDelivery(Purpose.APPEAL, broadcast_subject(appeal.id), group["id"], "甲"),
            clock.now(),
        )
        await uow.commit()
    [listing] = await chat.say(wu, "/appeals")
    assert listing["text"].startswith(f"#{appeal.id} "), listing["text"]
    [nothing] = await chat.say(out, "/appeals")
    assert nothing["text"] == "目前沒有進行中的倡議。", nothing["text"]


async def _sent_to(
    store: SqlUnitOfWorkFactory, clock: FakeClock, appeal: Appeal, group: Json
) -> None:
    """Record the appeal as sent to the group (a delivery row), as the broadcast does."""
    async with store() as uow:
        await uow.outbox.enqueue(
            NewDelivery(Purpose.APPEAL, broadcast_subject(appeal.id), group["id"], "甲"),
            clock.now(),
        )
        await uow.commit()


async def test_a_group_link_opens_only_while_telegram_says_the_person_is_in_the_group(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    _orgs, appeals = await _network(client, chat, store, clock)
    co = await member(client, chat, "Co", "en")
    await chat.say(ADMIN_ID, "/grant @co coordinator 甲会")
    wu = await member(client, chat, "Wu", "zh-hans")  # no role, in the group
    outsider = await member(client, chat, "Out", "en")  # no role, never in the group
    group = await _linked(client, chat, co, [wu])
    await _sent_to(store, clock, appeals["甲"], group)
    payload = appeal_deep_link_payload(appeals["甲"].id, group["id"])
    # the real group's link, used by someone who is not in that group: unknown
    [refused] = await chat.say(outsider, f"/start {payload}")
    assert refused["text"] == f"There is no appeal number {appeals['甲'].id}.", refused["text"]
    async with store() as uow:
        assert await uow.dialogs.get(outsider) is None
    [opened] = await chat.say(wu, f"/start {payload}")
    assert opened["text"].startswith(appeals["甲"].title), opened["text"]
    await chat.say(wu, "/cancel")
    # once Wu has left the group, the same link opens nothing
    await client.remove_member(group["id"], wu)
    await client.wait_for_updates_consumed(timeout=10)
    [gone] = await chat.say(wu, f"/start {payload}")
    assert gone["text"] == f"没有编号为 {appeals['甲'].id} 的倡议。", gone["text"]
    async with store() as uow:
        assert await uow.dialogs.get(wu) is None
    assert await all_pledges(store) == 0


async def _summary(chat: Conversation, user: int, first: Json) -> Json:
    """Answer the dialog's questions (first button, or 5000元) until the summary shows."""
    step = first
    for _ in range(8):
        if any(b.get("callback_data", "").startswith("pd:ok:") for b in buttons(step)):
            return step
        after = int(step["message_id"])
        if buttons(step):
            await chat.press(user, user, step, data=buttons(step)[0]["callback_data"])
            [step] = await chat.next_messages(user, 1, after)
        else:
            [step] = await chat.say(user, "5000元")
    raise AssertionError(f"no summary: {step['text']}")


async def test_every_press_of_the_dialog_is_authorised_again_at_the_press(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    _orgs, appeals = await _network(client, chat, store, clock)
    number = appeals["甲"].id
    li = await member(client, chat, "Li", "zh-hans")
    await chat.say(ADMIN_ID, "/grant @li member 甲会")
    [summary] = await chat.say(li, f"/pledge {number} 5万元")
    ok = button(summary, "pd:ok:")["callback_data"]
    edit = [b["callback_data"] for b in buttons(summary) if b["callback_data"][:8] == "pd:edit:"]
    # removed from the organisation while the summary is on screen
    await chat.say(ADMIN_ID, "/revoke @li member 甲会")
    no_longer = f"你已不能再认捐倡议 {number}，因此没有保存任何内容。发送 /cancel 结束这次认捐。"
    answer = await chat.press(li, li, summary, data=ok)
    assert answer["text"] == no_longer and answer.get("show_alert"), answer
    for data in edit:  # the summary's other buttons are refused the same way
        answer = await chat.press(li, li, summary, data=data)
        assert answer["text"] == no_longer, (data, answer)
    # a typed answer too: nothing is stored, and Li's own view shows no pledge
    [typed] = await chat.say(li, "3万元")
    assert typed["text"] == no_longer, typed["text"]
    assert await all_pledges(store) == 0
    [mine] = await chat.say(li, "/mypledges")
    assert mine["text"] == "你还没有认捐。发送 /pledge。", mine["text"]
    # given the role back, the same summary's Confirm is taken
    await chat.say(ADMIN_ID, "/grant @li member 甲会")
    answer = await chat.press(li, li, summary, data=ok)
    assert not answer.get("show_alert"), answer
    assert await all_pledges(store) == 1


async def test_confirm_asks_telegram_again_for_a_person_who_came_by_a_groups_link(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    _orgs, appeals = await _network(client, chat, store, clock)
    number = appeals["甲"].id
    co = await member(client, chat, "Co", "en")
    await chat.say(ADMIN_ID, "/grant @co coordinator 甲会")
    wu = await member(client, chat, "Wu", "en")  # no role: sees the appeal through the group
    group = await _linked(client, chat, co, [wu])
    await _sent_to(store, clock, appeals["甲"], group)
    payload = appeal_deep_link_payload(number, group["id"])
    [opened] = await chat.say(wu, f"/start {payload}_y500000")
    summary = await _summary(chat, wu, opened)
    await client.remove_member(group["id"], wu)
    await client.wait_for_updates_consumed(timeout=10)
    answer = await chat.press(wu, wu, summary, data=button(summary, "pd:ok:")["callback_data"])
    assert answer["text"] == (
        f"You may no longer pledge to appeal {number}, so nothing was saved. "
        "Send /cancel to end this pledge."
    ), answer
    assert await all_pledges(store) == 0
    # back in the group, the same Confirm is taken, once
    await client.add_member(group["id"], wu)
    await client.wait_for_updates_consumed(timeout=10)
    answer = await chat.press(wu, wu, summary, data=button(summary, "pd:ok:")["callback_data"])
    assert not answer.get("show_alert"), answer
    async with store() as uow:
        [pledge] = await uow.pledges.of_person(wu)
    assert pledge.appeal_id == number and pledge.source_chat_id == group["id"]
