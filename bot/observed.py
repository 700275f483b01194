"""The PTB application, measured: each update is counted, timed and tagged in the logs."""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram import Update
from telegram.ext import Application, Job

from bot.logs import PersonHasher, update_scope
from bot.metrics import Metrics
from storage.database import is_unavailable

log = logging.getLogger(__name__)


class DatabaseUnavailable(Exception):
    """An update could not be handled because the database was away; handle it again later.

    Nothing of it was answered as a failure: the handlers stopped at the first database
    error, and whatever they had committed before is found by the replay checks next time.
    """


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
        #: Updates whose handling met a database outage (id → the error), until re-raised.
        self._unavailable: dict[int, Exception] = {}

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
        error = self._unavailable.pop(update.update_id, None)
        if error is not None:
            raise DatabaseUnavailable(f"update {update.update_id}") from error

    async def process_error(
        self, update: object | None, error: Exception, job: Job[Any] | None = None,
        coroutine: Any = None,
    ) -> bool:
        """A database outage stops the update quietly (it is handled again); else as PTB does.

        Telling the person "something went wrong" would be wrong twice: the update is kept and
        will be handled, and the apology itself may need the database.
        """
        if is_unavailable(error):
            if isinstance(update, Update):
                self._unavailable[update.update_id] = error
                return True  # no further handler: the same work is done again later
            if update is None:  # a job: it runs again at its next tick
                log.warning("job %s: database unavailable (%s)",
                            job.name if job is not None else "?", type(error).__name__)
                return False
        return await super().process_error(update, error, job, coroutine)
