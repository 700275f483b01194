"""The daily digest on SQLite and PostgreSQL: at the coordinator's hour, silent on a quiet day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from domain.clock import FakeClock
from domain.kernel.origin import Origin
from domain.network.models import Language
from domain.outbox.models import Purpose
from domain.pledges.models import Fulfilment
from domain.reminders.digest import DailyDigestService, Digest
from domain.reminders.scheduled import ReminderSettings
from storage.models.outbox import DeliveryRow
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.reminders_seed import (
    APPEAL_COORDINATOR,
    MEMBER,
    PLEDGER_COORDINATOR,
    goods,
    network,
)


class Summary:
    """Plain digests: counts."""

    def digest(self, language: Language, digest: Digest) -> str:
        """new, delivered, awaiting, appeals."""
        return (f"new={len(digest.new)} delivered={len(digest.delivered)} "
                f"awaiting={digest.awaiting} appeals={len(digest.progress)}")


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock moment in February 2026, in UTC."""
    return datetime(2026, 2, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


async def digests(
    uow_factory: SqlUnitOfWorkFactory, coordinator: int = PLEDGER_COORDINATOR
) -> list[tuple[str, str]]:
    """(subject, text) of every digest queued for a coordinator."""
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            select(DeliveryRow.subject, DeliveryRow.text)
            .where(DeliveryRow.purpose == Purpose.DIGEST.value,
                   DeliveryRow.chat_id == coordinator)
            .order_by(DeliveryRow.id)
        )
        return [(r[0], r[1]) for r in rows]


async def test_a_digest_at_eighteen_then_silence_on_a_quiet_day(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    pledge_id = await network(uow_factory, member_of_an_organisation=True, reachable=True)
    clock = FakeClock(shanghai(10, 17, 59))
    service = DailyDigestService(uow_factory, clock, Summary(), ReminderSettings())
    assert await service.tick() == 0  # not yet 18:00 there
    clock.set(shanghai(10, 18, 0))
    assert await service.tick() == 2  # the pledger's coordinator and the appeal's
    assert await digests(uow_factory) == [
        (f"digest:{PLEDGER_COORDINATOR}:2026-02-10", "new=1 delivered=0 awaiting=0 appeals=0"),
    ]
    assert await digests(uow_factory, APPEAL_COORDINATOR) == [
        (f"digest:{APPEAL_COORDINATOR}:2026-02-10", "new=1 delivered=0 awaiting=0 appeals=1"),
    ]
    clock.advance(timedelta(hours=2))
    assert await service.tick() == 0  # one a day
    clock.set(shanghai(11, 18, 5))
    assert await service.tick() == 0  # nothing happened: nothing is sent
    async with uow_factory() as uow:  # a delivery on the 12th
        await uow.pledges.add_fulfilment(Fulfilment(
            0, pledge_id, Decimal(1000), False, MEMBER, shanghai(12, 9), None))
        await uow.commit()
    clock.set(shanghai(12, 18, 0))
    assert await service.tick() == 2
    assert (await digests(uow_factory))[-1][1] == "new=0 delivered=1 awaiting=1 appeals=0"


async def test_off_and_another_hour(uow_factory: SqlUnitOfWorkFactory) -> None:
    await network(uow_factory, member_of_an_organisation=True, reachable=True)
    clock = FakeClock(shanghai(10, 12))
    service = DailyDigestService(uow_factory, clock, Summary(), ReminderSettings())
    changed = await service.change(Origin(PLEDGER_COORDINATOR, 1), at=time(20, 30))
    assert (changed.off, changed.at) == (False, time(20, 30))
    clock.set(shanghai(10, 19))
    await service.tick()
    assert await digests(uow_factory) == []  # the appeal's coordinator got theirs at 18:00
    clock.set(shanghai(10, 20, 30))
    assert await service.tick() == 1
    await service.change(Origin(PLEDGER_COORDINATOR, 2), off=True)
    async with uow_factory() as uow:
        await uow.pledges.add(replace(goods("later"), created_at=shanghai(11, 9)))
        await uow.commit()
    clock.set(shanghai(11, 21))
    await service.tick()
    assert len(await digests(uow_factory)) == 1  # off: none on the 11th
