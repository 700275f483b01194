"""Telegram-side helpers every test shares: people, buttons, presses, and what was stored.

Test modules import these from here, never from another test module (`tests/test_layout.py`
fails on that); end-to-end tests use them too instead of keeping copies.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.runtime import TongxinApplication
from domain.appeals.models import Appeal, AppealStatus, Need, Recipient, appeal_deep_link_payload
from domain.clock import FakeClock
from domain.kernel.standing import Role, RoleName
from domain.network.models import ChatStatus
from domain.offers.models import Offer
from domain.pledges.models import Fulfilment, FulfilmentState, Pledge, PledgeKind, Visibility
from sandbox.client import SandboxClient
from storage.models.pledges import PledgeRow
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation

Json = dict[str, Any]


# -- people and organisations -----------------------------------------------------------------


async def member(client: SandboxClient, chat: Conversation, name: str, lang: str) -> int:
    """A person the bot has seen (after /start)."""
    user = await client.create_user(name, username=name.lower(), language_code=lang)
    await chat.say(user["id"], "/start")
    return int(user["id"])


async def organisation(chat: Conversation, store: SqlUnitOfWorkFactory, name: str) -> int:
    """An organisation added by the admin."""
    await chat.say(ADMIN_ID, f"/org add {name}")
    async with store() as uow:
        return next(o.id for o in await uow.organisations.all() if o.name == name)


async def coordinator_of(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, lang: str = "en"
) -> tuple[int, int]:
    """A coordinator of a new organisation; returns (person id, organisation id)."""
    await chat.say(ADMIN_ID, "/org add 红十字会")
    co = await member(client, chat, "Co", lang)
    await chat.say(ADMIN_ID, "/grant @co coordinator 红十字会")
    async with store() as uow:
        [org] = [o for o in await uow.organisations.all() if o.name == "红十字会"]
    return co, org.id


async def join(store: SqlUnitOfWorkFactory, person_id: int, organisation_id: int) -> None:
    """Make a person a member of an organisation (so its appeals are theirs to see)."""
    async with store() as uow:
        await uow.roles.add(Role(person_id, RoleName.MEMBER, organisation_id))
        await uow.commit()


async def approved_groups(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, count: int
) -> list[int]:
    """Groups the bot is in, approved directly in the database."""
    await chat.say(ADMIN_ID, "/start")
    ids = []
    for number in range(count):
        group = await client.create_group(f"支援群{number}", members=[ADMIN_ID])
        await client.add_bot(group["id"], by_user_id=ADMIN_ID)
        await chat.next_messages(group["id"], 1, None)
        ids.append(group["id"])
    async with store() as uow:
        for chat_id in ids:
            record = await uow.chats.get(chat_id)
            assert record is not None
            record.status = ChatStatus.APPROVED
            await uow.chats.save(record)
        await uow.commit()
    return ids


# -- appeals, pledges and offers in the database ----------------------------------------------


async def make_appeal(
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    *,
    organisation_id: int | None = None,
    status: AppealStatus = AppealStatus.OPEN,
    deadline: date | None = date(2020, 2, 29),
    recipients: tuple[str, ...] = (),
) -> Appeal:
    """An open appeal for 消毒液 (kg) and N95口罩 (pieces), stored as the appeals feature does."""
    appeal = Appeal(
        id=0,
        title="抗疫倡议",
        body="请支援",
        status=status,
        deadline=deadline,
        currency="CNY",
        money_target_minor=100_000_000,
        organisation_id=organisation_id,
        created_by=ADMIN_ID,
        created_at=clock.now(),
        needs=[
            Need(0, 0, "消毒液", "消毒液", "kg", Decimal(5000)),
            Need(0, 0, "N95口罩", "mask", "piece", Decimal(10000)),
        ],
        recipients=[Recipient(0, name) for name in recipients],
    )
    async with store() as uow:
        stored = await uow.appeals.add(appeal)
        await uow.commit()
    return stored


async def reported_appeal(
    store: SqlUnitOfWorkFactory, clock: FakeClock, status: AppealStatus
) -> int:
    """An appeal for 消毒液 (kg), stored as the appeals feature does (already reported, so
    no broadcast report reaches the admin's chat in the middle of a test)."""
    stored = Appeal(
        0, "抗疫倡议", "请支援", status, date(2020, 2, 29), "CNY", 100_000_000, None,
        ADMIN_ID, clock.now(), needs=[Need(0, 0, "消毒液", "消毒液", "kg", Decimal(5000))],
        reported_at=clock.now(),
    )
    async with store() as uow:
        added = await uow.appeals.add(stored)
        await uow.commit()
    return added.id


async def confirmed_pledge(
    store: SqlUnitOfWorkFactory, clock: FakeClock, person_id: int, appeal_id: int,
    token: str, *, money: int | None = None, kilos: int | None = None,
) -> int:
    """A confirmed pledge of money (yuan) or of 消毒液 (kg), with a delivery of goods."""
    kind = PledgeKind.MONEY if money is not None else PledgeKind.GOODS
    stored = Pledge(
        0, token, person_id, kind, appeal_id, None, "消毒液" if kilos else "",
        None if money is None else money * 100, "CNY",
        None if kilos is None else Decimal(kilos), "kg" if kilos else "", None, False, "",
        None, None, None, Visibility.NAMED, False, None, person_id, None, clock.now(),
    )
    async with store() as uow:
        added = await uow.pledges.add(stored)
        if kilos:
            await uow.pledges.add_fulfilment(
                Fulfilment(0, added.id, Decimal(kilos) / 2, False, person_id, clock.now(), None,
                           FulfilmentState.CONFIRMED, ADMIN_ID, clock.now())
            )
        await uow.commit()
    return added.id


async def pledged_to_appeal_of_coordinator(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str = "en",
) -> tuple[int, int, Appeal]:
    """A coordinator (writing `lang`) of a new organisation, its appeal, and Li (zh-Hans, a
    member of it) who pledged 3000 kg to it through the bot: (coordinator, Li, appeal)."""
    co, org = await coordinator_of(client, chat, store, lang=lang)
    appeal = await make_appeal(store, clock, organisation_id=org)
    li = await member(client, chat, "Li", "zh-hans")
    await join(store, li, org)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 消毒液 3000公斤")
    await confirm(chat, li, summary)
    return co, li, appeal


async def volunteer_pledge(chat: Conversation, person: int, task: str, hours: str,
                           day: str) -> None:
    """A pledge of volunteer time made through the pledge dialog (no appeal, anonymous)."""
    [which] = await chat.say(person, "/pledge")
    kind = await press_and_read(chat, person, which, "pd:appeal:0")
    await press_and_read(chat, person, kind, "pd:kind:volunteer")
    await chat.say(person, task)
    await chat.say(person, hours)
    [visibility] = await chat.say(person, day)
    summary = await press_and_read(chat, person, visibility, "pd:visibility:anonymous")
    await confirm(chat, person, summary)


async def pledges_of(store: SqlUnitOfWorkFactory, person_id: int) -> list[Pledge]:
    """What is stored for a person."""
    async with store() as uow:
        return await uow.pledges.of_person(person_id)


async def all_pledges(store: SqlUnitOfWorkFactory) -> int:
    """How many pledges exist at all."""
    async with store() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(PledgeRow)) or 0)


