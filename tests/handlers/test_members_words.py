"""What the bot says to a Chinese reader is Chinese: the main commands rendered in both scripts."""

from __future__ import annotations

import re

import pytest

from domain.clock import FakeClock
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import join, last_id, make_appeal, member, press_and_read

# an English word, once commands, @names and links are taken out
ENGLISH = re.compile(r"[A-Za-z]{3,}(?:[ ,'’-]+[A-Za-z]{2,})*")
NOT_WORDS = re.compile(
    r"/[a-z_]+(?:@\w+)?|@\w+|https?://\S+|<[^>]+>|\b[A-Z][a-z]+/[A-Za-z_]+\b"  # time zones
)
# what the bot only repeats (names and items the test typed, commands' own words)
TYPED = ("N95", "Admin", "Telegram", "add", "list", "under", "NAME", "PARENT", "OLD", "NEW")


def english_in(text: str) -> list[str]:
    """English phrases left in a text meant for a Chinese reader."""
    plain = NOT_WORDS.sub(" ", text)
    for word in TYPED:
        plain = plain.replace(word, " ")
    return ENGLISH.findall(plain)


def test_the_check_finds_english_and_leaves_commands_alone() -> None:
    assert english_in("<b>Organisations</b>\n红十字会") == ["Organisations"]
    assert english_in("Your pledge\n金额：5万元") == ["Your pledge"]
    command = "发送 /pledge 3 或 /mypledges@tongxin_bot，链接 https://t.me/x?start=a1"
    assert english_in(command) == []


async def _in_language(chat: Conversation, user: int, language: str) -> None:
    [choices] = await chat.say(user, "/lang")
    await chat.press(user, user, choices, data=f"lang:{language}")  # the question is edited
    await chat.client.wait_for_updates_consumed(timeout=10)


@pytest.mark.parametrize(("lang", "code"), [("zh-hans", "zh-Hans"), ("zh-hant", "zh-Hant")])
async def test_main_commands_answer_a_chinese_reader_without_english(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str, code: str,
) -> None:
    await chat.say(ADMIN_ID, "/start")
    await _in_language(chat, ADMIN_ID, code)
    admin_from = await last_id(client, ADMIN_ID)
    for command in ("/help", "/org add 红十字会", "/org add 急救站 under 红十字会", "/org list",
                    "/org", "/chats", "/appeals", "/inbox", "/mypledges", "/myoffers", "/match",
                    "/privacy", "/appeal", "/cancel", "/offer", "/cancel", "/audit p99"):
        await chat.say(ADMIN_ID, command)
    async with store() as uow:
        org = next(o.id for o in await uow.organisations.all() if o.name == "红十字会")
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", lang)
    await join(store, li, org)
    member_from = await last_id(client, li)
    for command in ("/help", "/appeals", "/mypledges", "/pledge 5万元", "/cancel",
                    f"/pledge {appeal.id} 5万元", "/cancel", "你好"):
        await chat.say(li, command)
    [which] = await chat.say(li, "/pledge")
    kind = await press_and_read(chat, li, which, f"pd:appeal:{appeal.id}")
    amount = await press_and_read(chat, li, kind, "pd:kind:goods")
    need = await press_and_read(chat, li, amount, f"pd:need:{appeal.needs[0].id}")
    await chat.say(li, "三箱")
    [value] = await chat.say(li, "3000公斤")
    behalf = await press_and_read(chat, li, value, "pd:value:skip")
    due = await press_and_read(chat, li, behalf, "pd:behalf:0")
    [visibility] = await chat.say(li, "2020-02-25")
    summary = await press_and_read(chat, li, visibility, "pd:visibility:anonymous")
    thanks = await press_and_read(
        chat, li, summary, summary["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    await chat.say(li, "/mypledges")
    for command in ("/privacy", "/myoffers", "/offer", "/cancel", "/inbox"):
        await chat.say(li, command)
    await chat.say(ADMIN_ID, "/audit p1")
    assert need and due and thanks
    said = [
        m["text"] for m in await client.bot_messages(ADMIN_ID, admin_from)
    ] + [m["text"] for m in await client.bot_messages(li, member_from)]
    buttons = [
        str(b["text"])
        for m in await client.bot_messages(li, member_from)
        for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in row
    ]
    assert len(said) > 20
    english = {text: english_in(text) for text in said + buttons if english_in(text)}
    assert english == {}
