"""What members see in the pledge dialog: the one-line summary, which appeal, old buttons."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.clock import FakeClock
from domain.pledges.models import Visibility
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.handlers.words import WORDS
from tests.harness import Conversation
from tests.talk import (
    all_pledges,
    button,
    buttons,
    join,
    last_id,
    make_appeal,
    member,
    organisation,
    pledges_of,
    press_and_read,
)

Json = dict[str, Any]


async def shown(client: SandboxClient, chat_id: int, message: Json) -> Json:
    """A message as the chat shows it now (after any edits)."""
    return next(
        m for m in await client.messages(chat_id) if m["message_id"] == message["message_id"]
    )


def labels(message: Json) -> list[str]:
    """The texts of a message's buttons."""
    return [str(b["text"]) for b in buttons(message)]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
async def test_one_line_summary_shows_whose_and_how_shown_with_buttons_to_change_them(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    words = WORDS[lang]
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    org = await organisation(chat, store, "紅十字會" if lang == "en" else "红十字会")
    await join(store, li, org)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 5万元")
    lines = summary["text"].splitlines()
    assert words["myself"] in lines and words["anonymous"] in lines, summary["text"]
    assert words["change_behalf"] in labels(summary) and words["change_shown"] in labels(summary)
    # a forged "change" (another draft's token, an unknown field) and a stray step's
    # button at the summary change nothing
    for data in ("pd:edit:behalf_0000", "pd:edit:colour_" + "0" * 16, f"pd:behalf:{org + 99}"):
        answer = await chat.press(li, li, summary, data=data, forged=True)
        assert answer["text"] == words["stale"], data
    behalf = await press_and_read(
        chat, li, summary, button(summary, "pd:edit:behalf_")["callback_data"]
    )
    assert words["behalf_q"] in behalf["text"]
    assert "reply_markup" not in await shown(client, li, summary)
    summary = await press_and_read(chat, li, behalf, f"pd:behalf:{org}")
    assert words["org_line"] in summary["text"].splitlines(), summary["text"]
    visibility = await press_and_read(
        chat, li, summary, button(summary, "pd:edit:visibility_")["callback_data"]
    )
    summary = await press_and_read(chat, li, visibility, "pd:visibility:organisation")
    assert words["org_shown"] in summary["text"].splitlines(), summary["text"]
    assert await all_pledges(store) == 0
    after = int(summary["message_id"])
    await chat.press(li, li, summary, data=button(summary, "pd:ok:")["callback_data"])
    await chat.next_messages(li, 1, after)
    [pledge] = await pledges_of(store, li)
    assert pledge.on_behalf_of == org and pledge.visibility is Visibility.ORGANISATION
    assert pledge.amount_minor == 5_000_000


async def test_a_person_without_organisations_gets_no_behalf_button_and_cannot_forge_one(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    ann = await member(client, chat, "Ann", "en")
    [summary] = await chat.say(ann, f"/pledge {appeal.id} 5万元")
    assert labels(summary)[-1] == "Change: how shown"
    assert "Change: on whose behalf" not in labels(summary)
    token = button(summary, "pd:ok:")["callback_data"].removeprefix("pd:ok:")
    answer = await chat.press(ann, ann, summary, data=f"pd:edit:behalf_{token}", forged=True)
    assert answer["text"] == "This button is no longer valid."
    assert await all_pledges(store) == 0


@pytest.mark.parametrize("lang", ["zh-hant", "en"])
async def test_pledge_without_an_appeal_asks_which_among_the_appeals_the_person_may_see(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    words = WORDS[lang]
    everyone = await make_appeal(store, clock, deadline=date(2020, 2, 29))
    org = await organisation(chat, store, "民建")
    hidden = await make_appeal(store, clock, organisation_id=org)
    wang = await member(client, chat, "Wang", lang)
    [question] = await chat.say(wang, "/pledge 5万元")
    assert words["which"] in question["text"]
    data = [b["callback_data"] for b in buttons(question)]
    assert data == [f"pd:appeal:{everyone.id}", "pd:appeal:0"]
    assert labels(question)[-1] == words["no_appeal"]
    assert await all_pledges(store) == 0
    # the appeal of an organisation Wang is not in: neither by button nor by number
    answer = await chat.press(wang, wang, question, data=f"pd:appeal:{hidden.id}", forged=True)
    assert answer["text"] == words["unknown"].format(number=hidden.id)
    answer = await chat.press(wang, wang, question, data="pd:appeal:" + "9" * 13, forged=True)
    assert answer["text"] == words["unknown"].format(number="9" * 13)
    answer = await chat.press(wang, wang, question, data="pd:appeal:1x", forged=True)
    assert answer["text"] == words["stale"]
    [refusal] = await chat.say(wang, f"/pledge {hidden.id} 5万元")
    assert refusal["text"] == words["unknown"].format(number=hidden.id)
    [question] = await chat.say(wang, "/pledge 5万元")
    summary = await press_and_read(chat, wang, question, f"pd:appeal:{everyone.id}")
    assert "reply_markup" not in await shown(client, wang, question)
    assert f"#{everyone.id}" in summary["text"] and "2020-02-29" in summary["text"]
    after = int(summary["message_id"])
    await chat.press(wang, wang, summary, data=button(summary, "pd:ok:")["callback_data"])
    await chat.next_messages(wang, 1, after)
    [pledge] = await pledges_of(store, wang)
    assert pledge.appeal_id == everyone.id and pledge.due_date == date(2020, 2, 29)
    assert pledge.amount_minor == 5_000_000
    # "no appeal" is a choice too
    [question] = await chat.say(wang, "/pledge 消毒液 300公斤")
    summary = await press_and_read(chat, wang, question, "pd:appeal:0")
    assert "#" not in summary["text"].splitlines()[1], summary["text"]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
async def test_a_confirmed_summary_loses_its_buttons_and_old_presses_say_it_is_recorded(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    words = WORDS[lang]
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", lang)
    [summary] = await chat.say(li, f"/pledge {appeal.id} 5万元")
    ok = button(summary, "pd:ok:")["callback_data"]
    cancel = button(summary, "pd:no:")["callback_data"]
    after = int(summary["message_id"])
    await chat.press(li, li, summary, data=ok)
    [thanks] = await chat.next_messages(li, 1, after)
    assert "#1" in thanks["text"]
    assert "reply_markup" not in await shown(client, li, summary)
    edits = len(await client.calls(method="editMessageReplyMarkup"))
    # a second tap from another device: an alert, no second thank-you, no empty edit
    again = await chat.press(li, li, summary, data=ok, forged=True)
    assert again["text"] == words["recorded"].format(number=1) and again["show_alert"]
    old_cancel = await chat.press(li, li, summary, data=cancel, forged=True)
    assert old_cancel["text"] == words["how_to_cancel"].format(number=1)
    await client.wait_for_updates_consumed(timeout=10)
    assert await last_id(client, li) == int(thanks["message_id"])
    assert len(await client.calls(method="editMessageReplyMarkup")) == edits
    [pledge] = await pledges_of(store, li)
    assert not pledge.cancelled


async def test_cancel_closes_only_its_own_draft_and_takes_its_buttons_away(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    words = WORDS["zh-hant"]
    appeal = await make_appeal(store, clock)
    wang = await member(client, chat, "Wang", "zh-hant")
    [first] = await chat.say(wang, f"/pledge {appeal.id} 5万元")
    [second] = await chat.say(wang, f"/pledge {appeal.id} 1万元")
    # the first summary's Cancel belongs to a draft that was replaced: the second stays open
    answer = await chat.press(wang, wang, first, data=button(first, "pd:no:")["callback_data"])
    assert answer["text"] == words["stale"]
    after = int(second["message_id"])
    await chat.press(wang, wang, second, data=button(second, "pd:no:")["callback_data"])
    [done] = await chat.next_messages(wang, 1, after)
    assert done["text"] == words["cancelled"]
    assert "reply_markup" not in await shown(client, wang, second)
    assert await all_pledges(store) == 0


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
async def test_answered_questions_lose_their_buttons_by_press_and_by_typing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock,
    lang: str,
) -> None:
    appeal = await make_appeal(store, clock)
    ann = await member(client, chat, "Ann", lang)
    [which] = await chat.say(ann, "/pledge")
    kind = await press_and_read(chat, ann, which, f"pd:appeal:{appeal.id}")
    amount = await press_and_read(chat, ann, kind, "pd:kind:money")
    [due] = await chat.say(ann, "500元")
    assert buttons(due)  # the date question offers the deadline and "no fixed date"
    [visibility] = await chat.say(ann, "2020-02-25")
    for answered in (which, kind, due):
        assert "reply_markup" not in await shown(client, ann, answered), answered["text"]
    assert "reply_markup" not in await shown(client, ann, amount)
    assert buttons(await shown(client, ann, visibility))  # the open question keeps its own
    edits = len(await client.calls(method="editMessageReplyMarkup"))
    stale = await chat.press(ann, ann, kind, data="pd:kind:goods", forged=True)
    assert stale["text"] == WORDS[lang]["stale"]
    assert len(await client.calls(method="editMessageReplyMarkup")) == edits
    summary = await press_and_read(chat, ann, visibility, "pd:visibility:named")
    assert "2020-02-25" in summary["text"]
    assert await all_pledges(store) == 0
