"""Managing a published appeal in chat: edit, extend, close (with totals), reopen, resend."""

from __future__ import annotations

import re
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from domain.appeals.models import Appeal
from domain.appeals.ports import ClosingTotals, MoneyTotal, NeedTotal
from domain.dialogs import Dialog
from domain.errors import N_, DomainError
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.network.models import Language, RoleName
from domain.parsing.integers import parse_id
from handlers.answered import drop_buttons
from handlers.appeals import AppealFlow
from handlers.common import (
    CommandSpec,
    answer_stale_button,
    command_arguments,
    pressed,
    private_reader,
    refuse,
    reply,
)
from handlers.context import Reader, TongxinContext
from handlers.i18n import Translations
from handlers.render import escape, money_text, quantity_text

MANAGE_KIND = "appeal_manage"
MANAGE_BUTTON = re.compile(
    r"^am:(edit|extend|close|closeok|keep|reopen|resend):([0-9]{1,19})$"
)

ZERO = Decimal(0)
MANAGE_COMMANDS = (CommandSpec("reopen", N_("Reopen a closed appeal"), RoleName.ADMIN),)


class ClosingText:
    """The closing line the groups get (the domain's `ClosingRenderer`): totals, no names."""

    def __init__(self, translations: Translations, language: Language) -> None:
        self._translations = translations
        self._language = language

    def _t(self, message: str, **params: object) -> str:
        return self._translations.translate(self._language, message, **params)

    def _quantity(self, value: Decimal, unit: str) -> str:
        return quantity_text(self._language, value, unit)

    def _money(self, minor: int, currency: str) -> str:
        return money_text(self._language, minor, currency)

    def __call__(self, appeal: Appeal, totals: ClosingTotals) -> str:
        """The closing message (HTML): money per currency, each need against its target."""
        lines = [
            "<b>" + escape(self._t(N_("Appeal #{number} {title} is closed. Thank you!"),
                                   number=appeal.id, title=appeal.title)) + "</b>",
            escape(self._t(N_("Final totals:"))),
        ]
        money = {m.currency: m for m in totals.money}
        if appeal.money_target_minor is not None and appeal.currency not in money:
            money[appeal.currency] = MoneyTotal(appeal.currency, 0, 0)
        for currency, total in money.items():
            pledged, delivered = total.pledged_minor, total.delivered_minor
            line = self._t(
                N_("Money: pledged {pledged}, delivered {delivered}"),
                pledged=self._money(pledged, currency),
                delivered=self._money(delivered, currency),
            )
            if currency == appeal.currency and appeal.money_target_minor is not None:
                target = self._money(appeal.money_target_minor, currency)
                line = self._t(N_("{line} (target {target})"), line=line, target=target)
            lines.append("• " + escape(line))
        needs = {n.need_id: n for n in totals.needs}
        for need in appeal.needs:
            found = needs.get(need.id)
            line = self._t(
                N_("{item}: pledged {pledged}, delivered {delivered} (target {target})"),
                item=need.item,
                pledged=self._quantity(found.pledged if found else ZERO, need.unit),
                delivered=self._quantity(found.delivered if found else ZERO, need.unit),
                target=self._quantity(need.target, need.unit),
            )
            if found is not None:
                line += self._beside(appeal, found)
            lines.append("• " + escape(line))
        return "\n".join(lines)

    def _beside(self, appeal: Appeal, found: NeedTotal) -> str:
        """What counts towards a need beside its quantity: volunteer hours, goods by value."""
        extra = ""
        if found.hours:
            extra += self._t(
                N_("; volunteer time: {hours} pledged, {done} given"),
                hours=self._quantity(found.hours, "hour"),
                done=self._quantity(found.hours_delivered, "hour"),
            )
        if found.value_minor:
            extra += self._t(
                N_("; besides, goods worth {value} with no quantity given ({done} delivered)"),
                value=self._money(found.value_minor, appeal.currency),
                done=self._money(found.value_delivered_minor, appeal.currency),
            )
        return extra


