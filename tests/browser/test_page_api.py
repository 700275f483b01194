"""The page's server without a browser: rendering, its JSON API, bad input, live events."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats

from sandbox.server import SandboxServer
from sandbox.webui import WebUi
from sandbox.webview import deep_link_payload, page_language, render_entities

TOKEN = "123456789:AAtest-token-for-the-page-api_00"
Json = dict[str, Any]


@pytest.fixture
async def served() -> AsyncIterator[tuple[SandboxServer, WebUi]]:
    """A sandbox (flood limits on) with its page on a free port."""
    async with SandboxServer(token=TOKEN) as sandbox:
        page = WebUi(sandbox, port=0)
        await page.start()
        try:
            yield sandbox, page
        finally:
            await sandbox.stop()
            await page.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client."""
    async with aiohttp.ClientSession() as session:
        yield session


async def _get(http: aiohttp.ClientSession, page: WebUi, path: str) -> tuple[int, Json]:
    async with http.get(page.url + path) as response:
        return response.status, await response.json()


async def _do(http: aiohttp.ClientSession, page: WebUi, action: str, body: Any
              ) -> tuple[int, Json]:
    data = body if isinstance(body, str) else json.dumps(body)
    async with http.post(page.url + "api/do/" + action, data=data,
                         headers={"Content-Type": "application/json"}) as response:
        return response.status, await response.json()


def test_text_is_escaped_and_entities_nest() -> None:
    text = "<b>&x</b> bold italic"
    entities = [{"type": "bold", "offset": 10, "length": 11},
                {"type": "italic", "offset": 15, "length": 6}]
    assert render_entities(text, entities, "tongxin_bot") == (
        "&lt;b&gt;&amp;x&lt;/b&gt; <b>bold <i>italic</i></b>")


def test_offsets_count_utf16_units_as_the_bot_api_does() -> None:
    text = "📣 抗疫 ok"  # the emoji is two UTF-16 units
    entities = [{"type": "bold", "offset": 3, "length": 2}]
    assert render_entities(text, entities, "tongxin_bot") == "📣 <b>抗疫</b> ok"


def test_overlapping_entities_are_closed_and_reopened() -> None:
    entities = [{"type": "bold", "offset": 0, "length": 4},
                {"type": "italic", "offset": 2, "length": 4}]
    assert render_entities("abcdef", entities, "b") == "<b>ab<i>cd</i></b><i>ef</i>"


def test_unsafe_links_stay_text_and_deep_links_open_the_bot() -> None:
    entities = [{"type": "text_link", "offset": 0, "length": 1, "url": "javascript:alert(1)"},
                {"type": "text_link", "offset": 2, "length": 1,
                 "url": "https://t.me/tongxin_bot?start=ap_1_2"}]
    rendered = render_entities("x y", entities, "tongxin_bot")
    assert "javascript" not in rendered
    assert 'data-payload="ap_1_2"' in rendered
    assert deep_link_payload("https://t.me/other_bot?start=ap_1", "tongxin_bot") is None
    assert deep_link_payload("https://t.me/Tongxin_Bot?start=ap_1", "tongxin_bot") == "ap_1"
    assert deep_link_payload("tg://resolve?domain=tongxin_bot&start=ap_1", "tongxin_bot") == "ap_1"
    assert deep_link_payload("https://t.me/tongxin_bot?start=a b", "tongxin_bot") is None


def test_the_page_speaks_the_persons_language() -> None:
    assert [page_language(c) for c in ("zh-hans", "zh-hant", "zh-TW", "zh", "en", None, "fr")
            ] == ["zh-Hans", "zh-Hant", "zh-Hant", "zh-Hans", "en", "en", "en"]


async def test_page_and_its_files_are_served(served: tuple[SandboxServer, WebUi],
                                             http: aiohttp.ClientSession) -> None:
    _, page = served
    async with http.get(page.url) as response:
        assert response.status == 200
        assert "static/app.js" in await response.text()
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css"),
                       ("i18n.json", "application/json")):
        async with http.get(page.url + "static/" + name) as response:
            assert response.status == 200 and response.content_type == kind
    for name in ("..%2Fwebui.py", ".hidden", "missing.js"):
        async with http.get(page.url + "static/" + name) as response:
            assert response.status == 404


async def test_bad_input_gets_a_clear_answer_and_stores_nothing(
    served: tuple[SandboxServer, WebUi], http: aiohttp.ClientSession
) -> None:
    sandbox, page = served
    user = sandbox.world.create_user("Li", language_code="zh-hans")
    assert await _get(http, page, "api/state?user=999") == (
        404, {"ok": False, "error": "user 999 not found"})
    assert (await _get(http, page, "api/state?user=abc"))[0] == 400
    assert (await _get(http, page, f"api/state?user={sandbox.world.the_bot().id}"))[0] == 400
    group = sandbox.world.create_group("Other", members=[])
    status, answer = await _get(http, page, f"api/chat?user={user.id}&chat={group.id}")
    assert status == 404 and "not one of this person's chats" in answer["error"]
    # the page cannot reset the world or inject faults
    status, answer = await _do(http, page, "reset", {})
    assert status == 404 and answer["error"] == "the page cannot do reset"
    assert await _do(http, page, "send_text", "{not json") == (
        400, {"ok": False, "error": "malformed JSON"})
    assert (await _do(http, page, "send_text", ["a list"]))[0] == 400
    status, answer = await _do(http, page, "send_text", {"user_id": user.id, "text": ""})
    assert status == 400 and answer["error"] == "text is empty"
    assert sandbox.world.private_chat(user).messages == {}
    assert not sandbox.world.updates


