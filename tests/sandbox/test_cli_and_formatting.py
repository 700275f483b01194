"""The subprocess entry point, the terminal chat and the parsers."""

from __future__ import annotations

import asyncio
import io
import signal
import sys
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from sandbox.chat import ChatSession
from sandbox.client import SandboxClient
from sandbox.formatting import detect_entities, parse_html, parse_markdown_v2, u16len
from sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parents[2]


async def test_python_m_sandbox_prints_url_and_stops_on_sigterm() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox", "--port", "0", cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 15)).decode()
    url = line.strip().rsplit(" ", 1)[-1]
    assert url.startswith("http://127.0.0.1:")
    async with SandboxClient(url) as client:
        assert (await client.health())["url"] == url
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 15) == 0


async def test_terminal_chat_session(sandbox: SandboxServer, control: SandboxClient,
                                     bot: Bot) -> None:
    user = await control.create_user("Eve", username="eve")
    out = io.StringIO()
    session = ChatSession(control, user, None, out)
    await session.handle_line("hello bot\n")
    assert (await control.messages(int(user["id"])))[0]["text"] == "hello bot"
    msg = await bot.send_message(int(user["id"]), "Choose", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("A", callback_data="a"),
          InlineKeyboardButton("Site", url="https://example.org")]]))
    [stored] = await control.bot_messages(int(user["id"]))
    session.show(int(user["id"]), stored)
    assert "[1] A" in out.getvalue() and "[2] Site -> https://example.org" in out.getvalue()

    async def bot_answers() -> None:
        updates = await bot.get_updates(timeout=5, allowed_updates=["callback_query"])
        while not updates or updates[-1].callback_query is None:
            updates = await bot.get_updates(offset=updates[-1].update_id + 1 if updates else 0,
                                            timeout=5)
        query = updates[-1].callback_query
        await query.answer("noted")
        await bot.edit_message_text("Chosen A", int(user["id"]), msg.message_id)

    await session.handle_line("/press 9")
    assert "(choose 1..2)" in out.getvalue()
    answering = asyncio.create_task(bot_answers())
    await session.handle_line("#1")
    await answering
    assert "(toast: noted)" in out.getvalue()
    # the edit took the keyboard away: its buttons can no longer be pressed
    await session.handle_line("/press 9")
    assert "(message #2 has no buttons here" in out.getvalue()


def test_utf16_and_detection() -> None:
    assert u16len("a😀同") == 4
    text = "😀 /start@tongxin_bot go @someone https://x.org/a. #tag"
    ents = detect_entities(text)
    assert [(e["type"], e["offset"], e["length"]) for e in ents] == [
        ("bot_command", 3, 18), ("mention", 25, 8), ("url", 34, 15), ("hashtag", 51, 4)]


def test_parsers_directly() -> None:
    assert parse_html("a &lt;b&gt; <b>c</b>") == (
        "a <b> c", [{"type": "bold", "offset": 6, "length": 1}])
    assert parse_html("&#65;&#x42; & x") == ("AB & x", [])
    text, ents = parse_markdown_v2("*b _i_*\n>quote\n>more\nafter")
    assert text == "b i\nquote\nmore\nafter"
    assert [e["type"] for e in ents] == ["bold", "italic", "blockquote"]
    text, ents = parse_markdown_v2("```python\nprint(1)\n```")
    assert text == "print(1)\n" and ents[0]["language"] == "python"
