"""/healthz and /readyz over real HTTP, with the bot running against the sandbox."""

from __future__ import annotations

from sqlalchemy import text

from bot.runtime import Runtime
from bot.settings import Settings
from sandbox.client import SandboxClient
from storage.database import create_engine
from storage.probe import schema_heads
from tests.bot.conftest import Probe


async def test_healthz_says_alive(probe: Probe) -> None:
    assert await probe.get("/healthz") == (200, "ok\n")


async def test_readyz_is_ready_when_database_migrations_and_bot_api_are(probe: Probe) -> None:
    status, body = await probe.json("/readyz")
    assert status == 200
    assert body == {
        "status": "ready",
        "checks": {"started": "ok", "database": "ok", "migrations": "ok", "bot_api": "ok"},
    }


async def test_readyz_asks_the_bot_api_at_most_once_per_few_seconds(
    probe: Probe, client: SandboxClient
) -> None:
    since = max((c["seq"] for c in await client.calls()), default=0)
    for _ in range(5):
        status, _body = await probe.json("/readyz")
        assert status == 200
    assert len(await client.calls(since=since, method="getMe")) <= 1


async def test_readyz_fails_when_the_bot_api_is_unreachable(
    probe: Probe, client: SandboxClient, runtime: Runtime
) -> None:
    # A fresh check (not the cached one) meets a failing Bot API.
    assert runtime._bot_api_check is not None
    runtime._bot_api_check._result = None
    await client.inject_faults(3, kind="502", retry_after=0, method="getMe")
    status, body = await probe.json("/readyz")
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["bot_api"].startswith("unreachable")
    assert body["checks"]["database"] == "ok"


async def test_readyz_fails_when_the_database_is_behind_the_code(
    probe: Probe, database_url: str
) -> None:
    engine = create_engine(database_url)
    [head] = schema_heads()
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = '0001_foundation'")
            )
        status, body = await probe.json("/readyz")
        assert status == 503
        assert body["checks"]["migrations"] == (
            f"database at ['0001_foundation'], code expects ['{head}']"
        )
        assert body["checks"]["database"] == "ok"
    finally:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
        await engine.dispose()
    status, _body = await probe.json("/readyz")
    assert status == 200


async def test_readyz_stays_ready_when_a_newer_replica_migrated_first(
    probe: Probe, database_url: str
) -> None:
    engine = create_engine(database_url)
    [head] = schema_heads()
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '9999_next'"))
        status, body = await probe.json("/readyz")
        assert (status, body["checks"]["migrations"]) == (200, "ok")
    finally:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
        await engine.dispose()


def test_health_port_off_opens_no_server() -> None:
    assert Settings(health_port="off").health_port is None  # type: ignore[arg-type]
    assert Settings(health_port="8080").health_port == 8080  # type: ignore[arg-type]
    assert Settings().health_port is None
