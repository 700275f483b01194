"""Reminder rows (`reminder`) and people's pauses (`reminder_pause`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reminders.digest import DigestSetting
from domain.reminders.models import AppealPolicy, Pause, ReminderPolicy, parse_clock_time
from domain.reminders.ports import ReminderTrack
from storage.models.pledges import FulfilmentRow, PledgeRow
from storage.models.reminders import (
    AppealNudgeRow,
    AppealReminderPolicyRow,
    DigestSettingRow,
    ReminderPauseRow,
    ReminderRow,
)


def _track(row: ReminderRow) -> ReminderTrack:
    return ReminderTrack(
        pledge_id=row.pledge_id,
        due_at=row.due_at,
        slot=row.slot,
        sent_count=row.sent_count,
        last_sent_at=row.last_sent_at,
        lease_until=row.lease_until,
        unreachable_at=row.unreachable_at,
    )


class _Rows:
    """A session, and the upsert both repositories write with."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def _postgres(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    def _upsert(self, table: Table, keys: list[str], values: dict[str, Any]) -> Any:
        """`INSERT ... ON CONFLICT (keys) DO UPDATE` for the session's dialect."""
        dialect = postgresql if self._postgres else sqlite
        statement = dialect.insert(table).values(**values)
        changed = {k: v for k, v in values.items() if k not in keys}
        return statement.on_conflict_do_update(index_elements=keys, set_=changed)


class SqlReminderRepository(_Rows):
    """Implements `domain.reminders.ports.ReminderRepository`."""

    async def get(self, pledge_id: int) -> ReminderTrack | None:
        """Return a pledge's row; on PostgreSQL it stays locked until the transaction ends."""
        query: Any = select(ReminderRow).where(ReminderRow.pledge_id == pledge_id)
        if self._postgres:
            # the job and an answer to the reminder re-plan the same row one after the other
            query = query.with_for_update()
        row = await self._session.scalar(query.execution_options(populate_existing=True))
        return None if row is None else _track(row)

    async def save(self, track: ReminderTrack) -> None:
        """Insert or update a pledge's row."""
        await self._session.execute(
            self._upsert(
                cast(Table, ReminderRow.__table__),
                ["pledge_id"],
                {
                    "pledge_id": track.pledge_id,
                    "due_at": track.due_at,
                    "slot": track.slot,
                    "sent_count": track.sent_count,
                    "last_sent_at": track.last_sent_at,
                    "lease_until": track.lease_until,
                    "unreachable_at": track.unreachable_at,
                },
            )
        )

    async def unplanned(self, limit: int) -> list[int]:
        """Pledges not cancelled without a row, oldest first."""
        rows = await self._session.scalars(
            select(PledgeRow.id)
            .outerjoin(ReminderRow, ReminderRow.pledge_id == PledgeRow.id)
            .where(ReminderRow.pledge_id.is_(None), PledgeRow.cancelled.is_(False))
            .order_by(PledgeRow.id)
            .limit(limit)
        )
        return list(rows)

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[int]:
        """Lease rows due by `now` whose lease is free or ran out (a tick died)."""
        query: Any = (
            select(ReminderRow.pledge_id)
            .where(
                ReminderRow.due_at <= now,
                or_(ReminderRow.lease_until.is_(None), ReminderRow.lease_until <= now),
            )
            .order_by(ReminderRow.due_at, ReminderRow.pledge_id)
            .limit(limit)
        )
        if self._postgres:
            # two replicas claiming at once skip each other's rows instead of waiting
            query = query.with_for_update(skip_locked=True)
        ids = list(await self._session.scalars(query))
        if ids:
            await self._session.execute(
                update(ReminderRow)
                .where(ReminderRow.pledge_id.in_(ids))
                .values(lease_until=lease_until)
                .execution_options(synchronize_session=False)
            )
        return ids

    async def stalled(self, limit: int) -> list[ReminderTrack]:
        """Rows with nothing planned after reminders went or a block, of pledges not cancelled."""
        rows = await self._session.scalars(
            select(ReminderRow)
            .join(PledgeRow, PledgeRow.id == ReminderRow.pledge_id)
            .where(
                ReminderRow.due_at.is_(None),
                or_(ReminderRow.unreachable_at.is_not(None), ReminderRow.sent_count > 0),
                PledgeRow.cancelled.is_(False),
            )
            .order_by(ReminderRow.pledge_id)
            .limit(limit)
        )
        return [_track(r) for r in rows]

    async def of_person(self, person_id: int) -> list[ReminderTrack]:
        """The rows of a person's pledges, by pledge."""
        rows = await self._session.scalars(
            select(ReminderRow)
            .join(PledgeRow, PledgeRow.id == ReminderRow.pledge_id)
            .where(PledgeRow.person_id == person_id)
            .order_by(ReminderRow.pledge_id)
        )
        return [_track(r) for r in rows]

    async def appeal_policy(self, appeal_id: int) -> AppealPolicy:
        """An appeal's own policy (none: the network's, not paused)."""
        row = await self._session.scalar(
            select(AppealReminderPolicyRow)
            .where(AppealReminderPolicyRow.appeal_id == appeal_id)
            .execution_options(populate_existing=True)
        )
        if row is None:
            return AppealPolicy()
        own = None
        if row.before_days is not None and row.every_days is not None and (
            row.max_overdue is not None
        ):
            own = ReminderPolicy(row.before_days, row.every_days, row.max_overdue)
        return AppealPolicy(row.paused, own)

    async def save_appeal_policy(self, appeal_id: int, policy: AppealPolicy) -> None:
        """Record an appeal's own policy."""
        own = policy.policy
        await self._session.execute(
            self._upsert(
                cast(Table, AppealReminderPolicyRow.__table__), ["appeal_id"],
                {
                    "appeal_id": appeal_id,
                    "paused": policy.paused,
                    "before_days": own.before_days if own else None,
                    "every_days": own.every_days if own else None,
                    "max_overdue": own.max_overdue if own else None,
                },
            )
        )

    async def open_pledges_of_appeal(self, appeal_id: int) -> list[int]:
        """The appeal's pledges not cancelled, by id."""
        rows = await self._session.scalars(
            select(PledgeRow.id)
            .where(PledgeRow.appeal_id == appeal_id, PledgeRow.cancelled.is_(False))
            .order_by(PledgeRow.id)
        )
        return list(rows)

    async def pause_of(self, person_id: int) -> Pause:
        """What the person asked of their reminders."""
        row = await self._session.scalar(
            select(ReminderPauseRow)
            .where(ReminderPauseRow.person_id == person_id)
            .execution_options(populate_existing=True)
        )
        if row is None:
            return Pause()
        return Pause(off=row.off, snoozed_until=row.snoozed_until)

    async def save_pause(self, person_id: int, pause: Pause) -> None:
        """Record the person's pause."""
        await self._session.execute(
            self._upsert(
                cast(Table, ReminderPauseRow.__table__),
                ["person_id"],
                {"person_id": person_id, "off": pause.off, "snoozed_until": pause.snoozed_until},
            )
        )


