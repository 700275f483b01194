"""Broadcast plumbing: the sender's chat events and the coordinator's progress and report."""

from __future__ import annotations

import logging
import time

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.sender import ChatEvents
from domain.appeals.service import AppealService
from domain.network.models import Language
from domain.network.service import NetworkService
from handlers.appeals import progress_text, report_text
from handlers.i18n import Translations

log = logging.getLogger(__name__)

#: The progress message is edited at most this often (seconds).
PROGRESS_EDIT_INTERVAL = 3.0


class NetworkChatEvents(ChatEvents):
    """Tells the network registry what the sender learnt about chats."""

    def __init__(self, network: NetworkService) -> None:
        self._network = network

    async def left(self, chat_id: int) -> None:
        """A group removed the bot, or a person blocked it."""
        if chat_id < 0:
            await self._network.bot_left_chat(chat_id)
        else:
            await self._network.mark_unreachable(chat_id)

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup."""
        await self._network.chat_migrated(old_chat_id, new_chat_id)


class BroadcastReporter:
    """Edits each coordinator's progress message in place and sends the final report."""

    def __init__(
        self,
        bot: object,
        appeals: AppealService,
        network: NetworkService,
        translations: Translations,
        default_language: Language,
    ) -> None:
        self._bot = bot
        self._appeals = appeals
        self._network = network
        self._translations = translations
        self._default_language = default_language
        self._shown: dict[int, tuple[str, float]] = {}

    async def tick(self) -> None:
        """Update every running broadcast's progress; report the finished ones."""
        for appeal, progress in await self._appeals.broadcasts():
            person = await self._network.person(appeal.created_by)
            language = person.language if person else self._default_language
            text = progress_text(self._translations, language, progress)
            shown, at = self._shown.get(appeal.id, ("", 0.0))
            due = time.monotonic() - at >= PROGRESS_EDIT_INTERVAL or progress.finished
            bot = self._bot
            try:
                if appeal.progress_message_id is not None and text != shown and due:
                    try:
                        await bot.edit_message_text(  # type: ignore[attr-defined]
                            text, chat_id=appeal.created_by, message_id=appeal.progress_message_id
                        )
                    except BadRequest as error:
                        if "not modified" not in str(error).lower():
                            raise
                    self._shown[appeal.id] = (text, time.monotonic())
                if progress.finished:
                    titles: dict[int, str] = {}
                    for chats in progress.failed.values():
                        for chat_id in chats:
                            chat = await self._network.chat(chat_id)
                            titles[chat_id] = chat.title if chat else str(chat_id)
                    await bot.send_message(  # type: ignore[attr-defined]
                        appeal.created_by,
                        report_text(self._translations, language, appeal, progress, titles),
                        parse_mode=ParseMode.HTML,
                    )
                    await self._appeals.mark_reported(appeal.id)
                    self._shown.pop(appeal.id, None)
            except Forbidden:
                await self._appeals.mark_reported(appeal.id)
            except TelegramError as error:
                log.warning("progress of appeal %s: %s", appeal.id, error)
