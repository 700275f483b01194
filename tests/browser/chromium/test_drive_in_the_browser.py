"""A drive rehearsed in the browser, on `make run`'s demo: two people, two tabs, days passing.

The coordinator publishes an appeal, it appears in two groups, a member taps the group's
button and pledges 3000公斤消毒液 through the dialog, reports a partial delivery, the clock
moves four days and the reminder arrives with its buttons, the coordinator confirms and pulls
/totals and the chart. Any console error fails the test; every step leaves a screenshot.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.demo_network import PEOPLE
from tests.browser.chromium.conftest import ConsoleWatch, Demo
from tests.browser.chromium.messenger import Messenger, Shots

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

# a demo and a browser start within the first test; a loaded CI machine is slow
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
COORDINATOR = next(p for p in PEOPLE if p.username == "coordinator")  # the district office's
MEMBER = next(p for p in PEOPLE if p.username == "li")  # of 民进云龙支部
MEMBER_GROUP = "民进云龙支部群"
OTHER_GROUP = "工商联会员企业群"
BOT = "Tongxin"


def publish_appeal(coordinator: Messenger) -> None:
    """The coordinator writes the appeal with /appeal and sends it to all their groups."""
    coordinator.open_chat(BOT)
    coordinator.ask("/appeal", "倡议的标题是什么？")
    coordinator.ask("抗疫倡议", "请写倡议正文")
    needs = coordinator.ask("请支援消毒液", "需要什么？")
    coordinator.ask("消毒液 5000公斤", "已添加：消毒液：5000公斤")
    recipients = coordinator.choose(needs, "完成", "收款方")
    coordinator.choose(recipients, "完成", "截止到什么时候？")
    audience = coordinator.ask("10天后", "这份倡议发给谁？")
    preview = coordinator.choose(audience, "我负责的所有已批准群组", "发送这份倡议吗？")
    coordinator.shot("appeal-preview")
    coordinator.press(preview, "发送")
    coordinator.bot_says(re.compile(r"已送达 (\d+)/\1 个群组"))
    coordinator.shot("appeal-sent")


def pledge_from_the_group(member: Messenger) -> None:
    """The member taps the group's button and pledges 3000公斤 of disinfectant."""
    assert member.chat_item(MEMBER_GROUP).locator(".unread").inner_text() != ""
    member.open_chat(MEMBER_GROUP)
    appeal = member.bot_says("📣 抗疫倡议")
    member.shot("appeal-in-the-member-group")
    # a t.me deep link: the private chat opens and /start <payload> is sent
    kind = member.choose(appeal, "我来认捐", "你想捐什么？")
    assert member.page.locator("#chat-title").inner_text() == BOT
    need = member.choose(kind, "物资", "对应哪项需求？")
    member.choose(need, "消毒液", "数量和单位？")
    value = member.ask("3000公斤", "大约价值多少？")
    behalf = member.choose(value, "跳过", "以谁的名义？")  # the member's organisation asks
    member.choose(behalf, "民进云龙支部", "什么时候送达？")
    visibility = member.ask("5天后", "如何向他人显示？")
    summary = member.choose(visibility, "显示我的名字", "消毒液 3000公斤")
    member.shot("pledge-summary")
    member.choose(summary, "确认", "你的认捐 #1 已记录")


def report_part(member: Messenger) -> None:
    """The member reports 1000公斤 delivered, from /mypledges."""
    listing = member.ask("/mypledges", "尚未送达：3000公斤")
    member.choose(listing, "已送达部分", "送达了多少？")
    member.ask("1000公斤", "已记录：认捐 #1 送达 1000公斤")
    member.shot("part-delivered")


def test_a_drive_from_appeal_to_chart(
    demo: Demo, browser: BrowserContext, console: ConsoleWatch, shots: Shots
) -> None:
    coordinator = Messenger.open(browser, demo.page_url, COORDINATOR.user_id, console, shots,
                                 "coordinator")
    member = Messenger.open(browser, demo.page_url, MEMBER.user_id, console, shots, "member")
    assert coordinator.page.inner_text("#who option:checked").startswith(COORDINATOR.name)
    assert member.page.locator("html").get_attribute("lang") == "zh-Hans"

    publish_appeal(coordinator)
    coordinator.open_chat(OTHER_GROUP)  # the second group has it too
    coordinator.bot_says("📣 抗疫倡议")
    pledge_from_the_group(member)
    report_part(member)

    coordinator.open_chat(BOT)
    coordinator.bot_says("报告送达：1000公斤")
    member.move_clock(4, "days")
    reminder = member.bot_says("认捐 #1 提醒：还差 2000公斤消毒液")
    labels = reminder.locator("button.key").all_inner_texts()
    assert {"已全部送达", "已送达部分", "需要更多时间"} <= set(labels), labels
    member.shot("reminder-after-four-days")

    notice = coordinator.bot_says("报告送达：1000公斤")
    coordinator.press(notice, "确认收到")
    member.bot_says("协调员已确认收到你的认捐 #1 送达的 1000公斤")
    coordinator.ask("/totals 1", "已送达 1,000公斤")
    coordinator.shot("totals")
    chart = coordinator.ask("/chart 1", "各项需求进度")
    picture = chart.locator("img.photo")
    picture.wait_for()
    coordinator.page.wait_for_function("image => image.complete && image.naturalWidth > 0",
                                       arg=picture.element_handle())
    coordinator.shot("chart")
    report = coordinator.ask("/report 1", re.compile(r"\.xlsx"))
    with coordinator.page.expect_download() as download:
        report.locator("a.document").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"  # a workbook is a zip
