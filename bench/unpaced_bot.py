"""`python bench/unpaced_bot.py run`: the bot with its flood budget lifted, for benches only.

Tongxin keeps to Telegram's limits (about one message a second per chat, 28 a second in
all: `bot/pace.py`), so a bench of ten people talking at once measures mostly that pace. This
launcher lifts the budget (and the per-person flood control of `handlers/flood.py`, which
bench members, answering at machine speed, would trip) in the bot process so a bench can
show what receiving and handling cost by themselves; it never runs the bot against Telegram.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bot.pace as pace
import handlers.flood as flood

UNLIMITED = 1e9
pace.CHAT_RATE = UNLIMITED
pace.GLOBAL_LIMIT = 10**9
_budget_init = pace.FloodBudget.__init__


def _lifted(self: pace.FloodBudget, rate: float = pace.RATE, **options: Any) -> None:
    """A budget of a billion sends a second, with bursts as large, in every chat."""
    _budget_init(self, UNLIMITED, **{**options, "chat_burst": UNLIMITED})


pace.FloodBudget.__init__ = _lifted  # type: ignore[method-assign]
_flood_init = flood.FloodControl.__init__


def _tolerant(self: flood.FloodControl, *args: Any, **options: Any) -> None:
    """Per-person flood control that never trips (bench members answer at machine speed)."""
    _flood_init(self, *args, **{**options, "limit": 10**9, "press_limit": 10**9})


flood.FloodControl.__init__ = _tolerant  # type: ignore[method-assign]

from bot.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
