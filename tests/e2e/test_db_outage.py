"""A PostgreSQL outage mid-dialog: nothing is answered wrongly, nothing lost, and it recovers.

A TCP proxy (tests/tcpproxy.py) stands between the bot process and PostgreSQL and cuts the
line, refused or black-holed, while two people are in the middle of pledging. What they send
during the outage stays with Telegram (the bot cannot keep it, so it does not confirm it) and
is handled, in order, once the database is back; the bot restarts nothing by itself.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from domain.clock import FakeClock
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.uow import SqlUnitOfWorkFactory
from tests.front import RefusalCountingFront, free_port
from tests.harness import BotProcess, Conversation, settings_for
from tests.talk import button, buttons, last_call, make_appeal, member
from tests.tcpproxy import Style, TcpProxy

pytestmark = pytest.mark.e2e

Json = dict[str, Any]
#: Calls that show something to a person; none may happen while the database is away.
VISIBLE = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery",
           "sendDocument", "sendPhoto", "deleteMessage"}
#: Everyone's answers must be there this soon after the database returns.
RECOVERY_BOUND = 20.0
#: The bot's statement bound in this test (seconds; the URL's `command_timeout`).
COMMAND_TIMEOUT = 4


SECRET = "webhook-secret-for-tests-0123456789"


@dataclass
class Outage:
    """The bot process, the proxy in front of its database and its health port."""

    bot: BotProcess
    proxy: TcpProxy
    health: str
    front: RefusalCountingFront | None  # webhook mode: Telegram's pushes pass through it

    async def readyz(self) -> tuple[int, Json]:
        """/readyz's status and body."""
        async with aiohttp.ClientSession() as http, http.get(
            f"{self.health}/readyz", timeout=aiohttp.ClientTimeout(total=15)
        ) as response:
            return response.status, await response.json()


@pytest.fixture(params=[("polling", "refuse"), ("polling", "blackhole"),
                        ("webhook", "refuse")], ids=lambda case: "-".join(case))
def case(request: pytest.FixtureRequest) -> tuple[str, Style]:
    """How the bot receives updates, and how the line to the database is cut."""
    mode, style = request.param
    return mode, style


@pytest.fixture
async def outage(
    database_url: str, sandbox: SandboxServer, client: SandboxClient,
    store: SqlUnitOfWorkFactory, tmp_path: Path, case: tuple[str, Style],
) -> AsyncIterator[Outage]:
    """The bot as a process whose database connections all pass through a cuttable proxy."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a database outage is cut on PostgreSQL's TCP line; SQLite has none")
    async with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        # Statement and connect bounds shorter than the defaults (30 s, 5 s), so a black hole
        # is noticed within the test's time; what is tested is that they bound the wait.
        through = proxy.through(
            database_url, command_timeout=str(COMMAND_TIMEOUT), connect_timeout="2")
        port = free_port()
        env = {"HEALTH_PORT": str(port)}
        front = None
        if case[0] == "webhook":
            hook = free_port()
            front = RefusalCountingFront([f"http://127.0.0.1:{hook}/telegram"])
            await front.start()
            env |= {"WEBHOOK_URL": front.url, "WEBHOOK_SECRET": SECRET,
                    "WEBHOOK_PORT": str(hook)}
        bot = BotProcess(settings_for(through, sandbox), tmp_path / "bot.log", extra_env=env,
                         ready_method="setWebhook" if front else "deleteWebhook")
        try:
            await bot.start(client)
            yield Outage(bot, proxy, f"http://127.0.0.1:{port}", front)
        finally:
            await bot.kill()
            if front is not None:
                await front.stop()


async def _step(chat: Conversation, user: int, message: Json, data: str) -> Json:
    """Press a button and return the bot's next message."""
    await chat.press(user, user, message, data=data)
    [answer] = await chat.next_messages(user, 1, int(message["message_id"]))
    return answer


