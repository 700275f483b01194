"""The page on a phone, with the keyboard alone, and what a person does besides talking.

Each test is a different demo person, so they share the module's demo and browser.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import pytest

from bot.demo_network import PEOPLE
from tests.browser.chromium.conftest import ConsoleWatch, Demo
from tests.browser.chromium.messenger import Messenger, Shots

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

# a demo and a browser start within the first test; a loaded CI machine is slow
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
BOT = "Tongxin"
#: A real 1x1 PNG, so the browser must decode what the page shows.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _person(username: str) -> int:
    return next(p.user_id for p in PEOPLE if p.username == username)


def test_a_phone_shows_the_list_or_the_chat_in_its_language(
    demo: Demo, browser: BrowserContext, console: ConsoleWatch, shots: Shots
) -> None:
    chen = Messenger.open(browser, demo.page_url, _person("chen"), console, shots, "phone")
    page = chen.page
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert page.inner_text("#send") == "傳送"
    wide = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    assert not page.evaluate(wide), "the list is wider than the phone"
    chen.shot("chat-list")
    chen.open_chat(BOT)
    assert not page.locator("#chat-list").is_visible()  # one column: the chat alone
    chen.ask("/start", "你好")
    assert not page.evaluate(wide), "the chat is wider than the phone"
    for control in ("#text", "#send", "#attach", "#commands-button", "#back"):
        box = page.locator(control).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, control
    chen.shot("chat")
    page.click("#back")
    chen.chat_item(BOT).wait_for()
    assert not page.locator("#messages").is_visible()


def test_keyboard_alone_chooses_a_person_talks_and_presses_buttons(
    demo: Demo, browser: BrowserContext, console: ConsoleWatch, shots: Shots
) -> None:
    ann_name = next(p.name for p in PEOPLE if p.username == "ann")
    page = console.watch(browser.new_page())
    page.goto(demo.page_url)  # a new tab: nobody yet
    ann = Messenger(page, shots, "keyboard")
    page.locator("#chooser-list button").first.wait_for()
    for _ in range(40):  # Tab through the page to Ann's button
        if page.evaluate("document.activeElement.textContent").startswith(ann_name):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("Tab never reached Ann in the list of people")
    page.keyboard.press("Enter")
    page.locator("#chat-list .chat-item").first.wait_for()
    assert page.evaluate("document.activeElement.dataset.chat") == str(_person("ann"))
    page.keyboard.press("Enter")  # the focused chat: the bot's
    page.locator("#chat-title", has_text=BOT).wait_for()
    assert page.evaluate("document.activeElement.id") == "text"
    page.keyboard.type("/start")
    page.keyboard.press("Enter")
    ann.bot_says("Hello")
    # Shift+Enter is a new line, Enter sends the two lines as one message
    page.keyboard.type("first line")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("second line")
    page.keyboard.press("Enter")
    mine = page.locator("#messages li.msg.mine", has_text="first line").last
    mine.wait_for()
    assert "first line\nsecond line" in mine.locator(".body").inner_text()
    # the command menu opens from the keyboard and fills the composer
    page.keyboard.press("Shift+Tab")  # from the composer back to the Commands button
    assert page.evaluate("document.activeElement.id") == "commands-button"
    page.keyboard.press("Enter")
    page.locator("#command-menu button[data-command='lang']").wait_for()
    for _ in range(40):
        if page.evaluate("document.activeElement.dataset.command") == "lang":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#text") == "/lang "
    page.keyboard.press("Enter")
    choice = ann.bot_says("English")
    ann.shot("language-buttons")
    # Shift+Tab from the composer reaches the newest message's buttons
    for _ in range(30):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.classList.contains('key')"):
            break
    else:
        raise AssertionError("the inline buttons cannot be reached with Tab")
    label = page.evaluate("document.activeElement.textContent")
    assert label in choice.locator("button.key").all_inner_texts()
    page.keyboard.press("Enter")
    page.locator("#toast:not(.hidden), #messages li.msg.bot >> nth=-1").first.wait_for()


def test_a_person_adds_a_group_the_bot_migrates_it_sends_proof_replies_and_blocks(
    demo: Demo, browser: BrowserContext, console: ConsoleWatch, shots: Shots
) -> None:
    mei = Messenger.open(browser, demo.page_url, _person("mei"), console, shots, "actions")
    page = mei.page
    page.click("#add-group")
    page.fill("#group-title", "Mei's rehearsal")
    page.locator("#group-members label", has_text="Grace Zhou").locator("input").check()
    page.click("#group-ok")
    page.locator("#chat-title", has_text="Mei's rehearsal").wait_for()
    page.get_by_role("button", name="Add the bot", exact=True).click()
    page.locator("#messages li.service", has_text="Mei Wu added Tongxin").wait_for()
    page.get_by_role("button", name="Upgrade to supergroup", exact=True).click()
    page.locator("#messages li.service", has_text="Upgraded from a group").wait_for()
    page.get_by_role("button", name="Remove the bot", exact=True).click()
    page.locator("#messages li.service", has_text="Mei Wu removed Tongxin").wait_for()
    mei.shot("group")
    # the other member sees the group, live, in their own tab
    grace = Messenger.open(browser, demo.page_url, _person("grace"), console, shots, "grace")
    grace.chat_item("Mei's rehearsal").wait_for()

    mei.open_chat(BOT)
    page.set_input_files("#file", files=[{"name": "proof.png", "mimeType": "image/png",
                                          "buffer": PIXEL}])
    photo = page.locator("#messages li.msg.mine img.photo").last
    photo.wait_for()
    page.wait_for_function("image => image.complete && image.naturalWidth === 1",
                           arg=photo.element_handle())
    # a file as proof, and a reply to the bot's answer (its quote is shown)
    page.set_input_files("#file", files=[{"name": "receipt.pdf", "mimeType": "application/pdf",
                                          "buffer": b"%PDF-1.4 receipt"}])
    page.locator("#messages li.msg.mine a.document").last.wait_for()
    answer = mei.ask("/start", "Hello")
    answer.get_by_role("button", name="Reply", exact=True).click()
    page.locator("#reply-bar:not(.hidden)", has_text="Hello").wait_for()
    mei.say("thanks")
    quote = page.locator("#messages li.msg.mine", has_text="thanks").last.locator(".quote")
    assert quote.inner_text().startswith("Tongxin: Hello"), quote.inner_text()
    assert page.locator("#reply-bar").is_hidden()
    page.get_by_role("button", name="Block the bot", exact=True).click()
    page.get_by_role("button", name="Unblock the bot", exact=True).click()
    page.get_by_role("button", name="Block the bot", exact=True).wait_for()
    mei.shot("private")
