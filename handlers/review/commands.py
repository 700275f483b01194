"""The delivery review in chat: confirm receipt, question a report, answer a question.

Each step changes what both sides see: the coordinator's notice is edited to show the new
status (its buttons go), the member is told, and /mypledges shows where the pledge stands.
"Question it" and "Answer" begin a one-question dialog on the engine (`dialogs.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application

from domain.dialogs.engine import DialogKind
from domain.errors import N_
from domain.pledges.review_dialog import (
    DeliveryAnswerKind,
    DeliveryQuestionKind,
    delivery_answer,
    delivery_question,
)
from handlers.common import CommandSpec, add_commands, attempt, item_pressed, pressed
from handlers.context import Reader, Services, TongxinContext
from handlers.dialogs import DialogView, begin_dialog
from handlers.feature import SharedServicesOnly
from handlers.pledge_render import STATUS_NAMES, delivery_text, review_buttons
from handlers.review.dialogs import AnswerView, QuestionView
from handlers.review.render import has_media, html_of, kept_notice, show_status

REVIEW_BUTTON = re.compile(r"^pf:(ok|q|see):([0-9]{1,19})$")
ANSWER_BUTTON = re.compile(r"^pa:([0-9]{1,19})$")


class ReviewHandlers(SharedServicesOnly):
    """The buttons of a delivery notice and of a member's question (a `Feature`)."""

    commands: tuple[CommandSpec, ...] = ()

    def __init__(self) -> None:
        self._question = QuestionView()
        self._answer = AnswerView()

    def views(self) -> Sequence[DialogView]:
        """The question's and the answer's views."""
        return [self._question, self._answer]

    def kinds(self, services: Services) -> Sequence[DialogKind[Any]]:
        """The question and the answer, acting through the pledges' delivery review."""
        return [DeliveryQuestionKind(services.pledges), DeliveryAnswerKind(services.pledges)]

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Add the handlers to the application."""
        add_commands(app, {}, {"pf": self.review_button, "pa": self.answer_button})

    async def review_button(self, update: Update, context: TongxinContext) -> None:
        """Confirm receipt, question, or show the proof (scope checked on the presser, now)."""
        press = await item_pressed(update, context, REVIEW_BUTTON)
        if press is None:
            return
        query, reader, action, fulfilment_id, origin = press
        if action == "q":
            draft = delivery_question(fulfilment_id, kept_notice(query.message))
            await begin_dialog(update, context, reader, self._question, draft)
            return
        if action == "see":
            shown = self._show_proof(update, context, reader, fulfilment_id)
            await attempt(update, context, reader, shown, claims=False)
            return
        confirmed = context.services.pledges.review_delivery(origin, fulfilment_id, True)
        pledge = await attempt(
            update, context, reader, confirmed, claims=False, answer_replay=True
        )
        if pledge is None:
            return
        status = reader.t(
            N_("Receipt confirmed by {who}. Pledge #{number} is now: {status}."),
            who=reader.person.name,
            number=pledge.id,
            status=reader.t(STATUS_NAMES[pledge.status]),
        )
        await query.answer(
            reader.t(
                N_("Pledge #{number} is now: {status}."),
                number=pledge.id,
                status=reader.t(STATUS_NAMES[pledge.status]),
            )
        )
        message = query.message
        if isinstance(message, Message):
            await show_status(
                context, message.chat.id, message.message_id, html_of(message),
                has_media(message), status,
            )

    async def answer_button(self, update: Update, context: TongxinContext) -> None:
        """The member's Answer under a question: ask for the answer (their own pledge only)."""
        press = await pressed(update, context, ANSWER_BUTTON, ids=(1,))
        if press is None:
            return
        query, reader, match = press
        kept = {"message_id": query.message.message_id} if query.message is not None else {}
        draft = delivery_answer(int(match.group(1)), kept)
        await begin_dialog(update, context, reader, self._answer, draft)

    async def _show_proof(
        self, update: Update, context: TongxinContext, reader: Reader, fulfilment_id: int
    ) -> None:
        """Send the member's proof back as it came (photo or document), the report as caption."""
        services = context.services
        pledge = await services.pledges.reviewable(reader.person.id, fulfilment_id)
        fulfilment = next((f for f in pledge.fulfilments if f.id == fulfilment_id), None)
        query = update.callback_query
        assert query is not None
        if fulfilment is None or not fulfilment.proof_file_id:
            await query.answer(reader.t(N_("This report came without a proof.")), show_alert=True)
            return
        parties = (await services.pledges.delivery_parties([pledge]))[pledge.id]
        caption = delivery_text(reader.language, services.translations, pledge, fulfilment,
                                parties)
        markup = InlineKeyboardMarkup(review_buttons(reader, fulfilment_id))
        await query.answer()
        if fulfilment.proof_kind is not None and fulfilment.proof_kind.value == "photo":
            await context.bot.send_photo(
                reader.person.id, fulfilment.proof_file_id, caption=caption,
                parse_mode=ParseMode.HTML, reply_markup=markup,
            )
        else:
            await context.bot.send_document(
                reader.person.id, fulfilment.proof_file_id, caption=caption,
                parse_mode=ParseMode.HTML, reply_markup=markup,
            )
