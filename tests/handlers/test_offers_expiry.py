"""The offer dialog is a row on the engine: a restart continues it, an abandoned one expires."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import FakeClock
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation, running_bot, settings_for


async def test_a_restart_continues_the_offer_and_an_abandoned_one_expires_with_one_note(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock
) -> None:
    settings = settings_for(database_url, sandbox)
    chat = Conversation(client)
    async with running_bot(settings, clock):
        user = await client.create_user("Li", username="li", language_code="zh-hans")
        li = int(user["id"])
        await chat.say(li, "/start")
        [question] = await chat.say(li, "/offer")
        assert question["text"].startswith("你要提供什么物资？"), question["text"]
    async with running_bot(settings, clock) as app:
        [terms] = await chat.say(li, "防护服 300套")
        assert terms["text"].startswith("以什么条件提供？"), terms["text"]
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name("dialogs")
        job.enabled = False
        clock.advance(timedelta(hours=24, minutes=1))
        await job.run(app)
        [note] = await chat.next_messages(li, 1, int(terms["message_id"]))
        assert note["text"] == "你未完成的供应已在24小时后过期；没有保存任何内容。"
        count = len(await client.messages(li))
        await job.run(app)
        assert len(await client.messages(li)) == count, "one note, not one a sweep"
        engine = create_engine(database_url)
        try:
            async with SqlUnitOfWorkFactory(session_factory(engine))() as uow:
                assert await uow.dialogs.get(li) is None
                assert await uow.offers.of_person(li) == []
        finally:
            await engine.dispose()
