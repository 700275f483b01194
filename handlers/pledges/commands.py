"""Pledging as a feature: /pledge, the group and deep-link entries, the /mypledges buttons.

The pledge dialog and the /mypledges follow-ups run on the dialog engine (their views are in
dialogs.py); /mypledges and /inbox themselves are lists (handlers/lists.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from domain.dialogs.engine import DialogKind
from domain.errors import N_
from domain.kernel.standing import RoleName
from domain.pledges.actions import action_kinds
from domain.pledges.dialog import PledgeDialog
from domain.pledges.draft import PledgeRequest
from domain.pledges.one_line import split_one_line
from handlers.common import CommandSpec, command_arguments, private_reader
from handlers.context import Services, TongxinContext
from handlers.dialogs import DialogView
from handlers.feature import SharedServicesOnly
from handlers.pledges.delivery import pledge_button
from handlers.pledges.dialogs import ACTION_VIEWS, PLEDGE_VIEW, begin_pledge, new_draft
from handlers.pledges.group import register_entries

PLEDGE_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("pledge", N_("Pledge money, goods, a service or your time"), RoleName.MEMBER),
    CommandSpec("mypledges", N_("Your pledges and their deliveries"), RoleName.MEMBER),
    CommandSpec("inbox", N_("Deliveries awaiting your confirmation"), RoleName.COORDINATOR),
)


async def pledge(update: Update, context: TongxinContext) -> None:
    """`/pledge` opens the dialog; `/pledge [APPEAL] TEXT` reads a whole pledge in one line.

    One use case: the engine's first unit of work reads the appeal (refused unless the
    person may see it), reads the line, stores the dialog and asks what is still missing.
    """
    reader = await private_reader(update, context)
    message = update.effective_message
    if reader is None or message is None:
        return
    appeal_id, text = split_one_line(command_arguments(message))
    request = PledgeRequest(appeal_id, text, timezone=reader.person.timezone)
    await begin_pledge(update, context, reader, new_draft(context, request))


class PledgeFeature(SharedServicesOnly):
    """The pledge feature area as handlers/setup.py registers it."""

    commands = PLEDGE_COMMANDS

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """The entries first (they take the group and deep-link forms), then /pledge, buttons.

        The dialogs' buttons (`pd:…`) go through the engine's one press route; the photos
        and documents of a delivery report through `delivery.proof_handler` (set up with
        the router).
        """
        register_entries(app)
        app.add_handler(CommandHandler("pledge", pledge))
        app.add_handler(CallbackQueryHandler(pledge_button, pattern=r"^pm:"))

    def views(self) -> Sequence[DialogView]:
        """The pledge dialog's view and the follow-ups'."""
        return [PLEDGE_VIEW, *ACTION_VIEWS]

    def kinds(self, services: Services) -> Sequence[DialogKind[Any]]:
        """The pledge dialog and the /mypledges follow-ups, on the wired pledge service."""
        pledges = services.pledges
        dialog = PledgeDialog(services.clock, pledges.calendar, pledges.amounts)
        return [dialog, *action_kinds(pledges)]
