"""Starting while the database is away: wait for it, saying so, instead of exiting."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.engine import make_url

from storage.database import create_engine, is_unavailable
from storage.probe import ping

log = logging.getLogger(__name__)

#: Seconds before the second look at the database; each wait doubles, up to the longest.
FIRST_RETRY = 1.0
LONGEST_RETRY = 10.0


def _where(url: str) -> str:
    """The database's host, port and name for a log line (never its password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite {parsed.database or ':memory:'}"
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


async def wait_for_database(url: str, stop: asyncio.Event) -> bool:
    """Return True once the database at `url` answers; False when `stop` is set first.

    An orchestrator often starts the bot and its database together, or the database is
    being restarted: the process stays up (its /healthz alive, /readyz 503) and looks again,
    with a growing wait, rather than exiting and being restarted in a loop. An error that
    is not about reaching the database (a wrong driver, a bad URL option) is raised.
    """
    delay = FIRST_RETRY
    attempts = 0
    while not stop.is_set():
        attempts += 1
        engine = create_engine(url)
        try:
            await ping(engine)
        except Exception as error:
            if not is_unavailable(error):
                raise
            log.warning(
                "database %s unreachable at start (%s, attempt %d); waiting %.0f s and "
                "trying again; /readyz answers 503 meanwhile",
                _where(url), type(error).__name__, attempts, delay,
            )
        else:
            if attempts > 1:
                log.info("database %s reachable after %d attempts; starting", _where(url),
                         attempts)
            return True
        finally:
            await engine.dispose()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, LONGEST_RETRY)
    return False
