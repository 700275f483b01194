"""Broadcast plumbing: the sender's chat events and the coordinator's progress and report."""

from __future__ import annotations

import logging
import time

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.sender import ChatEvents
from domain.appeals.models import Appeal
from domain.appeals.service import AppealService
from domain.network.models import Language
from domain.network.service import NetworkService
from domain.outbox.models import BroadcastProgress
from handlers.appeals.render import progress_text, report_text
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
    """Edits each coordinator's progress message in place and queues the final report.

    The report goes through the outbox, queued in the same transaction that marks the
    appeal reported: a restart, a second tick or another replica cannot send it twice, and
    the paced sender delivers it like any notice.
    """

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
            shown = await self._show_progress(appeal, progress, language)
            if not (shown and progress.finished):
                continue
            titles: dict[int, str] = {}
            for chats in progress.failed.values():
                for chat_id in chats:
                    chat = await self._network.chat(chat_id)
                    titles[chat_id] = chat.title if chat else str(chat_id)
            await self._appeals.report(
                appeal.id, report_text(self._translations, language, appeal, progress, titles)
            )
            self._shown.pop(appeal.id, None)

    async def _show_progress(
        self, appeal: Appeal, progress: BroadcastProgress, language: Language
    ) -> bool:
        """Edit the progress message, at most every few seconds and always at the end.

        False when Telegram could not be reached: the final count is shown before the report.
        """
        if appeal.progress_message_id is None:
            return True
        text = progress_text(self._translations, language, progress)
        # Unseen so far: the message shows what the Send button wrote, the count at zero;
        # editing it to the same text would only earn "message is not modified".
        untouched = progress_text(
            self._translations, language, BroadcastProgress(progress.total, 0)
        )
        shown, at = self._shown.get(appeal.id, (untouched, 0.0))
        due = time.monotonic() - at >= PROGRESS_EDIT_INTERVAL or progress.finished
        if text == shown or not due:
            return True
        try:
            await self._bot.edit_message_text(  # type: ignore[attr-defined]
                text, chat_id=appeal.created_by, message_id=appeal.progress_message_id
            )
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                # Deleted by the person, or too old: the report still follows.
                log.warning("progress of appeal %s: %s", appeal.id, error)
        except Forbidden:
            pass  # blocked: the report's delivery records it
        except TelegramError as error:  # unreachable for now: try again at the next tick
            log.warning("progress of appeal %s: %s", appeal.id, error)
            return False
        self._shown[appeal.id] = (text, time.monotonic())
        return True
