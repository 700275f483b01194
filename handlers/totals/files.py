"""/report [APPEAL]: the appeal's workbook and its pledges as CSV, sent as documents."""

from __future__ import annotations

import tempfile
from pathlib import Path

from telegram import Update

from domain.errors import N_, DomainError
from handlers.common import refuse
from handlers.context import TongxinContext
from handlers.totals.asking import appeal_asked


async def report_command(update: Update, context: TongxinContext) -> None:
    """`/report N` (coordinators in scope): the .xlsx and the CSV, in the reader's language."""
    asked = await appeal_asked(update, context, "report")
    chat = update.effective_chat
    if asked is None or chat is None:
        return
    reader, number = asked
    # imported at first use: a bot (and every test's bot) that makes no report starts
    # without loading XlsxWriter, and a venv not yet reinstalled still runs the rest
    from handlers.totals.workbook import ReportWriter

    writer = ReportWriter(reader)
    with tempfile.TemporaryDirectory(prefix="tongxin-report-") as folder:
        book = Path(folder) / f"appeal-{number}-report.xlsx"
        table = Path(folder) / f"appeal-{number}-pledges.csv"
        try:
            async with context.services.totals.report(reader.person.id, number) as report:
                count = await writer.workbook(report, book)
                await writer.pledges_csv(report, table)
        except DomainError as error:
            await refuse(update, reader, error)
            return
        caption = reader.t(N_("Report of appeal #{number}: {count} pledges."),
                           number=number, count=count)
        for path, text in ((book, caption), (table, None)):
            with path.open("rb") as handle:
                await context.bot.send_document(
                    chat.id, document=handle, filename=path.name, caption=text
                )
