"""/report's files: an .xlsx (XlsxWriter, constant memory) and a CSV of pledges (UTF-8, BOM).

Both are written row by row as the database streams them, so a large appeal is never held
in memory: XlsxWriter's `constant_memory` flushes each row once the next one starts.
"""

from __future__ import annotations

import asyncio
import csv
import unicodedata
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from domain.kernel.calendar import zone_of
from domain.kernel.quantities import currency_exponent
from domain.totals.models import Figures, percent
from domain.totals.report import AppealReport, DeliveryLine, PledgeLine
from handlers.context import Reader
from handlers.i18n import N_
from handlers.totals.names import NameOf

#: One column: its header's msgid, its kind ("text", "number", "money", "date", "time").
Column = tuple[str, str]

PLEDGE_COLUMNS: tuple[Column, ...] = (
    (N_("Pledge"), "number"), (N_("Made on"), "time"), (N_("Pledger"), "text"),
    (N_("Shown as"), "text"), (N_("Organisation"), "text"), (N_("Kind"), "text"),
    (N_("Item"), "text"), (N_("Amount"), "money"), (N_("Currency"), "text"),
    (N_("Quantity"), "number"), (N_("Unit"), "text"), (N_("Estimated value"), "money"),
    (N_("Approximate"), "text"), (N_("Delivered"), "number"), (N_("Received"), "number"),
    (N_("Due date"), "date"), (N_("Recipient"), "text"), (N_("Status"), "text"),
)
DELIVERY_COLUMNS: tuple[Column, ...] = (
    (N_("Pledge"), "number"), (N_("Item"), "text"), (N_("Quantity"), "number"),
    (N_("Unit"), "text"), (N_("Reported by"), "text"), (N_("Reported at"), "time"),
    (N_("State"), "text"), (N_("Confirmed at"), "time"),
)
SUMS = ((N_("Pledged"), "money"), (N_("Delivered"), "money"), (N_("Received"), "money"),
        (N_("In kind"), "money"))
ORGANISATION_COLUMNS: tuple[Column, ...] = (
    (N_("Organisation"), "text"), (N_("Part of"), "text"), (N_("Currency"), "text"),
    *SUMS, (N_("Pledgers"), "number"), (N_("Pledged with those below"), "money"),
    (N_("Delivered with those below"), "money"), (N_("Received with those below"), "money"),
    (N_("In kind with those below"), "money"),
)
NEED_COLUMNS: tuple[Column, ...] = (
    (N_("Need"), "text"), (N_("Unit"), "text"), (N_("Target"), "number"),
    (N_("Pledged"), "number"), (N_("Delivered"), "number"), (N_("Received"), "number"),
    (N_("Pledged %"), "number"), (N_("Delivered %"), "number"),
)
RECIPIENT_COLUMNS: tuple[Column, ...] = (
    (N_("Recipient"), "text"), (N_("Currency"), "text"), *SUMS, (N_("Pledgers"), "number"),
)
OFFER_COLUMNS: tuple[Column, ...] = (
    (N_("Offer"), "number"), (N_("Item"), "text"), (N_("Quantity"), "number"),
    (N_("Unit"), "text"), (N_("For need"), "text"), (N_("Matched"), "number"),
    (N_("Offered by"), "text"), (N_("Status"), "text"), (N_("Offered on"), "time"),
)
#: Rows written to a file at a time, in a worker thread.
BATCH = 1000
Line = TypeVar("Line")
#: How wide a column of each kind is at least, in Excel's character widths.
WIDTHS = {"text": 16, "number": 12, "money": 16, "date": 12, "time": 18}


def display_width(text: str) -> int:
    """How many narrow characters wide `text` shows: a Chinese character counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def major(minor: int | Decimal | None, currency: str) -> float | None:
    """Minor units as a number of the currency's major unit (a real number cell)."""
    if minor is None:
        return None
    return float(Decimal(minor).scaleb(-currency_exponent(currency)))


