"""Greeting, help and language, in the person's language."""

from __future__ import annotations

from sandbox.client import SandboxClient
from tests.harness import ADMIN_ID, Conversation
from tests.talk import last_call


async def test_start_greets_in_simplified_chinese_for_a_zh_hans_client(
    client: SandboxClient, chat: Conversation
) -> None:
    user = await client.create_user("Li", language_code="zh-hans")
    [answer] = await chat.say(user["id"], "/start")
    assert "你好，Li！" in answer["text"]
    assert "同心帮助我们的网络" in answer["text"]


async def test_start_greets_in_english_for_an_en_client(
    client: SandboxClient, chat: Conversation
) -> None:
    user = await client.create_user("Ann", language_code="en")
    [answer] = await chat.say(user["id"], "/start")
    assert "Hello, Ann!" in answer["text"]


async def test_help_lists_only_what_a_member_may_use(
    client: SandboxClient, chat: Conversation
) -> None:
    member = await client.create_user("Mo", language_code="en")
    [answer] = await chat.say(member["id"], "/help")
    assert "/start" in answer["text"] and "/lang" in answer["text"]
    assert "/org" not in answer["text"] and "/grant" not in answer["text"]
    [admin_help] = await chat.say(ADMIN_ID, "/help")
    assert "/org" in admin_help["text"] and "/grant" in admin_help["text"]


async def test_lang_switches_to_traditional_chinese(
    client: SandboxClient, chat: Conversation
) -> None:
    user = await client.create_user("Wu", language_code="en")
    [menu] = await chat.say(user["id"], "/lang")
    since = await last_call(client)
    await chat.press(user["id"], user["id"], menu, data="lang:zh-Hant")
    # The press is answered before the menu is edited (the edit waits for the chat's pace).
    await client.wait_for_calls("editMessageText", count=1, since=since, timeout=10)
    [edited] = await client.bot_messages(user["id"], after_message_id=int(menu["message_id"]) - 1)
    assert "繁體中文" in edited["text"]
    [answer] = await chat.say(user["id"], "/cancel")
    assert answer["text"] == "沒有需要取消的操作。"
