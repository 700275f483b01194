"""Webhook mode: answered once kept, people handled in parallel, each person in order."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime import Runtime
from domain.clock import FakeClock
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from domain.outbox.service import OutboxService
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests.bot.conftest import running_runtime
from tests.harness import ADMIN_ID, BotProcess, Conversation, settings_for

SECRET = "webhook-secret-for-tests-0123456789"


def free_port() -> int:
    """A local TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_env(port: int) -> dict[str, str]:
    """The settings of a bot receiving by webhook on 127.0.0.1:`port`."""
    return {"WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_PORT": str(port)}


@pytest.fixture
async def webhook_runtime(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock
) -> AsyncIterator[Runtime]:
    """The bot in this process, receiving by webhook from the sandbox."""
    port = free_port()
    settings = settings_for(database_url, sandbox, webhook_url=f"http://127.0.0.1:{port}/telegram",
                            webhook_secret=SECRET, webhook_port=port)
    async with running_runtime(settings, clock) as runtime:
        yield runtime


async def test_a_stuck_answer_to_one_person_does_not_hold_up_another(
    webhook_runtime: Runtime, client: SandboxClient
) -> None:
    slow = await client.create_user("Slow", language_code="en")
    quick = await client.create_user("Quick", language_code="en")
    # Slow's answer hangs until the bot's HTTP client gives up (several seconds).
    await client.inject_faults(1, kind="timeout", method="sendMessage",
                               chat_ids=[slow["id"]], delay=30)
    await client.send_text(slow["id"], "/start")
    # The sandbox pushes one update at a time, each after the previous got its 200: Quick's
    # update reaches the bot only because Slow's was answered before it was handled.
    await client.send_text(quick["id"], "/start")
    [greeting] = await client.wait_for_bot_messages(quick["id"], count=1, timeout=4)
    assert "Hello, Quick!" in greeting["text"]
    assert await client.wait_for_bot_messages(slow["id"], count=1, timeout=20)


async def test_ten_quick_messages_of_one_person_are_answered_in_order(
    webhook_runtime: Runtime, client: SandboxClient
) -> None:
    for number in range(10):
        await client.send_text(ADMIN_ID, f"/org add Org{number}")
    answers = await client.wait_for_bot_messages(ADMIN_ID, count=10, timeout=20)
    assert [a["text"] for a in answers[-10:]] == [f"Added “Org{n}”." for n in range(10)]


async def test_webhook_max_connections_is_a_setting(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock
) -> None:
    port = free_port()
    settings = settings_for(database_url, sandbox, webhook_url=f"http://127.0.0.1:{port}/t",
                            webhook_secret=SECRET, webhook_port=port,
                            webhook_max_connections=7)
    async with running_runtime(settings, clock):
        [call] = await client.calls(method="setWebhook")
        assert int(call["params"]["max_connections"]) == 7


async def test_an_update_answered_then_lost_in_a_crash_is_handled_once_after_restart(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, tmp_path: Path
) -> None:
    port = free_port()
    bot = BotProcess(settings_for(database_url, sandbox), tmp_path / "bot.log",
                     extra_env=webhook_env(port), ready_method="setWebhook")
    await bot.start(client)
    try:
        user = await client.create_user("Ann", language_code="en")
        await client.inject_faults(1, kind="timeout", method="sendMessage",
                                   chat_ids=[user["id"]], delay=60)
        since = max(c["seq"] for c in await client.calls())
        await client.send_text(user["id"], "/help")
        await client.wait_for_calls("sendMessage", count=1, timeout=10, since=since)
        assert await client.pending_updates() == []  # answered 200: Telegram will not resend
        await bot.kill()  # kill -9 while the answer is being sent
        await client.clear_faults()
        await bot.start(client)
        [help_text] = await client.wait_for_bot_messages(user["id"], count=1, timeout=15)
        assert "/start" in help_text["text"]
        [_greeting] = await Conversation(client).say(user["id"], "/start")
        assert len(await client.bot_messages(user["id"])) == 2  # /help answered once
    finally:
        await bot.kill()


async def test_a_message_queued_in_the_process_is_sent_at_once_not_at_the_next_idle_look(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock
) -> None:
    # The sender looks for work every 30 s when idle; a committed outbox insert wakes it.
    settings = settings_for(database_url, sandbox, tick_seconds=30)
    async with running_runtime(settings, clock):
        await Conversation(client).say(ADMIN_ID, "/help")  # the sender has gone idle by now
        last = await _last(client)
        engine = create_engine(database_url)
        try:
            await OutboxService(SqlUnitOfWorkFactory(session_factory(engine))).enqueue(
                [NewDelivery(Purpose.NOTICE, "wake", ADMIN_ID, "queued just now")], clock.now()
            )
        finally:
            await engine.dispose()
        [sent] = await client.wait_for_bot_messages(ADMIN_ID, count=1, timeout=5,
                                                    after_message_id=last)
        assert sent["text"] == "queued just now"


async def _last(client: SandboxClient) -> int:
    """The newest message id in the admin's chat (the notice comes after it)."""
    messages = await client.bot_messages(ADMIN_ID)
    return max(int(m["message_id"]) for m in messages)
