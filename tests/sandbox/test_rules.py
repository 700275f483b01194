"""Access rules, world events and injected faults map to PTB's exceptions."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.sandbox.conftest import BOT_ID, TOKEN

Json = dict[str, object]


def uid(user: Json) -> int:
    return int(str(user["id"]))


async def test_private_chat_rules(bot: Bot, control: SandboxClient, alice: Json) -> None:
    shy = await control.create_user("Shy")
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation with a user"):
        await bot.send_message(uid(shy), "hi")
    other_bot = await control.create_user("OtherBot", username="other_bot", is_bot=True)
    with pytest.raises(Forbidden, match=r"(?i)bot can't send messages to bots"):
        await bot.send_message(uid(other_bot), "hi")
    await control.block_bot(uid(alice))
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(uid(alice), "hi")
    await control.unblock_bot(uid(alice))
    await bot.send_message(uid(alice), "welcome back")
    updates = await bot.get_updates()
    changes = [u.my_chat_member for u in updates if u.my_chat_member]
    assert [(c.old_chat_member.status, c.new_chat_member.status) for c in changes] == [
        ("member", "kicked"), ("kicked", "member")]
    assert changes[0].chat.id == uid(alice)


async def test_group_membership_rules(bot: Bot, control: SandboxClient, alice: Json) -> None:
    await bot.get_updates(offset=-1)
    group = await control.create_group("G", members=[uid(alice)])
    gid = int(str(group["id"]))
    with pytest.raises(Forbidden, match=r"(?i)bot is not a member of the group chat"):
        await bot.send_message(gid, "x")
    await control.add_bot(gid, uid(alice))
    await bot.send_message(gid, "hello group")
    await control.remove_bot(gid, uid(alice))
    with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the group chat"):
        await bot.send_message(gid, "x")
    updates = await bot.get_updates(offset=2)
    kinds = [(u.my_chat_member.new_chat_member.status if u.my_chat_member else None,
              u.message.new_chat_members if u.message else None,
              u.message.left_chat_member if u.message else None) for u in updates]
    assert kinds[0][0] == "member"
    assert kinds[1][1] is not None and kinds[1][1][0].id == BOT_ID
    assert kinds[2][2] is not None and kinds[2][2].id == BOT_ID
    assert kinds[3][0] == "kicked"
    sg = await control.create_group("SG", kind="supergroup", members=[uid(alice)])
    with pytest.raises(Forbidden, match=r"(?i)not a member of the supergroup chat"):
        await bot.send_message(int(str(sg["id"])), "x")
    assert int(str(sg["id"])) < -1_000_000_000_000


async def test_migration(bot: Bot, control: SandboxClient, alice: Json) -> None:
    group = await control.create_group("Old", members=[uid(alice)])
    gid = int(str(group["id"]))
    await control.add_bot(gid, uid(alice))
    new_id = await control.migrate_group(gid)
    assert str(new_id).startswith("-100")
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(gid, "x")
    assert info.value.new_chat_id == new_id
    msg = await bot.send_message(new_id, "in the supergroup")
    assert msg.chat.type == "supergroup"
    updates = await bot.get_updates()
    service = [u.message for u in updates if u.message]
    assert service[-2].migrate_to_chat_id == new_id
    assert service[-1].migrate_from_chat_id == gid and service[-1].chat.id == new_id


async def test_rename_members_edits_channel_and_other_bots(
    bot: Bot, control: SandboxClient, alice: Json, sandbox: SandboxServer
) -> None:
    await bot.get_updates(offset=-1)
    bob = await control.create_user("Bob")
    other = await control.create_user("Helper", username="helper_bot", is_bot=True)
    group = await control.create_group("Team", members=[uid(alice)])
    gid = int(str(group["id"]))
    await control.add_bot(gid, uid(alice), admin=True)
    await control.rename_group(gid, "Team 2", uid(alice))
    await control.add_member(gid, uid(bob), by_user_id=uid(alice))
    await control.add_member(gid, uid(other), by_user_id=uid(alice))
    await control.send_text(uid(other), "beep from a bot", chat_id=gid)
    await control.remove_member(gid, uid(bob))
    sent = await control.send_text(uid(alice), "typo")
    await control.edit_text(uid(alice), int(str(sent["message_id"])), "fixed")
    channel = await control.create_group("News", kind="channel", username="news")
    cid = int(str(channel["id"]))
    await control.add_bot(cid, uid(alice))
    await control.channel_post(cid, "post!")
    updates = await bot.get_updates(offset=2)
    msgs = [u.message for u in updates if u.message and u.message.chat.id == gid]
    assert msgs[1].new_chat_title == "Team 2"
    assert msgs[2].new_chat_members[0].id == uid(bob)
    assert msgs[4].from_user is not None and msgs[4].from_user.is_bot
    assert msgs[5].left_chat_member is not None and msgs[5].left_chat_member.id == uid(bob)
    edited = [u.edited_message for u in updates if u.edited_message]
    assert edited[0].text == "fixed"
    posts = [u.channel_post for u in updates if u.channel_post]
    assert posts[0].text == "post!" and posts[0].chat.type == "channel"
    assert (await bot.send_message("@news", "to channel")).chat.id == cid


async def test_privacy_mode(bot: Bot, control: SandboxClient, alice: Json) -> None:
    await bot.get_updates(offset=-1)
    group = await control.create_group("P", members=[uid(alice)])
    gid = int(str(group["id"]))
    await control.add_bot(gid, uid(alice))
    await control.send_text(uid(alice), "just chatting", chat_id=gid)
    cmd = await control.send_text(uid(alice), "/start@tongxin_bot payload", chat_id=gid)
    updates = await bot.get_updates(offset=2)
    texts = [u.message.text for u in updates if u.message and u.message.text]
    assert texts == ["/start@tongxin_bot payload"]
    ent = updates[-1].message.entities[0] if updates[-1].message else None
    assert ent is not None and ent.type == "bot_command"
    assert (ent.offset, ent.length) == (0, len("/start@tongxin_bot"))
    assert cmd["entities"] == [{"type": "bot_command", "offset": 0, "length": 18}]
    await control.set_privacy_mode(False)
    await control.send_text(uid(alice), "now visible", chat_id=gid)
    assert (await bot.get_updates(offset=updates[-1].update_id + 1))[-1].message.text == (
        "now visible")


async def test_injected_faults(
    sandbox: SandboxServer, bot: Bot, control: SandboxClient, alice: Json
) -> None:
    await control.inject_faults(1, kind="429", retry_after=7, method="sendMessage")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(uid(alice), "x")
    assert info.value.retry_after in (7, __import__("datetime").timedelta(seconds=7))
    await bot.send_message(uid(alice), "x")
    await control.inject_faults(1, kind="502", chat_ids=[uid(alice)])
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(uid(alice), "x")
    await control.inject_faults(1, kind="timeout", delay=2.0, method="sendMessage")
    quick = Bot(TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.file_url,
                request=HTTPXRequest(read_timeout=0.3))
    async with quick:
        with pytest.raises(TimedOut):
            await quick.send_message(uid(alice), "slow")
        assert (await quick.send_message(uid(alice), "fine")).text == "fine"
    calls = await control.calls(method="sendMessage")
    assert [c["error_code"] for c in calls] == [429, None, 502, None, None]
    with pytest.raises(BadRequest):
        await bot.get_file("missing")


async def test_get_updates_semantics(bot: Bot, control: SandboxClient, alice: Json) -> None:
    for i in range(5):
        await control.send_text(uid(alice), f"m{i}")
    ups = await bot.get_updates(limit=2)
    assert [u.message.text for u in ups if u.message] == ["/start", "m0"]
    ups = await bot.get_updates(offset=ups[-1].update_id + 1, limit=100)
    assert [u.message.text for u in ups if u.message] == ["m1", "m2", "m3", "m4"]
    assert (await bot.get_webhook_info()).pending_update_count == 4
    ups = await bot.get_updates(offset=-1)
    assert [u.message.text for u in ups if u.message] == ["m4"]
    assert await bot.get_updates(offset=ups[-1].update_id + 1) == ()
