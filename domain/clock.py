"""Time comes from a clock that is passed in, never from `datetime.now()` at the call site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current, timezone-aware time."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


class FakeClock:
    """A clock for tests that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2020, 2, 19, 9, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")

    def now(self) -> datetime:
        """Return the fake current time."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self._now += delta

    def set(self, moment: datetime) -> None:
        """Jump to a given aware moment."""
        if moment.tzinfo is None:
            raise ValueError("FakeClock needs timezone-aware moments")
        self._now = moment
