"""What a dialog answer costs in transactions: one unit of work each, counted on the SQL store.

`TransactionCounter` counts the units of work the bot opens for writing (read-only units,
`SqlUnitOfWorkFactory.read`, are not transactions; they are counted apart) and their commits,
per update: each update's handling is labelled with what the person sent (its text or button
data), so a count belongs to one answer even while jobs and other updates run beside it.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from telegram import Update

from bot.observed import ObservedApplication
from bot.runtime import TongxinApplication
from domain.clock import FakeClock
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import create_engine, session_factory
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.harness import ADMIN_ID, Conversation, running_bot, settings_for
from tests.talk import approved_groups, make_appeal, member

Json = dict[str, Any]
_handling: ContextVar[str | None] = ContextVar("counted_update", default=None)


@dataclass(frozen=True)
class Units:
    """The units of work one update opened for writing, and the commits they made."""

    opened: int
    commits: int


class TransactionCounter:
    """Counts the SQL units of work and commits of each update, by what the person sent."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._opened: Counter[str | None] = Counter()
        self._commits: Counter[str | None] = Counter()
        self._reads: Counter[str | None] = Counter()
        opened, commits, reads = self._opened, self._commits, self._reads
        make_unit = SqlUnitOfWorkFactory.__call__
        make_read = SqlUnitOfWorkFactory.read
        commit = SqlUnitOfWork.commit
        handle = ObservedApplication.process_update

        def counted_unit(factory: SqlUnitOfWorkFactory) -> SqlUnitOfWork:
            opened[_handling.get()] += 1
            return make_unit(factory)

        def counted_read(factory: SqlUnitOfWorkFactory) -> SqlUnitOfWork:
            reads[_handling.get()] += 1
            return make_read(factory)

        async def counted_commit(uow: SqlUnitOfWork) -> None:
            commits[_handling.get()] += 1
            await commit(uow)

        async def labelled(app: ObservedApplication, update: object) -> None:
            token = _handling.set(_label(update))
            try:
                await handle(app, update)
            finally:
                _handling.reset(token)

        monkeypatch.setattr(SqlUnitOfWorkFactory, "__call__", counted_unit)
        monkeypatch.setattr(SqlUnitOfWorkFactory, "read", counted_read)
        monkeypatch.setattr(SqlUnitOfWork, "commit", counted_commit)
        monkeypatch.setattr(ObservedApplication, "process_update", labelled)

    def of(self, sent: str) -> Units:
        """What handling the update with this text or button data cost."""
        return Units(self._opened[sent], self._commits[sent])

    def reads_of(self, sent: str) -> int:
        """The read-only units handling that update opened (the guard's look-up is one)."""
        return self._reads[sent]


def _label(update: object) -> str | None:
    """What the person sent: a message's text or a press's data."""
    if not isinstance(update, Update):
        return None
    if update.callback_query is not None:
        return update.callback_query.data
    message = update.effective_message
    return message.text if message is not None else None


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> TransactionCounter:
    """Counting from before the bot starts, so the poller hands updates to the counted path."""
    return TransactionCounter(monkeypatch)


@contextlib.asynccontextmanager
async def counted_bot(
    database_url: str, sandbox: SandboxServer, clock: FakeClock, counter: TransactionCounter
) -> AsyncIterator[TongxinApplication]:
    """The bot, started after `counter` was installed."""
    async with running_bot(settings_for(database_url, sandbox), clock) as app:
        yield app


async def answered(
    chat: Conversation, user_id: int, act: Callable[[], Awaitable[object]]
) -> Json:
    """Do `act` (a typed answer or a press) and return the bot's next message."""
    messages = await chat.client.messages(user_id)
    after = max((int(m["message_id"]) for m in messages), default=0)
    await act()
    [message] = await chat.next_messages(user_id, 1, after)
    return message


