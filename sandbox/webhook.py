"""Pushing updates to a webhook, in order, redelivering with backoff like Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import aiohttp

from sandbox.world import World


class WebhookPusher:
    """Delivers queued updates one by one to ``world.webhook`` until each gets a 2xx."""

    def __init__(
        self,
        world: World,
        stopping: asyncio.Event,
        retry_delay: float = 1.0,
        max_retry_delay: float = 60.0,
        timeout: float = 10.0,
    ) -> None:
        self.world = world
        self.stopping = stopping
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.timeout = timeout
        self.deliveries = 0  # attempted POSTs, for tests and tools

    def _ready(self) -> bool:
        return self.world.webhook is not None and bool(self.world.updates)

    async def run(self) -> None:
        """Run until ``stopping`` is set."""
        w = self.world
        delay = self.retry_delay
        async with aiohttp.ClientSession() as session:
            while not self.stopping.is_set():
                await w.notifier.wait_until(self._ready, 3600.0, self.stopping)
                hook = w.webhook
                if hook is None or not w.updates or self.stopping.is_set():
                    continue
                update = w.updates[0]
                headers = {"Content-Type": "application/json"}
                if hook.secret_token:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
                error: str | None = None
                self.deliveries += 1
                try:
                    async with session.post(
                        hook.url,
                        data=json.dumps(update, ensure_ascii=False).encode(),
                        headers=headers,
                        timeout=aiohttp.ClientTimeout(total=self.timeout),
                    ) as resp:
                        await resp.read()
                        if not 200 <= resp.status <= 299:
                            error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
                except TimeoutError:
                    error = "Read timeout expired"
                except aiohttp.ClientError as exc:
                    error = f"Connection failed: {exc.__class__.__name__}"
                if error is None:
                    if w.updates and w.updates[0] is update:
                        w.updates.popleft()
                        w.notifier.notify()
                    delay = self.retry_delay
                    continue
                if w.webhook is hook:
                    hook.last_error_date = int(time.time())
                    hook.last_error_message = error
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), delay)
                delay = min(delay * 2, self.max_retry_delay)
