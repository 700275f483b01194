"""The live board: a group's appeal message shows the progress, edited once per change."""

from __future__ import annotations

from datetime import timedelta

from bot.runtime import TongxinApplication
from domain.appeals.models import broadcast_subject
from domain.clock import FakeClock
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from domain.pledges.models import Fulfilment, FulfilmentState
from domain.totals.scheduled import BOARD_MINUTES, Boards
from handlers.totals.board import BoardText
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.totals.seed import AT, seed_scenario
from tests.handlers.totals_talk import group_of, person, pledgers
from tests.harness import Conversation


async def test_the_board_is_edited_once_per_change_however_often_it_runs(
    app: TongxinApplication, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, clock: FakeClock,
) -> None:
    seen = await seed_scenario(store, pledgers())
    member = await person(client, chat, "Mem", "en")
    group = await group_of(client, chat, store, member, seen.organisations["民主党派"].id)
    [greeting] = [m for m in await client.messages(group) if m.get("from", {}).get("is_bot")]
    async with store() as uow:  # the appeal's message in the group, as the broadcast left it
        subject = broadcast_subject(seen.appeal.id)
        await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL, subject, group, "…"), clock.now())
        [sent] = await uow.outbox.for_subject(Purpose.APPEAL, subject)
        await uow.outbox.mark_sent(sent.id, int(greeting["message_id"]), clock.now())
        await uow.commit()
    services = app.bot_data.services
    boards = Boards(store, clock, services.totals)
    text = BoardText(services.translations, services.default_language, services.bot_username)
    # the runtime runs it every BOARD_MINUTES
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name("boards")
    assert job.job.trigger.interval == timedelta(minutes=BOARD_MINUTES)
    before = len(await client.calls(method="editMessageText"))
    assert await boards.refresh(text) == 1
    await client.wait_for_calls(method="editMessageText", count=before + 1, timeout=10)
    [board] = [m for m in await client.messages(group)
               if m["message_id"] == greeting["message_id"]]
    lines = board["text"].splitlines()
    assert lines[lines.index("进度："):] == [
        "进度：",
        "• 消毒液：已认捐 60%，已送达 60%",
        "• 志愿者：已认捐 12%，已送达 12%",
        "• 资金：已认捐 80%，已送达 65%",
        "• ≈161.4万元（已送达 130万元）；实物 ≈35万元；认捐人数 7",
    ]
    assert f"#{seen.appeal.id}" in board["text"] and "宣武" not in board["text"]
    # nothing changed: nothing is queued, however often it runs
    assert await boards.refresh(text) == 0
    assert await boards.refresh(text) == 0
    # a delivery arrives: one more edit
    async with store() as uow:
        [goods] = [p for p in await uow.pledges.of_person(pledgers()["宣武"])
                   if p.kind.value == "goods"]
        await uow.pledges.add_fulfilment(Fulfilment(
            0, goods.id, goods.quantity or 1, False, goods.person_id, AT, None,
            FulfilmentState.REPORTED,
        ))
        await uow.commit()
    clock.advance(timedelta(minutes=BOARD_MINUTES))
    assert await boards.refresh(text) == 1
    await client.wait_for_calls(method="editMessageText", count=before + 2, timeout=10)
    [board] = [m for m in await client.messages(group)
               if m["message_id"] == greeting["message_id"]]
    assert "• 消毒液：已认捐 60%，已送达 120%" in board["text"].splitlines()
    assert await boards.refresh(text) == 0
