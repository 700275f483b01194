"""The durable poller: kept before confirmed, people in parallel, each person in order."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from typing import Any

from telegram import Update

from bot.polling import DurablePoller, ordering_keys
from handlers.context import BotData

Json = dict[str, Any]


def _message(update_id: int, user_id: int) -> Json:
    user = {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": user_id, "type": "private", "first_name": f"U{user_id}"},
            "from": user,
            "text": f"hello {update_id}",
        },
    }


class FakeInbox:
    """Kept updates in memory; `handled` plays the `processed_update` rows."""

    def __init__(self, kept: Iterable[Json] = (), handled: Iterable[int] = ()) -> None:
        self.kept: dict[int, str] = {u["update_id"]: json.dumps(u) for u in kept}
        self.handled: set[int] = set(handled)
        self.failing = False

    async def keep(self, updates: Sequence[tuple[int, str]]) -> None:
        if self.failing:
            raise ConnectionError("database away")
        for update_id, payload in updates:
            self.kept.setdefault(update_id, payload)

    async def known(self, update_ids: Iterable[int]) -> set[int]:
        return {i for i in update_ids if i in self.kept}

    async def unhandled(self, limit: int = 10_000) -> list[str]:
        return [p for i, p in sorted(self.kept.items()) if i not in self.handled][:limit]


class FakeBot:
    """`getUpdates` with Telegram's offset semantics; records what was confirmed when."""

    def __init__(self, updates: list[Json], inbox: FakeInbox) -> None:
        self.pending = list(updates)
        self.inbox = inbox
        self.offsets: list[int | None] = []
        self.confirmed_unkept: list[int] = []
        self.fetched = asyncio.Event()

    async def do_api_request(
        self, endpoint: str, api_kwargs: Json, read_timeout: float = 0
    ) -> list[Json]:
        assert endpoint == "getUpdates"
        offset = api_kwargs.get("offset")
        self.offsets.append(offset)
        if offset is not None:
            gone = [u["update_id"] for u in self.pending if u["update_id"] < offset]
            self.confirmed_unkept += [i for i in gone if i not in self.inbox.kept]
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        self.fetched.set()
        if not self.pending and api_kwargs["timeout"]:
            await asyncio.Event().wait()  # long poll: nothing comes; the stop cancels it
        return list(self.pending[: api_kwargs["limit"]])


class FakeApp:
    """Handles update 1 only when released; marks what it handled in the inbox."""

    def __init__(self, bot: FakeBot) -> None:
        self.bot = bot
        self.release = asyncio.Event()
        self.started: list[int] = []
        self.done: list[int] = []
        self.changed = asyncio.Event()

    async def process_update(self, update: Update) -> None:
        self.started.append(update.update_id)
        if update.update_id == 1:
            await self.release.wait()
        self.done.append(update.update_id)
        self.bot.inbox.handled.add(update.update_id)
        self.changed.set()


async def _until(app: FakeApp, condition: Any) -> None:
    async def wait() -> None:
        while not condition():
            app.changed.clear()
            await app.changed.wait()

    await asyncio.wait_for(wait(), 10)


def test_an_update_waits_for_its_person_and_chat_but_not_for_others() -> None:
    update = Update.de_json(_message(7, 42), None)
    assert ordering_keys(update) == (("user", 42), ("chat", 42))


async def test_others_go_ahead_and_only_kept_updates_are_confirmed() -> None:
    inbox = FakeInbox()
    bot = FakeBot([_message(1, 100), _message(2, 200), _message(3, 100), _message(4, 300)], inbox)
    app = FakeApp(bot)
    stop = asyncio.Event()
    running = asyncio.create_task(DurablePoller(app, inbox).run(stop))  # type: ignore[arg-type]

    await _until(app, lambda: {2, 4} <= set(app.done))
    assert 3 not in app.started, "update 3 is the same person's as update 1: it waits"
    assert sorted(inbox.kept) == [1, 2, 3, 4]
    app.release.set()
    await _until(app, lambda: len(app.done) == 4)
    assert app.done.index(1) < app.done.index(3)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert bot.confirmed_unkept == [], "Telegram never hears of an update before it is kept"
    assert bot.offsets[-1] == 5 and bot.pending == []
    assert sorted(app.started) == [1, 2, 3, 4], "each handled once"


async def test_after_a_crash_kept_updates_are_handled_first_and_none_twice() -> None:
    # The last run kept 1-3, handled 2 (its mark is there), and died before confirming.
    earlier = [_message(1, 100), _message(2, 200), _message(3, 100)]
    inbox = FakeInbox(kept=earlier, handled={2})
    bot = FakeBot([*earlier, _message(4, 300)], inbox)
    app = FakeApp(bot)
    app.release.set()
    stop = asyncio.Event()
    first: list[int] = []
    poller = DurablePoller(app, inbox, first_delivery=first.append)  # type: ignore[arg-type]
    running = asyncio.create_task(poller.run(stop))
    await _until(app, lambda: len(app.done) == 3)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert app.started == [1, 3, 4], "1 and 3 from the inbox, in order; 2 was done; 4 is new"
    assert bot.offsets[0] is None and bot.pending == []
    assert first == [4], "only an update never kept before is vouched for as new"


async def test_nothing_is_confirmed_while_the_database_cannot_keep_updates() -> None:
    inbox = FakeInbox()
    inbox.failing = True
    bot = FakeBot([_message(5, 100)], inbox)
    app = FakeApp(bot)
    stop = asyncio.Event()
    poller = DurablePoller(app, inbox)  # type: ignore[arg-type]
    running = asyncio.create_task(poller.run(stop))
    await asyncio.wait_for(bot.fetched.wait(), 10)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert app.started == [] and [u["update_id"] for u in bot.pending] == [5]
    assert all(o is None for o in bot.offsets)


async def test_stopping_finishes_the_updates_in_hand_and_confirms_them() -> None:
    inbox = FakeInbox()
    bot = FakeBot([_message(1, 100), _message(2, 200)], inbox)
    app = FakeApp(bot)
    stop = asyncio.Event()
    running = asyncio.create_task(DurablePoller(app, inbox).run(stop))  # type: ignore[arg-type]
    await _until(app, lambda: 2 in app.done and 1 in app.started)
    stop.set()
    app.release.set()
    await asyncio.wait_for(running, 10)
    assert sorted(app.done) == [1, 2]
    assert bot.offsets[-1] == 3


def test_an_update_is_vouched_for_as_new_once_and_only_when_the_poller_said_so() -> None:
    data = BotData()
    data.note_first_delivery(5)
    assert data.first_delivery(5)
    assert not data.first_delivery(5), "a second look checks for a replay like any other"
    assert not data.first_delivery(6), "webhook updates and kept ones are never vouched for"
