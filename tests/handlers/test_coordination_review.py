"""The delivery review through the bot: who delivered, the proof, confirm, question, answer."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from bot.logs import _UPDATE_ID
from domain.clock import FakeClock
from domain.pledges.models import FulfilmentState
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
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


async def pledged_and_reported(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    *,
    co_lang: str,
    li_lang: str,
    proof: str | None = None,
) -> tuple[int, int, Json]:
    """A coordinator, a member's pledge for 3000 kg and a report of 1000 kg; the notice."""
    co, org = await coordinator_of(client, chat, store, lang=co_lang)
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", li_lang)
    await join(store, li, org)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, li, summary)  # the batched news waits while the clock stands still
    [listing] = await chat.say(li, "/mypledges")
    await chat.press(li, li, listing, data=button(listing, "pm:part:")["callback_data"])
    [_how_much] = await chat.next_messages(li, 1, int(listing["message_id"]))
    seen = await last_id(client, co)
    after = await last_id(client, li)
    if proof == "photo":
        await client.send_photo(li, caption="1000公斤", data=b"\x89PNG fake receipt")
    elif proof == "document":
        await client.send_document(li, caption="1000公斤", data=b"%PDF-1.4 receipt")
    else:
        await client.send_text(li, "1000公斤")
    [_recorded] = await chat.next_messages(li, 1, after)
    [notice] = await chat.next_messages(co, 1, seen)
    return co, li, notice


async def fulfilment_state(store: SqlUnitOfWorkFactory, li: int) -> FulfilmentState:
    """The state of the member's only delivery report."""
    [pledge] = await pledges_of(store, li)
    [fulfilment] = pledge.fulfilments
    return fulfilment.state


