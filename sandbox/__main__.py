"""``python -m sandbox [--port N]`` serves; ``python -m sandbox chat`` is the terminal chat."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import signal
import sys


def _serve_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sandbox", description="Local Bot API sandbox")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    p.add_argument("--token", default=None, help="accept only this bot token")
    p.add_argument("--bot-username", default="tongxin_bot")
    p.add_argument("--bot-name", default="Tongxin")
    p.add_argument("--no-flood-limits", action="store_true")
    p.add_argument("--no-privacy-mode", action="store_true")
    p.add_argument("--webhook-retry-delay", type=float, default=1.0)
    p.add_argument("--web-port", type=int, default=None,
                   help="also serve the messenger page on this port (0 picks a free port)")
    return p


def _chat_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sandbox chat",
                                description="Chat with the bot as a sandbox user")
    p.add_argument("--as", dest="user", required=True, help="user id or username")
    p.add_argument("--group", type=int, default=None, help="talk in this group chat id")
    p.add_argument("--url", default="http://127.0.0.1:8081")
    return p


async def _serve(args: argparse.Namespace) -> int:
    from sandbox.server import SandboxServer

    server = SandboxServer(
        args.host,
        args.port,
        token=args.token,
        bot_username=args.bot_username,
        bot_first_name=args.bot_name,
        flood_limits=not args.no_flood_limits,
        privacy_mode=not args.no_privacy_mode,
        webhook_retry_delay=args.webhook_retry_delay,
    )
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    try:
        await server.start()
    except OSError as error:
        # One line, not a traceback: a second sandbox (or `make run`) on a busy port.
        why = "in use" if error.errno == errno.EADDRINUSE else error.strerror
        print(f"sandbox: cannot listen on {args.host}:{args.port} ({why}); "
              "choose another port with --port N", file=sys.stderr)
        await server.stop()
        return 1
    page = None
    if args.web_port is not None:
        from sandbox.webui import WebUi

        page = WebUi(server, args.web_port, args.host)
        try:
            await page.start()
        except OSError:
            await server.stop()
            print(f"sandbox: the page's port {args.web_port} is busy; choose another "
                  "(SANDBOX_WEB_PORT=… make run, or --web-port)", file=sys.stderr, flush=True)
            return 1
    print(f"sandbox listening on {server.url}", flush=True)
    if page is not None:
        print(f"sandbox page on {page.url}", flush=True)
    try:
        await done.wait()
    finally:
        await server.stop()  # ends the page's event streams too
        if page is not None:
            await page.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING)
    if argv and argv[0] == "chat":
        from sandbox.chat import run_chat

        chat_args = _chat_parser().parse_args(argv[1:])
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(run_chat(chat_args.url, chat_args.user, chat_args.group))
        return 0
    return asyncio.run(_serve(_serve_parser().parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
