"""`make run` without a token: the demo network seeded into a sandbox and the bot's database."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

from bot.demo import busy_port_line, port_busy
from bot.demo_network import ADMIN, ORGANISATIONS, PEOPLE, ancestors, printout
from domain.clock import FakeClock
from domain.kernel.standing import RoleName
from sandbox.client import SandboxClient
from tests.demo_world import demo_world
from tests.harness import ROOT, Conversation, running_bot
from tests.talk import buttons, make_appeal


def test_the_table_follows_the_scenario() -> None:
    top = [o.name for o in ORGANISATIONS if o.parent is not None and o.parent == "云龙区委统战部"]
    coordinated = {p.organisation for p in PEOPLE if p.role == "coordinator"}
    # a coordinator for the office and for each of its member organisations
    assert {"云龙区委统战部", *top} <= coordinated
    assert {p.language for p in PEOPLE if p.role == "member"} == {"zh-hans", "zh-hant", "en"}
    assert [p for p in PEOPLE if p.role == "admin"] == [ADMIN]
    assert ancestors("徐州宣武集团") == ["徐州宣武集团", "区工商联", "云龙区委统战部"]
    assert len({p.user_id for p in PEOPLE}) == len({p.username for p in PEOPLE}) == len(PEOPLE)


async def test_seeded_network_has_its_members_roles_groups_and_on_whose_behalf(
    database_url: str,
) -> None:
    async with demo_world(database_url) as world, SandboxClient(world.sandbox.url) as control:
        store, settings, groups = world.store, world.settings, world.groups
        async with store() as uow:
            names = {o.id: o.name for o in await uow.organisations.all()}
            roles = {(r.person_id, r.role, names.get(r.organisation_id or 0))
                     for r in await uow.roles.all()}
        assert set(names.values()) == {o.name for o in ORGANISATIONS}
        for person in PEOPLE:
            if person.organisation is None:
                assert (person.user_id, RoleName.ADMIN, None) in roles
            else:
                assert (person.user_id, RoleName(person.role), person.organisation) in roles
        titled = {o.group: o.name for o in ORGANISATIONS if o.group}
        assert {g.title for g in groups} == set(titled)
        seen = await control.world()
        users = {u["id"]: u for u in seen["users"]}
        assert all(users[p.user_id]["language_code"] == p.language for p in PEOPLE)
        for group in groups:
            async with store() as uow:
                record = await uow.chats.get(group.chat_id)
            assert record is not None and names[record.organisation_id or 0] == group.organisation
            # the people of the organisation's subtree are in its group, the office's too
            members = {m.user_id for m in group.members}
            assert {p.user_id for p in PEOPLE
                    if group.organisation in ancestors(p.organisation)} <= members
            assert {ADMIN.user_id, 1002} <= members
        by_title = {g.title: g for g in groups}
        assert 1005 in {m.user_id for m in by_title["工商联会员企业群"].members}
        assert 1005 not in {m.user_id for m in by_title["民进云龙支部群"].members}
        clock = FakeClock()
        async with running_bot(settings, clock):
            appeal = await make_appeal(store, clock)
            chat = Conversation(control)
            ann = next(p for p in PEOPLE if p.username == "ann")
            [summary] = await chat.say(ann.user_id, f"/pledge {appeal.id} 5万元")
            assert "Change: on whose behalf" in [b["text"] for b in buttons(summary)], summary
        text = printout(groups, world.sandbox.url, "python")
        for person in PEOPLE:
            assert f"{person.name} · {person.user_id} · {person.role} · {person.language}" in text
            assert f"--as {person.username}\n" in text + "\n"
        for group in groups:
            assert f"{group.title} · {group.chat_id} · {group.organisation}" in text
            assert f"--group {group.chat_id}" in text


def test_a_busy_port_is_named_with_the_setting_that_chooses_another() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert port_busy(port)
        line = busy_port_line(port)
    assert str(port) in line and "SANDBOX_PORT=" in line and "\n" not in line
    assert not port_busy(port)


async def test_a_second_make_run_on_a_busy_port_says_which_and_how_to_choose_another(
    tmp_path: Path,
) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        # run where no .env is, as a newcomer's second `make run` would (no token)
        env = {**os.environ, "SANDBOX_PORT": str(port), "PYTHONPATH": str(ROOT)}
        env.pop("BOT_TOKEN", None)
        demo = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "demo", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(demo.communicate(), 60)
    assert demo.returncode == 1 and out == b""
    assert err.decode() == busy_port_line(port) + "\n"
    assert not (tmp_path / "data").exists()  # nothing started, nothing written
