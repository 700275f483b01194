"""/overdue [APPEAL]: who has not delivered, oldest due date first, paged; "open" a pledge.

The reminders feature adds its "remind now" button to an opened pledge through
`PledgeAction`s given to `TotalsHandlers` (see `handlers/setup.py`): this module builds no
reminder itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from domain.appeals.models import Appeal
from domain.errors import N_, DomainError
from domain.parsing.integers import parse_id
from domain.pledges.models import Pledge, PledgeKind
from domain.privacy.models import AuditEntry
from domain.totals.ports import OverduePledge
from handlers.audit_words import action_text
from handlers.common import (
    answer_stale_button,
    pressed,
    refuse,
    reply,
)
from handlers.context import Reader, TongxinContext
from handlers.render import escape, style_for
from handlers.totals.asking import appeal_perhaps_asked
from handlers.totals.names import NameOf
from handlers.totals.render import money_text, quantity_text

#: `to:APPEAL:PAGE` a page of the list; `to:APPEAL:PAGE:PLEDGE` one pledge opened from it.
OVERDUE_BUTTON = re.compile(r"^to:([0-9]{1,19}):([0-9]{1,4})(?::([0-9]{1,19}))?$")
#: A button an opened overdue pledge also gets (e.g. the reminders' "remind now"), or None.
PledgeAction = Callable[[Reader, Pledge], InlineKeyboardButton | None]


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def _promised(reader: Reader, kind: str, measure: Decimal, unit: str, currency: str) -> str:
    style = style_for(reader.language)
    if kind == PledgeKind.MONEY.value:
        return money_text(int(measure), currency, style)
    return quantity_text(measure, unit, style)


class OverdueText:
    """The overdue list, its pages and an opened pledge, for one reader."""

    def __init__(self, reader: Reader, actions: Sequence[PledgeAction] = ()) -> None:
        self.reader = reader
        self._actions = actions
        self._names = NameOf(reader)

    def overview(self, found: list[tuple[Appeal, int]]) -> tuple[str, InlineKeyboardMarkup | None]:
        """One line per open appeal in scope with how many of its pledges are overdue."""
        t = self.reader.t
        if not found:
            return escape(t(N_("There is no open appeal you can chase pledges of."))), None
        lines = [escape(t(N_("Overdue pledges per appeal:")))]
        rows = []
        for appeal, count in found:
            lines.append("• " + escape(t(N_("#{number} {title}: {count} overdue"),
                                         number=appeal.id, title=appeal.title, count=count)))
            if count:
                rows.append([_button(f"#{appeal.id} {appeal.title}"[:60], f"to:{appeal.id}:0")])
        return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None

    def page(
        self, appeal: Appeal, page: int, found: list[OverduePledge], more: bool
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """One page of an appeal's overdue pledges, each with its "open" button."""
        t = self.reader.t
        head = t(N_("Overdue pledges of appeal #{number} {title}, page {page}:"),
                 number=appeal.id, title=appeal.title, page=page + 1)
        if not found:
            return escape(t(N_("No pledge of appeal #{number} is overdue."),
                            number=appeal.id)), None
        lines = ["<b>" + escape(head) + "</b>"]
        rows = []
        for index, late in enumerate(found, start=1):
            name = late.person_name or t(N_("a forgotten person"))
            lines.append(escape(t(
                N_("{index}. {name}: {item} {promised}, delivered {delivered}; due {date}"),
                index=index, name=name, item=late.item or self._names.kind(PledgeKind(late.kind)),
                promised=_promised(self.reader, late.kind, late.measure, late.unit, late.currency),
                delivered=_promised(self.reader, late.kind, late.delivered, late.unit,
                                    late.currency),
                date=late.due_date.isoformat(),
            )))
            rows.append(_button(t(N_("Open {index}"), index=index),
                                f"to:{appeal.id}:{page}:{late.pledge_id}"))
        keyboard = [rows[i:i + 4] for i in range(0, len(rows), 4)]
        turn = []
        if page > 0:
            turn.append(_button("‹ " + t(N_("Earlier")), f"to:{appeal.id}:{page - 1}"))
        if more:
            turn.append(_button(t(N_("Later")) + " ›", f"to:{appeal.id}:{page + 1}"))
        if turn:
            keyboard.append(turn)
        return "\n".join(lines), InlineKeyboardMarkup(keyboard)

    def pledge(
        self, appeal: Appeal, page: int, pledge: Pledge, history: list[AuditEntry]
    ) -> tuple[str, InlineKeyboardMarkup]:
        """An opened pledge: what was promised, its deliveries, its history; back to the list."""
        t, names = self.reader.t, self._names
        unit, currency = pledge.unit, pledge.currency
        lines = ["<b>" + escape(t(N_("Pledge #{number}"), number=pledge.id)) + "</b>",
                 escape(t(N_("{kind}: {what}; {status}; due {date}"),
                          kind=names.kind(pledge.kind),
                          what=" ".join(part for part in (
                              pledge.item or pledge.description,
                              _promised(self.reader, pledge.kind.value, pledge.measure, unit,
                                        currency),
                          ) if part),
                          status=names.status(pledge.status),
                          date=pledge.due_date.isoformat() if pledge.due_date else "—"))]
        lines.append(escape(t(N_("Deliveries:"))) if pledge.fulfilments
                     else escape(t(N_("No delivery reported yet."))))
        for delivery in pledge.fulfilments:
            lines.append("• " + escape(t(
                N_("{date}: {quantity} ({state})"), date=delivery.reported_at.date().isoformat(),
                quantity=_promised(self.reader, pledge.kind.value, delivery.quantity, unit,
                                   currency),
                state=names.state(delivery.state.value),
            )))
        if history:
            lines.append(escape(t(N_("History:"))))
        for entry in history:
            change = " → ".join(names.stored(v) for v in (entry.before, entry.after) if v)
            action = action_text(self.reader, entry.action)
            lines.append("• " + escape(f"{entry.at.date().isoformat()} {action} {change}"
                                       .strip()[:200]))
        extra = [button for action in self._actions
                 if (button := action(self.reader, pledge)) is not None]
        rows = [extra] if extra else []
        rows.append([_button("‹ " + t(N_("Back to the list")), f"to:{appeal.id}:{page}")])
        return "\n".join(lines), InlineKeyboardMarkup(rows)


