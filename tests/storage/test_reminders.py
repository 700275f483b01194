"""Reminder rows and the reminder job on SQLite and PostgreSQL (the outbox is what it sends)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import event, select

from domain.clock import FakeClock
from domain.network.models import Language, Person
from domain.outbox.models import Purpose
from domain.pledges.models import Fulfilment, FulfilmentState, Pledge
from domain.reminders.models import Pause
from domain.reminders.ports import ReminderTrack
from domain.reminders.scheduled import LEASE, ReminderJob
from storage.models.outbox import DeliveryRow
from storage.uow import SqlUnitOfWorkFactory
from tests.storage.reminders_seed import DUE, MADE, MEMBER, SETTINGS, Texts, at, goods


async def setup(uow_factory: SqlUnitOfWorkFactory, *tokens: str, reachable: bool = True
                ) -> list[Pledge]:
    """The member (in Shanghai, zh-Hans) and their pledges."""
    async with uow_factory() as uow:
        await uow.people.save(
            Person(MEMBER, "Li", "li", Language.ZH_HANS, True, "Asia/Shanghai", reachable, MADE)
        )
        pledges = [await uow.pledges.add(goods(token)) for token in tokens or ("a",)]
        await uow.commit()
    return pledges


async def reminders(uow_factory: SqlUnitOfWorkFactory) -> list[DeliveryRow]:
    """Every reminder queued in the outbox, oldest first."""
    async with uow_factory() as uow:
        rows = await uow.session.scalars(
            select(DeliveryRow)
            .where(DeliveryRow.purpose == Purpose.REMINDER.value)
            .order_by(DeliveryRow.id)
        )
        found = list(rows)
        uow.session.expunge_all()  # readable after the unit ends
        return found


async def track(uow_factory: SqlUnitOfWorkFactory, pledge_id: int) -> ReminderTrack:
    """A pledge's reminder row."""
    async with uow_factory() as uow:
        found = await uow.reminders.get(pledge_id)
    assert found is not None
    return found


def job(uow_factory: SqlUnitOfWorkFactory, clock: FakeClock) -> ReminderJob:
    """The job with the network's defaults."""
    return ReminderJob(uow_factory, clock, Texts(), SETTINGS)


# -- the repository -----------------------------------------------------------------------


