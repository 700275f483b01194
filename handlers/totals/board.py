"""The live board's text: the group's appeal message with its progress beneath (no names)."""

from __future__ import annotations

from domain.appeals.models import Appeal
from domain.network.models import Language
from domain.totals.models import AppealTotalsView, percent
from handlers.appeals.render import AppealRenderer
from handlers.i18n import N_, Translations
from handlers.render import escape
from handlers.totals.render import GroupVoice, TotalsText

#: Telegram's limit for one message's text.
TEXT_LIMIT = 4096


class BoardText:
    """Implements `domain.totals.scheduled.BoardRenderer` in the groups' language."""

    def __init__(self, translations: Translations, language: Language, bot_username: str) -> None:
        self._appeal = AppealRenderer(translations, language, bot_username)
        self._voice = GroupVoice(translations, language)

    def progress(self, view: AppealTotalsView) -> list[str]:
        """Per need and for the money target: the percentage pledged and delivered."""
        t, text = self._voice.t, TotalsText(self._voice)
        lines = ["<b>" + escape(t(N_("Progress:"))) + "</b>"]
        appeal = view.appeal
        for need, sums in view.needs:
            lines.append("• " + escape(t(
                N_("{item}: {pledged}% pledged, {delivered}% delivered"), item=need.item,
                pledged=percent(sums.pledged, need.target) or 0,
                delivered=percent(sums.delivered, need.target) or 0,
            )))
        target = appeal.money_target_minor
        if target is not None:
            money = view.total.money_in(appeal.currency)
            lines.append("• " + escape(t(
                N_("Funds: {pledged}% pledged, {delivered}% delivered"),
                pledged=percent(money.pledged_minor, target) or 0,
                delivered=percent(money.delivered_minor, target) or 0,
            )))
        lines.append("• " + escape(text.figures(view.total)))
        return lines

    def __call__(
        self, appeal: Appeal, chat_id: int, view: AppealTotalsView
    ) -> tuple[str, str | None] | None:
        """The group's message with the progress beneath; None when it would not fit."""
        message = self._appeal(appeal, chat_id)
        text = message.text + "\n\n" + "\n".join(self.progress(view))
        return None if len(text) > TEXT_LIMIT else (text, message.buttons)
