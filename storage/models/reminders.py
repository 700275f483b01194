"""Reminder rows: one per pledge, holding its next reminder; and each person's pause."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class ReminderRow(Base):
    """A pledge's reminders: the next one planned (`due_at`, None: none) and those sent.

    Planned from the pledge by `domain.reminders`; the repeating job leases due rows
    (`lease_until`) and plans each one again when it sends.
    """

    __tablename__ = "reminder"

    pledge_id: Mapped[int] = mapped_column(
        ForeignKey("pledge.id", ondelete="CASCADE"), primary_key=True
    )
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    slot: Mapped[str | None] = mapped_column(String(16))
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReminderPauseRow(Base):
    """What a person asked of their reminders (`/reminders`): all off, or snoozed until."""

    __tablename__ = "reminder_pause"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    off: Mapped[bool] = mapped_column(default=False)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DigestSettingRow(Base):
    """A coordinator's daily digest: off, or the local time it goes; and the last one's day."""

    __tablename__ = "digest_setting"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    off: Mapped[bool] = mapped_column(default=False)
    at_time: Mapped[str] = mapped_column(String(5))
    #: the local day of the last digest looked at (sent, or silent on a quiet day)
    last_day: Mapped[date | None] = mapped_column(Date)
    #: what the next digest counts from
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AppealNudgeRow(Base):
    """An appeal whose deadline nudges to groups were turned off (`/nudges APPEAL off`)."""

    __tablename__ = "appeal_nudge"

    appeal_id: Mapped[int] = mapped_column(
        ForeignKey("appeal.id", ondelete="CASCADE"), primary_key=True
    )
    off: Mapped[bool] = mapped_column(default=False)


class AppealReminderPolicyRow(Base):
    """An appeal's own reminders: paused, or its own N / M / K (None: the network's)."""

    __tablename__ = "appeal_reminder_policy"

    appeal_id: Mapped[int] = mapped_column(
        ForeignKey("appeal.id", ondelete="CASCADE"), primary_key=True
    )
    paused: Mapped[bool] = mapped_column(default=False)
    before_days: Mapped[int | None] = mapped_column(Integer)
    every_days: Mapped[int | None] = mapped_column(Integer)
    max_overdue: Mapped[int | None] = mapped_column(Integer)
