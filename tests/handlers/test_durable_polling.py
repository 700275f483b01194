"""The durable poller: people in parallel, each person in order, only a handled prefix confirmed."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.polling import DurablePoller, ordering_keys

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


class FakeBot:
    """`getUpdates` with Telegram's offset semantics; records every offset it was sent."""

    def __init__(self, updates: list[Json]) -> None:
        self.pending = list(updates)
        self.offsets: list[int | None] = []
        self.fetched = asyncio.Event()

    async def do_api_request(
        self, endpoint: str, api_kwargs: Json, read_timeout: float = 0
    ) -> list[Json]:
        assert endpoint == "getUpdates"
        offset = api_kwargs.get("offset")
        self.offsets.append(offset)
        if offset is not None:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        self.fetched.set()
        if not self.pending and api_kwargs["timeout"]:
            await asyncio.Event().wait()  # long poll: nothing comes; the stop cancels it
        return list(self.pending[: api_kwargs["limit"]])


class FakeApp:
    """Handles update 1 only when released; records the order updates start and end."""

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


async def test_others_go_ahead_but_the_offset_waits_for_the_oldest_unhandled_update() -> None:
    bot = FakeBot([_message(1, 100), _message(2, 200), _message(3, 100), _message(4, 300)])
    app = FakeApp(bot)
    stop = asyncio.Event()
    poller = DurablePoller(app)  # type: ignore[arg-type]
    running = asyncio.create_task(poller.run(stop))

    await _until(app, lambda: {2, 4} <= set(app.done))
    assert 3 not in app.started, "update 3 is the same person's as update 1: it waits"
    bot.fetched.clear()
    await asyncio.wait_for(bot.fetched.wait(), 10)
    assert all(o is None or o <= 1 for o in bot.offsets), "nothing confirmed past update 1"
    assert [u["update_id"] for u in bot.pending] == [1, 2, 3, 4]

    app.release.set()
    await _until(app, lambda: len(app.done) == 4)
    assert app.done.index(1) < app.done.index(3)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert bot.offsets[-1] == 5 and bot.pending == []


async def test_stopping_finishes_the_update_in_hand_and_confirms_only_what_was_handled() -> None:
    bot = FakeBot([_message(1, 100), _message(2, 200)])
    app = FakeApp(bot)
    stop = asyncio.Event()
    running = asyncio.create_task(DurablePoller(app).run(stop))  # type: ignore[arg-type]
    await _until(app, lambda: 2 in app.done and 1 in app.started)
    stop.set()
    app.release.set()
    await asyncio.wait_for(running, 10)
    assert sorted(app.done) == [1, 2]
    assert bot.offsets[-1] == 3
