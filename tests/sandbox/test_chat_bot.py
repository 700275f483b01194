"""The terminal chat against the real bot on the demo network: the group's pledge button, the
pledge dialog and a proof of delivery sent from disk."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.demo_network import PEOPLE, ancestors
from domain.clock import FakeClock
from sandbox.chat import ChatSession, chat_loop
from sandbox.client import SandboxClient
from tests.demo_world import demo_world
from tests.harness import running_bot
from tests.sandbox.chat_script import Script, Transcript
from tests.talk import make_appeal, pledges_of


async def test_a_member_presses_the_groups_pledge_button_pledges_and_sends_a_proof(
    database_url: str, tmp_path: Path,
) -> None:
    receipt = tmp_path / "收据.png"
    receipt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    clock = FakeClock()
    ann = next(p for p in PEOPLE if p.username == "ann")
    async with demo_world(database_url) as world, SandboxClient(world.sandbox.url) as client:
        # the group of the nearest organisation above (or of) hers that has one
        [home] = [g for g in world.groups if g.organisation in ancestors(ann.organisation)]
        # written before the bot starts: two processes writing one SQLite file at once would
        # wait on each other's lock
        appeal = await make_appeal(world.store, clock)
        async with running_bot(world.settings, clock):
            user = next(u for u in (await client.world())["users"] if u["id"] == ann.user_id)
            out, script = Transcript(), Script()
            session = ChatSession(client, user, home.chat_id, out)
            loop = asyncio.create_task(chat_loop(session, script.lines()))
            script.type("/pledge")
            # the bot's answer in the group: a link button that opens the private chat
            shown = await out.wait_for("-> https://t.me/tongxin_bot?start=pledge", timeout=15)
            assert f"bot in {home.title} #" in shown
            script.type("#1")
            await out.wait_for("you: /start pledge")
            # the pledge dialog begins in the private chat, in her language, offering the appeal
            await out.wait_for(f"[1] #{appeal.id} {appeal.title}", timeout=15)
            script.type("#1")
            await out.wait_for("[1] Money", timeout=15)
            script.type("#1")
            await out.wait_for("How much money?", timeout=15)
            script.type("5万元")
            # she is a member of an enterprise: "on whose behalf" offers it
            shown = await out.wait_for(f"[2] {ann.organisation}", timeout=15)
            private = shown.split("(now showing your private chat with the bot)")[1]
            assert "On whose behalf?" in private and "[1] Myself" in private
            # a pressed question is edited (its keyboard goes), and the window shows the edit
            assert "Which appeal is your pledge for?\nSend /cancel to stop.  (edited)" in private
            assert f"bot in {home.title}" not in private
            script.type("#2")  # on behalf of her enterprise
            await out.wait_for("When will it be delivered?", timeout=15)
            script.type("#1")
            await out.wait_for("How may your pledge be shown to others?", timeout=15)
            script.type("#1")
            await out.wait_for(f"On behalf of: {ann.organisation}", timeout=15)
            script.type("#1")  # Confirm
            await out.wait_for("Your pledge #1 is recorded", timeout=15)
            # a part delivered, with a photo of the receipt from disk as its proof
            script.type("/mypledges")
            await out.wait_for("Still open: ¥50,000", timeout=15)
            script.type("#2")  # Delivered part
            await out.wait_for("How much was delivered?", timeout=15)
            script.type(f'/photo "{receipt}" 2万元')
            await out.wait_for("Recorded: ¥20,000 delivered for pledge #1", timeout=15)
            [pledge] = await pledges_of(world.store, ann.user_id)
            [sent] = [m for m in await client.messages(ann.user_id) if "photo" in m]
            assert pledge.on_behalf_of is not None
            assert [f.proof_file_id for f in pledge.fulfilments] == [sent["photo"][-1]["file_id"]]
            script.end()
            assert await asyncio.wait_for(loop, 10) is None
