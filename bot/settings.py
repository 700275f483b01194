"""Settings from the environment and an optional `.env`, read once at start-up."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.errors import DomainError
from domain.network.models import Language
from domain.reminders.models import QuietHours, ReminderPolicy, parse_clock_time
from domain.totals.scheduled import BOARD_MINUTES

TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and what is expected."""


class Settings(BaseSettings):
    """Everything configurable about one running bot."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    bot_token: str | None = None
    database_url: str = "sqlite+aiosqlite:///data/tongxin.db"
    bot_api_base_url: str = "https://api.telegram.org/bot"
    bot_api_file_url: str = "https://api.telegram.org/file/bot"
    #: `real`, or `sandbox`: follow the sandbox's movable clock (`bot/sandbox_clock.py`);
    #: only against a sandbox Bot API on this machine, never against Telegram.
    clock: Literal["real", "sandbox"] = "real"
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    default_language: Language = Language.ZH_HANS
    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=0, le=65535)
    #: Connections Telegram may open at once to push updates (it allows 1-100).
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    sender_rate: float = Field(default=28.0, gt=0, le=30)
    tick_seconds: float = Field(default=1.0, gt=0, le=60)
    #: Coordinators get at most one notice batch (pledges, changes, offers) this often.
    notice_interval_minutes: float = Field(default=5.0, gt=0, le=24 * 60)
    #: ...and a first event waits this long for others to join it.
    notice_gather_seconds: float = Field(default=60.0, ge=0, le=3600)
    #: The groups' live boards are edited at most once per this many minutes (whole
    #: minutes, at least 1: Telegram allows a group 20 messages a minute).
    board_interval_minutes: int = Field(default=BOARD_MINUTES, ge=1, le=24 * 60)
    retention_days: int = Field(default=365, ge=1, le=36500)
    #: Probes and Prometheus (/healthz, /readyz, /metrics) on a port of their own; off
    #: (the default, so a laptop opens no port) or a port number, e.g. 8080 in containers.
    health_listen: str = "127.0.0.1"
    health_port: int | None = Field(default=None, ge=0, le=65535)
    #: `make run` without a token: the port of the local sandbox Bot API it starts.
    sandbox_port: int = Field(default=8081, ge=1, le=65535)
    #: Reminders (issue 12), the network's policy: the first N days before a pledge is due,
    #: one on the day, then every M days while overdue, at most K of those.
    reminder_before_days: int = Field(default=2, ge=0, le=30)
    reminder_every_days: int = Field(default=3, ge=1, le=30)
    reminder_max_overdue: int = Field(default=3, ge=0, le=20)
    #: The local time of day reminders go at, and the quiet hours (each person's own zone).
    reminder_time: str = "10:00"
    quiet_hours: str = "21:00-08:00"
    #: `json`: one JSON object per log line, tagged with the update and a hashed person id.
    log_format: Literal["text", "json"] = "text"

    @field_validator("clock")
    @classmethod
    def _sandbox_clock_on_loopback(cls, value: str, info: ValidationInfo) -> str:
        if value == "sandbox" and not _on_loopback(str(info.data.get("bot_api_base_url", ""))):
            raise ValueError("sandbox follows the sandbox's clock, so BOT_API_BASE_URL must be "
                             "the sandbox on this machine (http://127.0.0.1:PORT/bot); "
                             "against Telegram the clock is the real one")
        return value

    @field_validator("health_port", mode="before")
    @classmethod
    def _port_or_off(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("off", "none", ""):
            return None
        return value

    @field_validator("reminder_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        try:
            parse_clock_time(value)
        except DomainError:
            raise ValueError("expected a time of day as HH:MM, e.g. 10:00") from None
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_span(cls, value: str) -> str:
        try:
            QuietHours.parse(value)
        except DomainError:
            raise ValueError("expected HH:MM-HH:MM, e.g. 21:00-08:00, or off") from None
        return value

    @property
    def reminder_policy(self) -> ReminderPolicy:
        """The network's reminder policy (an appeal may override it)."""
        return ReminderPolicy(
            self.reminder_before_days, self.reminder_every_days, self.reminder_max_overdue
        )

    @property
    def quiet(self) -> QuietHours:
        """The quiet hours, read."""
        return QuietHours.parse(self.quiet_hours)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if value is not None and value != "" and not TOKEN_PATTERN.match(value):
            raise ValueError("expected a token like 123456:ABC-DEF... from @BotFather")
        return value or None

    @field_validator("webhook_url")
    @classmethod
    def _webhook_shape(cls, value: str | None) -> str | None:
        if value and not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("expected the public URL Telegram posts updates to, "
                             "e.g. https://bot.example.org/telegram")
        return value or None

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value):
            raise ValueError("expected 16-256 characters of A-Z, a-z, 0-9, _ and -")
        return value or None

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        return self

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(p.isdigit() for p in parts):
                raise ValueError("expected comma-separated numeric Telegram user ids")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Asia/Shanghai") from None
        return value

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError("expected a three-letter ISO currency code such as CNY")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "expected sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB"
            )
        return value


def _on_loopback(url: str) -> bool:
    """Whether `url` is plain HTTP to this machine (where only a sandbox can be)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def load_settings() -> Settings:
    """Read the settings, or raise `SettingsError` naming the first bad one."""
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "WEBHOOK_SECRET"
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name}: {reason}") from None
