"""What coordinators read about their part of the network: the batched notices."""

from __future__ import annotations

from domain.network.models import Language
from domain.notices.models import NoticeEvent
from domain.notices.service import NoticeLine
from handlers.common import MAX_TEXT
from handlers.i18n import N_, Translations
from handlers.offers.render import offer_line
from handlers.pledge_render import appeal_and_behalf, pledge_line
from handlers.render import escape

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
