"""The CURRENCY setting is every default currency: pledges without an appeal, offers, appeals.

Before, a pledge without an appeal written `500元` was stored in CNY whatever the setting
said: 元 always meant CNY, though in Hong Kong 500元 is 500 港元.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.runtime import TongxinApplication
from domain.clock import FakeClock
from domain.pledges.models import PledgeKind
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import Conversation, running_bot, settings_for
from tests.talk import (
    button,
    confirm,
    coordinator_of,
    member,
    no_appeal,
    offers_of,
    pledges_of,
    press_and_read,
)

Json = dict[str, Any]


@pytest.fixture
async def app(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock
) -> AsyncIterator[TongxinApplication]:
    """The bot of a Hong Kong network: CURRENCY=HKD."""
    settings = settings_for(database_url, sandbox, currency="HKD")
    async with running_bot(settings, clock) as application:
        yield application


async def in_the_dialog(chat: Conversation, user: int, amount: str) -> Json:
    """Answer /pledge: no appeal, money, `amount`, no date, named; return the summary."""
    [question] = await chat.say(user, "/pledge")
    for data in ("pd:appeal:0", "pd:kind:money"):
        await chat.press(user, user, question, data=data)
        [question] = await chat.next_messages(user, 1, int(question["message_id"]))
    [question] = await chat.say(user, amount)
    for data in ("pd:due:none", "pd:visibility:named"):
        await chat.press(user, user, question, data=data)
        [question] = await chat.next_messages(user, 1, int(question["message_id"]))
    return question


WRITTEN = [
    ("one line", "500元", "500港元", "HKD"),
    ("one line", "五百块", "500港元", "HKD"),
    ("dialog", "500元", "500港元", "HKD"),
    ("dialog", "500", "500港元", "HKD"),
    ("one line", "500人民币", "500元", "CNY"),  # a currency named is kept
]


@pytest.mark.parametrize(("form", "written", "shown", "code"), WRITTEN)
async def test_a_pledge_without_an_appeal_is_stored_and_shown_in_the_setting(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    form: str,
    written: str,
    shown: str,
    code: str,
) -> None:
    li = await member(client, chat, "Li", "zh-hant")
    if form == "dialog":
        summary = await in_the_dialog(chat, li, written)
    else:
        summary = await no_appeal(chat, li, f"/pledge {written}")
    assert shown in summary["text"] and "CNY" not in summary["text"], summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert pledge.kind is PledgeKind.MONEY
    assert (pledge.amount_minor, pledge.currency) == (50_000, code)


@pytest.mark.parametrize("written", ["2万元", "20000"])
async def test_an_offers_price_defaults_to_the_setting(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, written: str
) -> None:
    ann = await member(client, chat, "Ann", "en")
    [terms] = await chat.say(ann, "/offer N95口罩 5000个")
    await press_and_read(chat, ann, terms, "od:terms:price")
    [where] = await chat.say(ann, written)
    assert where["text"].startswith("Where are the goods?"), where["text"]
    [until] = await chat.say(ann, "武汉市江汉区")
    summary = await press_and_read(chat, ann, until, "od:until:none")
    assert "Terms: At a price (HK$20,000)" in summary["text"].splitlines(), summary["text"]
    await press_and_read(chat, ann, summary, button(summary, "od:ok:")["callback_data"])
    [offer] = await offers_of(store, ann)
    assert (offer.price_minor, offer.currency) == (2_000_000, "HKD")


@pytest.mark.parametrize("written", ["资金 50万元", "资金 50万"])
async def test_a_new_appeals_money_target_defaults_to_the_setting(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, written: str
) -> None:
    co, _ = await coordinator_of(client, chat, store, "en")
    await chat.say(co, "/appeal")
    await chat.say(co, "香港急需口罩")
    await chat.say(co, "请大家支援。")
    [added] = await chat.say(co, written)
    assert "HK$500,000" in added["text"], added["text"]
    async with store() as uow:
        dialog = await uow.dialogs.get(co)
    assert dialog is not None
    assert (dialog.data["money"], dialog.data["currency"]) == (50_000_000, "HKD")