class Sheets:
    """Writes the workbook's sheets one after the other, each row as it comes."""

    def __init__(self, path: Path, reader: Reader, zone: ZoneInfo) -> None:
        self._book = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "remove_timezone": True}
        )
        self._reader = reader
        self._zone = zone
        self._formats = {
            "header": self._book.add_format({"bold": True, "bg_color": "#DDEBF7"}),
            "money": self._book.add_format({"num_format": "#,##0.00"}),
            "number": self._book.add_format({"num_format": "#,##0.######"}),
            "date": self._book.add_format({"num_format": "yyyy-mm-dd"}),
            "time": self._book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        }

    def sheet(self, name: str, columns: Sequence[Column]) -> tuple[Worksheet, list[str]]:
        """A new sheet with its header row, frozen, and columns wide enough for Chinese."""
        sheet = self._book.add_worksheet(self._reader.t(name)[:31])
        headers = [self._reader.t(title) for title, _ in columns]
        kinds = [kind for _, kind in columns]
        for index, (header, kind) in enumerate(zip(headers, kinds, strict=True)):
            sheet.set_column(index, index, max(WIDTHS[kind], display_width(header) + 2))
        sheet.write_row(0, 0, headers, self._formats["header"])
        sheet.freeze_panes(1, 0)
        return sheet, kinds

    def row(self, sheet: Worksheet, kinds: list[str], at: int, values: Sequence[Any]) -> None:
        """Write one row: numbers as numbers, dates as dates, the rest as text."""
        for column, (kind, value) in enumerate(zip(kinds, values, strict=True)):
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(at, column, value.astimezone(self._zone),
                                     self._formats["time"])
            elif isinstance(value, date):
                sheet.write_datetime(at, column, value, self._formats["date"])
            elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                sheet.write_number(at, column, float(value), self._formats.get(kind))
            else:
                sheet.write_string(at, column, str(value))

    def close(self) -> None:
        """Finish the file."""
        self._book.close()


