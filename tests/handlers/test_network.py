"""The network registry through Telegram: organisations, groups, roles, and bad input."""

from __future__ import annotations

from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation


async def _org_names(store: SqlUnitOfWorkFactory) -> list[str]:
    async with store() as uow:
        return sorted(o.name for o in await uow.organisations.all())


async def test_admin_builds_the_organisation_tree(
    chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    await chat.say(ADMIN_ID, "/org add 云龙区委统战部")
    await chat.say(ADMIN_ID, "/org add 工商联 under 云龙区委统战部")
    [added] = await chat.say(ADMIN_ID, "/org add 徐州宣武集团 under 工商联")
    assert added["text"] == "Added “徐州宣武集团”."
    [tree] = await chat.say(ADMIN_ID, "/org list")
    assert tree["text"].splitlines()[1:] == ["• 云龙区委统战部", "  • 工商联", "    • 徐州宣武集团"]
    [renamed] = await chat.say(ADMIN_ID, "/org rename 工商联 => 区工商联")
    assert "区工商联" in renamed["text"]
    [refused] = await chat.say(ADMIN_ID, "/org remove 区工商联")
    assert "cannot be removed" in refused["text"]
    await chat.say(ADMIN_ID, "/org remove 徐州宣武集团")
    assert await _org_names(store) == ["云龙区委统战部", "区工商联"]


async def test_org_bad_names_are_refused_and_nothing_is_stored(
    chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    [empty] = await chat.say(ADMIN_ID, "/org add")
    assert empty["text"] == "An organisation needs a name."
    [long] = await chat.say(ADMIN_ID, "/org add " + "长" * 300)
    assert "at most 100 characters" in long["text"]
    await chat.say(ADMIN_ID, "/org add 新联会")
    [duplicate] = await chat.say(ADMIN_ID, "/org add 新联会")
    assert "already an organisation" in duplicate["text"]
    [unknown_parent] = await chat.say(ADMIN_ID, "/org add 分会 under 不存在")
    assert "no organisation called" in unknown_parent["text"]
    assert await _org_names(store) == ["新联会"]


async def test_members_cannot_manage_organisations(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    member = await client.create_user("Mo", language_code="zh-cn")
    [refused] = await chat.say(member["id"], "/org add 民盟")
    assert refused["text"] == "只有管理员可以这样做。"
    assert await _org_names(store) == []


async def test_bot_added_to_a_group_is_pending_and_a_coordinator_links_it(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    coordinator = await client.create_user("Co", username="co", language_code="en")
    member = await client.create_user("Me", language_code="en")
    await chat.say(ADMIN_ID, "/org add 民进")
    await chat.say(coordinator["id"], "/start")
    [granted] = await chat.say(ADMIN_ID, "/grant @co coordinator 民进")
    assert granted["text"] == "Co is now coordinator. (民进)"
    group = await client.create_group("民进支部", members=[coordinator["id"], member["id"]])
    await client.add_bot(group["id"], by_user_id=coordinator["id"])
    [hello] = await chat.next_messages(group["id"], 1, None)
    assert "/link" in hello["text"]
    async with store() as uow:
        record = await uow.chats.get(group["id"])
    assert record is not None and record.status == "pending"

    [refusal] = await chat.say(member["id"], "/link", chat_id=group["id"])
    assert refusal["text"] == "Only coordinators and admins can link a group."
    [offer] = await chat.say(coordinator["id"], "/link", chat_id=group["id"])
    button = offer["reply_markup"]["inline_keyboard"][0][0]
    # a member pressing the coordinator's button is refused on their own id
    answer = await chat.press(member["id"], group["id"], offer, data=button["callback_data"])
    assert "Only coordinators" in answer["text"]
    async with store() as uow:
        record = await uow.chats.get(group["id"])
    assert record is not None and record.status == "pending"
    await chat.press(coordinator["id"], group["id"], offer, data=button["callback_data"])
    async with store() as uow:
        record = await uow.chats.get(group["id"])
    assert record is not None and record.status == "approved"


async def test_forged_link_button_for_another_chat_is_refused(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    await chat.say(ADMIN_ID, "/org add 民盟")
    group = await client.create_group("民盟", members=[ADMIN_ID])
    other = await client.create_group("别的群", members=[ADMIN_ID])
    await client.add_bot(group["id"], by_user_id=ADMIN_ID)
    await client.add_bot(other["id"], by_user_id=ADMIN_ID)
    [offer] = await chat.say(ADMIN_ID, "/link", chat_id=group["id"], expect=1)
    forged = f"link:{other['id']}:1"
    answer = await chat.press(ADMIN_ID, group["id"], offer, data=forged, forged=True)
    assert answer["text"] == "This button is no longer valid."
    garbage = await chat.press(ADMIN_ID, group["id"], offer, data="link:abc", forged=True)
    assert garbage["text"] == "This button is no longer valid."
    async with store() as uow:
        assert {c.status for c in await uow.chats.by_status(None)} == {"pending"}


async def test_group_migration_and_title_change_keep_the_record(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    group = await client.create_group("九三学社", members=[ADMIN_ID])
    await client.add_bot(group["id"], by_user_id=ADMIN_ID)
    await chat.next_messages(group["id"], 1, None)
    new_id = await client.migrate_group(group["id"])
    await client.rename_group(new_id, "九三学社云龙支社", by_user_id=ADMIN_ID)
    await client.wait_for_updates_consumed(timeout=10)
    async with store() as uow:
        assert await uow.chats.get(group["id"]) is None
        moved = await uow.chats.get(new_id)
    assert moved is not None and moved.title == "九三学社云龙支社"
    assert moved.kind == "supergroup"


async def test_removed_bot_marks_the_chat_left(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    group = await client.create_group("致公党", members=[ADMIN_ID])
    await client.add_bot(group["id"], by_user_id=ADMIN_ID)
    await chat.next_messages(group["id"], 1, None)
    await client.remove_bot(group["id"], by_user_id=ADMIN_ID)
    await client.wait_for_updates_consumed(timeout=10)
    async with store() as uow:
        record = await uow.chats.get(group["id"])
    assert record is not None and record.status == "left"
    [listing] = await chat.say(ADMIN_ID, "/chats")
    assert "致公党" in listing["text"] and "left" in listing["text"]


async def test_grant_and_revoke_refuse_bad_input(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    user = await client.create_user("Zhou", username="zhou", language_code="en")
    await chat.say(user["id"], "/start")
    [unknown_user] = await chat.say(ADMIN_ID, "/grant @nobody coordinator")
    assert "I do not know “@nobody”" in unknown_user["text"]
    [unknown_role] = await chat.say(ADMIN_ID, "/grant @zhou king")
    assert "Unknown role “king”" in unknown_role["text"]
    [no_args] = await chat.say(ADMIN_ID, "/grant")
    assert no_args["text"].startswith("Usage: /grant")
    [by_member] = await chat.say(user["id"], f"/grant {user['id']} admin")
    assert by_member["text"] == "Only admins can do that."
    [nothing] = await chat.say(ADMIN_ID, "/revoke @zhou coordinator")
    assert nothing["text"] == "That person does not have this role."
    async with store() as uow:
        assert await uow.roles.of(user["id"]) == []


async def test_noise_is_ignored_or_answered_briefly(
    client: SandboxClient, chat: Conversation
) -> None:
    user = await client.create_user("Xu", language_code="en")
    [unknown] = await chat.say(user["id"], "/frobnicate")
    assert unknown["text"].startswith("I do not know that command")
    after = max(m["message_id"] for m in await client.messages(user["id"]))
    await client.send_sticker(user["id"])
    [sticker_answer] = await chat.next_messages(user["id"], 1, after)
    assert sticker_answer["text"].startswith("I read text messages and buttons only")
    [long] = await chat.say(user["id"], "字" * 4096)
    assert long["text"].startswith("I did not understand that")
    # edited messages, channel posts and other bots get no answer at all
    other_bot = await client.create_user("Spam", is_bot=True)
    group = await client.create_group("g", members=[user["id"], other_bot["id"]])
    await client.add_bot(group["id"], by_user_id=user["id"])
    await chat.next_messages(group["id"], 1, None)
    before = len(await client.calls(method="sendMessage"))
    await client.send_text(other_bot["id"], "/start", chat_id=group["id"])
    await client.edit_text(user["id"], int(long["message_id"]) - 1, "/help", chat_id=user["id"])
    await client.wait_for_updates_consumed(timeout=10)
    assert len(await client.calls(method="sendMessage")) == before


async def test_link_in_a_private_chat_is_explained(chat: Conversation) -> None:
    [answer] = await chat.say(ADMIN_ID, "/link")
    assert answer["text"] == "Use /link in the group you want to link."


async def test_a_groups_telegram_admin_is_not_thereby_a_coordinator(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    boss = await client.create_user("Boss", language_code="zh-tw")
    group = await client.create_group("台商群", members=[boss["id"]], admins=[boss["id"]])
    await client.add_bot(group["id"], by_user_id=boss["id"])
    [hello] = await chat.next_messages(group["id"], 1, None)
    assert "協調員" in hello["text"]
    [refused] = await chat.say(boss["id"], "/link", chat_id=group["id"])
    assert refused["text"] == "只有協調員和管理員可以關聯群組。"


async def test_stale_link_button_after_the_organisation_was_removed(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    await chat.say(ADMIN_ID, "/org add 临时组织")
    group = await client.create_group("群", members=[ADMIN_ID])
    await client.add_bot(group["id"], by_user_id=ADMIN_ID)
    await chat.next_messages(group["id"], 1, None)
    [offer] = await chat.say(ADMIN_ID, "/link", chat_id=group["id"])
    await chat.say(ADMIN_ID, "/org remove 临时组织")
    answer = await chat.press(ADMIN_ID, group["id"], offer, text="临时组织")
    assert answer["text"] == "That organisation no longer exists."
    async with store() as uow:
        record = await uow.chats.get(group["id"])
    assert record is not None and record.status == "pending"


async def test_grant_in_a_group_even_by_reply_is_sent_to_the_private_chat(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    # issue 10: in groups the bot answers only what the user guide says groups get; a role
    # is granted in private (/grant USER …), never by replying to someone in a group
    volunteer = await client.create_user("Gao", language_code="en")
    group = await client.create_group("志愿者群", members=[ADMIN_ID, volunteer["id"]])
    await client.add_bot(group["id"], by_user_id=ADMIN_ID)
    await chat.next_messages(group["id"], 1, None)
    said = await client.send_text(volunteer["id"], "/help", chat_id=group["id"])
    await chat.next_messages(group["id"], 1, int(said["message_id"]))
    [answer] = await chat.say(ADMIN_ID, "/grant coordinator", chat_id=group["id"],
                              reply_to=int(said["message_id"]))
    assert answer["text"] == "Please use this command in a private chat with me.", answer["text"]
    async with store() as uow:
        assert await uow.roles.of(volunteer["id"]) == []
    [granted] = await chat.say(ADMIN_ID, f"/grant {volunteer['id']} coordinator")
    assert granted["text"] == "Gao is now coordinator.", granted["text"]


async def test_channel_posts_and_stickers(client: SandboxClient, chat: Conversation) -> None:
    user = await client.create_user("Pan", language_code="zh-hk")
    channel = await client.create_group("频道", kind="channel")
    await client.add_bot(channel["id"], by_user_id=ADMIN_ID)
    before = len(await client.calls(method="sendMessage"))
    await client.channel_post(channel["id"], "/start")
    await client.wait_for_updates_consumed(timeout=10)
    assert len(await client.calls(method="sendMessage")) == before
    await client.send_sticker(user["id"])
    [answer] = await chat.next_messages(user["id"], 1, None)
    assert answer["text"].startswith("我只讀取文字訊息和按鈕")


async def test_a_person_who_blocks_the_bot_is_marked_unreachable(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    user = await client.create_user("Qin", language_code="en")
    await chat.say(user["id"], "/start")
    await client.block_bot(user["id"])
    await client.wait_for_updates_consumed(timeout=10)
    async with store() as uow:
        person = await uow.people.get(user["id"])
    assert person is not None and not person.reachable


async def test_the_command_menu_is_published_per_scope_and_language(
    client: SandboxClient, chat: Conversation
) -> None:
    menus = await client.commands()
    private = {
        (m.get("language_code") or ""): [c["command"] for c in m["commands"]]
        for m in menus if m["scope"]["type"] == "all_private_chats"
    }
    assert set(private) == {"", "en", "zh"}
    assert "org" not in private["en"] and "start" in private["en"]
    zh = next(m for m in menus if m["scope"]["type"] == "all_private_chats"
              and m.get("language_code") == "zh")
    assert any(c["description"] == "选择语言" for c in zh["commands"])
    admin = [m for m in menus if m["scope"]["type"] == "chat"
             and m["scope"].get("chat_id") == ADMIN_ID]
    assert admin and "org" in [c["command"] for c in admin[0]["commands"]]


async def test_membership_is_granted_for_an_organisation(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    boss = await client.create_user("Xu", username="xu", language_code="en")
    await chat.say(boss["id"], "/start")
    await chat.say(ADMIN_ID, "/org add 区工商联")
    await chat.say(ADMIN_ID, "/org add 徐州宣武集团 under 区工商联")
    [missing] = await chat.say(ADMIN_ID, "/grant @xu member")
    assert missing["text"] == "Name the organisation this person is a member of."
    [granted] = await chat.say(ADMIN_ID, "/grant @xu member 徐州宣武集团")
    assert granted["text"] == "Xu is now member. (徐州宣武集团)"
    async with store() as uow:
        roles = await uow.roles.of(boss["id"])
    assert [r.role for r in roles] == ["member"]
    [help_text] = await chat.say(boss["id"], "/help")
    assert "/org" not in help_text["text"] and "/appeal " not in help_text["text"] + " "
