"""Two bot replicas on one PostgreSQL behind a front that spreads webhook deliveries.

See `tests/e2e/replicas.py` for the set-up: consecutive updates of one person reach
different processes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from domain.outbox.service import OutboxService
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.uow import SqlUnitOfWorkFactory
from tests.e2e.replicas import Replicas, running_replicas
from tests.harness import ADMIN_ID

pytestmark = pytest.mark.e2e

GROUPS = 12
HUNG = 3


@pytest.fixture
def postgres_url(database_url: str) -> str:
    """The test database, when it is PostgreSQL (replicas share one)."""
    if database_url.startswith("sqlite"):
        pytest.skip("replicas share one PostgreSQL; SQLite serves a single process")
    return database_url


@pytest.fixture
async def replicas(
    postgres_url: str, sandbox: SandboxServer, client: SandboxClient, tmp_path: Path
) -> AsyncIterator[Replicas]:
    """Two replicas started one after the other behind the front; killed at the end."""
    async with running_replicas(postgres_url, sandbox, client, tmp_path) as started:
        yield started


async def test_a_persons_ten_quick_messages_over_two_replicas_are_handled_in_order_once(
    replicas: Replicas, client: SandboxClient, store: SqlUnitOfWorkFactory
) -> None:
    for number in range(10):
        await client.send_text(ADMIN_ID, f"/org add Org{number}")
    answers = await client.wait_for_bot_messages(ADMIN_ID, count=10, timeout=30)
    assert [a["text"] for a in answers] == [f"Added “Org{n}”." for n in range(10)]
    await client.wait_for_updates_consumed(timeout=10)
    assert sorted(set(replicas.front.received)) == [0, 1], "both replicas received updates"
    async with store() as uow:
        names = [o.name for o in await uow.organisations.all()]
    assert sorted(names) == [f"Org{n}" for n in range(10)], "each handled once"


async def test_the_standby_finishes_the_broadcast_of_a_leader_killed_mid_way(
    replicas: Replicas, client: SandboxClient, store: SqlUnitOfWorkFactory
) -> None:
    groups = []
    for number in range(GROUPS):
        group = await client.create_group(f"支部{number}", members=[ADMIN_ID])
        await client.add_bot(group["id"], by_user_id=ADMIN_ID)
        groups.append(int(group["id"]))
    for group in groups:  # the bot introduced itself in each: it knows them all
        await client.wait_for_bot_messages(group, count=1, timeout=20)
    before = {g: max(int(m["message_id"]) for m in await client.bot_messages(g)) for g in groups}
    # A few sends hang in Telegram: the leader dies with them in flight, the rest delivered.
    await client.inject_faults(HUNG, kind="timeout", method="sendMessage", chat_ids=groups,
                               delay=60)
    since = max(c["seq"] for c in await client.calls())
    await OutboxService(store).enqueue(
        [NewDelivery(Purpose.APPEAL, "replica-drill", g, f"呼吁 {g}") for g in groups],
        datetime.now(UTC),
    )
    await client.wait_for_calls("sendMessage", count=GROUPS, since=since, timeout=30)
    leader = await replicas.leader()
    delivered = [g for g in groups if await client.bot_messages(g, before[g])]
    assert len(delivered) == GROUPS - HUNG, "the kill falls in the middle of the broadcast"
    await replicas.bots[leader].kill()
    await client.clear_faults()

    for group in groups:
        [posted, *_] = await client.wait_for_bot_messages(
            group, count=1, timeout=30, after_message_id=before[group]
        )
        assert posted["text"] == f"呼吁 {group}"
    counts = [len(await client.bot_messages(g, before[g])) for g in groups]
    assert sum(n - 1 for n in counts) <= 1, f"at most one duplicate: {counts}"
    survivor = replicas.metrics[1 - leader]
    async with aiohttp.ClientSession() as http, http.get(survivor) as answer:
        assert "\ntongxin_leader 1.0" in await answer.text(), "the standby leads now"


async def test_an_update_in_hand_of_a_killed_replica_is_taken_over_before_the_next(
    replicas: Replicas, client: SandboxClient
) -> None:
    user = (await client.create_user("Ann", language_code="en"))["id"]
    await client.inject_faults(1, kind="timeout", method="sendMessage", chat_ids=[user],
                               delay=60)
    since = max(c["seq"] for c in await client.calls())
    holder = replicas.front.next_target
    await client.send_text(user, "/help")
    await client.wait_for_calls("sendMessage", count=1, since=since, timeout=10)  # hangs
    # Ann's next update reaches the other replica, which must wait for her /help.
    await client.send_text(user, "/start")
    await client.wait_for_updates_consumed(timeout=10)
    assert replicas.front.received[-2:] == [holder, 1 - holder]
    await replicas.bots[holder].kill()
    await client.clear_faults()
    help_text, greeting = await client.wait_for_bot_messages(user, count=2, timeout=20)
    assert "/start" in help_text["text"], "the /help the dead replica held, answered first"
    assert greeting["text"].startswith("Hello, Ann!")
    assert len(await client.bot_messages(user)) == 2, "each answered once"
