"""What the delivery review and the coordinators' news read like.

The review's notices (the domain's `DeliveryNotices`), the status a reviewed notice shows
in place of its buttons, and a coordinator's batch of news (the domain's `BatchRenderer`).
"""

from __future__ import annotations

import contextlib

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import TelegramError

from domain.batches.service import NoticeLine
from domain.network.models import Language
from domain.notices.models import NoticeEvent
from domain.pledges.models import Fulfilment, Pledge
from domain.pledges.ports import DeliveryParties
from handlers.common import MAX_TEXT
from handlers.context import TongxinContext
from handlers.i18n import N_, Translations
from handlers.offers.render import offer_line
from handlers.pledge_render import (
    CONFIRM_RECEIPT,
    MAX_CAPTION,
    QUESTION_IT,
    appeal_and_behalf,
    delivery_text,
    measure_text,
    pledge_line,
)
from handlers.render import escape

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
        return self._about(
            language,
            N_("A coordinator confirmed receipt of {delivered} for your pledge #{number}. "
               "Thank you!"),
            pledge,
            fulfilment,
        )

    def delivery_questioned(
        self, language: Language, pledge: Pledge, fulfilment: Fulfilment, question: str
    ) -> str:
        """The member's notice of a coordinator's question, with the Answer button beside it."""
        return self._about(
            language,
            N_("A coordinator has a question about your delivery of {delivered} for "
               "pledge #{number}: “{question}”"),
            pledge,
            fulfilment,
            question=question,
        )

    def answer_label(self, language: Language) -> str:
        """The Answer button's label."""
        return self._translations.translate(language, ANSWER)

    def question_answered(
        self, language: Language, pledge: Pledge, fulfilment: Fulfilment, who: str, answer: str
    ) -> str:
        """The coordinator's notice of the answer; the report awaits their review again."""
        return self._about(
            language,
            N_("{who} answers about the delivery of {delivered} for pledge #{number}: "
               "“{answer}”. Please confirm or question it again."),
            pledge,
            fulfilment,
            who=who,
            answer=answer,
        )

    def _about(
        self,
        language: Language,
        message: str,
        pledge: Pledge,
        fulfilment: Fulfilment,
        **params: object,
    ) -> str:
        """A notice about one delivery report: what was delivered for which pledge (HTML)."""
        delivered = measure_text(language, pledge, fulfilment.quantity, self._translations)
        return escape(
            self._translations.translate(
                language, message, delivered=delivered, number=pledge.id, **params
            )
        )


def has_media(message: Message) -> bool:
    """True for a notice sent as a photo or a document (its text is a caption)."""
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


def html_of(message: Message) -> str:
    """A notice's text (or caption) as HTML, to be shown again with its new status."""
    return (message.caption_html if has_media(message) else message.text_html) or ""


def kept_notice(message: object) -> dict[str, object]:
    """What a question dialog keeps of the pressed notice, to show its status when asked."""
    if not isinstance(message, Message):
        return {}
    return {"message_id": message.message_id, "html": html_of(message), "media": has_media(message)}


_HEADS = {
    NoticeEvent.PLEDGED: N_("New pledge #{number}"),
    NoticeEvent.CHANGED: N_("Pledge #{number} changed"),
    NoticeEvent.CANCELLED: N_("Pledge #{number} cancelled"),
    NoticeEvent.OFFER: N_("New offer #{number}"),
}
#: Room kept at the end of a batch for the "and N more" line.
_SUMMARY_ROOM = 200


class BatchNotices:
    """Writes a coordinator's batch (the domain's `BatchRenderer`), one line per event."""

    def __init__(self, translations: Translations) -> None:
        self._translations = translations

    def __call__(self, language: Language, lines: list[NoticeLine]) -> str:
        """The batch message (HTML); past Telegram's limit the rest is counted, not cut."""

        def t(message: str, **params: object) -> str:
            return self._translations.translate(language, message, **params)

        heading = f"<b>{escape(t(N_('News from your part of the network:')))}</b>"
        text = heading
        for index, line in enumerate(lines):
            entry = "• " + escape(self.line(language, line))
            if len(text) + 1 + len(entry) > MAX_TEXT - _SUMMARY_ROOM:
                rest = len(lines) - index
                return text + "\n" + escape(t(N_("…and {count} more."), count=rest))
            text += "\n" + entry
        return text

    def line(self, language: Language, line: NoticeLine) -> str:
        """One event: who, what, for which appeal, on whose behalf (plain text)."""

        def t(message: str, **params: object) -> str:
            return self._translations.translate(language, message, **params)

        if line.offer is not None:
            return t(
                N_("{head}: {who}, {what}; it fits open needs, see /match."),
                head=t(_HEADS[NoticeEvent.OFFER], number=line.offer.id),
                who=line.who,
                what=offer_line(language, line.offer),
            )
        pledge = line.pledge
        assert pledge is not None
        what = pledge_line(language, pledge, self._translations)
        if line.event is NoticeEvent.CHANGED and pledge.due_date is not None:
            what = t(N_("{what}, now due {date}"), what=what, date=pledge.due_date.isoformat())
        if line.event is NoticeEvent.CANCELLED and pledge.cancel_reason:
            what = t(N_("{what} (reason: {reason})"), what=what, reason=pledge.cancel_reason)
        appeal, behalf = appeal_and_behalf(t, line.appeal, line.behalf)
        return t(
            N_("{head}: {who}, {what}; {appeal}; {behalf}"),
            head=t(_HEADS[line.event], number=pledge.id),
            who=line.who,
            what=what,
            appeal=appeal,
            behalf=behalf,
        )
