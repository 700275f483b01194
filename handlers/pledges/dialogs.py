"""The views of the pledge dialogs: the pledge itself and the /mypledges follow-ups."""

from __future__ import annotations

import secrets
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from domain.dialogs.models import Outcome, Pressed, Turn
from domain.errors import N_, DomainError
from domain.kernel.origin import Origin
from domain.pledges.actions import CANCEL, DUE, REPORT, CancelReason, DeliveredPart, NewDate
from domain.pledges.dialog import OK, PLEDGE_CODE, LatePress, Shown
from domain.pledges.draft import DIALOG_KIND, STALE_BUTTON, PledgeDraft, PledgeRequest, Step
from domain.pledges.models import Pledge
from domain.pledges.service import DeliveryReport
from handlers.answered import drop_buttons
from handlers.common import member_of, refuse, reply
from handlers.context import Reader, TongxinContext
from handlers.dialogs import View, show_turn
from handlers.pledge_render import STATUS_NAMES, measure_text, pledge_line
from handlers.pledges.render import (
    CANCELLED,
    EXPIRED,
    THANKS,
    already_recorded,
    asked,
    draft_summary,
    question_text,
    summary_buttons,
)
from handlers.render import escape


class PledgeView(View):
    """The pledge dialog: its questions, the summary, the thank-you, a late Confirm."""

    kind = DIALOG_KIND
    code = PLEDGE_CODE
    expired_note = EXPIRED
    stale_note = STALE_BUTTON

    async def prepare(
        self, update: Update, context: TongxinContext, reader: Reader, press: Pressed
    ) -> Pressed:
        """Before Confirm: is the person in the draft's group now? (Telegram's word.)

        Confirm re-authorises the pledge at the press: a person without a role who came by
        a group's link may pledge only while they are still in that group.
        """
        if press.step != OK:
            return press
        dialog = await context.services.dialog_engine.current(reader.person.id)
        group = dialog.data.get("source_chat_id") if dialog is not None else None
        if dialog is None or dialog.kind != DIALOG_KIND or not isinstance(group, int):
            return press
        if group >= 0 or not await member_of(context, group, reader.person.id):
            return press
        return replace(press, checked=group)

    async def show(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> Message | None:
        """Ask the next question (or show the summary), thank, or answer a late press."""
        if turn.outcome is Outcome.LATE:
            return await self._late(update, reader, turn.result)
        if turn.outcome is Outcome.CANCELLED:
            return await reply(update, escape(reader.t(CANCELLED)))
        if turn.outcome is Outcome.FINISHED:
            pledge = turn.result
            assert isinstance(pledge, Pledge)
            what = pledge_line(reader.language, pledge, reader.translations)
            return await reply(update, escape(reader.t(THANKS, number=pledge.id, what=what)))
        question, draft = turn.question, turn.draft
        assert question is not None and isinstance(draft, PledgeDraft)
        shown = question.shown
        assert isinstance(shown, Shown)
        step = Step(question.step)
        if step is Step.CONFIRM:
            summary = draft_summary(reader, draft, shown.appeal, shown.organisations)
            if shown.heading:
                summary = f"<b>{escape(shown.heading)}</b>\n{summary}"
            return await reply(update, summary, summary_buttons(reader, draft,
                                                                bool(shown.organisations)))
        text, rows = question_text(reader, draft, shown, step)
        return await reply(update, asked(reader, text, shown.heading), _markup(rows))

    @staticmethod
    async def _late(update: Update, reader: Reader, late: LatePress) -> Message | None:
        """A confirmed summary pressed again: no second thank-you, how to cancel instead."""
        query = update.callback_query
        if late.pledge is None:  # the Cancel of a summary older than their tokens
            if query is not None:
                await query.answer()
            return await reply(update, escape(reader.t(CANCELLED)))
        if query is not None:
            text = already_recorded(reader, late.pledge, cancelling=late.cancelling)
            await query.answer(text, show_alert=True)
            await drop_buttons(query)
        return None


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    """The question's keyboard, if it has buttons."""
    return InlineKeyboardMarkup(rows) if rows else None


async def begin_pledge(
    update: Update, context: TongxinContext, reader: Reader, draft: PledgeDraft
) -> None:
    """Open the pledge dialog on `draft` (and its request) and ask its first question.

    One unit of work reads what the request needs, stores the dialog and marks the update;
    a refusal (an appeal the person may not see, an amount that cannot be read) stores nothing.
    """
    engine = context.services.dialog_engine
    try:
        turn = await engine.begin(Origin(reader.person.id, update.update_id), DIALOG_KIND, draft)
    except DomainError as error:
        await refuse(update, reader, error)
        return
    await show_turn(update, context, reader, PLEDGE_VIEW, turn)


def new_draft(
    context: TongxinContext, request: PledgeRequest | None = None, source_chat_id: int | None = None
) -> PledgeDraft:
    """A fresh draft with its own token, in the network's currency until an appeal is chosen."""
    return PledgeDraft(
        token=secrets.token_hex(8),
        currency=context.services.pledges.currency,
        source_chat_id=source_chat_id,
        request=request,
    )


ACTION_QUESTIONS = {
    REPORT: N_(
        "How much was delivered? For example 1000公斤 or 5000元. You may send a photo or "
        "a document as proof, with the amount as its caption."
    ),
    DUE: N_("When will it be delivered now? For example 2026-02-25, 2月25日 or 明天."),
    CANCEL: N_("Why do you cancel? One line is enough."),
}


def report_text(reader: Reader, report: DeliveryReport) -> str:
    """What a recorded delivery report says to the pledger (HTML)."""
    delivered = measure_text(
        reader.language, report.pledge, report.fulfilment.quantity, reader.translations
    )
    text = reader.t(
        N_("Recorded: {delivered} delivered for pledge #{number}. Status: {status}."),
        delivered=delivered,
        number=report.pledge.id,
        status=reader.t(STATUS_NAMES[report.pledge.status]),
    )
    if report.over:
        text += "\n" + reader.t(
            N_("That is more than was still open; it is recorded and a coordinator will check it.")
        )
    return escape(text)


class ActionView(View):
    """A /mypledges follow-up: its one question, then what the answer did."""

    #: closed without a note when abandoned: the pledge itself is unchanged
    expired_note = ""

    def __init__(self, kind: str, code: str) -> None:
        self.kind = kind
        self.code = code

    async def show(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> Message | None:
        """Ask the question, or say what was recorded."""
        if turn.outcome is Outcome.ASKED and turn.question is not None:
            return await reply(update, escape(reader.t(ACTION_QUESTIONS[turn.question.step])))
        result = turn.result
        if isinstance(result, DeliveryReport):
            return await reply(update, report_text(reader, result))
        if not isinstance(result, Pledge):
            return None
        if self.kind == NewDate.name:
            text = reader.t(
                N_("Pledge #{number} will now be delivered by {date}."),
                number=result.id,
                date=str(result.due_date),
            )
        else:
            text = reader.t(N_("Pledge #{number} is cancelled."), number=result.id)
        return await reply(update, escape(text))


PLEDGE_VIEW = PledgeView()
REPORT_VIEW = ActionView(DeliveredPart.name, DeliveredPart.code)
ACTION_VIEWS = (
    REPORT_VIEW,
    ActionView(NewDate.name, NewDate.code),
    ActionView(CancelReason.name, CancelReason.code),
)
