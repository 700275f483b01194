"""/report through the bot: the workbook read back with openpyxl, the CSV read back."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl
import pytest

from bot.runtime import TongxinApplication
from domain.kernel.standing import RoleName
from sandbox.client import SandboxClient
from storage.uow import SqlUnitOfWorkFactory
from tests.domain.totals.seed import seed_scenario
from tests.handlers.totals_talk import Json, grant, person, pledgers
from tests.harness import Conversation

SHEETS = {
    "zh-hans": ["汇总", "认捐", "送达", "按组织", "按需求", "按受助方", "供应"],
    "en": ["Summary", "Pledges", "Deliveries", "By organisation", "By need", "By recipient",
           "Offers"],
}


async def download(app: TongxinApplication, message: Json) -> bytes:
    """The bytes of a document the bot sent."""
    found = await app.bot.get_file(message["document"]["file_id"])
    return bytes(await found.download_as_bytearray())


def workbook(data: bytes) -> openpyxl.Workbook:
    """The workbook as Excel would open it."""
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
async def test_an_admin_gets_the_workbook_and_the_csv_in_their_language(
    app: TongxinApplication, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory, lang: str,
) -> None:
    seen = await seed_scenario(store, pledgers())
    admin = await person(client, chat, "Boss", lang)
    await grant(store, admin, RoleName.ADMIN, None)
    book_message, csv_message = await chat.say(admin, f"/report {seen.appeal.id}", expect=2)
    assert book_message["document"]["file_name"] == f"appeal-{seen.appeal.id}-report.xlsx"
    assert csv_message["document"]["file_name"] == f"appeal-{seen.appeal.id}-pledges.csv"
    caption = {"zh-hans": f"倡议 #{seen.appeal.id} 的报告：11 项认捐。",
               "en": f"Report of appeal #{seen.appeal.id}: 11 pledges."}[lang]
    assert book_message["caption"] == caption
    book = workbook(await download(app, book_message))
    assert book.sheetnames == SHEETS[lang]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        widths = {i: d.width for d in sheet.column_dimensions.values()
                  for i in range(d.min, d.max + 1)}
        for column, cell in enumerate(sheet[1], start=1):  # wide enough for the header
            assert widths[column] >= sum(2 if ord(c) > 0x2E80 else 1 for c in str(cell.value))
    summary = {row[0].value: row[1].value for row in book.worksheets[0].iter_rows(min_row=2)}
    pledged = {"zh-hans": "认捐资金（CNY）", "en": "Money pledged (CNY)"}[lang]
    assert summary[pledged] == 1_614_000  # a real number, not text
    pledges = list(book.worksheets[1].iter_rows(values_only=True))
    header, rows = pledges[0], pledges[1:]
    assert len(rows) == 11  # the cancelled pledge is listed too, marked
    first = dict(zip(header, rows[0], strict=True))
    names = {"zh-hans": ("认捐时间", "金额", "状态", "已签收"),
             "en": ("Made on", "Amount", "Status", "Received")}[lang]
    made, amount, status, received = names
    assert isinstance(first[made], datetime)
    assert first[amount] == 1_000_000 and first[received] == 1_000_000
    assert first[status] == {"zh-hans": "已收到", "en": "received"}[lang]
    shown = [dict(zip(header, r, strict=True)) for r in rows]
    anonymous = {"zh-hans": "匿名", "en": "anonymous"}[lang]
    assert sum(1 for r in shown if anonymous in r.values()) == 1  # 党员乙, marked
    organisations = list(book.worksheets[3].iter_rows(min_row=2, values_only=True))
    fic = next(r for r in organisations if r[0] == "区工商联")
    assert fic[-4] == 1_582_000  # pledged with those below: 158.2万
    needs = list(book.worksheets[4].iter_rows(min_row=2, values_only=True))
    assert needs[0][:6] == ("消毒液", {"zh-hans": "公斤", "en": "kg"}[lang], 5000, 3000, 3000,
                            2000)
    data = await download(app, csv_message)
    assert data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == list(header) and len(table) == 12
    assert table[1][list(header).index(amount)] == "1000000"


async def test_a_coordinator_gets_their_part_and_members_and_bad_numbers_are_refused(
    app: TongxinApplication, client: SandboxClient, chat: Conversation,
    store: SqlUnitOfWorkFactory,
) -> None:
    seen = await seed_scenario(store, pledgers())
    co = await person(client, chat, "Co", "en")
    await grant(store, co, RoleName.COORDINATOR, seen.organisations["宣武集团"].id)
    book_message, _ = await chat.say(co, f"/report {seen.appeal.id}", expect=2)
    book = workbook(await download(app, book_message))
    rows = list(book["Pledges"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[4] for r in rows) == ["宣武一厂", "宣武集团", "宣武集团"]
    member = await person(client, chat, "Mem", "zh-hant")
    await grant(store, member, RoleName.MEMBER, seen.organisations["民主党派"].id)
    [refused] = await chat.say(member, f"/report {seen.appeal.id}")
    assert refused["text"] == "只有協調員可以匯出報表。"
    for written in ("", "abc", "99999999999999999999999"):
        [said] = await chat.say(co, f"/report {written}")
        assert said["text"] == "Write the appeal's number, e.g. /report 12"
    [said] = await chat.say(co, "/report 4242")
    assert said["text"] == "There is no appeal number 4242."