class AppealManageHandlers:
    """The appeal buttons of /appeals and /reopen; permission checked on the presser, now."""

    def __init__(self, flow: AppealFlow) -> None:
        self._flow = flow

    def closing(self, context: TongxinContext) -> ClosingText:
        """The closing-line writer, in the groups' language."""
        services = context.services
        return ClosingText(services.translations, services.default_language)

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers to the application."""
        app.add_handler(CallbackQueryHandler(self.manage_button, pattern=r"^am:"))
        app.add_handler(CommandHandler("reopen", self.reopen_command))

    async def manage_button(self, update: Update, context: TongxinContext) -> None:
        """Edit, extend, close (asked first), reopen or resend one appeal."""
        press = await pressed(update, context, MANAGE_BUTTON, ids=(2,))
        if press is None:
            return
        query, reader, match = press
        action, appeal_id = match.group(1), int(match.group(2))
        services = context.services
        origin = Origin(reader.person.id, update.update_id)
        try:
            if action == "reopen":
                await self._reopen(update, context, reader, appeal_id)
                return
            appeal = await services.appeals.get(appeal_id)
            if not await services.appeals.may_manage(reader.person.id, appeal):
                await answer_stale_button(update, reader)
                return
            if action in ("closeok", "keep") and not appeal.is_open:
                # the close question, answered before (or the appeal closed meanwhile)
                await query.answer(
                    reader.t(N_("Appeal #{number} is already closed."), number=appeal.id),
                    show_alert=True,
                )
                await drop_buttons(query)
                return
            if action == "keep":
                await query.edit_message_text(
                    escape(reader.t(N_("Appeal #{number} stays open."), number=appeal.id))
                )
                await query.answer()
                return
            if action == "close":
                await self._ask_to_close(update, reader, appeal)
                return
            if action == "closeok":
                await services.appeals.close(
                    origin, appeal_id, self._flow.renderer(context), self.closing(context)
                )
                rows = []
                if (await services.network.standing(reader.person.id)).is_admin:
                    rows = [[InlineKeyboardButton(
                        reader.t(N_("Reopen")), callback_data=f"am:reopen:{appeal_id}"
                    )]]
                await query.edit_message_text(
                    escape(reader.t(N_("Appeal #{number} is closed; the groups get the final "
                                       "totals."), number=appeal_id)),
                    reply_markup=InlineKeyboardMarkup(rows) if rows else None,
                )
                await query.answer()  # after the edit: the presser sees both together
                return
            if action == "resend":
                count = await services.appeals.resend(
                    origin, appeal_id, self._flow.renderer(context)
                )
                await query.answer()
                text = (
                    reader.t(N_("Appeal #{number} goes to {count} more groups."),
                             number=appeal_id, count=count)
                    if count
                    else reader.t(N_("Every group of appeal #{number} has it already."),
                                  number=appeal_id)
                )
                await reply(update, escape(text))
                return
            if not appeal.is_open:
                await query.answer(reader.t(N_("This appeal is closed.")), show_alert=True)
                return
        except AlreadyProcessed:
            await query.answer()
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        await services.dialogs.start(
            reader.person.id, MANAGE_KIND, {"appeal_id": appeal_id, "action": action}
        )
        await query.answer()
        question = (
            N_("Send the new text of the appeal.")
            if action == "edit"
            else N_("Until when? e.g. 2月20日, 2026-02-20, 5天后 or in 5 days.")
        )
        await reply(update, escape(reader.t(question)))

    async def _ask_to_close(self, update: Update, reader: Reader, appeal: Appeal) -> None:
        query = update.callback_query
        assert query is not None
        if not appeal.is_open:
            await query.answer(
                reader.t(N_("Appeal #{number} is already closed."), number=appeal.id),
                show_alert=True,
            )
            return
        await query.answer()
        markup = InlineKeyboardMarkup(
            [[
                InlineKeyboardButton(reader.t(N_("Yes, close it")),
                                     callback_data=f"am:closeok:{appeal.id}"),
                InlineKeyboardButton(reader.t(N_("Keep it open")),
                                     callback_data=f"am:keep:{appeal.id}"),
            ]]
        )
        await reply(
            update,
            escape(reader.t(N_("Close appeal #{number} {title}? It takes no more pledges and "
                               "the groups get the final totals."),
                            number=appeal.id, title=appeal.title)),
            markup,
        )

    async def _reopen(
        self, update: Update, context: TongxinContext, reader: Reader, appeal_id: int
    ) -> None:
        appeal = await context.services.appeals.reopen(
            Origin(reader.person.id, update.update_id), appeal_id, self._flow.renderer(context)
        )
        text = escape(reader.t(N_("Appeal #{number} is open again; the groups' messages will "
                                  "say so."), number=appeal.id))
        if update.callback_query is not None:
            await update.callback_query.answer()
            await drop_buttons(update.callback_query)  # the Reopen button is used up
        await reply(update, text)

    async def reopen_command(self, update: Update, context: TongxinContext) -> None:
        """`/reopen N` (admins): reopen a closed appeal."""
        reader = await private_reader(update, context)
        message = update.effective_message
        if reader is None or message is None:
            return
        appeal_id = parse_id(command_arguments(message).lstrip("#"))
        if appeal_id is None:
            await reply(update, escape(reader.t(N_("Write the appeal's number: /reopen 12"))))
            return
        try:
            await self._reopen(update, context, reader, appeal_id)
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)


class AppealManageFlow:
    """The one-answer dialog after "edit text" or "extend deadline"."""

    kind = MANAGE_KIND

    def __init__(self, flow: AppealFlow) -> None:
        self._flow = flow

    async def on_text(
        self, update: Update, context: TongxinContext, reader: Reader, dialog: Dialog
    ) -> None:
        """Apply the new text or deadline; either way the groups' messages are edited."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        services = context.services
        origin = Origin(reader.person.id, update.update_id)
        appeal_id = int(dialog.data["appeal_id"])
        render = self._flow.renderer(context)
        try:
            if dialog.data.get("action") == "edit":
                count = await services.appeals.edit_text(origin, appeal_id, message.text, render)
                answer = reader.t(
                    N_("The text was changed; {count} group messages will be edited."),
                    count=count,
                )
            else:
                appeal, count = await services.appeals.extend_deadline(
                    origin, appeal_id, message.text, render
                )
                deadline = appeal.deadline.isoformat() if appeal.deadline else "—"
                answer = reader.t(
                    N_("Deadline: {date}; {count} group messages will be edited."),
                    date=deadline,
                    count=count,
                )
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        await services.dialogs.close(reader.person.id)
        await reply(update, escape(answer))

    async def on_expired(self, context: TongxinContext, dialog: Dialog) -> None:
        """Nothing to say: the appeal is unchanged."""


def manage_flows() -> list[AppealManageFlow]:
    """The appeal-managing dialogs for the router."""
    return [AppealManageFlow(AppealFlow())]
