"""Two replicas through a PostgreSQL outage: nothing answered wrongly, nothing lost.

Both replicas reach PostgreSQL through one cuttable TCP proxy (tests/tcpproxy.py), behind
the round-robin front (tests/e2e/replicas.py). The line is cut while one person is sending
commands that alternate between the replicas; during the outage both refuse every delivery
(Telegram keeps them) and say so on /readyz; when it returns both recover by themselves,
every command is answered once and in order, and exactly one replica leads again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.uow import SqlUnitOfWorkFactory
from tests.e2e.replicas import Replicas, running_replicas
from tests.harness import ADMIN_ID, eventually
from tests.talk import last_call
from tests.tcpproxy import TcpProxy, line_to

pytestmark = pytest.mark.e2e

#: Calls that show something to a person; none may happen while the database is away.
VISIBLE = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"}
#: Everything is answered this soon after the database returns (Telegram's redelivery
#: schedule after a few refusals, plus a replica's retry).
RECOVERY_BOUND = 45.0
BEFORE, DURING = 2, 3


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[TcpProxy]:
    """A cuttable line to the test's PostgreSQL, which both replicas share."""
    async with line_to(database_url) as line:
        yield line


@pytest.fixture
async def replicas(
    database_url: str, proxy: TcpProxy, sandbox: SandboxServer, client: SandboxClient,
    store: SqlUnitOfWorkFactory, tmp_path: Path,
) -> AsyncIterator[Replicas]:
    """Two replicas whose every database connection passes through the proxy."""
    # Short bounds (the defaults are 30 s and 5 s) so the test notices a dead line soon.
    through = proxy.through(database_url, command_timeout="4", connect_timeout="2")
    async with running_replicas(through, sandbox, client, tmp_path) as started:
        yield started


async def test_two_replicas_ride_out_a_database_outage_and_one_leads_after(
    replicas: Replicas, proxy: TcpProxy, client: SandboxClient, store: SqlUnitOfWorkFactory
) -> None:
    for number in range(BEFORE):
        await client.send_text(ADMIN_ID, f"/org add Org{number}")
    await client.wait_for_bot_messages(ADMIN_ID, count=BEFORE, timeout=30)
    await client.wait_for_updates_consumed(timeout=10)
    await eventually(lambda: _one_leads(replicas), "a leader before the outage")

    offered = len(replicas.front.received)
    await proxy.cut("refuse")
    cut_at = await last_call(client)
    for number in range(BEFORE, BEFORE + DURING):
        await client.send_text(ADMIN_ID, f"/org add Org{number}")
    # Both replicas were offered deliveries and refused them (they could not keep them).
    # (two refusals in a row: the front sends the second to the other replica)
    await replicas.front.wait_for_refusals(2, timeout=40)
    refused_by = set(replicas.front.received[offered:])
    assert refused_by == {0, 1}, refused_by
    for index in (0, 1):
        status, body = await replicas.readyz(index)
        assert status == 503 and body["checks"]["database"] != "ok", (index, body)

    async def nobody_leads() -> bool:
        return await replicas.leading() == []

    await eventually(nobody_leads, "both replicas standing down while the line is cut")
    shown = [c for c in await client.calls(since=cut_at) if c["method"] in VISIBLE and c["ok"]]
    assert shown == [], "nothing answered while the database was away"
    assert len(await client.pending_updates()) == DURING, "Telegram still holds them"

    await proxy.restore()
    answers = await client.wait_for_bot_messages(
        ADMIN_ID, count=BEFORE + DURING, timeout=RECOVERY_BOUND)
    assert [a["text"] for a in answers] == [
        f"Added “Org{n}”." for n in range(BEFORE + DURING)], "each once, in order"
    await client.wait_for_updates_consumed(timeout=RECOVERY_BOUND)
    for index in (0, 1):
        async def ready(index: int = index) -> bool:
            return (await replicas.readyz(index))[0] == 200

        await eventually(ready, f"replica {index} ready again", bound=RECOVERY_BOUND)
    await eventually(lambda: _one_leads(replicas), "one leader again", bound=RECOVERY_BOUND)
    assert len(await replicas.leading()) == 1, "and only one"
    for bot in replicas.bots:
        assert bot.process is not None and bot.process.returncode is None, "never restarted"
    async with store() as uow:
        names = sorted(o.name for o in await uow.organisations.all())
    assert names == sorted(f"Org{n}" for n in range(BEFORE + DURING)), "none lost, none twice"


async def _one_leads(replicas: Replicas) -> bool:
    leading = await replicas.leading()
    assert len(leading) <= 1, f"two leaders at once: {leading}"
    return len(leading) == 1
