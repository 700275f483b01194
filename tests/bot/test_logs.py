"""Structured logs: each line of an update's handling names it; no message text above DEBUG."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import JsonFormatter, PersonHasher, UpdateFields
from bot.runtime import Runtime
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.harness import TOKEN, BotProcess, Conversation, settings_for

SECRET_TEXT = "secretpayload42"


class Lines(logging.Handler):
    """Keeps every formatted line the bot logs at INFO and above."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.setFormatter(JsonFormatter())
        self.addFilter(UpdateFields())

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the line."""
        self.lines.append(self.format(record))


@pytest.fixture
def lines() -> Iterator[Lines]:
    """What the bot logs while the test runs, as JSON lines."""
    handler = Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_a_failed_update_is_logged_with_its_id_and_hashed_person_not_its_text(
    runtime: Runtime, client: SandboxClient, lines: Lines
) -> None:
    chat = Conversation(client)
    user = await client.create_user("Ann", language_code="en")
    await client.inject_faults(1, kind="502", method="sendMessage")
    [apology] = await chat.say(user["id"], f"/start {SECRET_TEXT}")
    assert "Something went wrong" in apology["text"]
    entries = [json.loads(line) for line in lines.lines]
    failed = [e for e in entries if e["message"].endswith("failed")]
    assert failed, entries
    person = PersonHasher(TOKEN)(user["id"])
    for entry in failed:
        assert entry["level"] == "ERROR"
        assert isinstance(entry["update_id"], int)
        assert entry["person"] == person
    assert str(user["id"]) not in person
    assert all(SECRET_TEXT not in line for line in lines.lines)


def test_person_tags_are_stable_and_depend_on_the_token() -> None:
    assert PersonHasher(TOKEN)(1001) == PersonHasher(TOKEN)(1001)
    assert PersonHasher(TOKEN)(1001) != PersonHasher(TOKEN)(1002)
    assert PersonHasher(TOKEN)(1001) != PersonHasher(TOKEN + "x")(1001)


async def test_log_format_json_makes_every_line_of_the_process_json(
    database_url: str, sandbox: SandboxServer, client: SandboxClient, tmp_path: Path
) -> None:
    process = BotProcess(settings_for(database_url, sandbox), tmp_path / "bot.log",
                         extra_env={"LOG_FORMAT": "json"})
    await process.start(client)
    try:
        user = await client.create_user("Ann", language_code="en")
        [answer] = await Conversation(client).say(user["id"], f"/start {SECRET_TEXT}")
        assert "Hello, Ann!" in answer["text"]
        assert await process.terminate() == 0
    finally:
        await process.kill()
    logged = process.log().splitlines()
    entries = [json.loads(line) for line in logged]
    assert any(e["message"].startswith("Tongxin is running") for e in entries)
    assert all(SECRET_TEXT not in line for line in logged)
