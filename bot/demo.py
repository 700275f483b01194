"""`make run` without a token: the sandbox Bot API, a small demo network, and the bot."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from bot.runtime import Runtime
from bot.settings import Settings
from domain.clock import SystemClock
from domain.kernel.origin import Origin
from domain.network.service import NetworkService, SeenUser
from sandbox.client import SandboxClient
from storage.database import create_engine, session_factory, upgrade
from storage.uow import SqlUnitOfWorkFactory

DEMO_TOKEN = "100000001:TONGXIN-demo-sandbox-token-xyz"
DEMO_DATABASE = "sqlite+aiosqlite:///data/demo.sqlite3"
ADMIN = (1001, "区委统战部 管理员", "admin", "zh-hans")
COORDINATOR = (1002, "王协调", "coordinator", "zh-hans")
MEMBERS = ((1003, "李会员", "li", "zh-hans"), (1004, "陳會員", "chen", "zh-hant"),
           (1005, "Ann Member", "ann", "en"))
ORGANISATIONS = (
    ("云龙区委统战部", None),
    ("民进云龙支部", "云龙区委统战部"),
    ("区工商联", "云龙区委统战部"),
    ("徐州宣武集团", "区工商联"),
    ("区新联会", "云龙区委统战部"),
    ("新联会服务团", "区新联会"),
)
GROUPS = (("民进云龙支部群", "民进云龙支部"), ("工商联会员企业群", "区工商联"),
          ("新联会服务团群", None))


def run_demo(settings: Settings, port: int) -> int:
    """Start the sandbox, seed it and the database, then run the bot until Ctrl-C."""
    url = f"http://127.0.0.1:{port}"
    database_url = os.environ.get("DATABASE_URL") or DEMO_DATABASE
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--token", DEMO_TOKEN],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert sandbox.stdout is not None
        first_line = sandbox.stdout.readline()
        if "listening" not in first_line:
            print(f"tongxin: the sandbox did not start on port {port}", file=sys.stderr)
            return 1
        demo = settings.model_copy(update={
            "bot_token": DEMO_TOKEN,
            "bot_api_base_url": f"{url}/bot",
            "bot_api_file_url": f"{url}/file/bot",
            "database_url": database_url,
            "admin_ids": frozenset({ADMIN[0]}),
        })
        Path("data").mkdir(exist_ok=True)
        if database_url == DEMO_DATABASE:
            # The sandbox's world is new on every start, so the demo's database is too.
            Path("data/demo.sqlite3").unlink(missing_ok=True)
        asyncio.run(_seed(demo, url))
        print(_instructions(url), flush=True)
        Runtime(demo).run()
        return 0
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)


async def _seed(settings: Settings, url: str) -> None:
    await upgrade(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        network = NetworkService(SqlUnitOfWorkFactory(session_factory(engine)), SystemClock(),
                                 settings.default_language, settings.timezone)
        await network.ensure_admins(settings.admin_ids)
        async with SandboxClient(url) as client:
            for user_id, name, username, language in (ADMIN, COORDINATOR, *MEMBERS):
                await client.create_user(name, username=username, language_code=language,
                                         user_id=user_id)
                await network.seen(SeenUser(user_id, name, username, language))
            existing = {o.name: o for o in await network.organisations()}
            admin = Origin(ADMIN[0])
            for name, parent in ORGANISATIONS:
                if name not in existing:
                    existing[name] = await network.add_organisation(admin, name, parent)
            if not [r for r in await network.all_roles() if r.person_id == COORDINATOR[0]]:
                await network.grant(admin, COORDINATOR[0], "coordinator", "云龙区委统战部")
            everyone = [ADMIN[0], COORDINATOR[0], *(m[0] for m in MEMBERS)]
            for title, organisation in GROUPS:
                group = await client.create_group(title, members=everyone, admins=[ADMIN[0]])
                await network.bot_joined_chat(group["id"], title, "group")
                await client.add_bot(group["id"], by_user_id=ADMIN[0])
                if organisation is not None:
                    await network.link_chat(admin, group["id"], existing[organisation].id)
    finally:
        await engine.dispose()


def _instructions(url: str) -> str:
    python = sys.executable
    people = ", ".join(f"{u[2]} ({u[1]})" for u in (ADMIN, COORDINATOR, *MEMBERS))
    return (
        "\nTongxin demo is running against the local sandbox Bot API at " + url + "\n"
        f"People: {people}\n"
        "Talk to the bot from another terminal, as any of them:\n"
        f"  {python} -m sandbox chat --as coordinator --url {url}\n"
        f"  {python} -m sandbox chat --as li --url {url}\n"
        "Press Ctrl-C here to stop.\n"
    )