class OverdueHandlers:
    """`/overdue` and its buttons; the service decides the scope again at every press."""

    def __init__(self, actions: Sequence[PledgeAction] = ()) -> None:
        self._actions = actions

    async def command(self, update: Update, context: TongxinContext) -> None:
        """`/overdue`: per appeal how many are overdue; `/overdue N`: the first page."""
        asked = await appeal_perhaps_asked(update, context, "overdue")
        if asked is None:
            return
        reader, number = asked
        service, text = context.services.totals, OverdueText(reader, self._actions)
        try:
            if number is None:
                await reply(update, *text.overview(await service.overdue_overview(
                    reader.person.id)))
                return
            appeal, found, more = await service.overdue(reader.person.id, number, 0)
        except DomainError as error:
            await refuse(update, reader, error)
            return
        await reply(update, *text.page(appeal, 0, found, more))

    async def pressed(self, update: Update, context: TongxinContext) -> None:
        """A page turned, a pledge opened, or back to the list: the message is edited."""
        press = await pressed(update, context, OVERDUE_BUTTON, ids=(1,))
        if press is None:
            return
        query, reader, match = press
        appeal_id, page = int(match.group(1)), int(match.group(2))
        service, text = context.services.totals, OverdueText(reader, self._actions)
        shown: tuple[str, InlineKeyboardMarkup | None]
        try:
            if match.group(3) is not None:
                pledge_id = parse_id(match.group(3))
                if pledge_id is None:
                    await answer_stale_button(update, reader)
                    return
                appeal, pledge, history = await service.overdue_pledge(
                    reader.person.id, appeal_id, pledge_id
                )
                shown = text.pledge(appeal, page, pledge, history)
            else:
                appeal, found, more = await service.overdue(reader.person.id, appeal_id, page)
                if not found and page > 0:
                    await query.answer(reader.t(N_("This button is no longer valid.")),
                                       show_alert=True)
                    return
                shown = text.page(appeal, page, found, more)
        except DomainError as error:
            await refuse(update, reader, error)
            return
        await query.edit_message_text(shown[0], parse_mode="HTML", reply_markup=shown[1])
        await query.answer()
