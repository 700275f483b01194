"""Issue 9, money and quantities read right: each marker and measure where it was written."""

from __future__ import annotations

import pytest

from domain.clock import FakeClock
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.test_pledges import confirm, make_appeal, member, pledges_of
from tests.harness import Conversation


@pytest.mark.parametrize(
    ("lang", "quantity", "value"),
    [("zh-hans", "N95口罩 300个", "2万余元"), ("en", "N95口罩 300 pieces", "¥20,000+")],
)
async def test_an_approximate_value_does_not_make_the_quantity_approximate(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    lang: str,
    quantity: str,
    value: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [summary] = await chat.say(li, f"/pledge {appeal.id} N95口罩 300个 价值2万余元")
    assert quantity in summary["text"], summary["text"]
    assert value in summary["text"], summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert (pledge.approximate, pledge.estimated_approximate) == (False, True)
    assert pledge.estimated_minor == 2_000_000
