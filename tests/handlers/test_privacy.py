"""Privacy through Telegram: /privacy, /forgetme, /forget (admins) and the retention job."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from telegram import Update

from bot.runtime import TongxinApplication
from domain.appeals.models import AppealStatus
from domain.clock import FakeClock
from domain.dialogs import Dialog
from domain.kernel.audit import AuditEvent
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import confirmed_pledge, erase_button, member, reported_appeal, rows

Json = dict[str, Any]

TOTALS = text(
    "SELECT appeal_id, kind, currency, unit, COUNT(*), SUM(amount_minor), SUM(quantity) "
    "FROM pledge GROUP BY appeal_id, kind, currency, unit ORDER BY appeal_id, kind, unit"
)
DELIVERED = text(
    "SELECT p.appeal_id, f.state, COUNT(*), SUM(f.quantity) FROM fulfilment f "
    "JOIN pledge p ON p.id = f.pledge_id GROUP BY p.appeal_id, f.state ORDER BY p.appeal_id"
)


async def totals(store: SqlUnitOfWorkFactory) -> tuple[list[Any], list[Any]]:
    """Pledged and delivered sums per appeal, straight from SQL."""
    return await rows(store, TOTALS), await rows(store, DELIVERED)


async def ask_to_forget(chat: Conversation, user: int, command: str = "/forgetme") -> Json:
    [question] = await chat.say(user, command)
    return question


async def test_privacy_tells_each_person_what_is_kept_in_their_language(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    ann = await member(client, chat, "Ann", "en")
    open_appeal = await reported_appeal(store, clock, AppealStatus.OPEN)
    await confirmed_pledge(store, clock, li, open_appeal, "t1", money=500)
    [mine] = await chat.say(li, "/privacy")
    lines = mine["text"].splitlines()
    assert lines[0] == "我保存的关于你的信息"
    assert "• 姓名：Li" in lines and "• 用户名：@li" in lines and f"• Telegram ID：{li}" in lines
    assert "• 认捐：1 项；供应：0 条；待发给你的消息：0 条" in lines
    assert "谁能看到" in lines and any("365 天" in line for line in lines)
    [hers] = await chat.say(ann, "/privacy")
    assert hers["text"].startswith("What I keep about you\n• Name: Ann\n• Username: @ann")
    assert "Pledges: 0; supply offers: 0" in hers["text"] and "Who sees it" in hers["text"]
    assert "• Roles: —" in hers["text"].splitlines()
    await chat.say(ADMIN_ID, "/org add 民进")
    await chat.say(ADMIN_ID, "/org add 九三学社")
    for grant in ("/grant @ann member 民进", "/grant @ann coordinator 九三学社"):
        seen = max(int(m["message_id"]) for m in await client.messages(ann))
        await chat.say(ADMIN_ID, grant)
        await chat.next_messages(ann, 1, seen)  # Ann is told of her new role
    [roles] = await chat.say(ann, "/privacy")
    assert "• Roles: member (民进), coordinator (九三学社)" in roles["text"].splitlines()
    group = await client.create_group("工商联群", members=[li])
    await client.add_bot(group["id"], by_user_id=li)
    await chat.next_messages(group["id"], 1, None)
    [elsewhere] = await chat.say(li, "/privacy", chat_id=group["id"])
    assert "Li" not in elsewhere["text"] and "私聊" in elsewhere["text"]


async def test_forgetme_erases_the_identity_and_keeps_every_total(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    other = await member(client, chat, "Wang", "zh-hant")
    first = await reported_appeal(store, clock, AppealStatus.OPEN)
    second = await reported_appeal(store, clock, AppealStatus.OPEN)
    await confirmed_pledge(store, clock, li, first, "t1", money=50_000)
    await confirmed_pledge(store, clock, li, first, "t2", kilos=3000)
    await confirmed_pledge(store, clock, li, second, "t3", kilos=10)
    await confirmed_pledge(store, clock, other, first, "t4", money=100)
    async with store() as uow:
        await uow.dialogs.save(Dialog(li, "pledge", {"note": "Li's draft"}))
        await uow.outbox.enqueue(
            NewDelivery(Purpose.REMINDER, "pledge:1", li, "李先生，请送达",
                        not_before=clock.now() + timedelta(days=2)),
            clock.now(),
        )
        await uow.commit()
    before = await totals(store)
    audit_before = await rows(store, text("SELECT * FROM audit_event ORDER BY id"))

    question = await ask_to_forget(chat, li)
    assert question["text"].startswith("确定删除你的个人信息吗？")
    answer = await chat.press(li, li, question, data=erase_button(question))
    assert answer.get("text") is None
    done = next(m for m in await client.messages(li) if m["message_id"] == question["message_id"])
    assert done["text"] == "完成：我已忘记你。你的 3 项认捐仍计入合计，不再带有你的姓名。"
    assert "reply_markup" not in done

    assert await totals(store) == before
    [(anonymous, name, username, reachable)] = await rows(
        store, text("SELECT id, name, username, reachable FROM person WHERE id < 0")
    )
    assert (name, username, reachable) == ("", None, False)
    assert await rows(store, text("SELECT id FROM person WHERE id = :li"), li=li) == []
    owners = await rows(store, text("SELECT DISTINCT person_id FROM pledge WHERE appeal_id = :a"
                                    " ORDER BY person_id"), a=first)
    assert owners == [(anonymous,), (other,)]
    assert await rows(store, text("SELECT DISTINCT reported_by FROM fulfilment")) == [(anonymous,)]
    for table, column in (("dialog", "person_id"), ("delivery", "chat_id"),
                          ("role", "person_id"), ("pledge", "source_chat_id")):
        assert await rows(store, text(f"SELECT 1 FROM {table} WHERE {column} = :li"), li=li) == []
    for (payload,) in await rows(store, text("SELECT payload FROM received_update")):
        assert '"first_name": "Li"' not in payload and '"first_name":"Li"' not in payload
    # the audit trail was only added to
    audit_after = await rows(store, text("SELECT * FROM audit_event ORDER BY id"))
    assert audit_after[: len(audit_before)] == audit_before
    assert [r[2] for r in audit_after[len(audit_before):]] == ["person.forget"]

    # Li writes again: a new, empty person, not linked to the old pledges
    [hello] = await chat.say(li, "/privacy")
    assert "• 认捐：0 项；供应：0 条；待发给你的消息：0 条" in hello["text"].splitlines()
    async with store() as uow:
        assert await uow.pledges.of_person(li) == []
        assert len(await uow.pledges.of_person(anonymous)) == 3


async def test_keep_erases_nothing_and_buttons_are_checked_at_the_press(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    bob = await member(client, chat, "Bob", "en")
    question = await ask_to_forget(chat, li)
    await chat.press(li, li, question, data="forget:keep")
    kept = next(m for m in await client.messages(li) if m["message_id"] == question["message_id"])
    assert kept["text"] == "没有删除任何信息。"
    lis_button = erase_button(question)
    [bobs] = await chat.say(bob, "/privacy")
    # someone else's /forgetme button, forged into Bob's chat
    answer = await chat.press(bob, bob, bobs, data=lis_button, forged=True)
    assert answer["text"] == "This button is not yours."
    for forged in ("forget:abc", "forget:1:", f"forget:{'9' * 20}:1", "forget:-5:1"):
        answer = await chat.press(bob, bob, bobs, data=forged, forged=True)
        assert answer["text"] == "This button is no longer valid.", forged
    # a button for an older record of this person (the stamp does not match) erases nothing
    answer = await chat.press(li, li, question, data=f"forget:{li}:12345", forged=True)
    assert answer["text"] == "此人的个人信息已经删除。"
    names = await rows(store, text("SELECT name FROM person WHERE id IN (:a, :b) ORDER BY name"),
                       a=li, b=bob)
    assert names == [("Bob",), ("Li",)]


async def test_an_admin_forgets_a_person_on_request_and_a_replay_changes_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    app: TongxinApplication,
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    bob = await member(client, chat, "Bob", "zh-hant")
    open_appeal = await reported_appeal(store, clock, AppealStatus.OPEN)
    await confirmed_pledge(store, clock, li, open_appeal, "t1", money=9)
    [usage] = await chat.say(ADMIN_ID, "/forget")
    assert usage["text"] == "Usage: /forget USER — a numeric id or an @username."
    [unknown] = await chat.say(ADMIN_ID, "/forget @nobody")
    assert unknown["text"].startswith("I do not know “@nobody”.")
    [huge] = await chat.say(ADMIN_ID, "/forget 99999999999999999999")
    assert huge["text"].startswith("I do not know")
    [denied] = await chat.say(bob, f"/forget {li}")
    assert denied["text"] == "只有管理員可以這樣做。"
    question = await ask_to_forget(chat, ADMIN_ID, "/forget @li")
    assert question["text"].startswith(f"Erase the details of Li (id {li})?")
    before = await totals(store)
    await chat.press(ADMIN_ID, ADMIN_ID, question, data=erase_button(question))
    done = next(m for m in await client.messages(ADMIN_ID)
                if m["message_id"] == question["message_id"])
    assert done["text"] == "Done: the person is forgotten. Their 1 pledges stay in the totals."
    assert await totals(store) == before
    snapshot = await rows(store, text("SELECT * FROM person ORDER BY id"))
    # the very same update again (a webhook redelivery, a restart): nothing changes
    [(payload,)] = await rows(
        store, text("SELECT payload FROM received_update WHERE payload LIKE '%callback_query%'")
    )
    messages = len(await client.messages(ADMIN_ID))
    since = max(c["seq"] for c in await client.calls())
    await app.process_update(Update.de_json(json.loads(payload), app.bot))
    assert await rows(store, text("SELECT * FROM person ORDER BY id")) == snapshot
    assert len(await client.messages(ADMIN_ID)) == messages
    assert await client.calls(since=since) == [], "a replay is not even answered again"
    # and the old button, pressed again from a stale client, finds nobody to erase
    answer = await chat.press(ADMIN_ID, ADMIN_ID, question, data=erase_button(question),
                              forged=True)
    assert answer["text"] == "This person's data was already erased."


async def test_retention_job_anonymises_pledges_of_appeals_closed_long_ago(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    app: TongxinApplication,
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    closed = await reported_appeal(store, clock, AppealStatus.CLOSED)
    current = await reported_appeal(store, clock, AppealStatus.OPEN)
    async with store() as uow:
        await uow.audit.record(
            AuditEvent(ADMIN_ID, "appeal.close", f"appeal:{closed}", "open", "closed", clock.now())
        )
        await uow.commit()
    old = [
        await confirmed_pledge(store, clock, li, closed, f"o{i}", kilos=10 * (i + 1))
        for i in range(2)
    ]
    new = await confirmed_pledge(store, clock, li, current, "n1", money=80)
    before = await totals(store)
    [job] = app.job_queue.get_jobs_by_name("retention")  # type: ignore[union-attr]

    clock.advance(timedelta(days=364))
    await job.run(app)
    owners = text("SELECT id, person_id FROM pledge ORDER BY id")
    assert await rows(store, owners) == [(old[0], li), (old[1], li), (new, li)]

    clock.advance(timedelta(days=2))
    await job.run(app)
    [(anonymous, _)] = await rows(
        store, text("SELECT id, name FROM person WHERE id < 0 AND name = ''")
    )
    assert await rows(store, owners) == [(old[0], anonymous), (old[1], anonymous), (new, li)]
    assert await rows(store, text("SELECT DISTINCT reported_by FROM fulfilment")) == [
        (anonymous,)
    ]
    assert await totals(store) == before
    assert await rows(store, text("SELECT name FROM person WHERE id = :li"), li=li) == [("Li",)]
    actions = await rows(store, text("SELECT action, subject FROM audit_event "
                                     "WHERE action = 'pledge.anonymise' ORDER BY id"))
    assert actions == [("pledge.anonymise", f"pledge:{p}") for p in old]
    await job.run(app)  # a second sweep finds nothing more to do
    assert await rows(store, owners) == [(old[0], anonymous), (old[1], anonymous), (new, li)]


async def _written_by(store: SqlUnitOfWorkFactory, giver: int, pledge_ids: list[int]) -> None:
    """Free text the giver typed that names them: a note, a cancel reason, a proof."""
    note = text("UPDATE pledge SET description = :d WHERE id = :id")
    reason = text("UPDATE pledge SET cancelled = TRUE, cancel_reason = :r WHERE id = :id")
    proof = text("UPDATE fulfilment SET proof_file_id = 'photo-zhang', proof_kind = 'photo' "
                 "WHERE pledge_id = :id")
    async with store() as uow:
        written = f"Zhang Wei 的车队送货，联系 @ZhangWei 或 {giver}"
        await uow.session.execute(note, {"d": written, "id": pledge_ids[0]})
        await uow.session.execute(proof, {"id": pledge_ids[0]})
        await uow.session.execute(reason, {"r": "zhang wei 生病了", "id": pledge_ids[1]})
        await uow.commit()


async def _naming(store: SqlUnitOfWorkFactory, needles: tuple[str, ...]) -> list[str]:
    """Every text column of every table with a row that holds one of the needles."""
    from sqlalchemy import String, Text, func, or_, select

    from storage.models import Base

    found = []
    async with store() as uow:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | Text):
                    continue
                hit = or_(*(func.lower(column).contains(n.lower()) for n in needles))
                count = await uow.session.scalar(
                    select(func.count()).select_from(table).where(hit)
                )
                if count:
                    found.append(f"{table.name}.{column.name}")
    return found


async def test_forgetme_takes_the_person_out_of_every_text_they_wrote(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    user = await client.create_user("Zhang Wei", username="zhangwei", language_code="en")
    zhang = int(user["id"])
    await chat.say(zhang, "/start")
    first = await reported_appeal(store, clock, AppealStatus.OPEN)
    goods = await confirmed_pledge(store, clock, zhang, first, "z1", kilos=3000)
    money = await confirmed_pledge(store, clock, zhang, first, "z2", money=500)
    await _written_by(store, zhang, [goods, money])
    from domain.offers.models import Offer, OfferStatus, OfferTerms

    async with store() as uow:
        await uow.offers.add(Offer(
            0, "zo", zhang, "N95口罩", "n95口罩", Decimal(500), Decimal(500), "piece", False,
            OfferTerms.FREE, None, "CNY", "Zhang Wei 的仓库，徐州", None, OfferStatus.OPEN,
            clock.now(),
        ))
        # news about them, waiting for a coordinator
        await uow.outbox.enqueue(
            NewDelivery(Purpose.NOTICE, "news:z", ADMIN_ID, "Zhang Wei (@zhangwei) pledged"),
            clock.now(),
        )
        await uow.commit()
    # a pledge cancelled through the bot, the reason naming them
    third = await confirmed_pledge(store, clock, zhang, first, "z3", money=100)
    [anchor] = await chat.say(zhang, "/help")
    await chat.press(zhang, zhang, anchor, data=f"pm:cancel:{third}", forged=True)
    await chat.next_messages(zhang, 1, int(anchor["message_id"]))
    [cancelled] = await chat.say(zhang, "Zhang Wei changed his mind")
    assert f"#{third}" in cancelled["text"], cancelled["text"]
    needles = ("Zhang Wei", "zhangwei", str(zhang))
    assert "pledge.cancel_reason" in await _naming(store, needles)  # it finds what it seeks
    before = await totals(store)
    question = await ask_to_forget(chat, zhang)
    answer = await chat.press(zhang, zhang, question, data=erase_button(question))
    assert answer.get("show_alert") is not True, answer
    await client.wait_for_updates_consumed(timeout=10)
    assert await _naming(store, needles) == []
    assert await totals(store) == before
    kept = text("SELECT item, description, cancel_reason, quantity FROM pledge ORDER BY id")
    [(item, note, none, kilos), (_, _, reason, _), (_, _, typed, _)] = await rows(store, kept)
    assert (item, none, Decimal(kilos)) == ("消毒液", None, Decimal(3000))
    assert note == "… 的车队送货，联系 … 或 …" and reason is None and typed is None, (note, reason)
    assert await rows(store, text("SELECT proof_file_id, proof_kind FROM fulfilment")) == [
        (None, None)
    ]
    assert await rows(store, text("SELECT item, location, status FROM offer")) == [
        ("N95口罩", "", "withdrawn")
    ]


async def test_retention_takes_the_giver_out_of_the_old_pledges_text_too(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    app: TongxinApplication,
) -> None:
    user = await client.create_user("Zhang Wei", username="zhangwei", language_code="en")
    zhang = int(user["id"])
    await chat.say(zhang, "/start")
    closed = await reported_appeal(store, clock, AppealStatus.CLOSED)
    async with store() as uow:
        await uow.audit.record(
            AuditEvent(ADMIN_ID, "appeal.close", f"appeal:{closed}", "open", "closed", clock.now())
        )
        await uow.commit()
    old = [
        await confirmed_pledge(store, clock, zhang, closed, f"o{i}", kilos=10 * (i + 1))
        for i in range(2)
    ]
    await _written_by(store, zhang, old)
    before = await totals(store)
    [job] = app.job_queue.get_jobs_by_name("retention")  # type: ignore[union-attr]
    clock.advance(timedelta(days=366))
    await job.run(app)
    assert await totals(store) == before
    kept = text("SELECT description, cancel_reason FROM pledge ORDER BY id")
    assert await rows(store, kept) == [("… 的车队送货，联系 … 或 …", None), ("", None)]
    assert await rows(store, text("SELECT proof_file_id FROM fulfilment")) == [
        (None,), (None,)
    ]
    # the person keeps their name on their own record (and the day's kept updates), only there
    naming = await _naming(store, ("Zhang Wei", "zhangwei"))
    assert "person.name" in naming, naming
    assert all(c.startswith("person.") or c == "received_update.payload" for c in naming), naming
