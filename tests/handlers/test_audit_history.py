"""/audit through Telegram: who did what and when, in the reader's language and time zone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from domain.appeals.models import AppealStatus
from domain.clock import FakeClock
from domain.kernel.audit import AuditEvent
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import confirmed_pledge, erase_button, member, reported_appeal, rows


async def record(store: SqlUnitOfWorkFactory, *events: AuditEvent) -> None:
    async with store() as uow:
        for event in events:
            await uow.audit.record(event)
        await uow.commit()


async def test_admins_read_a_pledges_history_and_a_forgotten_actor_stays_forgotten(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    wang = await member(client, chat, "Wang", "zh-hant")
    seen = max(int(m["message_id"]) for m in await client.messages(wang))
    await chat.say(ADMIN_ID, "/grant @wang admin")
    await chat.next_messages(wang, 1, seen)  # Wang is told, before he asks anything
    pledge_id = await confirmed_pledge(
        store, clock, li, await reported_appeal(store, clock, AppealStatus.OPEN), "t1", kilos=3000
    )
    [(fulfilment,)] = await rows(store, text("SELECT id FROM fulfilment"))
    await record(
        store,
        AuditEvent(li, "pledge.create", f"pledge:{pledge_id}", None, "消毒液 3,000 kg",
                   clock.now()),
        AuditEvent(ADMIN_ID, "fulfilment.confirm", f"fulfilment:{fulfilment}", "reported",
                   "confirmed", clock.now() + timedelta(hours=2)),
        AuditEvent(li, "pledge.create", "pledge:999", None, "someone else's", clock.now()),
    )
    [history] = await chat.say(ADMIN_ID, f"/audit p{pledge_id}")
    assert history["text"].splitlines() == [
        f"History of p{pledge_id}",
        "Times in Asia/Shanghai",
        "",
        "2020-02-19 17:00 · Li · pledged",
        "    — → 消毒液 3,000 kg",
        f"2020-02-19 19:00 · Admin · confirmed receipt (fulfilment:{fulfilment})",
        "    reported → confirmed",
    ]
    [chinese] = await chat.say(wang, f"/audit P#{pledge_id}")
    assert chinese["text"].splitlines()[:4] == [
        f"p{pledge_id} 的變更紀錄", "時間按 Asia/Shanghai 時區", "",
        "2020-02-19 17:00 · Li · 已認捐",
    ]

    [question] = await chat.say(li, "/forgetme")
    await chat.press(li, li, question, data=erase_button(question))
    await chat.say(li, "/start")  # Li comes back: a new person, not the old actor
    [after] = await chat.say(ADMIN_ID, f"/audit p{pledge_id}")
    line = after["text"].splitlines()[3]
    assert line.startswith("2020-02-19 17:00 · a forgotten person (") and "Li" not in line


async def test_audit_refuses_non_admins_and_bad_subjects(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    await record(store, AuditEvent(None, "appeal.close", "appeal:3", "open", "closed", clock.now()))
    [denied] = await chat.say(li, "/audit a3")
    assert denied["text"] == "只有管理员可以这样做。"
    for bad in ("", "x12", "p-1", "p²", "p" + "9" * 20, "a3 a4", "p0"):
        [usage] = await chat.say(ADMIN_ID, f"/audit {bad}")
        assert usage["text"].startswith("Usage: /audit p12"), bad
    [nothing] = await chat.say(ADMIN_ID, "/audit p999")
    assert nothing["text"] == "Nothing is recorded about p999."
    [closed] = await chat.say(ADMIN_ID, "/audit a3")
    assert closed["text"].splitlines()[3:] == [
        "2020-02-19 17:00 · the bot · closed the appeal", "    open → closed",
    ]


async def test_a_long_history_is_paged_within_telegrams_limit(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    li = await member(client, chat, "Li", "en")
    await record(
        store,
        *(
            AuditEvent(ADMIN_ID, "appeal.edit", "appeal:7", f"{n} " + "&<" * 200,
                       "紧急" * 200, clock.now() + timedelta(minutes=n))
            for n in range(60)
        ),
    )
    [last] = await chat.say(ADMIN_ID, "/audit a7")
    pages = int(last["text"].splitlines()[0].rsplit("/", 1)[1].rstrip(")"))
    assert pages > 3 and len(last["text"]) <= 4096
    assert "59 &<&<" in last["text"]
    [earlier] = last["reply_markup"]["inline_keyboard"][0]
    assert earlier["callback_data"] == f"audit:a7:{pages - 2}"
    await chat.press(ADMIN_ID, ADMIN_ID, last, data=earlier["callback_data"])
    turned = next(m for m in await client.messages(ADMIN_ID)
                  if m["message_id"] == last["message_id"])
    assert turned["text"].startswith(f"History of a7 ({pages - 1}/{pages})")
    assert len(turned["text"]) <= 4096
    assert [b["text"] for b in turned["reply_markup"]["inline_keyboard"][0]] == [
        "◀ Earlier", "Later ▶",
    ]
    answer = await chat.press(ADMIN_ID, ADMIN_ID, last, data="audit:a7:99", forged=True)
    assert answer["text"] == "This button is no longer valid."
    [lis] = await chat.say(li, "/privacy")
    answer = await chat.press(li, li, lis, data="audit:a7:0", forged=True)
    assert answer["text"] == "Only admins can do that."
