"""The terminal chat driven by scripted input against a sandbox, a PTB bot playing the bot."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from sandbox.chat import ChatSession, chat_loop, run_chat
from sandbox.chat_text import deep_link_payload, parse_press
from sandbox.client import SandboxClient, SandboxUnreachable
from sandbox.server import SandboxServer
from tests.sandbox.chat_script import Script, Transcript

ROOT = Path(__file__).resolve().parents[2]
Json = dict[str, Any]


@pytest.fixture
async def eve(control: SandboxClient) -> Json:
    """A user who has started the bot."""
    user = await control.create_user("Eve", username="eve")
    await control.send_text(int(user["id"]), "/start")
    return user


@pytest.fixture
async def group(control: SandboxClient, eve: Json) -> int:
    """A group with Eve and the bot in it."""
    chat = await control.create_group("支援群", members=[int(eve["id"])])
    await control.add_bot(chat["id"], by_user_id=int(eve["id"]))
    return int(chat["id"])


class Window:
    """A chat window running its loop on scripted input."""

    def __init__(self, session: ChatSession, script: Script, out: Transcript) -> None:
        self.session, self.script, self.out = session, script, out
        self.task = asyncio.create_task(chat_loop(session, script.lines()))

    async def close(self) -> str | None:
        """Ctrl-D; what the loop returned."""
        self.script.end()
        return await asyncio.wait_for(self.task, 10)


@pytest.fixture
async def window_for(control: SandboxClient) -> AsyncIterator[Any]:
    """Open chat windows (as `python -m sandbox chat` does); closed at the end."""
    opened: list[Window] = []

    async def open_window(user: Json, group: int | None = None) -> Window:
        out = Transcript()
        window = Window(ChatSession(control, user, group, out), Script(), out)
        opened.append(window)
        # the loop has printed the history and follows the chat once a line is handled
        await window.script.handled(out)
        return window

    yield open_window
    for window in opened:
        if not window.task.done():
            await window.close()


async def answer_presses(bot: Bot, answers: dict[str, str], then: Any = None) -> list[str]:
    """Play the bot: answer each callback query with its toast; return the data pressed."""
    pressed: list[str] = []
    offset = 0
    while len(pressed) < len(answers):
        for update in await bot.get_updates(offset=offset, timeout=5,
                                            allowed_updates=["callback_query"]):
            offset = update.update_id + 1
            query = update.callback_query
            if query is not None and query.data in answers:
                pressed.append(query.data)
                await query.answer(answers[query.data])
                if then is not None:
                    await then(query)
    return pressed


def test_links_and_button_numbers_are_read_strictly() -> None:
    assert deep_link_payload("https://t.me/tongxin_bot?start=a12_m4000000001",
                             "tongxin_bot") == "a12_m4000000001"
    assert deep_link_payload("https://t.me/Tongxin_Bot", "tongxin_bot") == ""
    assert deep_link_payload("tg://resolve?domain=tongxin_bot&start=pledge",
                             "tongxin_bot") == "pledge"
    assert deep_link_payload("https://t.me/other_bot?start=x", "tongxin_bot") is None
    assert deep_link_payload("https://example.org/?start=x", "tongxin_bot") is None
    assert parse_press("2") == (None, 2) and parse_press(" 3.2 ") == (3, 2)
    for bad in ("", "x", "3.", ".2", "3.2.1", "-1", "1e3", "３", "9" * 20, "1.99999"):
        assert parse_press(bad) is None, bad


async def test_a_deep_link_in_the_group_opens_the_private_chat_with_start_payload(
    control: SandboxClient, bot: Bot, eve: Json, group: int, window_for: Any,
) -> None:
    user_id = int(eve["id"])
    await bot.send_message(user_id, "private before")
    window = await window_for(eve, group)
    await bot.send_message(group, "请认捐", reply_markup=InlineKeyboardMarkup([[
        InlineKeyboardButton("私聊认捐", url="https://t.me/tongxin_bot?start=pledge"),
        InlineKeyboardButton("Site", url="https://example.org/drive"),
    ]]))
    await bot.send_message(user_id, "private while the group is shown")
    shown = await window.out.wait_for("bot in 支援群 #")
    assert "请认捐" in shown and "[1] 私聊认捐 -> https://t.me/tongxin_bot?start=pledge" in shown
    # the group window shows only the group
    assert "private before" not in shown and "private while" not in shown
    window.script.type("#2")
    await window.out.wait_for("(a link outside the chat: https://example.org/drive)")
    window.script.type("#1")
    shown = await window.out.wait_for("you: /start pledge")
    assert "(now showing your private chat with the bot)" in shown
    assert f"/group {group} goes back" in shown
    assert "bot #" in shown and "private while the group is shown" in shown  # its history
    sent = [m for m in await control.messages(user_id) if m.get("from", {}).get("id") == user_id]
    assert sent[-1]["text"] == "/start pledge"
    await bot.send_message(group, "group news while private is shown")
    await bot.send_message(user_id, "哪一项倡议？")
    shown = await window.out.wait_for("哪一项倡议？")
    assert "group news" not in shown
    window.script.type("/group -4000000999", "/group x")
    await window.out.wait_for("(no group -4000000999 in the sandbox)")
    await window.out.wait_for("(write /group CHAT_ID")
    window.script.type(f"/group {group}")
    await window.out.wait_for("group news while private is shown")
    assert await window.close() is None


async def test_buttons_of_earlier_messages_are_listed_and_pressed_and_later_edits_shown(
    control: SandboxClient, bot: Bot, eve: Json, window_for: Any,
) -> None:
    user_id = int(eve["id"])
    window = await window_for(eve)
    first = await bot.send_message(user_id, "第一条", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("甲", callback_data="a1"),
          InlineKeyboardButton("乙", callback_data="a2")]]))
    second = await bot.send_message(user_id, "second", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Only", callback_data="b1")]]))
    await window.out.wait_for(f"bot #{second.message_id}: second")
    window.script.type("/buttons")
    listed = await window.out.wait_for(f"[{second.message_id}.1] Only")
    assert f"#{first.message_id}: [{first.message_id}.1] 甲   [{first.message_id}.2] 乙" in listed
    for bad in ("/press 99.1", f"/press {first.message_id}.3", "/press x.y", "/press"):
        window.script.type(bad)
    await window.out.wait_for("(message #99 has no buttons here")
    await window.out.wait_for("(choose 1..2)")
    await window.out.wait_for("(write /press N or /press M.N", count=2)

    edited = asyncio.Event()

    async def edit_later(query: Any) -> None:
        # the edit comes after the answer to the press, as a slow bot's would
        await window.out.wait_for("(toast: 乙 noted)")
        await bot.edit_message_text("第一条：已选乙", user_id, first.message_id)
        edited.set()

    playing = asyncio.create_task(answer_presses(bot, {"a2": "乙 noted"}, edit_later))
    window.script.type(f"/press {first.message_id}.2")
    assert await asyncio.wait_for(playing, 15) == ["a2"]
    await asyncio.wait_for(edited.wait(), 10)
    await window.out.wait_for(f"bot #{first.message_id}: 第一条：已选乙  (edited)")
    window.script.type("#1")  # the last message with buttons is still the second
    playing = asyncio.create_task(answer_presses(bot, {"b1": "b pressed"}))
    await window.out.wait_for("(toast: b pressed)")
    assert await asyncio.wait_for(playing, 15) == ["b1"]


async def test_replies_multi_line_text_photos_and_files(
    control: SandboxClient, bot: Bot, eve: Json, window_for: Any, tmp_path: Path,
) -> None:
    user_id = int(eve["id"])
    window = await window_for(eve)
    asked = await bot.send_message(user_id, "How much?")
    receipt = tmp_path / "收据 1.png"
    receipt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    sheet = tmp_path / "list.csv"
    sheet.write_text("item,qty\n消毒液,3000\n")
    before = len(await control.messages(user_id))
    window.script.type(
        f"/reply {asked.message_id} 3000公斤消毒液",
        "第一行\\", "第二行\\", "third line",
        f'/photo "{receipt}" 第一批 收据',
        f"/file {sheet}",
        "/photo /no/such/file.png", "/file", '/photo "unclosed', "/reply x hi", "/reply 3",
    )
    await window.script.handled(window.out)
    shown = window.out.getvalue()
    assert "(no file at /no/such/file.png)" in shown and "(write /file PATH" in shown
    assert "(cannot read the path" in shown and shown.count("(write /reply MESSAGE_NUMBER") == 2
    mine = [m for m in await control.messages(user_id)][before:]
    assert len(mine) == 4, mine
    assert mine[0]["text"] == "3000公斤消毒液"
    assert mine[0]["reply_to_message"]["message_id"] == asked.message_id
    assert mine[1]["text"] == "第一行\n第二行\nthird line"
    assert mine[2]["caption"] == "第一批 收据" and "photo" in mine[2]
    assert f"(sent {receipt.name} as message #{mine[2]['message_id']})" in shown
    assert "document" in mine[3]
    photo = await bot.get_file(mine[2]["photo"][-1]["file_id"])
    assert bytes(await photo.download_as_bytearray()) == receipt.read_bytes()
    document = await bot.get_file(mine[3]["document"]["file_id"])
    assert bytes(await document.download_as_bytearray()) == sheet.read_bytes()
    window.script.type("/reply 999 hello")
    await window.out.wait_for(f"(sandbox: message 999 not found in {user_id})")
    assert len(await control.messages(user_id)) == before + 4


async def test_a_sandbox_that_stops_ends_the_chat_with_one_line() -> None:
    async with SandboxServer(flood_limits=False) as server, SandboxClient(server.url) as client:
        user = await client.create_user("Eve", username="eve")
        out = Transcript()
        session = ChatSession(client, user, None, out)
        script = Script()
        loop = asyncio.create_task(chat_loop(session, script.lines()))
        await script.handled(out)
        await server.stop()
        gone = await asyncio.wait_for(loop, 10)
    assert gone == f"the sandbox stopped ({server.url}); the chat ends"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_no_sandbox_running_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    assert await run_chat(url, "eve", None) == 1
    err = capsys.readouterr().err
    assert err == (f"no sandbox is running at {url}: start one with `make run` "
                   "(or point --url at it)\n")
    with pytest.raises(SandboxUnreachable):
        async with SandboxClient("http://127.0.0.1:notaport") as client:
            await client.health()


async def test_another_server_on_the_url_is_named_as_not_the_sandbox(
    sandbox: SandboxServer, capsys: pytest.CaptureFixture[str],
) -> None:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html>a page</html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    html = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        # an HTML page, and the Bot API's own JSON (not the control API's), are not a sandbox
        for url in (html, f"{sandbox.url}/bot123:x"):
            assert await run_chat(url, "eve", None) == 1
            assert capsys.readouterr().err == (
                f"{url} answers, but not as the sandbox's control API: point --url at the "
                "sandbox (`make run` prints its URL)\n")
    finally:
        await runner.cleanup()


async def test_a_chat_that_cannot_start_says_why_in_one_line(
    sandbox: SandboxServer, control: SandboxClient, eve: Json, group: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await control.create_user("Olga", username="olga")
    for user, chat, line in (
        ("nobody", None, "no user 'nobody' in the sandbox; its users: eve, olga"),
        ("eve", -4000000999, f"no group -4000000999 in the sandbox; its groups: 支援群 ({group})"),
        ("olga", group, f"Olga is not a member of 支援群 ({group})"),
    ):
        assert await run_chat(sandbox.url, user, chat) == 1
        assert capsys.readouterr().err == line + "\n"


async def test_the_command_lines_say_one_line_not_a_traceback() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    chat = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox", "chat", "--as", "eve", "--url", url, cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(chat.communicate(), 30)
    assert chat.returncode == 1 and err.decode().count("\n") == 1, err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        serve = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "sandbox", "--port", str(port), cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(serve.communicate(), 30)
    assert serve.returncode == 1 and out == b""
    assert err.decode() == (f"sandbox: cannot listen on 127.0.0.1:{port} (in use); "
                            "choose another port with --port N\n")
