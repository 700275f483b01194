"""A SQLite backup taken while the bot runs, restored: the bot continues from it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from domain.clock import FakeClock
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests.bot.conftest import running_runtime
from tests.dbutil import sqlite_url
from tests.harness import ROOT, Conversation, settings_for
from tests.talk import confirm, make_appeal, member


async def backup_command(database_url: str, target: Path) -> tuple[int, str]:
    """`python -m bot backup FILE` as its own process; return its status and output."""
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["DATABASE_URL"] = database_url
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "backup", str(target), cwd=str(ROOT), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def test_a_backup_taken_while_the_bot_runs_restores_to_a_working_bot(
    tmp_path: Path, sandbox: SandboxServer, client: SandboxClient, clock: FakeClock
) -> None:
    live = sqlite_url(tmp_path, "live.db")
    backup = tmp_path / "backup.db"
    async with running_runtime(settings_for(live, sandbox), clock):
        chat = Conversation(client)
        engine = create_engine(live)
        appeal = await make_appeal(SqlUnitOfWorkFactory(session_factory(engine)), clock)
        await engine.dispose()
        li = await member(client, chat, "Li", "zh-hans")
        [summary] = await chat.say(li, f"/pledge {appeal.id} 5万元")
        await confirm(chat, li, summary)
        assert await backup_command(live, backup) == (0, f"backed up to {backup}\n")
        [summary] = await chat.say(li, f"/pledge {appeal.id} 3万元")  # after the backup
        await confirm(chat, li, summary)

    async with running_runtime(settings_for(f"sqlite+aiosqlite:///{backup}", sandbox), clock):
        chat = Conversation(client)
        [listing] = await chat.say(li, "/mypledges")
        assert "5万" in listing["text"] or "50,000" in listing["text"], listing["text"]
        assert "3万" not in listing["text"] and "30,000" not in listing["text"]
        [summary] = await chat.say(li, f"/pledge {appeal.id} 2万元")
        thanks = await confirm(chat, li, summary)
        assert "#2" in thanks["text"]  # the restored database continues its own ids


async def test_backup_refuses_an_existing_file_and_postgresql(tmp_path: Path) -> None:
    existing = tmp_path / "there.db"
    existing.write_bytes(b"keep me")
    status, output = await backup_command(sqlite_url(tmp_path), existing)
    assert status == 1 and "exists" in output
    assert existing.read_bytes() == b"keep me"
    status, output = await backup_command("postgresql+asyncpg://u@127.0.0.1/x", tmp_path / "n")
    assert status == 1 and "pg_dump" in output