class ReportWriter:
    """Writes one report's workbook and CSV for one reader, in their language."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._names = NameOf(reader)

    async def workbook(self, report: AppealReport, path: Path) -> int:
        """Write the .xlsx; return how many pledges it lists."""
        sheets = Sheets(path, self._reader, zone_of(report.timezone))
        try:
            self._summary(sheets, report)
            sheet, kinds = sheets.sheet(N_("Pledges"), PLEDGE_COLUMNS)
            count = await _in_batches(
                report.pledges(), self.pledge_values,
                lambda at, values: sheets.row(sheet, kinds, at, values),
            )
            sheet, kinds = sheets.sheet(N_("Deliveries"), DELIVERY_COLUMNS)
            await _in_batches(
                report.deliveries(), self._delivery_values,
                lambda at, values: sheets.row(sheet, kinds, at, values),
            )
            self._organisations(sheets, report)
            self._needs(sheets, report)
            self._recipients(sheets, report)
            sheet, kinds = sheets.sheet(N_("Offers"), OFFER_COLUMNS)
            at = 0
            async for o in report.offers():
                at += 1
                sheets.row(sheet, kinds, at, (
                    o.offer_id, o.item, o.quantity, self._names.unit(o.unit), o.need, o.matched,
                    o.offered_by, self._names.offer_status(o.status), o.created_at,
                ))
        finally:
            sheets.close()
        return count

    def _delivery_values(self, d: DeliveryLine) -> tuple[Any, ...]:
        money = d.kind.value == "money"
        return (
            d.pledge_id, d.item or self._names.kind(d.kind),
            major(d.quantity, d.currency) if money else d.quantity,
            d.currency if money else self._names.unit(d.unit), d.reported_by,
            d.reported_at, self._names.state(d.state), d.confirmed_at,
        )

    def pledge_values(self, line: PledgeLine) -> tuple[Any, ...]:
        """One pledge's cells, in PLEDGE_COLUMNS' order."""
        money = line.kind.value == "money"
        t = self._reader.t
        return (
            line.pledge_id, line.created_at, line.person_name,
            self._names.visibility(line.visibility), line.organisation,
            self._names.kind(line.kind), line.item, major(line.amount_minor, line.currency),
            line.currency, line.quantity, self._names.unit(line.unit),
            major(line.estimated_minor, line.currency), t(N_("yes")) if line.approximate else "",
            major(line.delivered, line.currency) if money else line.delivered,
            major(line.received, line.currency) if money else line.received,
            line.due_date, line.recipient, self._names.status(line.status),
        )

    def _summary(self, sheets: Sheets, report: AppealReport) -> None:
        view, t = report.view, self._reader.t
        appeal = view.appeal
        sheet, kinds = sheets.sheet(N_("Summary"), ((N_("What"), "text"), (N_("Value"), "money")))
        rows: list[tuple[str, Any]] = [
            (t(N_("Appeal")), f"#{appeal.id} {appeal.title}"),
            (t(N_("Status")), self._names.appeal_status(appeal.status.value)),
            (t(N_("Deadline")), appeal.deadline),
            (t(N_("Counted")), t(N_("every pledge")) if view.whole
             else t(N_("your part of the network"))),
            (t(N_("Pledgers")), view.total.pledgers),
            (t(N_("Pledges")), view.total.pledges),
            (t(N_("Overdue pledges")), view.overdue),
        ]
        if appeal.money_target_minor is not None:
            rows.append((t(N_("Money target ({currency})"), currency=appeal.currency),
                         major(appeal.money_target_minor, appeal.currency)))
        for currency in view.total.currencies():
            money, value = view.total.money_in(currency), view.total.in_kind_in(currency)
            for label, minor in (
                (N_("Money pledged ({currency})"), money.pledged_minor),
                (N_("Money delivered ({currency})"), money.delivered_minor),
                (N_("Money received ({currency})"), money.received_minor),
                (N_("In kind, estimated ({currency})"), value.value_minor),
                (N_("Cash and in kind ({currency})"), money.pledged_minor + value.value_minor),
            ):
                rows.append((t(label, currency=currency), major(minor, currency)))
        for at, values in enumerate(rows, start=1):
            sheets.row(sheet, kinds, at, values)

    def _sums(self, figures: Figures, currency: str) -> list[float | None]:
        money, value = figures.money_in(currency), figures.in_kind_in(currency)
        return [major(m, currency) for m in (money.pledged_minor, money.delivered_minor,
                                             money.received_minor, value.value_minor)]

    def _organisations(self, sheets: Sheets, report: AppealReport) -> None:
        sheet, kinds = sheets.sheet(N_("By organisation"), ORGANISATION_COLUMNS)
        at = 0
        for row in report.organisations:
            for currency in row.below.currencies() or [report.view.appeal.currency]:
                at += 1
                sheets.row(sheet, kinds, at, (
                    row.organisation.name, row.parent, currency, *self._sums(row.own, currency),
                    row.own.pledgers, *self._sums(row.below, currency),
                ))

    def _needs(self, sheets: Sheets, report: AppealReport) -> None:
        sheet, kinds = sheets.sheet(N_("By need"), NEED_COLUMNS)
        for at, (need, sums) in enumerate(report.view.needs, start=1):
            sheets.row(sheet, kinds, at, (
                need.item, self._names.unit(need.unit), need.target, sums.pledged,
                sums.delivered, sums.received, percent(sums.pledged, need.target),
                percent(sums.delivered, need.target),
            ))

    def _recipients(self, sheets: Sheets, report: AppealReport) -> None:
        sheet, kinds = sheets.sheet(N_("By recipient"), RECIPIENT_COLUMNS)
        at = 0
        for line in report.view.recipients:
            for currency in line.figures.currencies():
                at += 1
                name = line.name or self._reader.t(N_("No recipient named"))
                sheets.row(sheet, kinds, at, (
                    name, currency, *self._sums(line.figures, currency), line.figures.pledgers,
                ))

    async def pledges_csv(self, report: AppealReport, path: Path) -> int:
        """Write the pledges as CSV (UTF-8 with a BOM, so Excel reads the Chinese); count."""
        count = 0
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow([self._reader.t(title) for title, _ in PLEDGE_COLUMNS])
            count = await _in_batches(
                report.pledges(), self.pledge_values,
                lambda _, values: out.writerow(
                    ["" if v is None else _csv_cell(v) for v in values]
                ),
            )
        return count


async def _in_batches(
    lines: AsyncIterator[Line],
    values: Callable[[Line], Sequence[Any]],
    write: Callable[[int, Sequence[Any]], object],
) -> int:
    """Write streamed lines a batch at a time in a worker thread; return how many.

    Writing a cell is slow pure Python: in a thread, the bot goes on answering while a
    large report is written. One batch is held at a time, so memory stays bounded.
    """
    count = 0
    batch: list[Sequence[Any]] = []

    def flush(first: int, rows: list[Sequence[Any]]) -> None:
        for offset, row in enumerate(rows):
            write(first + offset, row)

    async for line in lines:
        batch.append(values(line))
        if len(batch) >= BATCH:
            await asyncio.to_thread(flush, count + 1, batch)
            count, batch = count + len(batch), []
    if batch:
        await asyncio.to_thread(flush, count + 1, batch)
        count += len(batch)
    return count


def _csv_cell(value: object) -> str:
    """A value as CSV text: dates in ISO form, numbers without exponents."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{Decimal(str(value)).normalize():f}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)

