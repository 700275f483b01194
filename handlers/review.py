"""The delivery review in chat: confirm receipt, question a report, answer a question.

Each step changes what both sides see: the coordinator's notice is edited to show the new
status (its buttons go), the member is told, and /mypledges shows where the pledge stands.
"""

from __future__ import annotations

import contextlib
import re

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from domain.dialogs import Dialog
from domain.errors import N_, DomainError
from domain.kernel.origin import AlreadyProcessed, Origin
from domain.network.models import Language
from domain.pledges.models import Fulfilment, Pledge
from domain.pledges.ports import DeliveryParties
from domain.pledges.review import MAX_MESSAGE
from handlers.answered import drop_buttons_of
from handlers.common import pressed, refuse, reply
from handlers.context import Reader, TongxinContext
from handlers.i18n import Translations
from handlers.pledge_render import (
    CONFIRM_RECEIPT,
    MAX_CAPTION,
    QUESTION_IT,
    STATUS_NAMES,
    delivery_text,
    measure_text,
    review_buttons,
)
from handlers.render import escape

QUESTION_KIND = "delivery_question"
ANSWER_KIND = "delivery_answer"
REVIEW_BUTTON = re.compile(r"^pf:(ok|q|see):([0-9]{1,19})$")
ANSWER_BUTTON = re.compile(r"^pa:([0-9]{1,19})$")
ANSWER = N_("Answer")


class PledgeNotices:
    """Writes the review's messages (the domain's `DeliveryNotices`)."""

    def __init__(self, translations: Translations) -> None:
        self._translations = translations

    def delivery_reported(
        self,
        language: Language,
        pledge: Pledge,
        fulfilment: Fulfilment,
        parties: DeliveryParties,
    ) -> str:
        """The coordinator's notice, with the confirm and question buttons beside it."""
        return delivery_text(language, self._translations, pledge, fulfilment, parties)

    def review_labels(self, language: Language) -> tuple[str, str]:
        """The confirm and question buttons under a notice, in the coordinator's language."""
        t = self._translations.translate
        return t(language, CONFIRM_RECEIPT), t(language, QUESTION_IT)

    def receipt_confirmed(self, language: Language, pledge: Pledge, fulfilment: Fulfilment) -> str:
        """The member's notice that a coordinator confirmed receipt."""
        return escape(
            self._translations.translate(
                language,
                N_("A coordinator confirmed receipt of {delivered} for your pledge #{number}. "
                   "Thank you!"),
                delivered=measure_text(language, pledge, fulfilment.quantity, self._translations),
                number=pledge.id,
            )
        )

    def delivery_questioned(
        self, language: Language, pledge: Pledge, fulfilment: Fulfilment, question: str
    ) -> str:
        """The member's notice of a coordinator's question, with the Answer button beside it."""
        return escape(
            self._translations.translate(
                language,
                N_("A coordinator has a question about your delivery of {delivered} for "
                   "pledge #{number}: “{question}”"),
                delivered=measure_text(language, pledge, fulfilment.quantity, self._translations),
                number=pledge.id,
                question=question,
            )
        )

    def answer_label(self, language: Language) -> str:
        """The Answer button's label."""
        return self._translations.translate(language, ANSWER)

    def question_answered(
        self, language: Language, pledge: Pledge, fulfilment: Fulfilment, who: str, answer: str
    ) -> str:
        """The coordinator's notice of the answer; the report awaits their review again."""
        return escape(
            self._translations.translate(
                language,
                N_("{who} answers about the delivery of {delivered} for pledge #{number}: "
                   "“{answer}”. Please confirm or question it again."),
                who=who,
                delivered=measure_text(language, pledge, fulfilment.quantity, self._translations),
                number=pledge.id,
                answer=answer,
            )
        )


def _has_media(message: Message) -> bool:
    return bool(message.photo) or message.document is not None


async def show_status(
    context: TongxinContext, chat_id: int, message_id: int, html: str, media: bool, status: str
) -> None:
    """Edit a coordinator's notice to show its new status, without its buttons."""
    limit = MAX_CAPTION if media else 4096
    room = max(limit - len(html) - 2, 0)  # html is at least as long as its parsed text
    text = f"{html}\n\n<b>{escape(status[:room])}</b>" if room else html
    with contextlib.suppress(TelegramError):  # an old or deleted message keeps its look
        if media:
            await context.bot.edit_message_caption(
                chat_id=chat_id, message_id=message_id, caption=text, parse_mode=ParseMode.HTML,
                reply_markup=None,
            )
        else:
            await context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML,
                reply_markup=None,
            )


def _html_of(message: Message) -> str:
    return (message.caption_html if _has_media(message) else message.text_html) or ""