async def offers_of(store: SqlUnitOfWorkFactory, person_id: int) -> list[Offer]:
    """What is stored for a person."""
    async with store() as uow:
        return await uow.offers.of_person(person_id)


async def rows(store: SqlUnitOfWorkFactory, statement: Any, **params: Any) -> list[tuple[Any, ...]]:
    """Run a read-only SQL statement on the bot's database."""
    async with store() as uow:
        return [tuple(r) for r in await uow.session.execute(statement, params)]


# -- messages and buttons ---------------------------------------------------------------------


def buttons(message: Json) -> list[Json]:
    """Every inline button of a message, row by row."""
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def button(message: Json, prefix: str) -> Json:
    """The first button whose data starts with `prefix`."""
    return next(b for b in buttons(message) if b.get("callback_data", "").startswith(prefix))


def item_buttons(message: Json, prefix: str) -> list[Json]:
    """The buttons that open one item each."""
    return [b for b in buttons(message) if b.get("callback_data", "").startswith(prefix)]


def erase_button(message: Json) -> str:
    """The data of the "erase" button of a /forgetme question (the other one keeps)."""
    [erase, keep] = message["reply_markup"]["inline_keyboard"][0]
    assert keep["callback_data"] == "forget:keep"
    return str(erase["callback_data"])


