"""The sandbox's movable clock: real time plus an offset that only ever grows.

Tests and rehearsals move it forward through the control API (``/_sandbox/advanceClock``)
to watch days pass in seconds. It never goes back, so a bot that follows it (reading
``/_sandbox/clock``) never sees time run backwards, not even across a world ``reset``.
Flood limits and the call log keep real (monotonic) time: moving the calendar does not
make Telegram's per-second limits any looser.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.errors import ControlError

#: What one ``advanceClock`` may add: ten years. More is a typo, and would overflow dates.
MAX_ADVANCE_SECONDS = 10 * 366 * 86_400
#: The units ``advanceClock`` takes, in seconds.
UNITS = {"seconds": 1, "minutes": 60, "hours": 3_600, "days": 86_400}

Json = dict[str, Any]


class SandboxClock:
    """The world's time: ``real()`` plus the offset the control API has added."""

    def __init__(self, real: Callable[[], float] = time.time) -> None:
        self._real = real
        self.offset_seconds = 0.0

    def unix(self) -> float:
        """The sandbox's current time as a Unix timestamp."""
        return self._real() + self.offset_seconds

    def now(self) -> datetime:
        """The sandbox's current time, timezone-aware (UTC)."""
        return datetime.fromtimestamp(self.unix(), UTC)

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (positive, at most ten years)."""
        if not math.isfinite(seconds) or seconds <= 0:
            raise ControlError("the clock only moves forward: give a positive amount")
        if seconds > MAX_ADVANCE_SECONDS:
            raise ControlError("the clock moves at most ten years at a time")
        self.offset_seconds += seconds

    def to_api(self) -> Json:
        """``{"now": ISO-8601 with offset, "offset_seconds": n}``."""
        offset = self.offset_seconds
        return {
            "now": self.now().isoformat(),
            "offset_seconds": int(offset) if offset.is_integer() else offset,
        }


def advance_seconds(data: Json) -> float:
    """Read exactly one of ``seconds``, ``minutes``, ``hours`` or ``days`` as seconds."""
    given = [unit for unit in UNITS if data.get(unit) not in (None, "")]
    if len(given) != 1:
        raise ControlError("give exactly one of seconds, minutes, hours or days, "
                           'e.g. {"days": 2}')
    unit = given[0]
    value = data[unit]
    if isinstance(value, bool):
        raise ControlError(f"{unit} must be a number")
    try:
        amount = float(value)
    except (TypeError, ValueError):
        raise ControlError(f"{unit} must be a number") from None
    if not math.isfinite(amount) or amount <= 0:
        raise ControlError("the clock only moves forward: give a positive amount")
    return amount * UNITS[unit]
