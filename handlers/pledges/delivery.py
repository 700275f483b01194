"""Tracking one's pledge after /mypledges: delivered all or part (with a proof), a new date, cancel.

"Delivered all" is recorded at once; the other buttons begin a one-question dialog on the
engine (domain/pledges/actions.py) whose answer is typed, or for a delivery sent as a photo
or document with the amount as its caption.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from domain.dialogs.engine import OneAnswer
from domain.errors import N_
from domain.pledges.actions import ACTION_KINDS, CANCEL, DUE, REPORT, CancelReason, NewDate
from domain.pledges.draft import DIALOG_KIND
from handlers.common import attempt, item_pressed, reader_for, reply
from handlers.context import TongxinContext
from handlers.dialogs import DialogRouter
from handlers.pledges.dialogs import ACTION_VIEWS, report_text
from handlers.render import escape

PLEDGE_BUTTON = re.compile(r"^pm:(all|part|due|cancel):([0-9]{1,19})$")
#: the follow-up question each /mypledges button asks
_ACTIONS = {"part": REPORT, "due": DUE, "cancel": CANCEL}
_VIEWS = {view.kind: view for view in ACTION_VIEWS}
#: dialogs that take no file: a proof sent during them is not theirs
TYPED_ONLY = frozenset({DIALOG_KIND, NewDate.name, CancelReason.name})
PROOF_FIRST = N_("To send a proof of delivery, choose “Delivered part” under /mypledges first.")


async def pledge_button(update: Update, context: TongxinContext) -> None:
    """Report all, or ask how much, which date or why; others' pledges are refused."""
    press = await item_pressed(update, context, PLEDGE_BUTTON)
    if press is None:
        return
    services, reader = context.services, press.reader
    if press.action == "all":
        reported = services.pledges.report_delivery(press.origin, press.item, None)
        report = await attempt(update, context, reader, reported, claims=False)
        if report is None:
            return
        await reply(update, report_text(reader, report))
        await press.query.answer()
        return
    action = _ACTIONS[press.action]
    kind = ACTION_KINDS[action]
    begun = services.dialog_engine.begin(press.origin, kind.name, OneAnswer(action, press.item))
    turn = await attempt(update, context, reader, begun)
    if turn is None:
        return
    await _VIEWS[kind.name].show(update, context, reader, turn)
    await press.query.answer()


def proof_handler(
    router: DialogRouter,
) -> Callable[[Update, TongxinContext], Coroutine[Any, Any, None]]:
    """The handler of photos and documents in private: to the dialog that takes one.

    A dialog that takes a file (a delivery's "how much", a reminder's) gets it; during the
    pledge dialog and its typed follow-ups, or with no dialog, the bot says how to send a
    proof of delivery.
    """

    async def proof(update: Update, context: TongxinContext) -> None:
        """A photo or document while reporting a delivery: the proof, amount in the caption."""
        reader = await reader_for(update, context)
        if reader is None:
            return
        dialog = await context.services.dialog_engine.current(reader.person.id)
        typed_only = dialog is not None and dialog.kind in TYPED_ONLY
        if typed_only or not await router.on_private_file(update, context):
            await reply(update, escape(reader.t(PROOF_FIRST)))

    return proof