async def test_the_notice_names_who_for_which_appeal_and_carries_the_photo(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, li, notice = await pledged_and_reported(
        client, chat, store, clock, co_lang="zh-hant", li_lang="zh-hans", proof="photo"
    )
    [pledge] = await pledges_of(store, li)
    file_id = pledge.fulfilments[0].proof_file_id
    assert notice["photo"][0]["file_id"] == file_id
    assert notice["caption"].splitlines() == [
        "認捐 #1（消毒液 3000公斤）報告送達：1000公斤。請確認。",
        "送達人：Li (@li)；倡議 #1 抗疫倡议；以個人名義",
    ]
    assert [b["text"] for b in buttons(notice)] == ["確認收到", "提出疑問"]
    # /inbox says the same, and hands the proof back as it came
    [item] = await chat.say(co, "/inbox")
    assert item["text"].splitlines()[1] == "送達人：Li (@li)；倡議 #1 抗疫倡议；以個人名義"
    after = int(item["message_id"])
    await chat.press(co, co, item, data=button(item, "pf:see:")["callback_data"])
    [shown] = await chat.next_messages(co, 1, after)
    assert shown["photo"][0]["file_id"] == file_id
    assert shown["caption"] == notice["caption"]


async def test_a_document_proof_goes_on_as_a_document_in_english(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    _co, li, notice = await pledged_and_reported(
        client, chat, store, clock, co_lang="en", li_lang="en", proof="document"
    )
    [pledge] = await pledges_of(store, li)
    assert notice["document"]["file_id"] == pledge.fulfilments[0].proof_file_id
    assert notice["caption"].splitlines()[1] == (
        "Delivered by Li (@li); appeal #1 抗疫倡议; on their own behalf"
    )


async def test_confirm_receipt_edits_the_notice_and_tells_the_member_once(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, li, notice = await pledged_and_reported(
        client, chat, store, clock, co_lang="en", li_lang="zh-hans"
    )
    after_li = await last_id(client, li)
    data = button(notice, "pf:ok:")["callback_data"]
    answer = await chat.press(co, co, notice, data=data)
    assert answer["text"] == "Pledge #1 is now: partially delivered."
    [told] = await chat.next_messages(li, 1, after_li)
    assert told["text"] == "协调员已确认收到你的认捐 #1 送达的 1000公斤。谢谢！"
    [edited] = [m for m in await client.messages(co) if m["message_id"] == notice["message_id"]]
    assert edited["text"].splitlines()[-1] == (
        "Receipt confirmed by Co. Pledge #1 is now: partially delivered."
    )
    assert "reply_markup" not in edited
    assert await fulfilment_state(store, li) is FulfilmentState.CONFIRMED
    # a replayed press (the old button) changes nothing and says why
    again = await chat.press(co, co, notice, data=data, forged=True)
    assert again["text"] == "This delivery report was already answered."
    [listing] = await chat.say(li, "/mypledges")
    assert "已确认收到：1000公斤" in listing["text"].splitlines()


async def test_question_and_answer_go_both_ways_and_show_the_status(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, li, notice = await pledged_and_reported(
        client, chat, store, clock, co_lang="zh-hans", li_lang="en"
    )
    after = await last_id(client, co)
    await chat.press(co, co, notice, data=button(notice, "pf:q:")["callback_data"])
    [prompt] = await chat.next_messages(co, 1, after)
    assert prompt["text"].startswith("这次送达有什么不清楚？")
    [too_long] = await chat.say(co, "为" * 600)
    assert too_long["text"] == "请控制在 500 个字符以内；这条有 600 个。"
    [blank] = await chat.say(co, "   ")
    assert blank["text"] == "请写一条简短的消息。"
    assert await fulfilment_state(store, li) is FulfilmentState.REPORTED
    after_li = await last_id(client, li)
    [sent] = await chat.say(co, "收据上的数量是多少？")
    assert sent["text"] == "你对认捐 #1 的疑问已发给成员；其回答会发到这里。"
    [edited] = [m for m in await client.messages(co) if m["message_id"] == notice["message_id"]]
    assert edited["text"].splitlines()[-1] == "Co 提出疑问：“收据上的数量是多少？”"
    assert "reply_markup" not in edited
    [question] = await chat.next_messages(li, 1, after_li)
    assert question["text"] == (
        "A coordinator has a question about your delivery of 1,000 kg for pledge #1: "
        "“收据上的数量是多少？”"
    )
    assert await fulfilment_state(store, li) is FulfilmentState.QUESTIONED
    [listing] = await chat.say(li, "/mypledges")
    assert (
        "A coordinator questioned the delivery of 1,000 kg; answer with the button under their "
        "message." in listing["text"].splitlines()
    )
    after_li = await last_id(client, li)
    await chat.press(li, li, question, data=button(question, "pa:")["callback_data"])
    [ask] = await chat.next_messages(li, 1, after_li)
    assert ask["text"].startswith("Write your answer for the coordinator")
    seen = await last_id(client, co)
    [thanks] = await chat.say(li, "Receipt no. 88, 1000 kg")
    assert thanks["text"] == (
        "Your answer was sent to the coordinator. Pledge #1 awaits their review again."
    )
    [reply_] = await chat.next_messages(co, 1, seen)
    assert reply_["text"] == (
        "Li (@li) 就认捐 #1 送达的 1000公斤 回答：“Receipt no. 88, 1000 kg”。请确认或再次提出疑问。"
    )
    assert [b["text"] for b in buttons(reply_)] == ["确认收到", "提出疑问"]
    assert await fulfilment_state(store, li) is FulfilmentState.REPORTED
    # the answered question loses its button; an old copy of it is spent
    [asked] = [m for m in await client.messages(li) if m["message_id"] == question["message_id"]]
    assert "reply_markup" not in asked
    data = button(question, "pa:")["callback_data"]
    again = await chat.press(li, li, question, data=data, forged=True)
    assert again["text"] == "This question was already answered."


async def test_forged_review_buttons_are_refused_and_change_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, li, notice = await pledged_and_reported(
        client, chat, store, clock, co_lang="en", li_lang="en"
    )
    await chat.say(ADMIN_ID, "/org add 工商联")
    other = await member(client, chat, "Other", "zh-hans")
    await chat.say(ADMIN_ID, "/grant @other coordinator 工商联")
    fulfilment_id = button(notice, "pf:ok:")["callback_data"].split(":")[2]
    quiet = await last_id(client, other)
    [own] = [m for m in await client.messages(other) if m["message_id"] == quiet]
    for data in (f"pf:ok:{fulfilment_id}", f"pf:q:{fulfilment_id}", f"pf:see:{fulfilment_id}"):
        refused = await chat.press(other, other, own, data=data, forged=True)
        assert refused["text"].startswith("只有负责"), refused["text"]
    forged = await chat.press(other, other, own, data=f"pa:{fulfilment_id}", forged=True)
    assert forged["text"] == "该送达报告不存在。", forged["text"]
    unknown = await chat.press(co, co, notice, data="pf:ok:99999999999999", forged=True)
    assert unknown["text"] == "That delivery report does not exist."
    for junk in ("pf:ok:99999999999999999999", "pf:q:1;drop", "pa:-1"):
        answer = await chat.press(co, co, notice, data=junk, forged=True)
        assert answer["text"] == "This button is no longer valid.", junk
    assert await fulfilment_state(store, li) is FulfilmentState.REPORTED
    await client.wait_for_updates_consumed(timeout=10)
    assert await last_id(client, other) == quiet  # no dialog was started for them


class UnitsByUpdate:
    """The SQL units of work opened for writing, and their commits, by the update handled.

    Units opened outside an update (the sender, the jobs, this test's own reads) and the
    guard's read-only look-ups (`read()`) are not counted.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: Counter[int] = Counter()
        self.commits: Counter[int] = Counter()
        make_unit, commit = SqlUnitOfWorkFactory.__call__, SqlUnitOfWork.commit

        def counted_unit(factory: SqlUnitOfWorkFactory) -> SqlUnitOfWork:
            update_id = _UPDATE_ID.get()
            if update_id is not None:
                self.opened[update_id] += 1
            return make_unit(factory)

        async def counted_commit(uow: SqlUnitOfWork) -> None:
            update_id = _UPDATE_ID.get()
            if update_id is not None:
                self.commits[update_id] += 1
            await commit(uow)

        monkeypatch.setattr(SqlUnitOfWorkFactory, "__call__", counted_unit)
        monkeypatch.setattr(SqlUnitOfWork, "commit", counted_commit)

    def reset(self) -> None:
        """Forget what was counted so far."""
        self.opened.clear()
        self.commits.clear()

    def latest(self) -> tuple[int, int]:
        """Units opened and commits of the newest update handled since the last reset.

        An earlier update may still be finishing (its last handler group) when the next one
        arrives; update ids only grow, so the newest is the one just sent.
        """
        newest = max(self.opened)
        return self.opened[newest], self.commits[newest]


async def test_each_typed_question_and_answer_is_one_unit_of_work(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    co, li, notice = await pledged_and_reported(
        client, chat, store, clock, co_lang="en", li_lang="en"
    )
    units = UnitsByUpdate(monkeypatch)
    after = await last_id(client, co)
    await chat.press(co, co, notice, data=button(notice, "pf:q:")["callback_data"])
    [_prompt] = await chat.next_messages(co, 1, after)
    await client.wait_for_updates_consumed(timeout=10)
    assert units.latest() == (1, 1), "begin: one unit of work, one commit"
    units.reset()
    after_li = await last_id(client, li)
    [_sent] = await chat.say(co, "How many kg are on the receipt?")
    await client.wait_for_updates_consumed(timeout=10)
    # the report moved, audited, the member's notice queued, the dialog ended, the update
    # marked: all in the one unit of work of the typed question
    assert units.latest() == (1, 1), units.opened
    [question] = await chat.next_messages(li, 1, after_li)
    await chat.press(li, li, question, data=button(question, "pa:")["callback_data"])
    await chat.next_messages(li, 1, int(question["message_id"]))
    await client.wait_for_updates_consumed(timeout=10)
    units.reset()
    [_thanks] = await chat.say(li, "Receipt no. 88")
    await client.wait_for_updates_consumed(timeout=10)
    assert units.latest() == (1, 1), units.opened
    assert await fulfilment_state(store, li) is FulfilmentState.REPORTED