class ReviewHandlers:
    """The buttons of a delivery notice and of a member's question."""

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers to the application."""
        app.add_handler(CallbackQueryHandler(self.review_button, pattern=r"^pf:"))
        app.add_handler(CallbackQueryHandler(self.answer_button, pattern=r"^pa:"))

    async def review_button(self, update: Update, context: TongxinContext) -> None:
        """Confirm receipt, question, or show the proof (scope checked on the presser, now)."""
        press = await pressed(update, context, REVIEW_BUTTON, ids=(2,))
        if press is None:
            return
        query, reader, match = press
        action, fulfilment_id = match.group(1), int(match.group(2))
        services = context.services
        try:
            if action == "ok":
                pledge = await services.pledges.review_delivery(
                    Origin(reader.person.id, update.update_id), fulfilment_id, True
                )
            elif action == "q":
                await services.pledges.reviewable(reader.person.id, fulfilment_id)
            else:
                await self._show_proof(update, context, reader, fulfilment_id)
                return
        except AlreadyProcessed:
            await query.answer()
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        message = query.message
        if action == "q":
            data: dict[str, object] = {"fulfilment_id": fulfilment_id}
            if isinstance(message, Message):
                data |= {
                    "message_id": message.message_id,
                    "html": _html_of(message),
                    "media": _has_media(message),
                }
            await services.dialogs.start(reader.person.id, QUESTION_KIND, data)
            await query.answer()
            await reply(
                update,
                escape(
                    reader.t(
                        N_("What is unclear about this delivery? Write a short message "
                           "(at most {limit} characters); the member will get it and can "
                           "answer. Send /cancel to stop."),
                        limit=MAX_MESSAGE,
                    )
                ),
            )
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
        if isinstance(message, Message):
            await show_status(
                context, message.chat.id, message.message_id, _html_of(message),
                _has_media(message), status,
            )

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

    async def answer_button(self, update: Update, context: TongxinContext) -> None:
        """The member's Answer under a question: ask for the answer (their own pledge only)."""
        press = await pressed(update, context, ANSWER_BUTTON, ids=(1,))
        if press is None:
            return
        query, reader, match = press
        fulfilment_id = int(match.group(1))
        try:
            await context.services.pledges.answerable(reader.person.id, fulfilment_id)
        except DomainError as error:
            await refuse(update, reader, error)
            return
        data: dict[str, object] = {"fulfilment_id": fulfilment_id}
        if isinstance(query.message, Message):
            data["message_id"] = query.message.message_id
        await context.services.dialogs.start(
            reader.person.id, ANSWER_KIND, data, update.update_id
        )
        await query.answer()
        await reply(
            update,
            escape(
                reader.t(
                    N_("Write your answer for the coordinator (at most {limit} characters). "
                       "Send /cancel to stop."),
                    limit=MAX_MESSAGE,
                )
            ),
        )


class QuestionFlow:
    """The coordinator's one-answer dialog after "Question it": the question itself."""

    kind = QUESTION_KIND

    async def on_text(
        self, update: Update, context: TongxinContext, reader: Reader, dialog: Dialog
    ) -> None:
        """Send the question to the member and show the new status on the notice."""
        message = update.effective_message
        if message is None:
            return
        text = message.text or ""
        try:
            pledge = await context.services.pledges.question_delivery(
                Origin(reader.person.id, update.update_id), int(dialog.data["fulfilment_id"]),
                text,
            )
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        question = text.strip()
        message_id = dialog.data.get("message_id")
        if isinstance(message_id, int):
            await show_status(
                context, reader.person.id, message_id, str(dialog.data.get("html", "")),
                bool(dialog.data.get("media")),
                reader.t(N_("Questioned by {who}: “{question}”"), who=reader.person.name,
                         question=question),
            )
        await reply(
            update,
            escape(
                reader.t(
                    N_("Your question about pledge #{number} was sent to the member; their "
                       "answer will come here."),
                    number=pledge.id,
                )
            ),
        )

    async def on_expired(self, context: TongxinContext, dialog: Dialog) -> None:
        """Nothing to say: the report still awaits review in /inbox."""


class AnswerFlow:
    """The member's one-answer dialog after "Answer": the answer to the question."""

    kind = ANSWER_KIND

    async def on_text(
        self, update: Update, context: TongxinContext, reader: Reader, dialog: Dialog
    ) -> None:
        """Send the answer to the coordinator who asked."""
        message = update.effective_message
        if message is None:
            return
        try:
            pledge = await context.services.pledges.answer_question(
                Origin(reader.person.id, update.update_id), int(dialog.data["fulfilment_id"]),
                message.text or "",
            )
        except AlreadyProcessed:
            return
        except DomainError as error:
            await refuse(update, reader, error)
            return
        message_id = dialog.data.get("message_id")
        if isinstance(message_id, int):  # the answered question keeps no live button
            await drop_buttons_of(context, reader.person.id, message_id)
        await reply(
            update,
            escape(
                reader.t(
                    N_("Your answer was sent to the coordinator. Pledge #{number} awaits their "
                       "review again."),
                    number=pledge.id,
                )
            ),
        )

    async def on_expired(self, context: TongxinContext, dialog: Dialog) -> None:
        """Nothing to say: the question can still be answered with its button."""


def review_flows() -> list[QuestionFlow | AnswerFlow]:
    """The review's dialogs for the router."""
    return [QuestionFlow(), AnswerFlow()]
