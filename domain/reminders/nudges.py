"""Deadline nudges: a group hears what its appeal still needs, totals only, before it ends.

`before_days` (the reminders' N, 2 by default) before an open appeal's deadline and on the
day itself, at the reminders' hour in the network's zone, each group the appeal was sent to
gets a short message of what is still needed ("还差 3,200个 N95口罩"): the target less what
is pledged, per need and for money, never a name. Several appeals ending near each other
make one message: the outbox subject is the group's day, so a group gets at most one nudge a
day, and a restart cannot send it twice. A coordinator turns an appeal's nudges off (or on)
with `/nudges APPEAL off|on` or from the appeal's reminders in `/appeals`
(`domain/reminders/appeal_policy.py`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from domain.appeals.models import Appeal, Need, broadcast_subject
from domain.appeals.ports import AppealTotals
from domain.clock import Clock
from domain.network.models import ChatStatus, Language
from domain.outbox.models import DeliveryStatus, Purpose
from domain.outbox.ports import NewDelivery
from domain.reminders.ports import RemindersUnitOfWork
from domain.reminders.scheduled import Periodic, ReminderSettings

LOOK_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class StillNeeded:
    """One appeal's nudge: how many days are left and what is still needed."""

    appeal: Appeal
    days_left: int
    needs: list[tuple[Need, Decimal]]
    money_minor: int = 0


class NudgeTexts(Protocol):
    """Writes a group's nudge (HTML) in the network's language."""

    def nudge(self, language: Language, appeals: list[StillNeeded]) -> str:
        """What the appeals ending soon still need."""
        ...


class NudgeRepository(Protocol):
    """Which appeals have their nudges turned off."""

    async def nudges_off(self, appeal_id: int) -> bool:
        """True when the appeal's coordinators turned its nudges off."""
        ...

    async def set_nudges_off(self, appeal_id: int, off: bool) -> None:
        """Turn an appeal's nudges off (or back on)."""
        ...


class NudgesUnitOfWork(RemindersUnitOfWork, Protocol):
    """A unit of work with the appeals' totals and the nudge switches."""

    appeal_totals: AppealTotals
    nudges: NudgeRepository


class NudgesUnitOfWorkFactory(Protocol):
    """Makes units of work for the nudges."""

    def __call__(self) -> NudgesUnitOfWork:
        """Return a new, unopened unit of work."""
        ...


def nudge_subject(day: date) -> str:
    """The outbox subject of a group's nudge of one day (with the chat: one a day)."""
    return f"nudge:{day.isoformat()}"


class NudgeService(Periodic[NudgesUnitOfWork, NudgeTexts]):
    """Queues the day's nudges (`AppealRemindersService` switches an appeal's off and on)."""

    look_every = LOOK_EVERY

    def __init__(
        self,
        uow: NudgesUnitOfWorkFactory,
        clock: Clock,
        texts: NudgeTexts,
        settings: ReminderSettings,
        language: Language,
    ) -> None:
        super().__init__(uow, clock, texts, settings)
        self._language = language  # the groups' (the network's) language

    async def look(self, now: datetime) -> int:
        """Once the day's hour came, queue each group's nudge of the day; how many."""
        calendar = self._settings.calendar(None)
        local = now.astimezone(calendar.zone)
        if local.time() < self._settings.send_time:
            return 0
        today, queued = local.date(), 0
        async with self._uow() as uow:
            for chat_id, needed in (await self._by_group(uow, today)).items():
                queued += await uow.outbox.enqueue(
                    NewDelivery(Purpose.NOTICE, nudge_subject(today), chat_id,
                                self._texts.nudge(self._language, needed)),
                    now,
                )
            await uow.commit()
        return queued

    async def _by_group(
        self, uow: NudgesUnitOfWork, today: date
    ) -> dict[int, list[StillNeeded]]:
        """The appeals ending today or in N days that still need something, per group."""
        found: dict[int, list[StillNeeded]] = defaultdict(list)
        ends = {today, today + timedelta(days=self._settings.policy.before_days)}
        for appeal in await uow.appeal_lookup.open_appeals():
            if appeal.deadline not in ends or await uow.nudges.nudges_off(appeal.id):
                continue
            needed = await self._still_needed(uow, appeal, (appeal.deadline - today).days)
            if needed is None:
                continue
            for delivery in await uow.outbox.for_subject(
                Purpose.APPEAL, broadcast_subject(appeal.id)
            ):
                chat = await uow.chats.get(delivery.chat_id)
                if delivery.status is DeliveryStatus.SENT and chat is not None and (
                    chat.status is ChatStatus.APPROVED
                ):
                    found[delivery.chat_id].append(needed)
        return found

    @staticmethod
    async def _still_needed(
        uow: NudgesUnitOfWork, appeal: Appeal, days_left: int
    ) -> StillNeeded | None:
        """Each need's target less what is pledged, and money; None when nothing is open."""
        totals = await uow.appeal_totals.closing(appeal.id)
        pledged = {n.need_id: n.pledged for n in totals.needs}
        needs = [
            (need, need.target - pledged.get(need.id, Decimal(0)))
            for need in appeal.needs
            if need.target > pledged.get(need.id, Decimal(0))
        ]
        money = 0
        if appeal.money_target_minor:
            in_currency = sum(
                m.pledged_minor for m in totals.money if m.currency == appeal.currency
            )
            money = max(appeal.money_target_minor - in_currency, 0)
        if not needs and not money:
            return None
        return StillNeeded(appeal, days_left, needs, money)
