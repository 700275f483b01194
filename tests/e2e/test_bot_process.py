"""The bot as a real process: greeting, groups, roles, kill -9, SIGTERM, bad settings."""

from __future__ import annotations

import asyncio
import sys

import pytest
from sqlalchemy import text

from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, ROOT, BotProcess, Conversation

pytestmark = pytest.mark.e2e


async def test_start_in_the_clients_language(
    bot_process: BotProcess, client: SandboxClient, chat: Conversation
) -> None:
    li = await client.create_user("Li", language_code="zh-hans")
    ann = await client.create_user("Ann", language_code="en")
    [zh] = await chat.say(li["id"], "/start")
    [en] = await chat.say(ann["id"], "/start")
    assert zh["text"].startswith("你好，Li！")
    assert en["text"].startswith("Hello, Ann!")


async def test_group_is_pending_then_linked_by_a_coordinator_and_survives_migration(
    bot_process: BotProcess, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory,
) -> None:
    coordinator = await client.create_user("Co", username="co", language_code="en")
    member = await client.create_user("Me", language_code="en")
    await chat.say(ADMIN_ID, "/org add 民建")
    await chat.say(coordinator["id"], "/start")
    await chat.say(ADMIN_ID, "/grant @co coordinator")
    group = await client.create_group("民建支部", members=[coordinator["id"], member["id"]])
    await client.add_bot(group["id"], by_user_id=member["id"])
    await chat.next_messages(group["id"], 1, None)
    async with store() as uow:
        pending = await uow.chats.get(group["id"])
    assert pending is not None and pending.status == "pending"

    [refused] = await chat.say(member["id"], "/link", chat_id=group["id"])
    assert "Only coordinators" in refused["text"]
    [offer] = await chat.say(coordinator["id"], "/link", chat_id=group["id"])
    await chat.press(coordinator["id"], group["id"], offer, text="民建")
    new_id = await client.migrate_group(group["id"])
    await client.wait_for_updates_consumed(timeout=10)
    async with store() as uow:
        assert await uow.chats.get(group["id"]) is None
        moved = await uow.chats.get(new_id)
    assert moved is not None and moved.status == "approved"


async def test_kill_9_and_restart_keep_everything_and_handle_the_update_in_flight_once(
    bot_process: BotProcess, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory,
) -> None:
    await chat.say(ADMIN_ID, "/org add 民革")
    # The reply to the next update hangs in the sandbox: the bot has done the work but
    # Telegram has not yet been told the update was received when the bot dies.
    await client.inject_faults(1, kind="timeout", method="sendMessage", delay=30)
    since = max(c["seq"] for c in await client.calls())
    await client.send_text(ADMIN_ID, "/org add 农工党")
    await client.wait_for_calls("sendMessage", count=1, since=since, timeout=20)
    await bot_process.kill()
    # Telegram may already have been told it arrived, but only once it was kept.
    unconfirmed = [u for u in await client.pending_updates()]
    async with store() as uow:
        kept = list(await uow.session.scalars(text("SELECT payload FROM received_update")))
    assert unconfirmed or any("农工党" in payload for payload in kept)
    await client.clear_faults()

    await bot_process.start(client)
    await client.wait_for_updates_consumed(timeout=20)
    [tree] = await chat.say(ADMIN_ID, "/org list")
    assert tree["text"].count("农工党") == 1
    assert tree["text"].count("民革") == 1
    async with store() as uow:
        names = sorted(o.name for o in await uow.organisations.all())
    assert names == ["农工党", "民革"]


async def test_sigterm_stops_cleanly(bot_process: BotProcess, chat: Conversation) -> None:
    [answer] = await chat.say(ADMIN_ID, "/help")
    assert "/org" in answer["text"]
    assert await bot_process.terminate() == 0


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS: expected comma-separated numeric Telegram user ids"),
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN: expected a token like"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE: expected an IANA time zone"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: expected sqlite+aiosqlite"),
    ],
)
async def test_a_bad_setting_is_named_in_one_line_with_exit_status_2(
    name: str, value: str, expected: str
) -> None:
    env = {"PATH": "/usr/bin:/bin", name: value, "BOT_TOKEN": "1:" + "a" * 30}
    if name == "BOT_TOKEN":
        env["BOT_TOKEN"] = value
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=str(ROOT), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2
    assert len(lines) == 1 and expected in lines[0], lines
