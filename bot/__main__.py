"""`python -m bot run | migrate | move-db | demo`: the command line of the bot."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.logs import configure_logging
from bot.settings import SettingsError, load_settings

EXIT_CONFIG = 2


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Tongxin (同心) bot")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot with long polling")
    commands.add_parser("migrate", help="upgrade the database to the latest schema")
    demo = commands.add_parser("demo", help="run the bot against a local sandbox with demo data")
    demo.add_argument("--port", type=int, default=None,
                      help="sandbox port (default: SANDBOX_PORT, else 8081)")
    move = commands.add_parser(
        "move-db", help="copy the database (DATABASE_URL) into a new, empty one; bot stopped"
    )
    move.add_argument("--to", required=True, metavar="URL",
                      help="the empty target, e.g. postgresql+asyncpg://USER@HOST/DB")
    backup = commands.add_parser(
        "backup", help="copy the SQLite database into a new file while the bot runs"
    )
    backup.add_argument("file", help="the new file, e.g. backups/tongxin-2026-12-01.db")
    i18n = commands.add_parser("i18n", help="list messages the catalogs do not translate")
    i18n.add_argument("--write", metavar="AREA", help="append them, empty, to AREA.po")
    args = parser.parse_args(argv)
    if args.command == "i18n":
        return _i18n(args.write)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"tongxin: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_format)
    if args.command == "migrate":
        from storage.database import upgrade

        asyncio.run(upgrade(settings.database_url))
        print("database is at the latest schema")
        return 0
    if args.command == "move-db":
        from bot.movedb import move_database

        return asyncio.run(move_database(settings.database_url, args.to))
    if args.command == "backup":
        return asyncio.run(_backup(settings.database_url, args.file))
    if args.command == "demo":
        from bot.demo import run_demo

        code: int = run_demo(settings, port=args.port or settings.sandbox_port)
        return code
    if settings.bot_token is None:
        print("tongxin: configuration error: BOT_TOKEN: required to run the bot "
              "(or use `make run` without it for the sandbox demo)", file=sys.stderr)
        return EXIT_CONFIG
    from bot.runtime import Runtime

    Runtime(settings).run()
    return 0


async def _backup(url: str, file: str) -> int:
    from pathlib import Path

    from storage.backup import backup_sqlite

    try:
        await backup_sqlite(url, Path(file))
    except (ValueError, OSError) as error:
        print(f"tongxin: backup: {error}", file=sys.stderr)
        return 1
    print(f"backed up to {file}")
    return 0


def _i18n(area: str | None) -> int:
    from bot.catalogs import missing_translations, write_stubs

    if area:
        for folder, count in write_stubs(area).items():
            print(f"{folder}/{area}.po: {count} messages to translate")
        return 0
    missing = missing_translations()
    for folder, messages in missing.items():
        for message in messages:
            print(f"{folder}: {message!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
