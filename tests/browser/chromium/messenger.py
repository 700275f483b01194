"""One person's tab of the sandbox page, driven as that person would: see, click, type."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page

    from tests.browser.chromium.conftest import ConsoleWatch

#: How long the bot may take to answer on the page (flood limits on, 2 shared cores).
ANSWER_MS = 30_000


class Shots:
    """A test's screenshots, numbered in the order taken, whichever tab took them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken = 0

    def next(self, name: str) -> Path:
        """The file of the next screenshot."""
        self.taken += 1
        return self.folder / f"{self.taken:02d}-{name.strip('-')}.png"


class Messenger:
    """A tab of the page as one person; every step waits (bounded) for what it expects."""

    def __init__(self, page: Page, shots: Shots | None = None, who: str = "") -> None:
        self.page = page
        self.shots = shots
        self.who = who

    @classmethod
    def open(cls, browser: BrowserContext, url: str, person: int, console: ConsoleWatch,
             shots: Shots | None = None, who: str = "") -> Messenger:
        """A new tab, as `person` (the page remembers a tab's person in the tab)."""
        page = console.watch(browser.new_page())
        page.goto(f"{url}?as={person}")
        page.locator("#chat-list .chat-item").first.wait_for()
        return cls(page, shots, who)

    # ------------------------------------------------------------ looking

    def chat_item(self, title: str) -> Locator:
        """The chat list's entry of a chat."""
        name = self.page.locator(".chat-name", has_text=re.compile(f"^{re.escape(title)}$"))
        return self.page.locator("#chat-list .chat-item", has=name)

    def bot_says(self, text: str | re.Pattern[str]) -> Locator:
        """The newest bot message containing `text`, once it is on the page."""
        message = self.page.locator("#messages li.msg.bot", has_text=text).last
        try:
            message.wait_for(timeout=ANSWER_MS)
        except Exception:
            self.shot("waited-in-vain")
            raise
        return message

    def shot(self, name: str) -> None:
        """Keep a screenshot of this step as a test artefact."""
        if self.shots is not None:
            self.page.screenshot(path=str(self.shots.next(f"{self.who}-{name}")))

    # ------------------------------------------------------------ doing

    def open_chat(self, title: str) -> None:
        """Click a chat in the list and wait until its history is shown."""
        self.chat_item(title).click()
        self.page.locator("#chat-title", has_text=title).wait_for()

    def say(self, text: str) -> None:
        """Type into the composer and press Enter; wait until the message is shown."""
        self.page.fill("#text", text)
        self.page.press("#text", "Enter")
        first_line = text.splitlines()[0]
        self.page.locator("#messages li.msg.mine", has_text=first_line).last.wait_for()

    def press(self, message: Locator, label: str) -> None:
        """Press the inline button `label` under `message`."""
        message.get_by_role("button", name=label, exact=True).click()

    def ask(self, text: str, answer: str | re.Pattern[str]) -> Locator:
        """Say `text` and return the bot's answer containing `answer`."""
        self.say(text)
        return self.bot_says(answer)

    def choose(self, message: Locator, label: str, answer: str | re.Pattern[str]) -> Locator:
        """Press `label` under `message` and return the bot's answer containing `answer`."""
        self.press(message, label)
        return self.bot_says(answer)

    def move_clock(self, amount: int, unit: str) -> None:
        """Move the sandbox's clock forward with the page's own controls."""
        before = self.page.inner_text("#clock-now")
        self.page.fill("#clock-amount", str(amount))
        self.page.select_option("#clock-unit", unit)
        self.page.click("#clock-go")
        self.page.wait_for_function(
            "before => document.getElementById('clock-now').textContent !== before", arg=before)
