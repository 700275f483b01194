"""The webhook profile: pushed updates, the secret token, and redelivered updates."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, BotProcess, Conversation, settings_for

pytestmark = pytest.mark.e2e

SECRET = "webhook-secret-for-tests-0123456789"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def webhook_bot(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, tmp_path: Path
) -> AsyncIterator[str]:
    """The bot as a process receiving updates by webhook; yields the webhook URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    process = BotProcess(
        settings_for(database_url, sandbox), tmp_path / "bot.log",
        extra_env={"WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": str(port)},
        ready_method="setWebhook",
    )
    await process.start(client)
    try:
        yield url
    finally:
        await process.kill()


def _update(update_id: int, text: str) -> dict[str, object]:
    user = {"id": ADMIN_ID, "is_bot": False, "first_name": "Admin", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 900 + update_id, "date": 1582074000, "text": text,
            "chat": {"id": ADMIN_ID, "type": "private", "first_name": "Admin"},
            "from": user,
            "entities": [{"type": "bot_command", "offset": 0, "length": 4}],
        },
    }


async def test_updates_pushed_by_webhook_are_answered(
    webhook_bot: str, client: SandboxClient, chat: Conversation
) -> None:
    user = await client.create_user("Hu", language_code="zh-hans")
    [answer] = await chat.say(user["id"], "/start")
    assert answer["text"].startswith("你好，Hu！")


async def test_a_wrong_secret_is_refused_and_a_redelivered_update_is_a_no_op(
    webhook_bot: str, client: SandboxClient, store: SqlUnitOfWorkFactory
) -> None:
    await Conversation(client).say(ADMIN_ID, "/help")
    update = _update(777001, "/org add 红十字会")
    async with aiohttp.ClientSession() as http:
        async with http.post(webhook_bot, json=update,
                             headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as refused:
            assert refused.status == 401
        for _ in range(2):  # Telegram redelivers when it saw no 2xx in time
            async with http.post(webhook_bot, json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as ok:
                assert ok.status == 200
        async with http.post(webhook_bot, data=b"{not json",
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as bad:
            assert bad.status == 400
    # Answered once kept, handled after: wait for the answer, then for one to a later /help
    # (handled after anything of the same person, a repeat included).
    await client.wait_for_bot_messages(ADMIN_ID, count=2, timeout=10)
    await Conversation(client).say(ADMIN_ID, "/help")
    async with store() as uow:
        assert [o.name for o in await uow.organisations.all()] == ["红十字会"]
    replies = [c for c in await client.calls(method="sendMessage")
               if str(c["params"].get("chat_id")) == str(ADMIN_ID)][1:-1]
    assert [r["params"]["text"] for r in replies] == ["Added “红十字会”."]
