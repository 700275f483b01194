"""Measure the sendMessage ceiling the sandbox serves to one PTB Bot client.

Runs ``python -m sandbox`` in a subprocess (flood limits off), then fires sendMessage
calls concurrently from one ``telegram.Bot`` for a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

# httpcore tries ``import sniffio`` on every request; when sniffio is not installed the
# failing import (a sys.path scan) costs the *client* more than the sandbox spends serving
# the call. Recording the module as absent makes that import fail fast.
sys.modules.setdefault("sniffio", None)  # type: ignore[assignment]

import aiohttp  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

TOKEN = "123456789:AAbench-token-for-the-sandbox_0"
CONCURRENCY = 2  # httpx's pool gets slower per request as concurrency grows
DURATION = 5.0
TELEGRAM_RATE = 30.0


async def _setup(url: str) -> int:
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{url}/_sandbox/create_user", json={"first_name": "Bench"}) as r:
            uid = int((await r.json())["result"]["id"])
        async with s.post(f"{url}/_sandbox/send_text", json={"user_id": uid, "text": "/start"}):
            pass
    return uid


async def _run(url: str) -> tuple[int, float]:
    uid = await _setup(url)
    request = HTTPXRequest(connection_pool_size=CONCURRENCY, pool_timeout=10.0)
    async with Bot(TOKEN, base_url=f"{url}/bot", request=request) as bot:
        for _ in range(200):  # warm up connections
            await bot.send_message(uid, "warm")
        count = 0
        stop_at = time.perf_counter() + DURATION
        start = time.perf_counter()

        async def worker() -> None:
            nonlocal count
            while time.perf_counter() < stop_at:
                await bot.send_message(uid, "benchmark message 同心")
                count += 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return count, time.perf_counter() - start


def main() -> int:
    """Start the sandbox, measure, print one result line."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--no-flood-limits", "--token", TOKEN],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.strip().rsplit(" ", 1)[-1]
        if not url.startswith("http"):
            print(f"sandbox did not start: {line!r}", file=sys.stderr)
            return 1
        count, elapsed = asyncio.run(_run(url))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    rate = count / elapsed
    print(
        f"sandbox sendMessage ceiling: {rate:.0f} calls/s "
        f"({rate / TELEGRAM_RATE:.1f}x Telegram's 30/s)"
    )
    return 0 if rate >= 20 * TELEGRAM_RATE else 2


if __name__ == "__main__":
    sys.exit(main())
