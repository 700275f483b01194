"""`move-db`: a laptop's SQLite database, copied whole into a new PostgreSQL database."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.movedb import move_database
from domain.clock import FakeClock
from domain.outbox.models import Purpose
from domain.outbox.ports import NewDelivery
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import create_engine, session_factory, upgrade
from storage.models import Base
from storage.transfer import tables_in_order
from storage.uow import SqlUnitOfWorkFactory
from tests.bot.conftest import running_runtime
from tests.dbutil import (
    POSTGRES_ENV,
    create_postgres_database,
    drop_postgres_database,
    postgres_base_url,
    postgres_required,
    sqlite_url,
)
from tests.harness import ADMIN_ID, Conversation, settings_for
from tests.talk import confirm, make_appeal, member

pytestmark = pytest.mark.postgres


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database (the move's target)."""
    base = postgres_base_url()
    if base is None:
        if postgres_required():
            pytest.fail(f"REQUIRE_POSTGRES is set but {POSTGRES_ENV} is not")
        pytest.skip(f"{POSTGRES_ENV} not set")
    url = await create_postgres_database(base)
    try:
        yield url
    finally:
        await drop_postgres_database(url)


async def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return {
                table.name: [tuple(row) for row in await connection.execute(
                    select(table).order_by(*table.primary_key.columns)
                )]
                for table in tables_in_order()
            }
    finally:
        await engine.dispose()


async def laptop_data(url: str, client: SandboxClient, clock: FakeClock,
                      sandbox: SandboxServer) -> int:
    """Organisations, an appeal, a confirmed pledge, an open dialog, a queued message."""
    async with running_runtime(settings_for(url, sandbox), clock):
        chat = Conversation(client)
        await chat.say(ADMIN_ID, "/org add 云龙区委统战部")
        await chat.say(ADMIN_ID, "/org add 工商联 under 云龙区委统战部")
        engine = create_engine(url)
        store = SqlUnitOfWorkFactory(session_factory(engine))
        appeal = await make_appeal(store, clock)
        li = await member(client, chat, "Li", "zh-hans")
        [summary] = await chat.say(li, f"/pledge {appeal.id} 5万元")
        await confirm(chat, li, summary)
        ann = await member(client, chat, "Ann", "en")
        await chat.say(ann, "/pledge")  # a dialog left open
        async with store() as uow:  # due tomorrow: still queued when the bot stops
            await uow.outbox.enqueue(NewDelivery(
                Purpose.NOTICE, "notice:later", li, "later",
                not_before=clock.now() + timedelta(days=1),
            ), clock.now())
            await uow.commit()
        await engine.dispose()
        return li


async def test_move_db_copies_every_row_and_the_bot_continues_on_postgresql(
    tmp_path: Path, postgres_url: str, sandbox: SandboxServer, client: SandboxClient,
    clock: FakeClock, capsys: pytest.CaptureFixture[str],
) -> None:
    source = sqlite_url(tmp_path)
    li = await laptop_data(source, client, clock, sandbox)
    before = await snapshot(source)
    out = io.StringIO()
    assert await move_database(source, postgres_url, out) == 0
    printed = {line.split()[0]: int(line.split()[1]) for line in out.getvalue().splitlines()[1:-1]}
    assert printed == {name: len(rows) for name, rows in before.items()} | {
        "total": sum(len(rows) for rows in before.values())
    }
    assert set(printed) - {"total"} == set(Base.metadata.tables)  # every table is covered
    for table in ("organisation", "person", "appeal", "pledge", "dialog", "delivery",
                  "audit_event", "received_update", "processed_update"):
        assert before[table], f"the scenario left {table} empty"
    assert await snapshot(postgres_url) == before

    async with running_runtime(settings_for(postgres_url, sandbox), clock):
        chat = Conversation(client)
        [listing] = await chat.say(li, "/mypledges")
        assert "5万元" in listing["text"] or "50,000" in listing["text"], listing["text"]
        [summary] = await chat.say(li, "/pledge 1 2万元")
        thanks = await confirm(chat, li, summary)
        largest = max(row[0] for row in before["pledge"])
        assert f"#{largest + 1}" in thanks["text"]  # the sequence went past the copied ids

    # A second move into the now non-empty database is refused and changes nothing.
    after = await snapshot(postgres_url)
    assert await move_database(source, postgres_url, io.StringIO()) == 1
    assert "not empty" in capsys.readouterr().err
    assert await snapshot(postgres_url) == after


async def test_move_db_refuses_a_source_that_is_not_migrated(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = sqlite_url(tmp_path)
    await upgrade(source, "0001_foundation")
    assert await move_database(source, postgres_url, io.StringIO()) == 1
    assert "not at the newest schema" in capsys.readouterr().err
