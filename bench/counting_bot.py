"""`python bench/counting_bot.py run`: the bot as in production, counting its SQL statements.

Every statement any of the bot's engines sends to the database is counted (SQLAlchemy's
`before_cursor_execute` on every `Engine`). On SIGUSR1 the count so far is written to the
file named by `STATEMENTS_FILE`, so a bench can read it before and after a phase without
stopping the bot. Nothing else changes: pacing, the flood budget and the jobs are the bot's.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event
from sqlalchemy.engine import Engine

statements = 0


@event.listens_for(Engine, "before_cursor_execute")
def _count(*_args: Any) -> None:
    global statements
    statements += 1


def _report(_signum: int, _frame: FrameType | None) -> None:
    """Write the count so far (to a temporary name first: the reader sees it whole)."""
    target = Path(os.environ["STATEMENTS_FILE"])
    scratch = target.with_suffix(".tmp")
    scratch.write_text(str(statements))
    scratch.replace(target)


signal.signal(signal.SIGUSR1, _report)

from bot.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
