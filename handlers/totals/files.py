"""/report [APPEAL]: the appeal's workbook and its pledges as CSV, sent as documents."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from telegram import Update

from domain.errors import N_, DomainError
from handlers.common import command_arguments, is_private, reader_for, refuse, reply
from handlers.context import TongxinContext
from handlers.render import escape
from handlers.totals.asking import appeal_asked, appeal_number
from handlers.totals.render import GroupVoice, TotalsText


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


async def chart_command(update: Update, context: TongxinContext) -> None:
    """`/chart N`: progress per need and money by organisation as pictures (what /totals shows)."""
    asked = await appeal_asked(update, context, "chart")
    chat = update.effective_chat
    if asked is None or chat is None:
        return
    reader, number = asked
    try:
        view = await context.services.totals.appeal(reader.person.id, number)
    except DomainError as error:
        await refuse(update, reader, error)
        return
    # imported at first use: matplotlib takes a good half second to load
    from handlers.totals.chart import ChartWriter

    charts = ChartWriter(reader).charts(view)
    if not charts:
        await reply(update, escape(reader.t(N_("Nothing to draw yet: no need and no money."))))
        return
    for chart in charts:
        picture = await asyncio.to_thread(chart.png)  # drawing takes the CPU, not the loop
        await context.bot.send_photo(chat.id, photo=picture, caption=chart.title)


async def progress_command(update: Update, context: TongxinContext) -> None:
    """`/progress [N]` in a group: the public totals of its open appeals, no names."""
    chat, message = update.effective_chat, update.effective_message
    reader = await reader_for(update, context)
    if chat is None or message is None or reader is None:
        return
    if is_private(update):
        await reply(update, escape(reader.t(N_("In private, /totals shows the totals."))))
        return
    services = context.services
    voice = GroupVoice(services.translations, services.default_language)
    number = appeal_number(voice, command_arguments(message), "progress")
    if isinstance(number, str):
        await reply(update, escape(number))
        return
    try:
        views = await services.totals.group_progress(chat.id, number)
    except DomainError as error:
        await reply(update, escape(voice.t(error.message, **error.params)))
        return
    if not views:
        await reply(update, escape(voice.t(N_("This group has no open appeal."))))
        return
    text = TotalsText(voice)
    await reply(update, "\n\n".join(text.progress(view) for view in views))
