"""Receipt and Traditional forms of money through the one-line `/pledge N TEXT` form.

Each line of `RECEIPT_FORMS` (the domain table of real forms) is pledged to an appeal: the
summary shows the amount the line means and Confirm stores exactly that many fen. Before,
`玖佰贰拾伍元贰角` became a goods pledge named "贰角" worth 925 元 and `參仟壹佰陸拾伍元` one
named "參仟" worth 165 元.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.clock import FakeClock
from domain.parsing import Money, format_money
from domain.pledges.models import PledgeKind
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.parsing.receipt_forms import RECEIPT_FORMS
from tests.harness import Conversation
from tests.talk import all_pledges, confirm, make_appeal, member, pledges_of

LANGUAGES = {"zh-hans": "zh", "zh-hant": "zh-Hant"}


@pytest.mark.parametrize(("text", "major"), RECEIPT_FORMS, ids=[f[0] for f in RECEIPT_FORMS])
async def test_receipt_and_traditional_forms_pledge_the_money_they_mean(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    text: str,
    major: str,
) -> None:
    appeal = await make_appeal(store, clock)
    # Traditional lines are written by Traditional readers; the others by Simplified ones
    lang = "zh-hant" if any(ch in text for ch in "參叄陸萬貳圓點") else "zh-hans"
    li = await member(client, chat, "Li", lang)
    [summary] = await chat.say(li, f"/pledge {appeal.id} {text}")
    expected = Money.from_major(Decimal(major), "CNY")
    shown = format_money(expected, LANGUAGES[lang], approximate="左右" in text)
    assert shown in summary["text"], summary["text"]
    await confirm(chat, li, summary)
    [pledge] = await pledges_of(store, li)
    assert pledge.kind is PledgeKind.MONEY
    assert (pledge.amount_minor, pledge.currency, pledge.item) == (expected.minor, "CNY", "")
    assert pledge.approximate is ("左右" in text)


@pytest.mark.parametrize(
    ("text", "lang", "words"),
    [
        ("万把块", "zh-hans", "万把"),
        ("几千元", "en", "How much is it?"),
        ("參仟 口罩 500个", "zh-hant", "參仟 口罩"),
        ("玖佰贰拾伍元贰角叁", "en", "is left over"),
    ],
)
async def test_rough_amounts_and_leftover_numerals_are_asked_back_and_store_nothing(
    client: SandboxClient,
    chat: Conversation,
    store: SqlUnitOfWorkFactory,
    clock: FakeClock,
    text: str,
    lang: str,
    words: str,
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [answer] = await chat.say(li, f"/pledge {appeal.id} {text}")
    assert words in answer["text"], answer["text"]
    assert "pd:ok:" not in str(answer.get("reply_markup"))
    assert await all_pledges(store) == 0