def data_of(message: Json, prefix: str) -> str:
    """The data of the message's first button starting with `prefix`."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(b["callback_data"] for row in rows for b in row
                if b.get("callback_data", "").startswith(prefix))


async def test_each_offer_dialog_answer_is_one_transaction(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock,
    counter: TransactionCounter,
) -> None:
    chat = Conversation(client)
    async with counted_bot(database_url, sandbox, clock, counter):
        user = await client.create_user("Ann", username="ann", language_code="en")
        ann = int(user["id"])
        await chat.say(ann, "/start")
        [item] = await chat.say(ann, "/offer")
        [terms] = await chat.say(ann, "N95口罩 5000个")
        price = await answered(chat, ann, lambda: chat.press(ann, ann, terms,
                                                             data="od:terms:price"))
        assert price["text"].startswith("What price")
        await chat.say(ann, "2万元")
        [until] = await chat.say(ann, "武汉市江汉区")
        [summary] = await chat.say(ann, "2026-03-15")
        ok = data_of(summary, "od:ok:")
        thanks = await answered(chat, ann, lambda: chat.press(ann, ann, summary, data=ok))
        assert thanks["text"].startswith("Thank you! Your offer #1 is recorded")
        # the next update of the same person starts once the Confirm is handled completely
        await chat.say(ann, "/myoffers")
    assert item["text"].startswith("What do you offer?") and until["text"].startswith("Until")
    one = Units(opened=1, commits=1)
    assert counter.of("/offer") == one, "begin: the draft stored and the update marked"
    for answer in ("N95口罩 5000个", "od:terms:price", "2万元", "2026-03-15"):
        assert counter.of(answer) == one, answer
    assert counter.of(ok) == one, "Confirm: the offer, its audit and notices, the dialog's end"
    # The end date takes typing or "No end date": once that question is sent, its message id
    # is kept (one more unit, after the answer's) so a typed date can take the button away.
    assert counter.of("武汉市江汉区") == Units(opened=2, commits=2)


async def test_each_appeal_dialog_answer_is_one_transaction(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock,
    counter: TransactionCounter,
) -> None:
    chat = Conversation(client)
    engine = create_engine(database_url)
    store = SqlUnitOfWorkFactory(session_factory(engine))
    try:
        async with counted_bot(database_url, sandbox, clock, counter):
            await approved_groups(client, chat, store, 2)
            await chat.say(ADMIN_ID, "/appeal")
            await chat.say(ADMIN_ID, "武汉急需口罩")
            [needs_q] = await chat.say(ADMIN_ID, "请大家支援武汉。")
            await chat.say(ADMIN_ID, "口罩 10000个")
            await chat.say(ADMIN_ID, "消毒液 2000公斤\n资金 50万元")
            press = partial(chat.press, ADMIN_ID, ADMIN_ID)
            rcp_q = await answered(chat, ADMIN_ID, lambda: press(needs_q, data="ap:needs_done"))
            await chat.say(ADMIN_ID, "黄山街道办事处")
            await answered(chat, ADMIN_ID, lambda: press(rcp_q, data="ap:rcp_done"))
            [audience_q] = await chat.say(ADMIN_ID, "2月20日")
            preview = await answered(chat, ADMIN_ID, lambda: press(audience_q, data="ap:all"))
            await answered(chat, ADMIN_ID, lambda: press(preview, data="ap:fix:title"))
            [preview] = await chat.say(ADMIN_ID, "武汉急需口罩和消毒液")
            since = max(int(c["seq"]) for c in await client.calls())
            await press(preview, data="ap:send")
            await client.wait_for_calls("editMessageText", count=1, since=since, timeout=10)
            await chat.say(ADMIN_ID, "/help")  # handled once the Send is handled completely
        async with store() as uow:
            assert len(await uow.appeals.open()) == 1
            assert await uow.dialogs.get(ADMIN_ID) is None
    finally:
        await engine.dispose()
    one = Units(opened=1, commits=1)
    assert counter.of("/appeal") == one, "begin: the coordinator checked in the same unit"
    for answer in (
        "武汉急需口罩", "请大家支援武汉。", "口罩 10000个", "消毒液 2000公斤\n资金 50万元",
        "ap:needs_done", "黄山街道办事处", "ap:rcp_done", "2月20日", "ap:all", "ap:fix:title",
        "武汉急需口罩和消毒液",
    ):
        assert counter.of(answer) == one, answer
        assert counter.reads_of(answer) == 1, f"{answer}: the guard's look-up alone"
    assert counter.of("ap:send") == one, "Send: the appeal published and the dialog ended"


async def test_each_pledge_dialog_answer_is_one_transaction(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock,
    counter: TransactionCounter,
) -> None:
    chat = Conversation(client)
    async with counted_bot(database_url, sandbox, clock, counter):
        engine = create_engine(database_url)
        try:
            store = SqlUnitOfWorkFactory(session_factory(engine))
            appeal = await make_appeal(store, clock, recipients=("黄山街道办事处",))
        finally:
            await engine.dispose()
        ann = await member(client, chat, "Ann", "en")
        begin = f"/pledge {appeal.id}"
        [kind] = await chat.say(ann, begin)
        amount = await answered(chat, ann, lambda: chat.press(ann, ann, kind, data="pd:kind:money"))
        assert amount["text"].startswith("How much money?")
        [earmark] = await chat.say(ann, "500元")
        due = await answered(chat, ann, lambda: chat.press(ann, ann, earmark, data="pd:earmark:0"))
        [visibility] = await chat.say(ann, "2020-02-25")
        shown = data_of(visibility, "pd:visibility:")
        summary = await answered(chat, ann, lambda: chat.press(ann, ann, visibility, data=shown))
        ok = data_of(summary, "pd:ok:")
        thanks = await answered(chat, ann, lambda: chat.press(ann, ann, summary, data=ok))
        assert thanks["text"].startswith("Thank you! Your pledge #1 is recorded")
        # the next update of the same person starts once the Confirm is handled completely
        await chat.say(ann, "/mypledges")
    assert due["text"].startswith("When will it be delivered?")
    one = Units(opened=1, commits=1)
    assert counter.of(begin) == one, "begin: the appeal read, the dialog stored, the update marked"
    for answer in ("pd:kind:money", "500元", "2020-02-25", shown):
        assert counter.of(answer) == one, answer
    # The date takes typing or a button: once that question is sent, its message id is kept
    # (one more unit, after the answer's) so a typed date can take the buttons away.
    assert counter.of("pd:earmark:0") == Units(opened=2, commits=2)
    # Confirm first reads the draft's group (to ask Telegram whether the person is still in
    # it), then one unit makes the pledge, its audit and notice event, and ends the dialog.
    assert counter.of(ok) == Units(opened=2, commits=1)
