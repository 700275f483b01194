"""The offer dialog as Telegram shows it: each question, the summary and the thank-you."""

from __future__ import annotations

from telegram import Message, Update

from domain.dialogs.models import Outcome, Turn
from domain.offers.draft import DIALOG_CODE, DIALOG_KIND, OfferDraft, Step
from domain.offers.models import Offer
from handlers.answered import drop_buttons
from handlers.common import reply
from handlers.context import Reader, TongxinContext
from handlers.dialogs import View
from handlers.i18n import N_
from handlers.offers.render import (
    draft_summary,
    question_markup,
    question_text,
    summary_markup,
    thanks_text,
)
from handlers.render import escape

CANCELLED = N_("Cancelled. Nothing was saved.")


class OfferView(View):
    """Shows the offer dialog's turns; the engine does stale buttons, /cancel and expiry."""

    kind = DIALOG_KIND
    code = DIALOG_CODE
    expired_note = N_("Your unfinished offer expired after 24 hours; nothing was saved.")

    async def show(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> Message | None:
        """Ask the question the draft lacks, or thank for the offer, or say it was cancelled."""
        if turn.outcome is Outcome.CANCELLED:
            return await reply(update, escape(reader.t(CANCELLED)))
        if turn.outcome in (Outcome.FINISHED, Outcome.LATE):
            return await self._thank(update, reader, turn)
        assert turn.question is not None and isinstance(turn.draft, OfferDraft)
        step = Step(turn.question.step)
        if step is Step.CONFIRM:
            draft = turn.draft
            return await reply(update, draft_summary(reader, draft), summary_markup(reader, draft))
        return await reply(update, question_text(reader, step), question_markup(reader, step))

    async def _thank(self, update: Update, reader: Reader, turn: Turn) -> Message | None:
        """The thank-you for the recorded offer (again for a second Confirm, which adds none)."""
        offer = turn.result
        assert isinstance(offer, Offer)
        query = update.callback_query
        if turn.outcome is Outcome.LATE and query is not None:
            await query.answer()
            await drop_buttons(query)
        return await reply(update, thanks_text(reader, offer))
