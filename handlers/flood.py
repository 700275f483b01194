"""Per-person flood control: a person sending faster than anyone types is answered once.

Telegram lets the bot answer a chat about once a second. Someone who sends 300 messages in
three seconds would otherwise get three answers and then a queue of answers stretching
over minutes. Here, more than `limit` messages (or `press_limit` presses) from one person
in one chat within `window` seconds is a flood: the person gets one "slow down", and what
they send there in the next `hold` seconds is dropped (marked handled, never answered,
never logged as an error; a press's spinner is stopped). Other people are not affected:
nothing here waits.

Messages are counted by the time the person sent them (`message.date`), not by when the bot
gets round to them: the bot handles one person's updates one at a time, so their handling
is paced by the answers and would hide the flood. Button presses carry no date; they are
counted on a monotonic clock when they are handled (that measures a pace, not business
time, so it is not the injected clock).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from telegram import Update

#: More than this many messages from one person...
FLOOD_LIMIT = 10
#: ...or this many button presses (answering one costs no message: a quick hand is fine)...
PRESS_LIMIT = 20
#: ...within this many seconds is a flood. A person answering the bot as fast as it can
#: answer (three at once, then one a second) stays below it; so does forwarding a few.
FLOOD_WINDOW = 5.0
#: After a flood, the person's updates are dropped for this long.
FLOOD_HOLD = 10.0
#: People tracked at most (the ones seen longest ago are forgotten first).
MAX_TRACKED = 10_000


class Verdict(Enum):
    """What to do with an update."""

    ADMIT = "admit"
    WARN = "warn"  # the update that revealed the flood: answer "slow down", nothing else
    DROP = "drop"


@dataclass
class _Person:
    sent: deque[float] = field(default_factory=deque)
    pressed: deque[float] = field(default_factory=deque)
    held_until: float = float("-inf")
    held_since: float = float("-inf")


class FloodControl:
    """Remembers, per person and chat, how fast they have been sending (in memory, per replica)."""

    def __init__(
        self,
        now: Callable[[], float] = time.monotonic,
        limit: int = FLOOD_LIMIT,
        press_limit: int = PRESS_LIMIT,
        window: float = FLOOD_WINDOW,
        hold: float = FLOOD_HOLD,
    ) -> None:
        self._now = now
        self._limit = limit
        self._press_limit = press_limit
        self._window = window
        self._hold = hold
        self._people: dict[tuple[int, int], _Person] = {}
        self.dropped = 0
        self.warned = 0

    def judge(self, update: Update) -> Verdict:
        """Count the update against its sender and say whether to handle it."""
        user = update.effective_user
        message = update.message
        typed = message is not None and (
            message.text is not None
            or message.caption is not None
            or message.effective_attachment is not None
        )
        if user is None or not (typed or update.callback_query is not None):
            # Service messages (someone added the bot to a group), member changes and the
            # like are not a person talking to the bot: they never count, nor are dropped.
            return Verdict.ADMIT
        # Counted per person and chat: what Telegram limits is the answers to one chat, and a
        # coordinator linking ten groups in a row is not flooding any of them.
        chat = update.effective_chat
        key = (user.id, chat.id if chat is not None else user.id)
        person = self._people.pop(key, None) or _Person()
        self._people[key] = person  # most recently seen last
        if len(self._people) > MAX_TRACKED:
            del self._people[next(iter(self._people))]
        now = self._now()
        if message is not None:
            stamp, times, limit = message.date.timestamp(), person.sent, self._limit
        else:
            stamp, times, limit = now, person.pressed, self._press_limit
        if now < person.held_until:
            self.dropped += 1
            return Verdict.DROP
        times.append(stamp)
        while times and times[0] <= stamp - self._window:
            times.popleft()
        if len(times) > limit and stamp > person.held_since:
            # Messages sent during the hold but handled after it still belong to that flood.
            person.held_until = now + self._hold
            person.held_since = stamp
            times.clear()
            self.warned += 1
            return Verdict.WARN
        if message is not None and stamp < person.held_since:
            self.dropped += 1
            return Verdict.DROP
        return Verdict.ADMIT
