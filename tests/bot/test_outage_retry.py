"""An update that meets a database outage is handled again later, in its person's order."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram import Update
from telegram.error import NetworkError, TimedOut

from bot import ordering
from bot.observed import DatabaseUnavailable
from bot.ordering import OrderedDispatcher
from storage.database import is_unavailable

Json = dict[str, Any]


def _update(update_id: int, user_id: int) -> Update:
    user = {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"}
    return Update.de_json({
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 0, "text": "hi", "from": user,
                    "chat": {"id": user_id, "type": "private", "first_name": f"U{user_id}"}},
    }, None)


class _DriverError(Exception):
    """What asyncpg raises inside SQLAlchemy's adaptor (`error.orig`)."""


def _wrapped(cause: BaseException, invalidated: bool = False) -> DBAPIError:
    orig = _DriverError("driver")
    orig.__cause__ = cause
    return DBAPIError("SELECT 1", None, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
        PoolTimeout("QueuePool limit reached"),
        _wrapped(ValueError("?"), invalidated=True),
        _wrapped(ConnectionResetError(104, "reset")),
        OperationalError("SELECT 1", None, _DriverError("x"), connection_invalidated=True),
    ],
)
def test_an_unreachable_database_is_recognised(error: BaseException) -> None:
    assert is_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT", None, _DriverError("duplicate key")),
        _wrapped(ValueError("invalid input syntax")),
        TimedOut(),  # the Bot API's, not the database's
        NetworkError("Bad Gateway"),
        ValueError("a bug"),
    ],
)
def test_other_failures_are_not_outages(error: BaseException) -> None:
    assert not is_unavailable(error)


class _Flaky:
    """Handles updates; `failures[id]` first attempts raise DatabaseUnavailable."""

    def __init__(self, failures: dict[int, int]) -> None:
        self.failures = failures
        self.attempts: list[int] = []
        self.done: list[int] = []
        self.changed = asyncio.Event()

    async def __call__(self, update: Update) -> None:
        self.attempts.append(update.update_id)
        self.changed.set()
        if self.failures.get(update.update_id, 0) > 0:
            self.failures[update.update_id] -= 1
            raise DatabaseUnavailable(f"update {update.update_id}")
        self.done.append(update.update_id)

    async def until(self, condition: Any) -> None:
        async def wait() -> None:
            while not condition():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(wait(), 10)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry within milliseconds (the real waits are 1 s doubling up to 5 s)."""
    monkeypatch.setattr(ordering, "OUTAGE_FIRST_RETRY", 0.01)
    monkeypatch.setattr(ordering, "OUTAGE_LONGEST_RETRY", 0.02)


async def test_an_update_is_handled_again_until_the_database_answers_and_its_person_waits(
) -> None:
    handle = _Flaky({1: 3})
    dispatcher = OrderedDispatcher(handle, max_in_hand=10)
    dispatcher.dispatch(_update(1, 42))
    dispatcher.dispatch(_update(2, 42))  # the same person: after update 1, whatever happens
    dispatcher.dispatch(_update(3, 7))  # someone else: not held up
    await handle.until(lambda: len(handle.done) == 3)
    await dispatcher.drain()
    assert handle.attempts.count(1) == 4
    assert handle.done.index(1) < handle.done.index(2)
    assert handle.done.index(3) < handle.done.index(1)
    assert dispatcher.failure is None


async def test_stopping_leaves_an_update_waiting_for_the_database_kept_and_unhandled() -> None:
    handle = _Flaky({1: 10_000})
    dispatcher = OrderedDispatcher(handle, max_in_hand=10)
    dispatcher.dispatch(_update(1, 42))
    await handle.until(lambda: len(handle.attempts) >= 2)
    await asyncio.wait_for(dispatcher.drain(), 5)
    assert handle.done == [] and dispatcher.failure is None  # handled after the restart


async def test_any_other_failure_still_stops_the_dispatcher() -> None:
    async def broken(_update: Update) -> None:
        raise ValueError("a bug")

    dispatcher = OrderedDispatcher(broken, max_in_hand=10)
    dispatcher.dispatch(_update(1, 42))
    await asyncio.wait_for(dispatcher.failed.wait(), 5)
    assert isinstance(dispatcher.failure, ValueError)