async def test_unread_counts_and_command_menu_follow_the_person(
    served: tuple[SandboxServer, WebUi], http: aiohttp.ClientSession
) -> None:
    sandbox, page = served
    world = sandbox.world
    user = world.create_user("Li", language_code="zh-hans")
    status, sent = await _do(http, page, "send_text", {"user_id": user.id, "text": "/start"})
    assert status == 200 and sent["result"]["text"] == "/start"
    async with Bot(TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.file_url) as bot:
        await bot.send_message(user.id, "<b>你好</b>", parse_mode="HTML")
        await bot.send_message(user.id, "*粗体* _斜体_ `code` [链接](https://example.org/a)",
                               parse_mode="MarkdownV2")
        await bot.set_my_commands([BotCommand("pledge", "认捐")],
                                  scope=BotCommandScopeAllPrivateChats(), language_code="zh")
        await bot.set_my_commands([BotCommand("pledge", "Pledge")],
                                  scope=BotCommandScopeAllPrivateChats())
    _, state = await _get(http, page, f"api/state?user={user.id}")
    [private] = state["result"]["chats"]
    assert private["unread"] == 2 and state["result"]["me"]["language"] == "zh-Hans"
    _, chat = await _get(http, page, f"api/chat?user={user.id}&chat={user.id}")
    assert [m["html"] for m in chat["result"]["messages"]] == [
        '<span class="command">/start</span>', "<b>你好</b>",
        '<b>粗体</b> <i>斜体</i> <code>code</code> '
        '<a href="https://example.org/a" target="_blank" rel="noopener noreferrer">链接</a>']
    assert chat["result"]["commands"] == [{"command": "pledge", "description": "认捐"}]
    _, state = await _get(http, page, f"api/state?user={user.id}")
    assert state["result"]["chats"][0]["unread"] == 0
    english = world.create_user("Ann", language_code="en")
    _, chat = await _get(http, page, f"api/chat?user={english.id}&chat={english.id}")
    assert chat["result"]["commands"] == [{"command": "pledge", "description": "Pledge"}]


async def test_events_tell_the_page_when_its_person_has_news(
    served: tuple[SandboxServer, WebUi], http: aiohttp.ClientSession
) -> None:
    sandbox, page = served
    user = sandbox.world.create_user("Li")
    async with http.get(page.url + f"api/events?user={user.id}") as stream:
        assert stream.content_type == "text/event-stream"
        assert await stream.content.readline() == b"event: change\n"
        assert await stream.content.readline() == b"data: 0\n"
        await stream.content.readline()
        await _do(http, page, "send_text", {"user_id": user.id, "text": "hello"})
        line = await asyncio.wait_for(stream.content.readline(), timeout=5)
        assert line == b"event: change\n"
        assert await stream.content.readline() == b"data: 1\n"


async def test_an_open_chat_that_moved_or_was_left_says_where_it_went(
    served: tuple[SandboxServer, WebUi], http: aiohttp.ClientSession
) -> None:
    sandbox, page = served
    world = sandbox.world
    user = world.create_user("Li")
    group = world.create_group("Old", members=[user.id])
    new_id = world.migrate_group(group.id)
    assert await _get(http, page, f"api/chat?user={user.id}&chat={group.id}") == (
        200, {"ok": True, "result": {"moved_to": new_id}})
    world.remove_member(new_id, user.id)
    assert await _get(http, page, f"api/chat?user={user.id}&chat={new_id}") == (
        200, {"ok": True, "result": {"gone": True}})
    _, state = await _get(http, page, f"api/state?user={user.id}")
    assert [c["id"] for c in state["result"]["chats"]] == [user.id]


def test_a_busy_page_port_is_one_line_naming_it() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "sandbox", "--port", "0", "--web-port", str(port)],
            capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"sandbox: the page's port {port} is busy; choose another "
        "(SANDBOX_WEB_PORT=… make run, or --web-port)"]


async def test_an_edit_in_the_open_chat_is_news_for_its_stream(
    served: tuple[SandboxServer, WebUi], http: aiohttp.ClientSession
) -> None:
    sandbox, page = served
    user = sandbox.world.create_user("Li")
    sandbox.world.send_text(user.id, "/start")
    async with Bot(TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.file_url) as bot:
        first = await bot.send_message(user.id, "question")
        await bot.send_message(user.id, "newest")
        async with http.get(page.url + f"api/events?user={user.id}&chat={user.id}") as stream:
            for _ in range(3):  # the stream's first event
                await stream.content.readline()
            await bot.edit_message_text("question, answered", chat_id=user.id,
                                        message_id=first.message_id)
            line = await asyncio.wait_for(stream.content.readline(), timeout=5)
            assert line == b"event: change\n"
    _, chat = await _get(http, page, f"api/chat?user={user.id}&chat={user.id}")
    assert [m["edited"] for m in chat["result"]["messages"]] == [False, True, False]
