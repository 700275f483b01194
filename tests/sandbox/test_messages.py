"""Every Bot API method round-trips through PTB's own objects."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    ReplyParameters,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest

from sandbox.client import SandboxClient
from tests.sandbox.conftest import BOT_ID

Json = dict[str, object]


def uid(user: Json) -> int:
    return int(str(user["id"]))


def kb(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


async def test_send_message_round_trip(bot: Bot, control: SandboxClient, alice: Json) -> None:
    msg = await bot.send_message(uid(alice), "<b>Hello</b> 同心 😀 <i>x</i>", parse_mode="HTML",
                                 reply_markup=kb(("Yes", "y"), ("No", "n")))
    assert msg.text == "Hello 同心 😀 x"
    assert msg.chat.id == uid(alice) and msg.chat.type == "private"
    assert msg.from_user is not None and msg.from_user.id == BOT_ID
    assert msg.entities == (
        MessageEntity("bold", 0, 5),
        MessageEntity("italic", 12, 1),  # 😀 is two UTF-16 code units
    )
    assert msg.reply_markup == kb(("Yes", "y"), ("No", "n"))
    stored = await control.bot_messages(uid(alice))
    assert stored[-1]["text"] == msg.text and stored[-1]["parse_mode"] == "HTML"
    assert stored[-1]["deleted"] is False


async def test_markdown_v2_and_reply(bot: Bot, control: SandboxClient, alice: Json) -> None:
    user_msg = await control.send_text(uid(alice), "question?")
    msg = await bot.send_message(
        uid(alice), r"*bold* _it_ __u__ ~s~ ||sp|| [link](https://e\.x) `c` 1\.5\!",
        parse_mode=ParseMode.MARKDOWN_V2,
        reply_parameters=ReplyParameters(int(str(user_msg["message_id"]))),
    )
    assert msg.text == "bold it u s sp link c 1.5!"
    assert [e.type for e in msg.entities] == [
        "bold", "italic", "underline", "strikethrough", "spoiler", "text_link", "code"]
    assert msg.entities[5].url == "https://e.x"
    assert msg.reply_to_message is not None
    assert msg.reply_to_message.text == "question?"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(uid(alice), "x", reply_to_message_id=9999)


@pytest.mark.parametrize(
    ("text", "mode", "fragment"),
    [
        ("<b>open", "HTML", "Can't find end tag"),
        ("<b>x</i>", "HTML", "Unmatched end tag"),
        ("<foo>x</foo>", "HTML", 'Unsupported start tag "foo"'),
        ("<span>x</span>", "HTML", "tg-spoiler"),
        ("1.5", "MarkdownV2", "Character '.' is reserved"),
        ("a-b", "MarkdownV2", "Character '-' is reserved"),
        ("*open", "MarkdownV2", "Can't find end of Bold entity"),
        ("*open", "Markdown", "Can't find end of the entity"),
    ],
)
async def test_parse_errors(bot: Bot, alice: Json, text: str, mode: str, fragment: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)an't parse entities") as info:
        await bot.send_message(uid(alice), text, parse_mode=mode)
    assert fragment.lower() in info.value.message.lower()


async def test_html_entities_and_pre(bot: Bot, alice: Json) -> None:
    msg = await bot.send_message(
        uid(alice), '&lt;a&gt; &amp; &quot;<pre><code class="language-py">x=1</code></pre>'
        '<a href="https://x.org">l</a><tg-spoiler>s</tg-spoiler><blockquote>q</blockquote>',
        parse_mode="HTML")
    assert msg.text == '<a> & "x=1lsq'
    types = [(e.type, e.language, e.url) for e in msg.entities]
    assert types == [("pre", "py", None), ("text_link", None, "https://x.org"),
                     ("spoiler", None, None), ("blockquote", None, None)]


async def test_length_limits(bot: Bot, alice: Json) -> None:
    await bot.send_message(uid(alice), "x" * 4096)
    await bot.send_message(uid(alice), "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(uid(alice), "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_document(uid(alice), b"data", caption="c" * 1025, filename="a.txt")


async def test_keyboard_rules(bot: Bot, alice: Json) -> None:
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(uid(alice), "x", reply_markup=kb(("a", "d" * 65)))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(uid(alice), "x", reply_markup=kb(("a", "é" * 33)))
    await bot.send_message(uid(alice), "x", reply_markup=kb(("a", "d" * 64)))
    many = InlineKeyboardMarkup(
        [[InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(r, r + 8)]
         for r in range(0, 104, 8)])
    with pytest.raises(BadRequest, match=r"(?i)reply markup is too long"):
        await bot.send_message(uid(alice), "x", reply_markup=many)
    url_kb = InlineKeyboardMarkup([[InlineKeyboardButton("site", url="https://example.org")]])
    msg = await bot.send_message(uid(alice), "x", reply_markup=url_kb)
    assert msg.reply_markup == url_kb


async def test_edit_and_not_modified(bot: Bot, control: SandboxClient, alice: Json) -> None:
    msg = await bot.send_message(uid(alice), "v1", reply_markup=kb(("a", "a")))
    edited = await bot.edit_message_text("v2", uid(alice), msg.message_id,
                                         reply_markup=kb(("a", "a")))
    assert isinstance(edited, type(msg)) and edited.text == "v2"
    assert edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified: specified new message"):
        await bot.edit_message_text("v2", uid(alice), msg.message_id, reply_markup=kb(("a", "a")))
    m2 = await bot.edit_message_reply_markup(uid(alice), msg.message_id,
                                             reply_markup=kb(("b", "b")))
    assert isinstance(m2, type(msg)) and m2.reply_markup == kb(("b", "b"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(uid(alice), msg.message_id,
                                            reply_markup=kb(("b", "b")))
    # editing text without a keyboard removes it
    m3 = await bot.edit_message_text("v3", uid(alice), msg.message_id)
    assert isinstance(m3, type(msg)) and m3.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("zz", uid(alice), 9999)
    user_msg = await control.send_text(uid(alice), "mine")
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("zz", uid(alice), int(str(user_msg["message_id"])))
    stored = (await control.bot_messages(uid(alice)))[-1]
    assert stored["text"] == "v3" and "reply_markup" not in stored


async def test_delete_and_pin(bot: Bot, control: SandboxClient, alice: Json) -> None:
    msg = await bot.send_message(uid(alice), "bye")
    assert await bot.pin_chat_message(uid(alice), msg.message_id)
    chat = await bot.get_chat(uid(alice))
    assert chat.pinned_message is not None and chat.pinned_message.message_id == msg.message_id
    assert await bot.unpin_chat_message(uid(alice), msg.message_id)
    assert await bot.delete_message(uid(alice), msg.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(uid(alice), msg.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to pin not found"):
        await bot.pin_chat_message(uid(alice), msg.message_id)
    assert (await control.bot_messages(uid(alice)))[-1]["deleted"] is True


async def test_callback_query_answer(bot: Bot, control: SandboxClient, alice: Json) -> None:
    msg = await bot.send_message(uid(alice), "pick", reply_markup=kb(("Yes", "yes")))
    qid = await control.press_button(uid(alice), uid(alice), msg.message_id, button_text="Yes")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None and query.id == qid and query.data == "yes"
    assert query.from_user.id == uid(alice)
    assert query.message is not None and query.message.message_id == msg.message_id
    assert query.chat_instance
    assert await query.answer("Done!", show_alert=True)
    answer = await control.wait_for_callback_answer(qid, timeout=1)
    assert answer["text"] == "Done!" and answer["show_alert"] is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(qid)


async def test_documents_photos_and_files(bot: Bot, control: SandboxClient, alice: Json) -> None:
    doc = await bot.send_document(uid(alice), b"hello,csv\n", filename="report.csv",
                                  caption="<b>rep</b>", parse_mode="HTML")
    assert doc.document is not None and doc.document.file_name == "report.csv"
    assert doc.caption == "rep" and doc.caption_entities[0].type == "bold"
    f = await bot.get_file(doc.document.file_id)
    assert f.file_size == 10
    assert bytes(await f.download_as_bytearray()) == b"hello,csv\n"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (64).to_bytes(4, "big") + (
        (32).to_bytes(4, "big")) + b"rest"
    photo = await bot.send_photo(uid(alice), png)
    assert photo.photo[-1].width == 64 and photo.photo[-1].height == 32
    again = await bot.send_photo(uid(alice), photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(uid(alice), "nonexistent-file-id")
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")
    stored = await control.bot_messages(uid(alice))
    assert stored[0]["document"]["file_name"] == "report.csv"


async def test_chat_info_and_members(bot: Bot, control: SandboxClient, alice: Json) -> None:
    bob = await control.create_user("Bob")
    group = await control.create_group("Drive", members=[uid(bob)], admins=[uid(alice)])
    gid = int(str(group["id"]))
    await control.add_bot(gid, uid(alice))
    assert await bot.send_chat_action(gid, ChatAction.TYPING)
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(gid, "dancing")
    chat = await bot.get_chat(gid)
    assert chat.title == "Drive" and chat.type == "group"
    owner = await bot.get_chat_member(gid, uid(alice))
    assert isinstance(owner, ChatMemberOwner)
    assert (await bot.get_chat_member(gid, uid(bob))).status == "member"
    assert (await bot.get_chat_member(gid, BOT_ID)).status == "member"
    stranger = await control.create_user("Stranger")
    assert isinstance(await bot.get_chat_member(gid, uid(stranger)), ChatMemberLeft)
    with pytest.raises(BadRequest, match=r"(?i)user not found"):
        await bot.get_chat_member(gid, 555)
    admins = await bot.get_chat_administrators(gid)
    assert [a.user.id for a in admins] == [uid(alice)]
    await control.add_bot(gid, uid(alice), admin=True)
    admins = await bot.get_chat_administrators(gid)
    assert any(isinstance(a, ChatMemberAdministrator) and a.user.id == BOT_ID for a in admins)
    assert await bot.get_chat_member_count(gid) == 3
    private = await bot.get_chat(uid(alice))
    assert private.first_name == "Alice" and private.username == "alice"
    assert await bot.leave_chat(gid)
    with pytest.raises(Exception, match=r"(?i)not a member of the group chat"):
        await bot.send_message(gid, "x")


async def test_commands_and_descriptions(bot: Bot, control: SandboxClient) -> None:
    assert await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    assert await bot.set_my_commands([BotCommand("start", "开始")], language_code="zh")
    scope = BotCommandScopeChat(42)
    assert await bot.set_my_commands([BotCommand("admin", "Admin")], scope=scope)
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="zh")] == ["开始"]
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["admin"]
    assert await bot.delete_my_commands(scope=scope)
    assert await bot.get_my_commands(scope=scope) == ()
    assert len(await control.commands()) == 2
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])
    assert await bot.set_my_description("A drive bot")
    assert await bot.set_my_description("动员", language_code="zh")
    assert (await bot.get_my_description()).description == "A drive bot"
    assert (await bot.get_my_description("zh")).description == "动员"
    assert await bot.set_my_short_description("short")
    assert (await bot.get_my_short_description()).short_description == "short"
    with pytest.raises(BadRequest):
        await bot.set_my_short_description("x" * 121)
