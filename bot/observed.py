"""The PTB application, measured: each update is counted, timed and tagged in the logs."""

from __future__ import annotations

import time
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.logs import PersonHasher, update_scope
from bot.metrics import Metrics


def update_kind(update: Update) -> str:
    """Telegram's name for what the update carries (`message`, `callback_query`, ...)."""
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


class ObservedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """`Application` whose `process_update` feeds the metrics and the log context.

    Both the durable poller and the webhook call `process_update`, so measuring here covers
    every update whichever way it came in.
    """

    def __init__(self, *, metrics: Metrics, hasher: PersonHasher, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics
        self._hasher = hasher

    async def process_update(self, update: object) -> None:
        """Handle the update as PTB does, counted, timed, and with its log tags set."""
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        user = update.effective_user
        person = self._hasher(user.id) if user is not None else None
        kind = update_kind(update)
        started = time.perf_counter()
        with update_scope(update.update_id, person):
            try:
                await super().process_update(update)
            finally:
                self.metrics.handled(kind, time.perf_counter() - started)