async def test_database_outage_mid_dialog_loses_nothing_and_recovers_by_itself(
    outage: Outage, client: SandboxClient, store: SqlUnitOfWorkFactory,
    case: tuple[str, Style],
) -> None:
    mode, style = case
    chat = Conversation(client)
    deadline = datetime.now(UTC).date() + timedelta(days=10)
    appeal = await make_appeal(store, FakeClock(datetime.now(UTC)), deadline=deadline)
    li = await member(client, chat, "Li", "zh-hans")
    ann = await member(client, chat, "Ann", "en")
    [summary] = await chat.say(li, f"/pledge {appeal.id} 5万元")
    [kind] = await chat.say(ann, f"/pledge {appeal.id}")
    amount = await _step(chat, ann, kind, "pd:kind:money")
    assert "How much money?" in amount["text"], amount["text"]

    # Li's /mypledges is in hand when the line goes: its answer was read and is held back
    # by Telegram's flood control (a 429) for a moment, and Li's Confirm, kept already,
    # waits behind it; so Confirm is handled while the database is away.
    await client.inject_faults(1, kind="429", retry_after=3, method="sendMessage",
                               chat_ids=[li])
    before = await last_call(client)
    await client.send_text(li, "/mypledges")
    await client.wait_for_calls("sendMessage", count=1, since=before, timeout=10)
    confirm = button(summary, "pd:ok:")["callback_data"]
    press = await client.press_button(li, li, int(summary["message_id"]), callback_data=confirm)
    await client.wait_for_updates_consumed(timeout=10)
    await outage.proxy.cut(style)
    cut_at = await last_call(client)
    # Each keeps talking: a pledge answer, a press (Li taps Confirm again), a command.
    await client.send_text(ann, "500元")
    again = await client.press_button(li, li, int(summary["message_id"]), callback_data=confirm)
    await client.send_text(li, "/mypledges")
    # The bot fetched them (or was pushed one) and failed to keep them, more than once ...
    if outage.front is None:
        await client.wait_for_calls("getUpdates", count=3, since=cut_at, timeout=40)
    else:
        await outage.front.wait_for_refusals(2, timeout=40)
    # (and the list read before the cut went out once its 429 had passed)
    await client.wait_for_bot_messages(li, count=1, timeout=10,
                                       after_message_id=int(summary["message_id"]))
    status, body = await outage.readyz()
    assert status == 503 and body["checks"]["database"] != "ok", body
    # ... answered nothing but the list read before the cut, confirmed nothing, and is
    # still the same process.
    shown = [c for c in await client.calls(since=cut_at) if c["method"] in VISIBLE and c["ok"]]
    assert [(c["method"], str(c["params"].get("chat_id"))) for c in shown] == [
        ("sendMessage", str(li))], shown
    [empty] = [str(c["params"]["text"]) for c in shown]
    assert "/pledge" in empty and "#" not in empty, empty  # "no pledges yet"
    assert len(await client.pending_updates()) == 3
    assert outage.bot.process is not None and outage.bot.process.returncode is None

    await outage.proxy.restore()
    restored = time.monotonic()
    [_question] = await client.wait_for_bot_messages(
        ann, count=1, timeout=RECOVERY_BOUND, after_message_id=int(amount["message_id"]))
    answered = await client.wait_for_callback_answer(press, timeout=RECOVERY_BOUND)
    repeated = await client.wait_for_callback_answer(again, timeout=RECOVERY_BOUND)
    # Li's press, then Li's second /mypledges, in that order, after the list read before.
    texts: list[str] = []
    while sum("#1" in t for t in texts) < 2:
        texts = [m["text"] for m in await client.wait_for_bot_messages(
            li, count=len(texts) + 1, timeout=RECOVERY_BOUND,
            after_message_id=int(summary["message_id"]))]
    recovery = time.monotonic() - restored
    print(f"\n{mode}, {style}: every answer {recovery:.1f} s after the database returned")
    assert recovery < RECOVERY_BOUND
    assert answered is not None and repeated is not None
    assert "#1" in str(repeated.get("text")), repeated  # the second tap: already recorded
    *lists, thanks, listing = texts
    assert lists == [empty], texts
    assert "#1" in thanks and "#1" in listing, texts
    await client.wait_for_updates_consumed(timeout=10)
    status, body = await outage.readyz()
    assert status == 200, body

    # Ann finishes her pledge as if nothing had happened.
    step = _question
    while not any(b.get("callback_data", "").startswith("pd:ok:") for b in buttons(step)):
        step = await _step(chat, ann, step, buttons(step)[0]["callback_data"])
    done = await _step(chat, ann, step, button(step, "pd:ok:")["callback_data"])
    assert "#2" in done["text"], done["text"]

    async with store() as uow:
        li_pledges = await uow.pledges.of_person(li)
        ann_pledges = await uow.pledges.of_person(ann)
    assert [p.amount_minor for p in li_pledges] == [5_000_000]
    assert [p.amount_minor for p in ann_pledges] == [50_000]
    assert outage.bot.process is not None and outage.bot.process.returncode is None
