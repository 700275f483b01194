"""/metrics over real HTTP: what the running bot counts, in Prometheus' text format."""

from __future__ import annotations

import json
import re

from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import Metrics
from domain.clock import FakeClock
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from sandbox.client import SandboxClient
from storage.database import create_engine
from storage.probe import outbox_depth
from storage.uow import SqlUnitOfWorkFactory
from tests.bot.conftest import Probe
from tests.harness import ROOT, Conversation


def samples(page: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a metrics page by (name, sorted labels)."""
    found = {}
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_count_handled_updates_and_sent_messages(
    probe: Probe, client: SandboxClient
) -> None:
    chat = Conversation(client)
    user = await client.create_user("Ann", language_code="en")
    [answer] = await chat.say(user["id"], "/start")
    assert "Hello, Ann!" in answer["text"]
    # A person's updates are handled in order: once /help is answered, /start is counted.
    await chat.say(user["id"], "/help")
    status, page = await probe.get("/metrics")
    assert status == 200
    found = samples(page)
    assert 1 <= found[("tongxin_updates_handled_total", (("kind", "message"),))] <= 2
    assert 1 <= found[("tongxin_handler_seconds_count", (("kind", "message"),))] <= 2
    assert found[("tongxin_messages_sent_total", (("method", "sendMessage"),))] >= 1
    assert found[("tongxin_leader", ())] == 1  # SQLite: the only process always leads
    assert ("tongxin_db_pool_in_use", ()) in found
    # Reminders are not built yet: the series exist, at zero, for the dashboard.
    assert found[("tongxin_reminders_due", ())] == 0
    assert found[("tongxin_reminders_sent_total", ())] == 0


async def test_metrics_count_429_answers(probe: Probe, client: SandboxClient) -> None:
    chat = Conversation(client)
    user = await client.create_user("Bo", language_code="en")
    await client.inject_faults(1, kind="429", retry_after=1, method="sendMessage")
    # The refused greeting is followed by one message (an apology, or the greeting retried):
    # by then the 429 answer has come back and been counted.
    await chat.say(user["id"], "/start")
    _status, page = await probe.get("/metrics")
    found = samples(page)
    assert found[("tongxin_rate_limited_total", (("method", "sendMessage"),))] == 1


async def test_two_bots_in_one_process_keep_separate_metrics() -> None:
    first, second = Metrics(), Metrics()
    first.handled("message", 0.01)
    assert b'tongxin_updates_handled_total{kind="message"} 1.0' in await first.render()
    assert b"tongxin_updates_handled_total{" not in await second.render()


async def test_outbox_depth_counts_waiting_messages_by_purpose(
    uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    now = FakeClock().now()
    async with uow_factory() as uow:
        for chat_id in (11, 12, 13):
            await uow.outbox.enqueue(NewDelivery(Purpose.APPEAL, "appeal:1", chat_id, "t"), now)
        await uow.outbox.enqueue(NewDelivery(Purpose.NOTICE, "notice:1", 11, "t"), now)
        await uow.commit()
    engine = create_engine(database_url)
    try:
        assert await outbox_depth(engine) == {("appeal", "pending"): 3, ("notice", "pending"): 1}
    finally:
        await engine.dispose()


async def test_the_sample_dashboard_charts_only_metrics_the_bot_exports() -> None:
    dashboard = (ROOT / "deploy" / "grafana-dashboard.json").read_text()
    charted = {
        name for panel in json.loads(dashboard)["panels"] for target in panel["targets"]
        for name in re.findall(r"tongxin_[a-z_]+", target["expr"])
    }
    exported = (await Metrics().render()).decode()
    exported_names = set(re.findall(r"^# TYPE (tongxin_[a-z_]+)", exported, re.M))
    suffixed = {f"{n}{s}" for n in exported_names for s in ("", "_total", "_bucket", "_count")}
    assert charted and charted <= suffixed, charted - suffixed
