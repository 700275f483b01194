"""Appeals in chat: /appeal (the dialog on the engine), /appeals and the managing buttons."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import Application, CommandHandler

from domain.appeals.dialog import AppealKind, AppealManageKind
from domain.appeals.draft import AppealDraft
from domain.appeals.models import Appeal
from domain.dialogs.engine import DialogKind
from domain.errors import N_
from domain.kernel.standing import RoleName
from handlers.appeals.dialogs import AppealManageView, AppealView, group_renderer
from handlers.appeals.manage import MANAGE_COMMANDS, AppealManageHandlers
from handlers.appeals.render import manage_keyboard
from handlers.common import (
    CommandSpec,
    is_private,
    member_of,
    private_reader,
    reply,
)
from handlers.context import Reader, Services, TongxinContext
from handlers.dialogs import DialogView, begin_dialog
from handlers.feature import SharedServicesOnly
from handlers.render import escape

APPEAL_COMMANDS = (
    CommandSpec("appeal", N_("Write an appeal to the network's groups"), RoleName.COORDINATOR),
    CommandSpec("appeals", N_("Open appeals"), RoleName.MEMBER),
)
#: /appeals shows at most this many open appeals
MAX_LISTED = 20
#: A button another feature adds to an appeal its coordinator manages (see handlers/setup.py).
AppealAction = Callable[[Reader, Appeal], InlineKeyboardButton]


class AppealsFeature(SharedServicesOnly):
    """The appeals area: writing one, listing the open ones, managing a published one."""

    commands: tuple[CommandSpec, ...] = APPEAL_COMMANDS + MANAGE_COMMANDS

    def __init__(self, appeal_actions: Sequence[AppealAction] = ()) -> None:
        # buttons other features add to an appeal its coordinator manages (its reminders)
        self._appeal_actions = appeal_actions
        self.view = AppealView()
        self.manage_view = AppealManageView()
        self._manage = AppealManageHandlers(self.manage_view)

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """/appeal, /appeals, /reopen and the managing buttons (`am:`)."""
        app.add_handler(CommandHandler("appeal", self.appeal))
        app.add_handler(CommandHandler("appeals", self.appeals))
        self._manage.register(app)

    def views(self) -> Sequence[DialogView]:
        """The appeal dialog's view and the managing question's."""
        return [self.view, self.manage_view]

    def kinds(self, services: Services) -> Sequence[DialogKind[Any]]:
        """The appeal dialog and the managing question, rendering for this bot's groups."""
        render = group_renderer(services)
        return [
            AppealKind(services.appeals, render, services.clock),
            AppealManageKind(services.appeals, render),
        ]

    async def appeal(self, update: Update, context: TongxinContext) -> None:
        """Start an appeal draft (coordinators and admins, private chat)."""
        reader = await private_reader(update, context)
        if reader is None:
            return
        draft = AppealDraft(key=secrets.token_hex(8), currency=context.services.appeals.currency)
        await begin_dialog(update, context, reader, self.view, draft)

    async def appeals(self, update: Update, context: TongxinContext) -> None:
        """List open appeals; coordinators get edit/extend/close buttons on theirs."""
        reader = await private_reader(update, context)
        if reader is None:
            return
        services = context.services
        groups = [
            chat_id
            for chat_id in await services.appeals.groups_of_unseen(reader.person.id)
            if await member_of(context, chat_id, reader.person.id)
        ]
        found = await services.appeals.visible_appeals(reader.person.id, groups)
        if not found:
            await reply(update, escape(reader.t(N_("There are no open appeals."))))
            return
        for appeal in found[:MAX_LISTED]:
            deadline = appeal.deadline.isoformat() if appeal.deadline else "—"
            text = f"#{appeal.id} <b>{escape(appeal.title)}</b>\n" + escape(
                reader.t(N_("Deadline: {date}"), date=deadline)
            )
            markup = None
            if is_private(update) and await services.appeals.may_manage(reader.person.id, appeal):
                more = [action(reader, appeal) for action in self._appeal_actions]
                markup = manage_keyboard(reader, appeal.id, more)
            await reply(update, text, markup)
