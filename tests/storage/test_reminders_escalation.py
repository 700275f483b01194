"""Escalation on SQLite and PostgreSQL: one message a day per coordinator, the right ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from domain.clock import FakeClock
from domain.network.models import Language
from domain.outbox.models import Purpose
from domain.reminders.escalation import EscalationService, Stalled
from domain.reminders.scheduled import ReminderJob, ReminderSettings
from storage.models.outbox import DeliveryRow
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.reminders_seed import (
    APPEAL_COORDINATOR,
    MADE,
    PLEDGER_COORDINATOR,
    Texts,
    at,
    network,
)


class Listing:
    """Plain escalation texts: the pledges listed and why."""

    def escalation(self, language: Language, stalled: list[Stalled]) -> str:
        """`#id why` per pledge."""
        return " ".join(f"#{s.pledge.id}:{s.why.value}:{s.who}" for s in stalled)

    def buttons(self, language: Language, stalled: list[Stalled]) -> str:
        """No buttons."""
        return "[]"


async def escalations(uow_factory: SqlUnitOfWorkFactory) -> list[tuple[int, str, str]]:
    """(coordinator, subject, text) of every escalation message queued."""
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            select(DeliveryRow.chat_id, DeliveryRow.subject, DeliveryRow.text)
            .where(DeliveryRow.purpose == Purpose.NOTICE.value,
                   DeliveryRow.subject.like("escalation:%"))
            .order_by(DeliveryRow.id)
        )
        return [(r[0], r[1], r[2]) for r in rows]


async def test_a_blocked_pledger_reaches_their_coordinator_once_a_day_then_the_appeals(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    pledge_id = await network(uow_factory, member_of_an_organisation=True, reachable=False)
    clock = FakeClock(MADE)
    settings = ReminderSettings()
    job = ReminderJob(uow_factory, clock, Texts(), settings)
    escalation = EscalationService(uow_factory, clock, Listing(), settings)
    await job.tick()
    assert await escalation.tick() == 0  # nothing stalled yet
    clock.set(at(18, 10))
    await job.tick()  # the first reminder finds the pledger unreachable
    assert await escalation.tick() == 1
    assert await escalations(uow_factory) == [
        (PLEDGER_COORDINATOR, f"escalation:{PLEDGER_COORDINATOR}:2026-02-18",
         f"#{pledge_id}:blocked:Li"),
    ]
    clock.advance(timedelta(hours=1))
    assert await escalation.tick() == 0  # one a day
    clock.set(at(19, 10))
    assert await escalation.tick() == 1  # the next day, again
    clock.set(at(25, 10))  # a week after it stalled: the appeal's coordinators too
    assert await escalation.tick() == 2
    assert {chat for chat, _s, _t in await escalations(uow_factory)} == {
        PLEDGER_COORDINATOR, APPEAL_COORDINATOR
    }


async def test_a_pledger_of_no_organisation_reaches_the_appeals_coordinators_at_once(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await network(uow_factory, member_of_an_organisation=False, reachable=False)
    clock = FakeClock(MADE)
    settings = ReminderSettings()
    job = ReminderJob(uow_factory, clock, Texts(), settings)
    await job.tick()
    clock.set(at(18, 10))
    await job.tick()
    assert await EscalationService(uow_factory, clock, Listing(), settings).tick() == 1
    assert [chat for chat, _s, _t in await escalations(uow_factory)] == [APPEAL_COORDINATOR]


async def test_escalation_waits_for_the_coordinators_quiet_hours_to_end(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await network(uow_factory, member_of_an_organisation=True, reachable=False)
    clock = FakeClock(MADE)
    settings = ReminderSettings()
    await ReminderJob(uow_factory, clock, Texts(), settings).tick()
    clock.set(at(18, 10))
    await ReminderJob(uow_factory, clock, Texts(), settings).tick()
    clock.set(at(18, 23))  # 23:00 in Shanghai
    assert await EscalationService(uow_factory, clock, Listing(), settings).tick() == 1
    async with uow_factory() as uow:
        not_before = await uow.session.scalar(
            select(DeliveryRow.not_before).where(DeliveryRow.subject.like("escalation:%"))
        )
    assert not_before is not None
    assert not_before.replace(tzinfo=UTC) == datetime(2026, 2, 19, 0, 0, tzinfo=UTC)  # 08:00
