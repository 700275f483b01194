"""Numbers from outside are read by one strict parser; the rest get a clear answer (issue 10)."""

from __future__ import annotations

from domain.clock import FakeClock
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation
from tests.talk import all_pledges, last_call, make_appeal, member


async def _roles(store: SqlUnitOfWorkFactory) -> int:
    async with store() as uow:
        return len(await uow.roles.all())


async def test_grant_with_ids_past_64_bits_or_odd_digits_is_refused_clearly(
    chat: Conversation, store: SqlUnitOfWorkFactory
) -> None:
    await chat.say(ADMIN_ID, "/org add 红会")
    before = await _roles(store)
    for ref in ("99999999999999999999", str(2**63), "--5", "²", "١٢٣", "-5"):
        [answer] = await chat.say(ADMIN_ID, f"/grant {ref} member 红会")
        assert answer["text"].startswith(f"I do not know “{ref}”."), answer["text"]
    assert await _roles(store) == before


async def test_deep_links_with_a_20_digit_chat_id_or_odd_digits_are_not_valid(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "en")
    for payload in (
        f"a{appeal.id}_m{'9' * 20}",
        f"a{appeal.id}_{2**63}",
        f"a{appeal.id}_m5_n1q٣uk",
    ):
        [answer] = await chat.say(li, f"/start {payload}")
        assert answer["text"] == "This link is not valid.", answer["text"]
    async with store() as uow:
        assert await uow.dialogs.get(li) is None
    # an amount past the limit is refused as a typed one would be
    [refused] = await chat.say(li, f"/start a{appeal.id}_m5_y{'9' * 15}")
    assert refused["text"] == "This link is not valid."
    assert await all_pledges(store) == 0


async def test_a_deep_link_naming_a_group_the_bot_is_not_in_asks_telegram_nothing(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "en")
    [plain] = await chat.say(li, f"/start a{appeal.id}_5")  # a private chat: no group
    since = await last_call(client)
    for group in ("9999999999999", str(2**63), "4000000001"):
        [answer] = await chat.say(li, f"/start a{appeal.id}_m{group}")
        # the same answer as a link naming no group: an unknown group counts for nothing
        assert answer["text"] == plain["text"], answer["text"]
    assert await client.calls(since, method="getChatMember") == []


async def test_forged_presses_with_huge_or_odd_numbers_are_answered_as_stale(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    await make_appeal(store, clock)
    li = await member(client, chat, "Li", "zh-hans")
    [question] = await chat.say(li, "/pledge")
    for data in (
        "pd:appeal:²",
        "pd:appeal:" + "9" * 19,
        f"pd:appeal:{2**63}",
        "pm:all:" + str(2**63),
        "pf:ok:9223372036854775808",
        "pf:q:٣",
        "am:close:" + str(2**63),
        "ma:1:2:" + str(2**64),
        "ow:0",
        f"link:-{2**63}:1",
        "ap:org:" + "9" * 19,
    ):
        answer = await chat.press(li, li, question, data=data, forged=True)
        assert answer["text"] == "此按钮已失效。", (data, answer)
    [_again] = await chat.say(li, "/pledge")  # the dialog still works
    assert await all_pledges(store) == 0


async def test_a_group_pledge_with_an_unreadable_amount_gets_a_plain_link(
    client: SandboxClient, chat: Conversation, store: SqlUnitOfWorkFactory, clock: FakeClock
) -> None:
    appeal = await make_appeal(store, clock)
    li = await member(client, chat, "Li", "en")
    group = await client.create_group("群", members=[li])
    await client.add_bot(group["id"], by_user_id=li)
    await chat.next_messages(group["id"], 1, None)
    for amount in ("-1", "0", str(2**63)):
        [answer] = await chat.say(li, f"/pledge {appeal.id} {amount}", chat_id=group["id"])
        url = answer["reply_markup"]["inline_keyboard"][0][0]["url"]
        assert "_y" not in url, url  # nothing unreadable is carried into the link
    assert await all_pledges(store) == 0
