"""/totals [APPEAL] and its drill-down buttons: figures cut to the reader's scope."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from domain.dialogs.engine import DialogKind
from domain.errors import N_
from domain.kernel.standing import RoleName
from handlers.common import CommandSpec, attempt, pressed, reply
from handlers.context import Services, TongxinContext
from handlers.dialogs import DialogView
from handlers.feature import SharedServicesOnly
from handlers.totals.asking import appeal_perhaps_asked
from handlers.totals.files import chart_command, progress_command, report_command
from handlers.totals.overdue import OverdueHandlers, PledgeAction
from handlers.totals.render import TotalsText

#: `tt:APPEAL:ORGANISATION` (0: the top of the tree).
DRILL_BUTTON = re.compile(r"^tt:([0-9]{1,19}):([0-9]{1,19})$")

TOTALS_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("totals", N_("Totals of the appeals: pledged, delivered, received"),
                RoleName.MEMBER),
    CommandSpec("report", N_("An appeal's report as a spreadsheet"), RoleName.COORDINATOR),
    CommandSpec("chart", N_("An appeal's progress as a picture"), RoleName.MEMBER),
    CommandSpec("overdue", N_("Pledges past their due date, oldest first"),
                RoleName.COORDINATOR),
    CommandSpec("progress", N_("The appeals' progress, for everyone in the group"),
                RoleName.MEMBER, private=False, group=True),
)


class TotalsHandlers(SharedServicesOnly):
    """`/totals` and the drill-down presses; permission is decided by the service each time.

    A `handlers.feature.Feature`: it has no dialog (a drill-down press is answered at once).
    """

    commands = TOTALS_COMMANDS

    def __init__(self, pledge_actions: Sequence[PledgeAction] = ()) -> None:
        """`pledge_actions`: buttons another feature adds to an opened overdue pledge."""
        self._overdue = OverdueHandlers(pledge_actions)

    def views(self) -> Sequence[DialogView]:
        """No dialog views."""
        return ()

    def kinds(self, services: Services) -> Sequence[DialogKind[Any]]:
        """No dialog kinds."""
        return ()

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers to the application."""
        app.add_handler(CommandHandler("totals", self.totals))
        app.add_handler(CommandHandler("report", report_command))
        app.add_handler(CommandHandler("chart", chart_command))
        app.add_handler(CommandHandler("progress", progress_command))
        app.add_handler(CommandHandler("overdue", self._overdue.command))
        app.add_handler(CallbackQueryHandler(self._overdue.pressed, pattern=r"^to:"))
        app.add_handler(CallbackQueryHandler(self.drill, pattern=r"^tt:"))

    async def totals(self, update: Update, context: TongxinContext) -> None:
        """`/totals`: one line per open appeal; `/totals N`: that appeal in detail."""
        asked = await appeal_perhaps_asked(update, context, "totals")
        if asked is None:
            return
        reader, number = asked
        service = context.services.totals
        text = TotalsText(reader)
        if number is None:
            await reply(update, text.overview(await service.overview(reader.person.id)))
            return
        view = await attempt(
            update, context, reader, service.appeal(reader.person.id, number), claims=False
        )
        if view is not None:
            await reply(update, text.appeal(view), text.keyboard(view))

    async def drill(self, update: Update, context: TongxinContext) -> None:
        """A drill-down press: the same message shows the organisation's children (or up)."""
        press = await pressed(update, context, DRILL_BUTTON, ids=(1,))
        if press is None:
            return
        query, reader, match = press
        organisation = int(match.group(2)) or None
        drilled = context.services.totals.appeal(
            reader.person.id, int(match.group(1)), organisation
        )
        view = await attempt(update, context, reader, drilled, claims=False)
        if view is None:
            return
        text = TotalsText(reader)
        await query.edit_message_text(
            text.appeal(view), parse_mode="HTML", reply_markup=text.keyboard(view)
        )
        await query.answer()
