"""Money in another currency is never relabelled: kept as written, or refused with a reason.

Before, `/pledge 1 5000美元` was stored as 5,000 元 and `10000 JPY` as 100 元 (minor units
computed in yen, then labelled CNY).
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
from tests.talk import all_pledges, button, confirm, make_appeal, member, no_appeal, pledges_of

Json = dict[str, Any]


@pytest.fixture
async def app(
    request: pytest.FixtureRequest,
    database_url: str,
    sandbox: SandboxServer,
    client: SandboxClient,
    clock: FakeClock,
) -> AsyncIterator[TongxinApplication]:
    """The bot, with the CURRENCY setting of the test's `currency` marker (else CNY)."""
    marker = request.node.get_closest_marker("currency")
    currency = marker.args[0] if marker is not None else "CNY"
    settings = settings_for(database_url, sandbox, currency=currency)
    async with running_bot(settings, clock) as application:
        yield application


FOREIGN = [
    ("5000美元", "USD"),
    ("5000 USD", "USD"),
    ("$5000", "USD"),
    ("HK$500", "HKD"),
    ("1万日元", "JPY"),
    ("10000 JPY", "JPY"),
]


@pytest.mark.parametrize(("written", "code"), FOREIGN)
async def test_foreign_money_for_a_yuan_appeal_is_refused_not_stored_as_yuan(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    written: str,
    code: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    [answer] = await chat.say(li, f"/pledge {appeal.id} {written}")
    assert code in answer["text"] and "CNY" in answer["text"], answer["text"]
    assert "以 CNY 计" in answer["text"], answer["text"]
    assert "reply_markup" not in answer or not answer["reply_markup"].get("inline_keyboard")
    assert await all_pledges(store) == 0


async def test_foreign_money_in_the_dialog_is_refused_in_english(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    sam = await member(client, chat, "Sam", "en")
    [kind] = await chat.say(sam, f"/pledge {appeal.id}")
    money = button(kind, "pd:kind:money")
    await chat.press(sam, sam, kind, data=money["callback_data"])
    await chat.next_messages(sam, 1, int(kind["message_id"]))
    [answer] = await chat.say(sam, "10000 JPY")
    assert "JPY" in answer["text"] and "counted in CNY" in answer["text"], answer["text"]
    assert await all_pledges(store) == 0
    [following] = await chat.say(sam, "¥5000")
    assert "counted in" not in following["text"], following["text"]


@pytest.mark.parametrize(
    ("written", "minor", "code"),
    [("1万日元", 10_000, "JPY"), ("$5000", 500_000, "USD"), ("HK$500", 50_000, "HKD")],
)
async def test_a_pledge_without_appeal_keeps_the_currency_it_was_written_in(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    written: str,
    minor: int,
    code: str,
) -> None:
    li = await member(client, chat, "Li", "zh-hans")
    summary = await no_appeal(chat, li, f"/pledge {written}")
    assert "pd:ok:" in str(summary.get("reply_markup")), summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert pledge.kind is PledgeKind.MONEY
    assert (pledge.amount_minor, pledge.currency) == (minor, code)


@pytest.mark.currency("HKD")
async def test_the_currency_setting_is_the_default_of_a_pledge_without_appeal(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    li = await member(client, chat, "Li", "zh-hant")
    summary = await no_appeal(chat, li, "/pledge 五百")
    assert "港元" in summary["text"], summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert (pledge.amount_minor, pledge.currency) == (50_000, "HKD")
