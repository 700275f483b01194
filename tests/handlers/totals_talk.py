"""Telegram-side helpers of the totals' handler tests (people, roles, buttons, presses)."""

from __future__ import annotations

from typing import Any

from domain.kernel.standing import Role, RoleName
from domain.network.models import ChatStatus
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation

Json = dict[str, Any]
PLEDGERS = ("宣武", "华星", "一厂", "党员甲", "党员乙", "党员丙", "散户")


def pledgers() -> dict[str, int]:
    """The scenario's pledgers: Telegram ids of people the bot has not met."""
    return {name: 7_000_000 + index for index, name in enumerate(PLEDGERS)}


async def person(client: SandboxClient, chat: Conversation, name: str, lang: str) -> int:
    """A person the bot has seen (after /start), in their client's language."""
    user = await client.create_user(name, language_code=lang)
    await chat.say(user["id"], "/start")
    return int(user["id"])


async def grant(store: SqlUnitOfWorkFactory, person_id: int, role: RoleName,
                organisation_id: int | None) -> None:
    """Give a person a role, as /grant would."""
    async with store() as uow:
        await uow.roles.add(Role(person_id, role, organisation_id))
        await uow.commit()


def buttons(message: Json) -> list[Json]:
    """Every inline button of a message, row by row."""
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def edited(chat: Conversation, user: int, message: Json, data: str) -> Json:
    """Press a button that edits its message; return the message as edited (silent answer)."""
    answer = await chat.press(user, user, message, data=data)
    assert not answer.get("text"), answer
    [found] = [m for m in await chat.client.messages(user)
               if m["message_id"] == message["message_id"]]
    return found


async def group_of(client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory,
                   member: int, organisation_id: int | None, approved: bool = True) -> int:
    """A group the bot is in, linked to an organisation (approved in the database)."""
    group = await client.create_group("支援群", members=[member])
    await client.add_bot(group["id"], by_user_id=member)
    await chat.next_messages(group["id"], 1, None)  # the bot's greeting
    async with store() as uow:
        record = await uow.chats.get(group["id"])
        assert record is not None
        record.status = ChatStatus.APPROVED if approved else ChatStatus.PENDING
        record.organisation_id = organisation_id
        await uow.chats.save(record)
        await uow.commit()
    return int(group["id"])
