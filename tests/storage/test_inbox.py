"""Kept updates: stored before Telegram is told, handed back until a handler finished them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from domain.clock import FakeClock
from storage.inbox import SqlUpdateInbox
from storage.uow import SqlUnitOfWorkFactory

T0 = datetime(2020, 2, 19, 9, 0, tzinfo=UTC)


def _update(update_id: int, text: str = "你好") -> tuple[int, str]:
    return update_id, json.dumps({"update_id": update_id, "text": text}, ensure_ascii=False)


async def test_kept_updates_come_back_until_handled_in_order(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    inbox = SqlUpdateInbox(uow_factory.session_factory, FakeClock(T0))
    await inbox.keep([_update(12), _update(10), _update(11)])
    await inbox.keep([_update(11, "redelivered"), _update(13)])  # kept before: left alone
    async with uow_factory() as uow:
        await uow.updates.mark(11)
        await uow.commit()
    back = [json.loads(p) for p in await inbox.unhandled()]
    assert [(u["update_id"], u["text"]) for u in back] == [(10, "你好"), (12, "你好"), (13, "你好")]
    assert await inbox.known([9, 10, 11, 14]) == {10, 11}
    assert await inbox.known([]) == set()
    await inbox.keep([])


async def test_prune_forgets_old_kept_updates_and_old_marks(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    clock = FakeClock(T0)
    inbox = SqlUpdateInbox(uow_factory.session_factory, clock)
    await inbox.keep([_update(1)])
    async with SqlUnitOfWorkFactory(uow_factory.session_factory, clock)() as uow:
        await uow.updates.mark(1)
        await uow.commit()
    clock.advance(timedelta(days=2))
    await inbox.keep([_update(2)])
    now = clock.now()
    assert await inbox.prune(now - timedelta(days=1), now - timedelta(days=7)) == 1
    assert await inbox.known([1, 2]) == {2}
    async with uow_factory() as uow:
        assert await uow.updates.seen(1), "a mark is kept longer than the update"
    assert await inbox.prune(now + timedelta(days=1), now + timedelta(days=1)) == 2
    assert await inbox.unhandled() == []
