"""The views of the review's two typed messages (`domain.pledges.review_dialog`)."""

from __future__ import annotations

from telegram import Message, Update

from domain.dialogs.engine import OneAnswer
from domain.dialogs.models import Outcome, Turn
from domain.pledges.review import MAX_MESSAGE
from domain.pledges.review_dialog import (
    ANSWER_CODE,
    ANSWER_KIND,
    QUESTION_CODE,
    QUESTION_KIND,
    ReviewMessage,
)
from handlers.answered import drop_buttons_of
from handlers.common import reply
from handlers.context import Reader, TongxinContext
from handlers.dialogs import View
from handlers.i18n import N_
from handlers.render import escape
from handlers.review.render import show_status

#: What a dialog keeps of the message whose button began it (`kept_notice`).
Kept = dict[str, object]


class _MessageView(View):
    """Asks for one short message, then says it was sent and marks the message it is about.

    It is begun by a button of a notice ("Question it", "Answer") that keeps its buttons
    until the message is sent, so this view answers that press itself.
    """

    #: the request for the message (`{limit}`), and what is said once it was sent (`{number}`)
    prompt: str
    sent_note: str
    # nothing to say on expiry: the notice's button still begins it again
    expired_note = ""

    def keeps_buttons(self, update: Update, turn: Turn) -> bool:
        """The press that begins the dialog leaves the notice as it is."""
        return turn.outcome is Outcome.ASKED

    async def show(
        self, update: Update, context: TongxinContext, reader: Reader, turn: Turn
    ) -> Message | None:
        """The request for the message, or the message sent."""
        if turn.outcome is Outcome.ASKED:
            if update.callback_query is not None:
                await update.callback_query.answer()
            return await reply(update, escape(reader.t(self.prompt, limit=MAX_MESSAGE)))
        if turn.outcome is not Outcome.FINISHED or not isinstance(turn.result, ReviewMessage):
            return None
        kept = turn.draft.extra if isinstance(turn.draft, OneAnswer) else {}
        message_id = kept.get("message_id")
        if isinstance(message_id, int):
            await self.mark_sent(context, reader, turn.result, message_id, kept)
        number = turn.result.pledge.id
        return await reply(update, escape(reader.t(self.sent_note, number=number)))

    async def mark_sent(
        self, context: TongxinContext, reader: Reader, sent: ReviewMessage, at: int, kept: Kept
    ) -> None:
        """Show on the pressed message (`at`, what the dialog `kept` of it) that it was sent."""
        raise NotImplementedError


class QuestionView(_MessageView):
    """The coordinator's question; once sent, the notice shows it in place of its buttons."""

    kind = QUESTION_KIND
    code = QUESTION_CODE
    prompt = N_(
        "What is unclear about this delivery? Write a short message (at most {limit} "
        "characters); the member will get it and can answer. Send /cancel to stop."
    )
    sent_note = N_(
        "Your question about pledge #{number} was sent to the member; their answer will "
        "come here."
    )

    async def mark_sent(
        self, context: TongxinContext, reader: Reader, sent: ReviewMessage, at: int, kept: Kept
    ) -> None:
        """The notice shows the question as its status."""
        status = reader.t(
            N_("Questioned by {who}: “{question}”"), who=reader.person.name, question=sent.text
        )
        html, media = str(kept.get("html", "")), bool(kept.get("media"))
        await show_status(context, reader.person.id, at, html, media, status)


class AnswerView(_MessageView):
    """The member's answer; once sent, their copy of the question loses its button."""

    kind = ANSWER_KIND
    code = ANSWER_CODE
    prompt = N_(
        "Write your answer for the coordinator (at most {limit} characters). "
        "Send /cancel to stop."
    )
    sent_note = N_(
        "Your answer was sent to the coordinator. Pledge #{number} awaits their review again."
    )

    async def mark_sent(
        self, context: TongxinContext, reader: Reader, sent: ReviewMessage, at: int, kept: Kept
    ) -> None:
        """The answered question keeps no live button."""
        await drop_buttons_of(context, reader.person.id, at)
