"""Log set-up: plain or JSON lines, each line of an update's handling tagged with it.

While an update is handled, `update_scope` puts its id and a keyed hash of the person's id
in context variables; `UpdateFields` copies them onto every log record of that task (and of
tasks it starts), so the lines of one update can be found without logging who it was.
The hash is an HMAC keyed by the bot token: the same person gets the same tag across
restarts, and nobody without the token can turn a tag back into a Telegram id.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import hmac
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

_UPDATE_ID: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "tongxin_update_id", default=None
)
_PERSON: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "tongxin_person", default=None
)
#: Libraries that log every request at INFO (httpx logs URLs, and a URL holds the token).
QUIET_LOGGERS = ("httpx", "httpcore", "alembic", "apscheduler", "aiohttp.access")


class PersonHasher:
    """Turns a Telegram user id into a short, stable tag that does not reveal it."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("tongxin-log:" + secret).encode()).digest()

    def __call__(self, person_id: int) -> str:
        """The tag of one person (12 hex digits)."""
        return hmac.new(self._key, str(person_id).encode(), hashlib.sha256).hexdigest()[:12]


@contextlib.contextmanager
def update_scope(update_id: int, person: str | None) -> Iterator[None]:
    """Tag the log lines written inside the block with this update and person."""
    update_token = _UPDATE_ID.set(update_id)
    person_token = _PERSON.set(person)
    try:
        yield
    finally:
        _PERSON.reset(person_token)
        _UPDATE_ID.reset(update_token)


class UpdateFields(logging.Filter):
    """Adds `update_id` and `person` (None outside an update) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate the record; never drops one."""
        record.update_id = _UPDATE_ID.get()
        record.person = _PERSON.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, update, person, error."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as one line of JSON."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        update_id = getattr(record, "update_id", None)
        if update_id is not None:
            entry["update_id"] = update_id
        person = getattr(record, "person", None)
        if person is not None:
            entry["person"] = person
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The classic line, with `[update N person P]` while an update is handled."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """Render the record, tagged with its update when it has one."""
        line = super().format(record)
        update_id = getattr(record, "update_id", None)
        if update_id is None:
            return line
        return f"{line} [update {update_id} person {getattr(record, 'person', None)}]"


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """Send every log line to stderr in `log_format` ("text" or "json")."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(UpdateFields())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
