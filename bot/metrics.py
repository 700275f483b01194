"""Prometheus metrics of one running bot: one registry per runtime, never module globals.

Several bots may run in one process (tests do), so every metric lives in the `Metrics`
object the composition root creates, and `/metrics` renders that object's registry only.
Gauges that describe the database (outbox depth, pool in use) are read when scraped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.http_client import AiohttpRequest

#: Bot API methods that put a message in a chat (what "messages sent" counts).
SENDING_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendSticker",
    "sendVideo", "sendAudio", "sendVoice", "sendAnimation", "sendLocation", "copyMessage",
    "forwardMessage",
})
#: Handler latency buckets, in seconds: an answer should take well under a second.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Every metric the bot exports, registered in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.updates_handled = Counter(
            "tongxin_updates_handled", "Updates handled, by Telegram update kind",
            ["kind"], registry=registry,
        )
        self.handler_seconds = Histogram(
            "tongxin_handler_seconds", "Time to handle one update, by update kind",
            ["kind"], buckets=LATENCY_BUCKETS, registry=registry,
        )
        self.outbox_depth = Gauge(
            "tongxin_outbox_depth",
            "Outbox messages waiting or in flight, by purpose (its lane) and status",
            ["purpose", "status"], registry=registry,
        )
        self.messages_sent = Counter(
            "tongxin_messages_sent", "Messages Telegram accepted, by Bot API method",
            ["method"], registry=registry,
        )
        self.rate_limited = Counter(
            "tongxin_rate_limited", "429 Too Many Requests answers received from the Bot API",
            ["method"], registry=registry,
        )
        self.reminders_due = Gauge(
            "tongxin_reminders_due", "Reminders whose time has come and that are not sent yet",
            registry=registry,
        )
        self.reminders_sent = Counter(
            "tongxin_reminders_sent", "Reminders sent", registry=registry,
        )
        self.db_pool_in_use = Gauge(
            "tongxin_db_pool_in_use", "Database connections checked out of the pool",
            registry=registry,
        )
        self.leader = Gauge(
            "tongxin_leader", "1 while this replica runs the sender and the jobs, 0 on standby",
            registry=registry,
        )
        self._refreshers: list[Callable[[], Awaitable[None]]] = []

    def on_scrape(self, refresh: Callable[[], Awaitable[None]]) -> None:
        """Have `refresh` update its gauges before each `/metrics` answer."""
        self._refreshers.append(refresh)

    async def render(self) -> bytes:
        """The text exposition of every metric, gauges read from the database first."""
        for refresh in self._refreshers:
            await refresh()
        return generate_latest(self.registry)

    def handled(self, kind: str, seconds: float) -> None:
        """Count one handled update and its latency."""
        self.updates_handled.labels(kind=kind).inc()
        self.handler_seconds.labels(kind=kind).observe(seconds)

    def set_outbox_depth(self, depth: Mapping[tuple[str, str], int]) -> None:
        """Replace the outbox gauges with `(purpose, status) -> count`."""
        self.outbox_depth.clear()
        for (purpose, status), count in depth.items():
            self.outbox_depth.labels(purpose=purpose, status=status).set(count)


class CountingRequest(AiohttpRequest):
    """The Bot API client (`bot.http_client`), counting accepted sends and 429 answers.

    Counting here, under every call, catches what handlers send directly as well as what
    the outbox sender sends, whoever paces them.
    """

    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._metrics = metrics

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any
                         ) -> tuple[int, bytes]:
        """Make the call and count what Telegram answered."""
        status, payload = await super().do_request(url, method, *args, **kwargs)
        api_method = url.rsplit("/", 1)[-1]
        if status == 429:
            self._metrics.rate_limited.labels(method=api_method).inc()
        elif status == 200 and api_method in SENDING_METHODS:
            self._metrics.messages_sent.labels(method=api_method).inc()
        return status, payload
