"""/mypledges and /inbox: one message per list, a button per item, paged past a screen.

Telegram takes about one message a second per chat, so a list is never a burst of
messages: it is one message whose buttons open an item (the message is edited into the
item, with a button back). A list of one item shows that item at once. Button data holds
ids and a page number only; every press reads the list again and checks who may see what.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from domain.errors import DomainError
from domain.kernel.origin import Origin
from domain.pledges.models import Fulfilment, FulfilmentState, Pledge, PledgeStatus
from domain.pledges.ports import DeliveryParties
from handlers.common import MAX_TEXT, answer_stale_button, pressed, private_reader, refuse, reply
from handlers.context import Reader, TongxinContext
from handlers.feature import SharedServicesOnly, WithoutDialogs
from handlers.i18n import N_
from handlers.pledge_render import (
    STATUS_NAMES,
    inbox_item,
    measure_text,
    pledge_line,
    review_lines,
)
from handlers.render import button, escape

#: Items on one page at most (one button each, plus a row to turn pages).
PAGE_SIZE = 8
#: A page's text stays below this, leaving room for the heading.
PAGE_TEXT = MAX_TEXT - 300
#: One item's text is cut to this (a long description must not crowd out the rest).
ITEM_TEXT = 700
#: Shown on an item's button at most.
BUTTON_TEXT = 40
View = tuple[str, InlineKeyboardMarkup | None]
LIST_BUTTON = re.compile(r"^(ml|ib):(pg|it):([0-9]{1,12}):([0-9]{1,4})$")


@dataclass(frozen=True)
class Item:
    """One entry of a list: its id for the button, its label and its text (HTML)."""

    id: int
    label: str
    text: str


def pages_of(items: Sequence[Item]) -> list[list[Item]]:
    """Cut a list into pages of at most PAGE_SIZE items and PAGE_TEXT characters."""
    pages: list[list[Item]] = []
    current: list[Item] = []
    size = 0
    for item in items:
        grown = size + len(item.text) + 2
        if current and (len(current) >= PAGE_SIZE or grown > PAGE_TEXT):
            pages.append(current)
            current, grown = [], len(item.text) + 2
        current.append(item)
        size = grown
    if current:
        pages.append(current)
    return pages


def _cut(text: str, limit: int) -> str:
    """Cut plain text (before escaping, so no entity is split) to `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _button(text: str, data: str) -> InlineKeyboardButton:
    """A list's button: its label cut shorter than elsewhere, with an ellipsis."""
    return button(_cut(text, BUTTON_TEXT), data)


def list_page(
    reader: Reader, prefix: str, heading: str, items: Sequence[Item], page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of one page (clamped into range) of a list."""
    pages = pages_of(items)
    page = min(max(page, 0), len(pages) - 1)
    shown = pages[page]
    title = f"<b>{escape(reader.t(heading, count=len(items)))}</b>"
    if len(pages) > 1:
        where = reader.t(N_("(page {page} of {pages})"), page=page + 1, pages=len(pages))
        title += "\n" + escape(where)
    text = "\n\n".join([title, *(item.text for item in shown)])
    rows = [[_button(item.label, f"{prefix}:it:{item.id}:{page}")] for item in shown]
    turn = []
    if page > 0:
        turn.append(_button(reader.t(N_("◀ Previous")), f"{prefix}:pg:{page - 1}:{page - 1}"))
    if page < len(pages) - 1:
        turn.append(_button(reader.t(N_("Next ▶")), f"{prefix}:pg:{page + 1}:{page + 1}"))
    if turn:
        rows.append(turn)
    return text, InlineKeyboardMarkup(rows)


# -- /mypledges -------------------------------------------------------------------------


def _pledge_text(reader: Reader, pledge: Pledge, overdue: bool) -> str:
    language = reader.language
    what = pledge_line(language, pledge, reader.translations)
    lines = [f"<b>#{pledge.id}</b> {escape(_cut(what, ITEM_TEXT))}"]
    status = reader.t(STATUS_NAMES[pledge.status])
    lines.append(escape(reader.t(N_("Status: {status}"), status=status)))
    if pledge.status in (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL):
        amount = measure_text(language, pledge, pledge.open_measure, reader.translations)
        lines.append(escape(reader.t(N_("Still open: {amount}"), amount=amount)))
    lines += review_lines(reader, pledge)
    if pledge.over_delivered:
        lines.append(escape(reader.t(N_("More was delivered than pledged."))))
    if overdue:
        lines.append(escape(reader.t(N_("Overdue since {date}."), date=str(pledge.due_date))))
    return "\n".join(lines)


def _pledge_actions(reader: Reader, pledge: Pledge) -> list[list[InlineKeyboardButton]]:
    if pledge.status not in (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL):
        return []
    return [
        [
            _button(reader.t(N_("Delivered all")), f"pm:all:{pledge.id}"),
            _button(reader.t(N_("Delivered part")), f"pm:part:{pledge.id}"),
        ],
        [
            _button(reader.t(N_("Change the date")), f"pm:due:{pledge.id}"),
            _button(reader.t(N_("Cancel pledge")), f"pm:cancel:{pledge.id}"),
        ],
    ]


async def _my_pledges(context: TongxinContext, reader: Reader) -> tuple[list[Pledge], list[Item]]:
    pledges = await context.services.pledges.mine(reader.person.id)
    today = context.services.pledges.today(reader.person.timezone)
    items = [
        Item(
            pledge.id,
            f"#{pledge.id} {pledge_line(reader.language, pledge, reader.translations)}",
            _pledge_text(reader, pledge, pledge.overdue(today)),
        )
        for pledge in pledges
    ]
    return pledges, items


def _pledge_view(
    reader: Reader, pledges: list[Pledge], items: list[Item], pledge_id: int, page: int | None
) -> View | None:
    for pledge, item in zip(pledges, items, strict=True):
        if pledge.id == pledge_id:
            rows = _pledge_actions(reader, pledge)
            if page is not None:
                rows.append([_button(reader.t(N_("Back to the list")), f"ml:pg:{page}:{page}")])
            return item.text, InlineKeyboardMarkup(rows) if rows else None
    return None


MY_PLEDGES = N_("Your pledges ({count}):")


async def my_pledges(update: Update, context: TongxinContext) -> None:
    """/mypledges: the person's pledges in one message, a button per pledge."""
    reader = await private_reader(update, context)
    if reader is None:
        return
    pledges, items = await _my_pledges(context, reader)
    await context.services.network.mark_update(update.update_id)
    if not pledges:
        await reply(update, escape(reader.t(N_("You have no pledges yet. Send /pledge."))))
        return
    if len(pledges) == 1:
        view = _pledge_view(reader, pledges, items, pledges[0].id, None)
        assert view is not None
        await reply(update, *view)
        return
    await reply(update, *list_page(reader, "ml", MY_PLEDGES, items, 0))


# -- /inbox -----------------------------------------------------------------------------


Report = tuple[Pledge, Fulfilment, DeliveryParties]


async def _awaiting(context: TongxinContext, reader: Reader) -> list[Report]:
    """The delivery reports awaiting this coordinator (refused with DomainError if none may)."""
    services = context.services
    pledges = await services.pledges.inbox(Origin(reader.person.id))
    parties = await services.pledges.delivery_parties(pledges) if pledges else {}
    return [
        (pledge, f, parties[pledge.id])
        for pledge in pledges
        for f in pledge.fulfilments
        if f.state is FulfilmentState.REPORTED
    ]


def _report_view(reader: Reader, report: Report, page: int | None) -> View:
    text, markup = inbox_item(reader, *report)
    rows = [list(row) for row in markup.inline_keyboard]
    if page is not None:
        rows.append([_button(reader.t(N_("Back to the list")), f"ib:pg:{page}:{page}")])
    return text, InlineKeyboardMarkup(rows)


def _report_items(reader: Reader, awaiting: list[Report]) -> list[Item]:
    return [
        Item(
            report.id,
            f"#{pledge.id} "
            f"{measure_text(reader.language, pledge, report.quantity, reader.translations)}",
            inbox_item(reader, pledge, report, parties)[0],
        )
        for pledge, report, parties in awaiting
    ]


INBOX = N_("Deliveries awaiting your confirmation ({count}):")


async def inbox(update: Update, context: TongxinContext) -> None:
    """/inbox: delivery reports awaiting the coordinator, in one message, a button each."""
    reader = await private_reader(update, context)
    if reader is None:
        return
    try:
        awaiting = await _awaiting(context, reader)
    except DomainError as error:
        await refuse(update, reader, error)
        return
    await context.services.network.mark_update(update.update_id)
    if not awaiting:
        await reply(update, escape(reader.t(N_("Nothing awaits your confirmation."))))
        return
    if len(awaiting) == 1:
        await reply(update, *_report_view(reader, awaiting[0], None))
        return
    await reply(update, *list_page(reader, "ib", INBOX, _report_items(reader, awaiting), 0))


# -- turning pages and opening items -------------------------------------------------------


async def list_button(update: Update, context: TongxinContext) -> None:
    """A press on a list: turn its page or open one item (both edit the list message)."""
    press = await pressed(update, context, LIST_BUTTON, ids=(3,))
    if press is None:
        return
    query, reader, match = press
    which, action, number, page = match.group(1), match.group(2), int(match.group(3)), int(
        match.group(4)
    )
    view: View | None
    if which == "ml":
        pledges, items = await _my_pledges(context, reader)
        if action == "pg":
            view = list_page(reader, "ml", MY_PLEDGES, items, number) if items else None
        else:
            view = _pledge_view(reader, pledges, items, number, page)
    else:
        try:
            awaiting = await _awaiting(context, reader)
        except DomainError as error:
            await refuse(update, reader, error)
            return
        if action == "pg":
            items = _report_items(reader, awaiting)
            view = list_page(reader, "ib", INBOX, items, number) if items else None
        else:
            found = [report for report in awaiting if report[1].id == number]
            view = _report_view(reader, found[0], page) if found else None
    if view is None:
        # Not (or no longer) in this person's list: someone else's, done, or forged.
        await answer_stale_button(update, reader)
        return
    await query.answer()
    message = query.message
    text, markup = view
    if message is not None and getattr(message, "text_html", None) == text:
        return  # the same view again: an edit would change nothing
    try:
        await query.edit_message_text(
            text, parse_mode="HTML", reply_markup=markup, disable_web_page_preview=True
        )
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


class ListsFeature(SharedServicesOnly, WithoutDialogs):
    """One's pledges (/mypledges) and a coordinator's inbox of reported deliveries."""

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Register /mypledges, /inbox and their list buttons."""
        app.add_handler(CommandHandler("mypledges", my_pledges))
        app.add_handler(CommandHandler("inbox", inbox))
        app.add_handler(CallbackQueryHandler(list_button, pattern=r"^(ml|ib):"))
