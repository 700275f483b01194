"""Admin commands in Chinese words too; the person given a role is told; refusals say why."""

from __future__ import annotations

from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import last_id, member


async def chinese_admin(client: SandboxClient, chat: Conversation, lang: str) -> int:
    """An admin who reads Chinese, made admin by the configured one (`/grant … admin`)."""
    admin = await member(client, chat, "Zhao", lang)
    seen = await last_id(client, admin)
    [granted] = await chat.say(ADMIN_ID, "/grant @zhao admin")
    assert granted["text"] == "Zhao is now admin."
    [told] = await chat.next_messages(admin, 1, seen)
    assert told["text"].startswith("你现在是管理员。" if lang == "zh-hans" else "你現在是管理員。")
    return admin


async def roles(store: SqlUnitOfWorkFactory, person_id: int) -> list[tuple[str, int | None]]:
    async with store() as uow:
        return [(r.role.value, r.organisation_id) for r in await uow.roles.of(person_id)]


async def test_simplified_chinese_words_grant_and_revoke_and_the_person_is_told(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    zhao = await chinese_admin(client, chat, "zh-hans")
    li = await member(client, chat, "Li", "zh-hant")
    ann = await member(client, chat, "Ann", "en")
    [added] = await chat.say(zhao, "/org 添加 云龙区委统战部")
    assert added["text"] == "已添加“云龙区委统战部”。"
    await chat.say(zhao, "/org 添加 民进 上级 云龙区委统战部")
    [tree] = await chat.say(zhao, "/org 列表")
    assert tree["text"].splitlines()[1:] == ["• 云龙区委统战部", "  • 民进"]
    seen = await last_id(client, li)
    [granted] = await chat.say(zhao, "/grant @li 协调员 民进")
    assert granted["text"] == "Li 现在是协调员。（民进）"
    [told] = await chat.next_messages(li, 1, seen)
    assert told["text"] == "你現在是協調員。傳送 /help 查看你可以使用的指令。（民进）"
    seen_ann = await last_id(client, ann)
    await chat.say(zhao, "/grant @ann 成员 民进")
    [told_en] = await chat.next_messages(ann, 1, seen_ann)
    assert told_en["text"] == "You are now member. /help lists what you can do. (民进)"
    assert await roles(store, li) != [] and await roles(store, ann) != []
    seen = await last_id(client, li)
    [revoked] = await chat.say(zhao, "/revoke @li 协调员 民进")
    assert revoked["text"] == "Li 不再是协调员。（民进）"
    [told] = await chat.next_messages(li, 1, seen)
    assert told["text"] == "你不再是協調員。（民进）"
    assert await roles(store, li) == []


async def test_traditional_chinese_words_and_the_refusal_names_what_still_refers(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    zhao = await chinese_admin(client, chat, "zh-hant")
    wang = await member(client, chat, "Wang", "zh-hans")
    await chat.say(zhao, "/org 新增 工商聯")
    await chat.say(zhao, "/org 新增 宣武集團 上級 工商聯")
    await chat.say(zhao, "/grant @wang 成員 工商聯")
    await chat.say(zhao, "/grant @wang 協調員 工商聯")
    assert sorted(r for r, _ in await roles(store, wang)) == ["coordinator", "member"]
    [refused] = await chat.say(zhao, "/org 刪除 工商聯")
    assert refused["text"] == (
        "無法刪除「工商聯」：仍有 1 個下級組織、2 個角色（成員和協調員）引用它。"
    )
    [refused_en] = await chat.say(ADMIN_ID, "/org remove 工商聯")
    assert refused_en["text"] == (
        "“工商聯” cannot be removed: 1 sub-organisations, 2 roles (members and coordinators) "
        "still refer to it."
    )
    [renamed] = await chat.say(zhao, "/org 改名 宣武集團 → 徐州宣武集團")
    assert renamed["text"] == "已改名為「徐州宣武集團」。"
    await chat.say(zhao, "/org 刪除 徐州宣武集團")
    async with store() as uow:
        assert sorted(o.name for o in await uow.organisations.all()) == ["工商聯"]


async def test_admin_word_refusals_in_two_languages_store_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    zhao = await chinese_admin(client, chat, "zh-hans")
    li = await member(client, chat, "Li", "zh-hant")
    await chat.say(zhao, "/org 添加 民进")
    [unknown_role] = await chat.say(zhao, "/grant @li 主席 民进")
    assert unknown_role["text"] == (
        "未知角色“主席”。可用角色：成员、协调员、管理员（也可写 member、coordinator、admin）。"
    )
    [unknown_role_en] = await chat.say(ADMIN_ID, "/grant @li chairman 民进")
    assert unknown_role_en["text"] == (
        "Unknown role “chairman”. Roles are: member, coordinator, admin."
    )
    [unknown_person] = await chat.say(zhao, "/grant @nobody 协调员 民进")
    assert unknown_person["text"].startswith("我不认识“@nobody”")
    [admin_scoped] = await chat.say(zhao, "/grant @li 管理员 民进")
    assert admin_scoped["text"] == "管理员负责整个网络，请不要指定组织。"
    [not_admin] = await chat.say(li, "/grant @zhao 协调员 民进")
    assert not_admin["text"] == "只有管理員可以這樣做。"
    [not_admin_org] = await chat.say(li, "/org 添加 九三学社")
    assert not_admin_org["text"] == "只有管理員可以這樣做。"
    [usage] = await chat.say(zhao, "/org 修改 民进")
    assert usage["text"].startswith("用法：\n/org 添加 名称 [上级 上级组织]")
    assert await roles(store, li) == []
    async with store() as uow:
        assert [o.name for o in await uow.organisations.all()] == ["民进"]