async def test_rows_round_trip_and_pledges_without_rows_are_found(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    first, second = await setup(uow_factory, "a", "b")
    async with uow_factory() as uow:
        assert await uow.reminders.unplanned(10) == [first.id, second.id]
        row = ReminderTrack(first.id, at(18, 10), "before", 1, MADE, None, None)
        await uow.reminders.save(row)
        await uow.reminders.save(replace(row, sent_count=2))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.reminders.get(first.id) == replace(row, sent_count=2)
        assert await uow.reminders.unplanned(10) == [second.id]
        assert [t.pledge_id for t in await uow.reminders.of_person(MEMBER)] == [first.id]
        await uow.reminders.save(ReminderTrack(second.id, None))
        assert [t.due_at for t in await uow.reminders.of_person(MEMBER)] == [at(18, 10), None]
        assert await uow.reminders.of_person(MEMBER + 1) == []


async def test_a_claim_leases_due_rows_once_until_the_lease_runs_out(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    first, second = await setup(uow_factory, "a", "b")
    async with uow_factory() as uow:
        await uow.reminders.save(ReminderTrack(first.id, at(18, 10)))
        await uow.reminders.save(ReminderTrack(second.id, at(20, 10)))
        await uow.commit()
    now = at(18, 11)
    async with uow_factory() as uow:
        assert await uow.reminders.claim_due(now, now + LEASE, 10) == [first.id]
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.reminders.claim_due(now, now + LEASE, 10) == []
        assert await uow.reminders.claim_due(now + LEASE, now + 2 * LEASE, 10) == [first.id]


async def test_a_pause_round_trips(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.reminders.pause_of(MEMBER) == Pause()
        await uow.reminders.save_pause(MEMBER, Pause(snoozed_until=at(25, 9)))
        assert await uow.reminders.pause_of(MEMBER) == Pause(snoozed_until=at(25, 9))
        await uow.reminders.save_pause(MEMBER, Pause(off=True))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.reminders.pause_of(MEMBER) == Pause(off=True)


# -- the job --------------------------------------------------------------------------------


async def test_the_job_plans_new_pledges_and_sends_each_reminder_once_on_its_day(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    [pledge] = await setup(uow_factory)
    clock = FakeClock(MADE)
    reminder_job = job(uow_factory, clock)
    assert await reminder_job.tick() == 0
    assert (await track(uow_factory, pledge.id)).due_at == at(18, 10)
    clock.set(at(18, 9))
    assert await reminder_job.tick() == 0
    clock.set(at(18, 10))
    assert await reminder_job.tick() == 1
    assert await reminder_job.tick() == 0  # once
    [sent] = await reminders(uow_factory)
    assert (sent.chat_id, sent.text) == (MEMBER, f"#{pledge.id} zh-Hans 3000 {DUE} False")
    assert sent.buttons is not None and f"pm:all:{pledge.id}" in sent.buttons
    row = await track(uow_factory, pledge.id)
    assert (row.sent_count, row.last_sent_at, row.due_at, row.slot) == (
        1, at(18, 10), at(20, 10), "due"
    )
    clock.set(at(23, 10))
    assert await reminder_job.tick() == 1
    assert [d.text.endswith("True") for d in await reminders(uow_factory)] == [False, True]


async def test_a_pledge_fulfilled_after_the_claim_gets_nothing(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    [pledge] = await setup(uow_factory)
    clock = FakeClock(MADE)
    reminder_job = job(uow_factory, clock)
    await reminder_job.plan_unplanned()
    clock.set(at(18, 10))
    now = clock.now()
    async with uow_factory() as uow:
        assert await uow.reminders.claim_due(now, now + LEASE, 10) == [pledge.id]
        await uow.pledges.add_fulfilment(
            Fulfilment(0, pledge.id, Decimal(3000), False, MEMBER, now, None,
                       FulfilmentState.REPORTED)
        )
        await uow.commit()
    clock.advance(LEASE)
    assert await reminder_job.tick() == 0
    assert await reminders(uow_factory) == []
    assert (await track(uow_factory, pledge.id)).due_at is None


async def test_a_restart_between_claim_and_send_sends_once(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    [pledge] = await setup(uow_factory)
    clock = FakeClock(MADE)
    await job(uow_factory, clock).plan_unplanned()
    clock.set(at(18, 10))
    now = clock.now()
    async with uow_factory() as uow:  # a tick claims, then the process dies
        assert await uow.reminders.claim_due(now, now + LEASE, 10) == [pledge.id]
        await uow.commit()
    restarted = job(uow_factory, clock)
    assert await restarted.tick() == 0  # still leased by the dead tick
    clock.advance(LEASE)
    assert await restarted.tick() == 1
    assert await restarted.tick() == 0
    assert len(await reminders(uow_factory)) == 1


async def test_three_days_down_gives_one_reminder_per_pledge(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    pledges = await setup(uow_factory, "a", "b", "c")
    clock = FakeClock(MADE)
    reminder_job = job(uow_factory, clock)
    await reminder_job.tick()
    clock.set(at(18, 10))
    assert await reminder_job.tick() == 3
    clock.set(at(23, 15))  # down from the 18th to the 23rd: the due and first overdue passed
    assert await reminder_job.tick() == 3
    assert await reminder_job.tick() == 0
    sent = await reminders(uow_factory)
    assert len(sent) == 6
    for pledge in pledges:
        row = await track(uow_factory, pledge.id)
        assert (row.sent_count, row.slot, row.due_at) == (2, "overdue:2", at(26, 10))


async def test_a_blocked_pledger_is_not_retried(uow_factory: SqlUnitOfWorkFactory) -> None:
    [pledge] = await setup(uow_factory, reachable=False)
    clock = FakeClock(MADE)
    reminder_job = job(uow_factory, clock)
    await reminder_job.tick()
    clock.set(at(18, 10))
    assert await reminder_job.tick() == 0
    row = await track(uow_factory, pledge.id)
    assert (row.due_at, row.unreachable_at, row.sent_count) == (None, at(18, 10), 0)
    clock.set(at(20, 10))
    assert await reminder_job.tick() == 0
    assert await reminders(uow_factory) == []


async def test_statements_per_reminder_do_not_grow_with_the_backlog(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async def statements_for(count: int) -> float:
        async with uow_factory() as uow:
            await uow.session.execute(select(1))  # the engine is connected
            engine = uow.session.get_bind()
        tokens = [f"n{count}-{i}" for i in range(count)]
        await setup(uow_factory, *tokens)
        clock = FakeClock(MADE)
        reminder_job = job(uow_factory, clock)
        await reminder_job.tick()
        clock.set(at(18, 10))
        seen: list[str] = []

        def count_statement(*_args: object) -> None:
            seen.append("x")

        event.listen(engine, "before_cursor_execute", count_statement)
        try:
            sent = await reminder_job.tick()
        finally:
            event.remove(engine, "before_cursor_execute", count_statement)
        assert sent == count
        return len(seen) / count

    small = await statements_for(5)
    large = await statements_for(50)
    print(f"statements per reminder: {small:.1f} (5 due), {large:.1f} (50 due)")
    assert large <= small <= 12
