"""Coordinators hear of pledges, changes, cancellations and fitting offers, in batches."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from domain.appeals.models import Appeal, AppealStatus
from domain.batches.service import NoticeLine
from domain.clock import FakeClock
from domain.network.models import Language
from domain.notices.models import NoticeEvent
from domain.pledges.models import Pledge, PledgeKind, Visibility
from handlers.i18n import Translations
from handlers.review.render import BatchNotices
from sandbox.client import SandboxClient
from storage.models.notices import CoordinatorNoticeRow
from storage.uow import SqlUnitOfWorkFactory
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
    offer_in_one_line,
)

INTERVAL = timedelta(minutes=5)
GATHER = timedelta(minutes=1)


async def waiting_notices(store: SqlUnitOfWorkFactory, coordinator_id: int) -> int:
    """Events queued for a coordinator and not yet batched."""
    async with store() as uow:
        return int(
            await uow.session.scalar(
                select(func.count())
                .select_from(CoordinatorNoticeRow)
                .where(
                    CoordinatorNoticeRow.batched_at.is_(None),
                    CoordinatorNoticeRow.coordinator_id == coordinator_id,
                )
            )
            or 0
        )


async def test_pledges_and_cancellations_reach_the_coordinator_in_one_batch_per_interval(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="zh-hant")
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", "zh-hans")
    wang = await member(client, chat, "Wang", "en")
    await join(store, li, org)
    await join(store, wang, org)
    group = await client.create_group("红十字会群", members=[li, wang])
    seen = await last_id(client, co)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 5万元")
    await confirm(chat, li, summary)
    assert await waiting_notices(store, co) == 1  # a first event waits for others to join
    clock.advance(GATHER)
    [first] = await chat.next_messages(co, 1, seen)
    assert first["text"] == (
        "你負責的網絡有新動態：\n"
        "• 新認捐 #1：Li (@li)，5萬元；倡議 #1 抗疫倡议；以個人名義"
    ), first["text"]
    # Within the interval, a cancellation and a new pledge wait for the next batch.
    [listing] = await chat.say(li, "/mypledges")
    await chat.press(li, li, listing, data=button(listing, "pm:cancel:1")["callback_data"])
    [_why] = await chat.next_messages(li, 1, int(listing["message_id"]))
    await chat.say(li, "资金已另行捐出")
    [summary] = await chat.say(wang, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, wang, summary)
    assert await waiting_notices(store, co) == 2
    seen = await last_id(client, co)
    clock.advance(INTERVAL + timedelta(seconds=1))
    [batch] = await chat.next_messages(co, 1, seen)
    assert batch["text"].splitlines()[1:] == [
        "• 認捐 #1 已取消：Li (@li)，5萬元（原因：资金已另行捐出）；倡議 #1 抗疫倡议；以個人名義",
        "• 新認捐 #2：Wang (@wang)，消毒液 3000公斤；倡議 #1 抗疫倡议；以個人名義",
    ], batch["text"]
    assert await waiting_notices(store, co) == 0
    # Two batches in all, and nothing about anyone's pledge in the group.
    bot_messages = [m for m in await client.messages(co) if m["from"]["is_bot"]]
    assert [m["text"].splitlines()[0] for m in bot_messages[-2:]] == ["你負責的網絡有新動態："] * 2
    assert not [m for m in await client.messages(int(group["id"])) if m["from"]["is_bot"]]


async def test_a_changed_date_and_an_offer_that_fits_a_need_in_english(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    co, org = await coordinator_of(client, chat, store, lang="en")
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", "zh-hans")
    await chat.say(ADMIN_ID, "/grant @li member 红十字会")
    seen = await last_id(client, co)
    [step] = await chat.say(li, f"/pledge {appeal.id}")
    for data in ("pd:kind:goods", f"pd:need:{appeal.needs[0].id}"):
        after = int(step["message_id"])
        await chat.press(li, li, step, data=data)
        [step] = await chat.next_messages(li, 1, after)
    [step] = await chat.say(li, "3000公斤")
    while not any(b.get("callback_data", "").startswith("pd:ok:") for b in buttons(step)):
        choices = [b["callback_data"] for b in buttons(step)]
        data = f"pd:behalf:{org}" if f"pd:behalf:{org}" in choices else choices[0]
        after = int(step["message_id"])
        await chat.press(li, li, step, data=data)
        [step] = await chat.next_messages(li, 1, after)
    await confirm(chat, li, step)
    clock.advance(GATHER)
    [first] = await chat.next_messages(co, 1, seen)
    assert first["text"].splitlines()[1] == (
        "• New pledge #1: Li (@li), 消毒液 3,000 kg; appeal #1 抗疫倡议; on behalf of 红十字会"
    ), first["text"]
    [listing] = await chat.say(li, "/mypledges")
    await chat.press(li, li, listing, data=button(listing, "pm:due:1")["callback_data"])
    [_when] = await chat.next_messages(li, 1, int(listing["message_id"]))
    await chat.say(li, "2020-03-05")
    wang = await member(client, chat, "Wang", "en")
    await offer_in_one_line(chat, store, wang, "N95口罩 5000个")
    seen = await last_id(client, co)
    clock.advance(INTERVAL + timedelta(seconds=1))
    [batch] = await chat.next_messages(co, 1, seen)
    assert batch["text"].splitlines()[1:] == [
        "• Pledge #1 changed: Li (@li), 消毒液 3,000 kg, now due 2020-03-05; appeal #1 抗疫倡议; "
        "on behalf of 红十字会",
        "• New offer #1: Wang (@wang), N95口罩 5,000 pieces; it fits open needs, see /match.",
    ], batch["text"]


def _pledge(number: int) -> Pledge:
    return Pledge(
        id=number, token=f"t{number}", person_id=7, kind=PledgeKind.MONEY, appeal_id=1,
        need_id=None, item="", amount_minor=5_000_000, currency="CNY", quantity=None, unit="",
        estimated_minor=None, approximate=False, description="", on_behalf_of=None,
        earmark_recipient_id=None, due_date=None, visibility=Visibility.ANONYMOUS,
        cancelled=False, cancel_reason=None, source_chat_id=None, source_update_id=None,
        created_at=FakeClock().now(),
    )


def test_a_batch_longer_than_one_message_is_summarised_not_cut() -> None:
    appeal = Appeal(
        id=1, title="抗" * 200, body="", status=AppealStatus.OPEN, deadline=None,
        currency="CNY", money_target_minor=None, organisation_id=None, created_by=1,
        created_at=FakeClock().now(),
    )
    lines = [
        NoticeLine(NoticeEvent.PLEDGED, "Li", pledge=_pledge(n), appeal=appeal, behalf="工商联")
        for n in range(1, 41)
    ]
    render = BatchNotices(Translations.load())
    for language, more in ((Language.EN, "…and {} more."), (Language.ZH_HANS, "……另有 {} 条。")):
        text = render(language, lines)
        assert len(text) <= 4096
        shown = [line for line in text.splitlines() if line.startswith("• ")]
        assert 5 < len(shown) < 40
        assert all(line.endswith("工商联") for line in shown)
        assert text.splitlines()[-1] == more.format(40 - len(shown))