class SqlDailyDigestRepository(_Rows):
    """Implements `domain.reminders.digest.DailyDigestRepository`."""

    async def digest_of(self, person_id: int) -> DigestSetting:
        """A coordinator's setting (the default when they have none)."""
        row = await self._session.scalar(
            select(DigestSettingRow)
            .where(DigestSettingRow.person_id == person_id)
            .execution_options(populate_existing=True)
        )
        if row is None:
            return DigestSetting()
        return DigestSetting(row.off, parse_clock_time(row.at_time), row.last_day, row.last_at)

    async def save_digest(self, person_id: int, setting: DigestSetting) -> None:
        """Record a coordinator's setting."""
        await self._session.execute(
            self._upsert(
                cast(Table, DigestSettingRow.__table__),
                ["person_id"],
                {
                    "person_id": person_id,
                    "off": setting.off,
                    "at_time": f"{setting.at:%H:%M}",
                    "last_day": setting.last_day,
                    "last_at": setting.last_at,
                },
            )
        )

    async def pledges_made_since(self, since: datetime, limit: int) -> list[int]:
        """Pledges made at or after `since`, oldest first."""
        rows = await self._session.scalars(
            select(PledgeRow.id)
            .where(PledgeRow.created_at >= since)
            .order_by(PledgeRow.id)
            .limit(limit)
        )
        return list(rows)

    async def deliveries_reported_since(self, since: datetime, limit: int) -> list[int]:
        """Delivery reports made at or after `since`, oldest first."""
        rows = await self._session.scalars(
            select(FulfilmentRow.id)
            .where(FulfilmentRow.reported_at >= since)
            .order_by(FulfilmentRow.id)
            .limit(limit)
        )
        return list(rows)


class SqlNudgeRepository(_Rows):
    """Implements `domain.reminders.nudges.NudgeRepository`."""

    async def nudges_off(self, appeal_id: int) -> bool:
        """True when the appeal's nudges were turned off."""
        off = await self._session.scalar(
            select(AppealNudgeRow.off).where(AppealNudgeRow.appeal_id == appeal_id)
        )
        return bool(off)

    async def set_nudges_off(self, appeal_id: int, off: bool) -> None:
        """Turn an appeal's nudges off (or back on)."""
        await self._session.execute(
            self._upsert(
                cast(Table, AppealNudgeRow.__table__), ["appeal_id"],
                {"appeal_id": appeal_id, "off": off},
            )
        )
