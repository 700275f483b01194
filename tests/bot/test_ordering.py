"""The cross-replica half of the ordering rule, against a shared table kept in memory."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update

from bot.ordering import OrderedDispatcher
from storage.claims import Turn


def _update(update_id: int, user_id: int) -> Update:
    user = {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"}
    return Update.de_json({
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 0, "from": user, "text": f"hello {update_id}",
            "chat": {"id": user_id, "type": "private", "first_name": f"U{user_id}"},
        },
    }, None)


class SharedTable:
    """What `storage.claims` keeps: each update's person, whose it is, and whether finished."""

    def __init__(self) -> None:
        self.person: dict[int, int] = {}
        self.mine: set[int] = set()
        self.done: set[int] = set()
        self.failing_finishes = 0
        self.changed = asyncio.Event()

    def keep(self, update_id: int, person: int, mine: bool = True) -> None:
        """Another replica's update when `mine` is False."""
        self.person[update_id] = person
        if mine:
            self.mine.add(update_id)

    async def turn(self, update_id: int) -> Turn:
        if update_id not in self.mine or update_id in self.done:
            return Turn.GONE
        person = self.person[update_id]
        older = [u for u, p in self.person.items()
                 if p == person and u < update_id and u not in self.done]
        return Turn.WAIT if older else Turn.GO

    async def finish(self, update_id: int) -> None:
        if self.failing_finishes:
            self.failing_finishes -= 1
            raise ConnectionError("the database is away")
        self.done.add(update_id)
        self.changed.set()


class Handler:
    """Records the order updates were handled in, and what was finished at each start."""

    def __init__(self, table: SharedTable) -> None:
        self.table = table
        self.handled: list[int] = []
        self.done_at_start: dict[int, set[int]] = {}

    async def __call__(self, update: Update) -> None:
        self.done_at_start[update.update_id] = set(self.table.done)
        self.handled.append(update.update_id)


async def _until(table: SharedTable, condition: Any) -> None:
    async def wait() -> None:
        while not condition():
            table.changed.clear()
            await table.changed.wait()

    await asyncio.wait_for(wait(), 10)


async def test_an_update_waits_for_an_older_one_of_its_person_on_another_replica() -> None:
    table = SharedTable()
    handler = Handler(table)
    dispatcher = OrderedDispatcher(handler, 16, table)
    table.keep(1, 100, mine=False)  # on the other replica, not finished yet
    table.keep(2, 100)
    table.keep(3, 200)
    dispatcher.dispatch(_update(2, 100))
    dispatcher.dispatch(_update(3, 200))
    await _until(table, lambda: 3 in table.done)
    assert handler.handled == [3], "someone else's update goes ahead; 2 waits for 1"
    table.done.add(1)  # the other replica finished it
    await _until(table, lambda: 2 in table.done)
    assert handler.handled == [3, 2]
    await dispatcher.drain()


async def test_a_finish_the_database_refused_is_retried_before_the_next_update_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.ordering.FIRST_FINISH_RETRY", 0.01)  # the same doubling, faster
    table = SharedTable()
    handler = Handler(table)
    table.failing_finishes = 6  # more than a few quick tries
    dispatcher = OrderedDispatcher(handler, 16, table)
    for update_id in (1, 2):
        table.keep(update_id, 100)
        dispatcher.dispatch(_update(update_id, 100))
    await _until(table, lambda: {1, 2} <= table.done)
    assert handler.handled == [1, 2] and table.failing_finishes == 0
    assert handler.done_at_start[2] == {1}, "2 started only once 1 was marked finished"
    await dispatcher.drain()


async def test_an_update_another_replica_took_over_is_not_handled_here() -> None:
    table = SharedTable()
    handler = Handler(table)
    dispatcher = OrderedDispatcher(handler, 16, table)
    table.keep(5, 100, mine=False)
    dispatcher.dispatch(_update(5, 100))
    await dispatcher.drain()
    assert handler.handled == []