async def last_id(client: SandboxClient, chat_id: int) -> int:
    """The newest message id in a chat (0 when empty)."""
    return max((int(m["message_id"]) for m in await client.messages(chat_id)), default=0)


async def last_call(client: SandboxClient) -> int:
    """The sequence number of the newest Bot API call the sandbox saw (0 before any)."""
    return max((int(c["seq"]) for c in await client.calls()), default=0)


async def press_and_read(chat: Conversation, user_id: int, message: Json, data: str) -> Json:
    """Press a button in the private chat and return the bot's next message."""
    after = await last_id(chat.client, user_id)
    await chat.press(user_id, user_id, message, data=data)
    [answer] = await chat.next_messages(user_id, 1, after)
    return answer


async def press_and_read_many(
    chat: Conversation, user_id: int, message: Json, data: str, count: int
) -> tuple[Json, list[Json]]:
    """Press a button in the private chat; the answer to the press and the bot's next
    `count` messages (none when `count` is 0)."""
    last = await last_id(chat.client, user_id)
    answer = await chat.press(user_id, user_id, message, data=data)
    if count == 0:
        return answer, []
    return answer, await chat.next_messages(user_id, count, last)


async def press_and_read_edit(
    chat: Conversation, client: SandboxClient, user: int, message: Json, data: str
) -> Json:
    """Press a button of a list; return the list message as the press left it."""
    since = await last_call(client)
    answer = await chat.press(user, user, message, data=data)
    assert not answer.get("show_alert"), answer
    [edit] = await client.wait_for_calls("editMessageText", count=1, since=since, timeout=10)
    assert edit["ok"], edit
    [shown] = [m for m in await client.messages(user) if m["message_id"] == message["message_id"]]
    return shown


# -- dialogs ----------------------------------------------------------------------------------


async def confirm(chat: Conversation, user_id: int, summary: Json) -> Json:
    """Press Confirm under a summary and return the bot's thank-you message."""
    ok = button(summary, "pd:ok:")
    after = int(summary["message_id"])
    await chat.press(user_id, user_id, summary, data=ok["callback_data"])
    [thanks] = await chat.next_messages(user_id, 1, after)
    return thanks


async def no_appeal(chat: Conversation, user: int, command: str) -> Json:
    """Send a one-line pledge without an appeal, answer "no appeal", return the summary."""
    [which] = await chat.say(user, command)
    none = button(which, "pd:appeal:0")
    await chat.press(user, user, which, data=none["callback_data"])
    [summary] = await chat.next_messages(user, 1, int(which["message_id"]))
    return summary


async def review_notice(chat: Conversation, person: int, after: int) -> Json:
    """The next delivery notice with review buttons (other notices may come first)."""
    for _ in range(4):
        [message] = await chat.next_messages(person, 1, after)
        if any(b.get("callback_data", "").startswith("pf:") for b in buttons(message)):
            return message
        after = int(message["message_id"])
    raise AssertionError("no delivery notice")


async def offer_in_one_line(
    chat: Conversation, store: SqlUnitOfWorkFactory, user_id: int, line: str
) -> Offer:
    """`/offer LINE`, free, in 武汉, with no end date, confirmed; returns the stored offer."""
    [terms] = await chat.say(user_id, f"/offer {line}")
    await press_and_read(chat, user_id, terms, "od:terms:free")
    [until] = await chat.say(user_id, "武汉市江汉区")
    summary = await press_and_read(chat, user_id, until, "od:until:none")
    await press_and_read(chat, user_id, summary, button(summary, "od:ok:")["callback_data"])
    return (await offers_of(store, user_id))[0]


async def appeal_in_group(
    app: TongxinApplication, client: SandboxClient, chat: Conversation, group_id: int,
    appeal_id: int,
) -> int:
    """The bot's broadcast message with its deep-link button, as the appeals feature sends it."""
    url = f"https://t.me/{app.bot.username}?start={appeal_deep_link_payload(appeal_id, group_id)}"
    sent = await app.bot.send_message(
        group_id, "抗疫倡议",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("我要认捐", url=url)]]),
    )
    return sent.message_id
