"""`python -m bot move-db --to URL`: copy the bot's database into a new, empty one."""

from __future__ import annotations

import sys
from typing import TextIO

from sqlalchemy.engine import make_url

from storage.database import create_engine
from storage.transfer import TransferError, copy_database, count_rows

EXIT_REFUSED = 1


async def move_database(source_url: str, target_url: str, out: TextIO = sys.stdout) -> int:
    """Copy, check that every table has as many rows on both sides, print the counts."""
    try:
        create_engine(target_url)  # refuses an unsupported URL before anything is read
    except ValueError as error:
        print(f"tongxin: move-db: {error}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        copied = await copy_database(source_url, target_url)
    except TransferError as error:
        print(f"tongxin: move-db: {error}", file=sys.stderr)
        return EXIT_REFUSED
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        in_source, in_target = await count_rows(source), await count_rows(target)
    finally:
        await source.dispose()
        await target.dispose()
    width = max(len(name) for name in copied)
    print(f"{'table':<{width}}  rows", file=out)
    for name, rows in copied.items():
        print(f"{name:<{width}}  {rows}", file=out)
    print(f"{'total':<{width}}  {sum(copied.values())}", file=out)
    different = sorted(n for n in in_source if in_source[n] != in_target.get(n))
    if different:
        print(f"tongxin: move-db: row counts differ after the copy: {', '.join(different)}",
              file=sys.stderr)
        return EXIT_REFUSED
    shown = make_url(target_url).render_as_string(hide_password=True)
    print(f"every table has as many rows in {shown}; set DATABASE_URL to it and start the bot",
          file=out)
    return 0
