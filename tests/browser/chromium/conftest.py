"""Browser fixtures: `make run`'s demo as a process, and one Chromium per test module.

The tests drive Debian's Chromium (`/usr/bin/chromium`) through Playwright; nothing is
downloaded (`playwright install` is never run). Without Chromium they skip with one line,
unless `REQUIRE_BROWSER=1` (CI), where they fail.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.chromium.messenger import Shots

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
#: Screenshots of every step: test artefacts, git-ignored (`/build/`).
ARTEFACTS = ROOT / "build" / "browser"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DEMO_START_SECONDS = 90.0


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    return None


# One line for the whole folder when there is no browser; a failure when CI needs it.
if (_reason := _missing()) is not None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests: {_reason}, and REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip(f"browser tests skipped: {_reason}; REQUIRE_BROWSER=1 makes this a failure",
                allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Demo:
    """`python -m bot demo` running: the page's address and what the process printed."""

    page_url: str
    sandbox_url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)


def _read_until_page(process: subprocess.Popen[str], output: list[str]) -> str | None:
    """Collect the demo's output (in a thread, for ever); return the page's address."""
    found: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            match = re.search(r"Rehearse in a browser: (http://\S+)", line)
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    ready.wait(DEMO_START_SECONDS)
    return found[0] if found else None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`make run` without a token, as a process: sandbox, page, demo network and bot."""
    home = tmp_path_factory.mktemp("demo")
    sandbox_port, page_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
    env.update({
        "SANDBOX_PORT": str(sandbox_port),
        "SANDBOX_WEB_PORT": str(page_port),
        "DATABASE_URL": f"sqlite+aiosqlite:///{home / 'demo.sqlite3'}",
        "QUIET_HOURS": "off",  # whatever the hour in Shanghai, a reminder due may go
        "PYTHONUNBUFFERED": "1",
    })
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo"], cwd=home, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the sandbox child goes with it
    )
    output: list[str] = []
    try:
        url = _read_until_page(process, output)
        if url is None:
            raise AssertionError("the demo did not print its page:\n" + "".join(output))
        yield Demo(url, f"http://127.0.0.1:{sandbox_port}", process, output)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """One headless Chromium for the module, on a fresh profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800}, locale="zh-CN",
        )
        context.set_default_timeout(20_000)
        try:
            yield context
        finally:
            context.close()


class ConsoleWatch:
    """Every console error and uncaught exception of the pages it watches."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Page) -> Page:
        """Record `page`'s errors; return it."""
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.errors.append(f"console: {message.text} at {message.location}")

        def on_error(error: Any) -> None:
            self.errors.append(f"page error: {error}")

        page.on("console", on_console)
        page.on("pageerror", on_error)
        return page


@pytest.fixture
def console() -> Iterator[ConsoleWatch]:
    """Fails the test on any console error of the pages it watched."""
    watch = ConsoleWatch()
    yield watch
    assert watch.errors == [], watch.errors


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    """This test's screenshots (a git-ignored folder, emptied first)."""
    folder = ARTEFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Shots(folder)
