"""`make run` without a token: the sandbox Bot API, the demo network, and the bot."""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import subprocess
import sys
from pathlib import Path

from bot.demo_network import ADMIN, SeededGroup, printout, seed_network
from bot.runtime import Runtime
from bot.settings import Settings
from domain.clock import SystemClock
from domain.network.service import NetworkService
from sandbox.client import SandboxClient
from storage.database import create_engine, session_factory, upgrade
from storage.uow import SqlUnitOfWorkFactory

DEMO_TOKEN = "100000001:TONGXIN-demo-sandbox-token-xyz"
DEMO_DATABASE = "sqlite+aiosqlite:///data/demo.sqlite3"
HOST = "127.0.0.1"


def port_busy(port: int, host: str = HOST) -> bool:
    """True when something already listens on the port (another `make run`, say)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # As the sandbox binds: a port only in TIME_WAIT after a stopped run is free.
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind((host, port))
    except OSError as error:
        return error.errno == errno.EADDRINUSE
    finally:
        probe.close()
    return False


def busy_port_line(port: int) -> str:
    """The one line a second `make run` prints: which port, and how to choose another."""
    return (f"tongxin: port {port} on {HOST} is already in use (another `make run`?); "
            f"choose another with SANDBOX_PORT, e.g. `SANDBOX_PORT={port + 10} make run`")


def run_demo(settings: Settings, port: int) -> int:
    """Start the sandbox, seed it and the database, then run the bot until Ctrl-C."""
    if port_busy(port):
        print(busy_port_line(port), file=sys.stderr)
        return 1
    url = f"http://{HOST}:{port}"
    database_url = os.environ.get("DATABASE_URL") or DEMO_DATABASE
    web_port = os.environ.get("SANDBOX_WEB_PORT", "8080")
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--token", DEMO_TOKEN,
         "--web-port", web_port],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert sandbox.stdout is not None
        first_line = sandbox.stdout.readline()
        if "listening" not in first_line:
            print(f"tongxin: the sandbox did not start on port {port}", file=sys.stderr)
            return 1
        page_line = sandbox.stdout.readline().strip()  # "sandbox page on http://…"
        demo = settings.model_copy(update={
            "bot_token": DEMO_TOKEN,
            "bot_api_base_url": f"{url}/bot",
            "bot_api_file_url": f"{url}/file/bot",
            "database_url": database_url,
            "admin_ids": frozenset({ADMIN.user_id}),
            "clock": "sandbox",  # `/clock +2d` in the terminal chat moves the bot's day too
        })
        Path("data").mkdir(exist_ok=True)
        if database_url == DEMO_DATABASE:
            # The sandbox's world is new on every start, so the demo's database is too.
            Path("data/demo.sqlite3").unlink(missing_ok=True)
        groups = asyncio.run(seed(demo, url))
        print(_instructions(url, groups) + f"Rehearse in a browser: {page_line.split()[-1]}\n",
              flush=True)
        Runtime(demo).run()
        return 0
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)


async def seed(settings: Settings, url: str) -> list[SeededGroup]:
    """Upgrade the database and seed the demo network into it and into the sandbox."""
    await upgrade(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        network = NetworkService(SqlUnitOfWorkFactory(session_factory(engine)), SystemClock(),
                                 settings.default_language, settings.timezone)
        async with SandboxClient(url) as client:
            return await seed_network(network, client)
    finally:
        await engine.dispose()


def _python() -> str:
    """The interpreter as the reader can type it (relative inside the project)."""
    relative = os.path.relpath(sys.executable)
    return sys.executable if relative.startswith("..") else relative


def _instructions(url: str, groups: list[SeededGroup]) -> str:
    return (
        f"\nTongxin demo is running against the local sandbox Bot API at {url}\n"
        f"{printout(groups, url, _python())}\n"
        "Talk to the bot from another terminal as any of them (type /chathelp there for the "
        "terminal chat's own commands). Press Ctrl-C here to stop.\n"
    )
